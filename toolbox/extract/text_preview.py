"""The text of a document by page (PDF), sheet (XLSX, ODS) or slide (PPTX, ODP), for a preview
page that needs no JavaScript.

The index keeps one run of text per version: page breaks are gone and a spreadsheet row has lost
its empty cells, so a sheet could not be shown as a table whose columns line up. This reads the
file again, in the sandboxed child like every parser (only files whose extraction succeeded get
here, but a crafted file must still not take the worker down), and answers a small JSON-able
structure that the preview job stores as a derived file.

Everything is bounded: at most ``MAX_SECTIONS`` pages or slides, ``MAX_SHEETS`` sheets of at
most ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns, ``MAX_CHARS`` characters in all. Whatever is
left out is counted, so the page can say "the first 50 of 120 pages".
"""

from __future__ import annotations

import zipfile
from typing import Any

from . import sandbox

MAX_SECTIONS = 50
MAX_SHEETS = 10
MAX_ROWS = 200
MAX_COLUMNS = 26
MAX_CELL_CHARS = 300
MAX_CHARS = 150_000
#: Version of the stored structure; a preview of another version is made again.
SCHEMA = 1

UNIT_PAGE = "page"
UNIT_SHEET = "sheet"
UNIT_SLIDE = "slide"
#: Formats read here, and what each is divided into.
UNITS = {"pdf": UNIT_PAGE, "xlsx": UNIT_SHEET, "ods": UNIT_SHEET, "pptx": UNIT_SLIDE, "odp": UNIT_SLIDE}
_TARGET = f"{__name__}:text_preview_in_child"


def make_text_preview(source: str, format: str, *, timeout: float, memory_mb: int) -> dict[str, Any]:
    """``{"status": "ok", "preview": {...}}`` or ``{"status": <failure>, "detail": ...}``."""
    if format not in UNITS:
        raise ValueError(f"no text preview for {format!r}")
    outcome = sandbox.run_warm(_TARGET, [source, format], timeout=timeout, memory_mb=memory_mb)
    if outcome.kind == "ok":
        return {"status": "ok", "preview": outcome.value}
    return {"status": outcome.kind, "detail": outcome.error}


def text_preview_in_child(source: str, format: str) -> dict[str, Any]:
    reader = {"pdf": _pdf, "xlsx": _xlsx, "ods": _ods, "pptx": _pptx, "odp": _odp}[format]
    budget = _Budget()
    sections, total = reader(source, budget)
    return {"schema": SCHEMA, "unit": UNITS[format], "sections": sections, "total": total,
            "truncated": budget.spent >= MAX_CHARS}


class _Budget:
    def __init__(self) -> None:
        self.spent = 0

    def text(self, value: str, limit: int = MAX_CHARS) -> str:
        """``value`` cut to what is left of the budget (and to ``limit``)."""
        room = max(0, min(limit, MAX_CHARS - self.spent))
        value = value[:room]
        self.spent += len(value)
        return value

    @property
    def full(self) -> bool:
        return self.spent >= MAX_CHARS


def _lines(text: str, budget: _Budget) -> list[str]:
    """Lines without the layout's runs of spaces; a blank line between paragraphs is kept once."""
    lines: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line and (not lines or not lines[-1]):
            continue
        line = budget.text(line)
        lines.append(line)
        if budget.full:
            break
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _pdf(source: str, budget: _Budget) -> tuple[list[dict[str, Any]], int]:
    import pypdfium2

    document = pypdfium2.PdfDocument(source)
    try:
        total = len(document)
        sections = []
        for index in range(min(total, MAX_SECTIONS)):
            if budget.full:
                break
            page = document[index]
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
                page.close()
            sections.append({"number": index + 1, "lines": _lines(text, budget)})
    finally:
        document.close()
    return sections, total


def _cell(value: Any) -> str:
    from datetime import date, datetime, time

    if value is None:
        return ""
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}".replace(".", ",")
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().strftime("%d.%m.%Y")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return " ".join(str(value).split())


def _table(rows: list[list[str]]) -> list[list[str]]:
    """Rows without the empty ones at the end, all as wide as the widest one (trailing empty
    columns dropped), so that the columns of the HTML table line up."""
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, cell in enumerate(row) if cell), default=0) for row in rows), default=0)
    return [(row + [""] * width)[:width] for row in rows]


def _xlsx(source: str, budget: _Budget) -> tuple[list[dict[str, Any]], int]:
    import warnings

    from openpyxl import load_workbook

    with open(source, "rb") as stream, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        try:
            sheets = workbook.worksheets
            sections = []
            for sheet in sheets[:MAX_SHEETS]:
                rows: list[list[str]] = []
                more = False
                if hasattr(sheet, "reset_dimensions"):  # chart sheets have no cells
                    sheet.reset_dimensions()
                    for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                        if len(rows) == MAX_ROWS or budget.full:
                            more = True
                            break
                        rows.append([budget.text(_cell(value), MAX_CELL_CHARS) for value in row])
                sections.append({"name": budget.text(sheet.title, 100), "rows": _table(rows), "more_rows": more})
            return sections, len(sheets)
        finally:
            workbook.close()


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_PRESENTATION_NS = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _odf_events(source: str, tags: tuple[str, ...]):
    """End events of ``tags`` in content.xml, read as a stream without DTDs or entities."""
    from lxml import etree

    from .xmlsafe import odf_declares_doctype

    if odf_declares_doctype(source):
        raise ValueError("OpenDocument with a DTD")
    with zipfile.ZipFile(source) as archive, archive.open("content.xml") as stream:
        yield from etree.iterparse(stream, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                                   load_dtd=False, huge_tree=False)


