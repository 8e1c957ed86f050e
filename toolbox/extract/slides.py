"""PowerPoint presentations (PPTX): the text of each slide, its tables and its speaker notes,
with python-pptx.

(Named slides.py, not pptx.py, so it cannot shadow the python-pptx package.)

Each slide starts with a line "Folie N"; shapes are read in the slide's order, groups
recursively, tables row by row with cells joined by " | ", then the notes of the slide.
"""

from __future__ import annotations

from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from .normalize import clean_value
from .office import TextBudget
from .office import doctype_refused
from .office import read_property as _read
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult
from .xmlsafe import declares_doctype

_PROPERTIES = ("subject", "keywords", "category", "comments", "last_modified_by", "language")


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract the slides' text, tables and notes, and the document properties."""
    if declares_doctype(path):
        return doctype_refused(detected)
    presentation = Presentation(path)
    lines: list[str] = []
    budget = TextBudget()
    slides = presentation.slides
    for number, slide in enumerate(slides, start=1):
        if budget.full:
            break
        slide_lines = [f"Folie {number}"]
        for shape in slide.shapes:
            _shape(shape, slide_lines)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                slide_lines.append(notes.text)
        for line in slide_lines:
            if not budget.take(line):
                break
            lines.append(line)
    properties, title, author, created = _properties(presentation)
    if budget.full:
        properties["truncated"] = True
    return text_result(detected, "\n".join(lines), properties=properties, page_count=len(slides),
                       title=title, author=author, created=created)


def _shape(shape: Any, lines: list[str]) -> None:
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for member in shape.shapes:
            _shape(member, lines)
        return
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            cells = [" ".join(cell.text.split()) for cell in row.cells]
            cells = [cell for cell in cells if cell]
            if cells:
                lines.append(" | ".join(cells))
        return
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines.append(shape.text_frame.text)


def _properties(presentation: Any) -> tuple[dict[str, Any], str | None, str | None, str | None]:
    core = presentation.core_properties
    properties: dict[str, Any] = {}
    for name in _PROPERTIES:
        value = clean_value(_read(core, name))
        if value:
            properties["description" if name == "comments" else name] = value
    modified = _read(core, "modified")
    if modified is not None:
        properties["modified"] = modified.isoformat()
    created = _read(core, "created")
    return (properties, clean_value(_read(core, "title")), clean_value(_read(core, "author")),
            created.isoformat() if created is not None else None)

