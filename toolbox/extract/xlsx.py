"""Excel workbooks (XLSX): sheet names and cell values, with openpyxl in read-only mode.

Read-only mode streams each sheet's XML row by row instead of building every cell, so memory
follows the widest row, not the sheet. Formulas give their cached values (``data_only``): what
Excel or LibreOffice showed when the file was saved; a formula never calculated (a file written
by a program) has none and is left out. The dimension a sheet claims for itself is ignored
(``reset_dimensions``): a hostile file claiming A1:XFD1048576 would otherwise have every row
padded to 16 384 cells.
"""

from __future__ import annotations

import warnings
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

from openpyxl import load_workbook

from .normalize import clean_value
from .office import MAX_SHEET_CHARS
from .office import TextBudget
from .office import doctype_refused
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult
from .xmlsafe import declares_doctype

_PROPERTIES = ("subject", "description", "keywords", "category", "lastModifiedBy", "language")


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract every sheet's name and values, and the workbook's document properties."""
    if declares_doctype(path):
        return doctype_refused(detected)
    # A file object, not the path: openpyxl refuses a path without an .xlsx extension, and
    # stored files are named by their hash.
    stream = open(path, "rb")
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, conditional formats…).
        warnings.simplefilter("ignore")
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    try:
        lines: list[str] = []
        budget = TextBudget(MAX_SHEET_CHARS)
        sheets = []
        for sheet in workbook.worksheets:
            sheets.append(sheet.title)
            if budget.full:
                continue
            lines.append(f"Tabelle: {sheet.title}")
            _read_sheet(sheet, lines, budget)
        properties, title, author, created = _properties(workbook)
    finally:
        workbook.close()
        stream.close()
    properties["sheets"] = sheets[:100]
    properties["sheet_count"] = len(sheets)
    if budget.full:
        properties["truncated"] = True
    return text_result(detected, "\n".join(lines), properties=properties, title=title, author=author,
                       created=created)


def _read_sheet(sheet: Any, lines: list[str], budget: TextBudget) -> None:
    if hasattr(sheet, "reset_dimensions"):  # chart sheets have no cells
        sheet.reset_dimensions()
    else:
        return
    for row in sheet.iter_rows(values_only=True):
        cells = [text for text in map(_cell_text, row) if text]
        if not cells:
            continue
        line = " | ".join(cells)
        if not budget.take(line):
            return
        lines.append(line)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()  # Excel has no dates, only date-times at midnight
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def _properties(workbook: Any) -> tuple[dict[str, Any], str | None, str | None, str | None]:
    core = workbook.properties
    properties: dict[str, Any] = {}
    for name in _PROPERTIES:
        value = clean_value(getattr(core, name, None))
        if value:
            properties["last_modified_by" if name == "lastModifiedBy" else name] = value
    modified = getattr(core, "modified", None)
    if isinstance(modified, datetime):
        properties["modified"] = modified.isoformat()
    created = getattr(core, "created", None)
    return (
        properties,
        clean_value(core.title),
        clean_value(core.creator),
        created.isoformat() if isinstance(created, datetime) else None,
    )