def _odf_text(element: Any) -> str:
    """The text of a paragraph or cell, with <text:s>, tabs and line breaks as spaces."""
    return " ".join("".join(element.itertext()).split())


def _drop(element: Any) -> None:
    """Free a row once read, and the rows read before it: a sheet costs the memory of one row."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _repeat(element: Any, attribute: str, cap: int) -> int:
    try:
        return max(1, min(cap, int(element.get(f"{{{_TABLE_NS}}}{attribute}", "1"))))
    except ValueError:
        return 1


def _ods(source: str, budget: _Budget) -> tuple[list[dict[str, Any]], int]:
    # LibreOffice writes a sheet's million empty rows and thousands of empty columns as one
    # repeated element: repeats are expanded only up to the table's bounds.
    sections: list[dict[str, Any]] = []
    total = 0
    rows: list[list[str]] = []
    more = False
    cells = {f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell"}
    table_tag, row_tag = f"{{{_TABLE_NS}}}table", f"{{{_TABLE_NS}}}table-row"
    for _event, element in _odf_events(source, (table_tag, row_tag)):
        if element.tag == row_tag:
            parent = element.getparent()
            nested = parent is not None and parent.tag not in (
                table_tag, f"{{{_TABLE_NS}}}table-rows", f"{{{_TABLE_NS}}}table-header-rows",
                f"{{{_TABLE_NS}}}table-row-group")
            if nested:
                continue  # a table in a cell: its text is the cell's
            if total >= MAX_SHEETS or len(rows) == MAX_ROWS:
                more = more or (total < MAX_SHEETS and bool(_odf_text(element)))
                _drop(element)
                continue
            row: list[str] = []
            for cell in element:
                if cell.tag in cells and len(row) < MAX_COLUMNS:
                    text = budget.text(_odf_text(cell), MAX_CELL_CHARS)
                    row.extend([text] * _repeat(cell, "number-columns-repeated", MAX_COLUMNS - len(row)))
            for _ in range(_repeat(element, "number-rows-repeated", MAX_ROWS)):
                if len(rows) == MAX_ROWS or budget.full:
                    more = more or any(row)
                    break
                rows.append(row)
            _drop(element)
        elif element.getparent() is not None and element.getparent().tag == f"{{{_OFFICE_NS}}}spreadsheet":
            if total < MAX_SHEETS:
                name = budget.text(element.get(f"{{{_TABLE_NS}}}name", ""), 100)
                sections.append({"name": name, "rows": _table(rows), "more_rows": more})
            total += 1
            rows, more = [], False
            element.clear(keep_tail=True)
    return sections, total


def _odp(source: str, budget: _Budget) -> tuple[list[dict[str, Any]], int]:
    sections: list[dict[str, Any]] = []
    total = 0
    notes = f"{{{_PRESENTATION_NS}}}notes"
    paragraphs = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}
    for _event, page in _odf_events(source, (f"{{{_DRAW_NS}}}page",)):
        total += 1
        if total <= MAX_SECTIONS and not budget.full:
            lines, note_lines = [], []
            for paragraph in page.iter(*paragraphs):
                inside_notes = any(ancestor.tag == notes for ancestor in paragraph.iterancestors())
                text = budget.text(_odf_text(paragraph))
                if text:
                    (note_lines if inside_notes else lines).append(text)
            sections.append({"number": total, "lines": lines, "notes": note_lines})
        page.clear(keep_tail=True)
    return sections, total


def _pptx(source: str, budget: _Budget) -> tuple[list[dict[str, Any]], int]:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    def shape_lines(shape: Any, lines: list[str]) -> None:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            for member in shape.shapes:
                shape_lines(member, lines)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for table_row in shape.table.rows:
                cells = [" ".join(cell.text.split()) for cell in table_row.cells]
                if any(cells):
                    lines.append(budget.text(" | ".join(cell for cell in cells if cell)))
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                text = " ".join(paragraph.text.split())
                if text:
                    lines.append(budget.text(text))

    presentation = Presentation(source)
    slides = presentation.slides
    sections = []
    for number, slide in enumerate(slides, start=1):
        if number > MAX_SECTIONS or budget.full:
            break
        lines: list[str] = []
        for shape in slide.shapes:
            shape_lines(shape, lines)
        note_lines: list[str] = []
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            note_lines = _lines(slide.notes_slide.notes_text_frame.text, budget)
        sections.append({"number": number, "lines": [line for line in lines if line],
                         "notes": [line for line in note_lines if line]})
    return sections, len(slides)
