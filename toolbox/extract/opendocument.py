"""OpenDocument text, spreadsheets and presentations (ODT, ODS, ODP), read from their XML.

The ZIP guard has bounded what the package unpacks to before this runs, and no member may
declare a DTD (`xmlsafe.odf_declares_doctype`). content.xml is read as a stream and every table
row and paragraph is dropped once read, so a sheet of a million cells costs the memory of one
row. Repeated rows and cells (``table:number-rows-repeated``, ``…-columns-repeated``: how
LibreOffice writes a sheet's million empty rows) are read once, never expanded.

What is read, in document order: paragraphs and headings (text boxes, frames and footnotes
included), tables row by row with cells joined by " | ", each sheet after a line with its name,
each slide with its speaker notes. Comments (office:annotation) and deleted tracked changes are
left out, as in DOCX.
"""

from __future__ import annotations

import zipfile
from typing import Any

from lxml import etree

from .normalize import clean_value
from .office import MAX_SHEET_CHARS
from .office import MAX_TEXT_CHARS
from .office import TextBudget
from .office import doctype_refused
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult
from .xmlsafe import PARSER
from .xmlsafe import odf_declares_doctype

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DC = "http://purl.org/dc/elements/1.1/"

_PARAGRAPHS = frozenset({f"{{{TEXT}}}p", f"{{{TEXT}}}h"})
_CELLS = frozenset({f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"})
_ROW = f"{{{TABLE}}}table-row"
_HEADING = f"{{{TEXT}}}h"
_TABLE = f"{{{TABLE}}}table"
_PAGE = f"{{{DRAW}}}page"
_SPACE = f"{{{TEXT}}}s"
_TAB = f"{{{TEXT}}}tab"
_LINE_BREAK = f"{{{TEXT}}}line-break"
# Content no reader sees as the document's text: comments, deleted text kept for tracked
# changes, the number of a footnote (its text is read).
_SKIP = frozenset({f"{{{OFFICE}}}annotation", f"{{{TEXT}}}tracked-changes", f"{{{TEXT}}}note-citation"})


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract the text and document properties of an ODT, ODS or ODP file."""
    if odf_declares_doctype(path):
        return doctype_refused(detected)
    with zipfile.ZipFile(path) as archive:
        with archive.open("content.xml") as stream:
            walk = _ContentWalk(detected.format)
            walk.read(stream)
        meta = _meta(archive)
    properties: dict[str, Any] = dict(meta.properties)
    page_count = meta.pages
    if detected.format == "ods":
        properties["sheets"] = walk.sheets[:100]
        properties["sheet_count"] = len(walk.sheets)
    elif detected.format == "odp":
        page_count = walk.slides
    else:  # a text: real headings are what a screen reader navigates by (accessibility.py)
        properties["accessibility"] = {"headings": walk.headings}
    if walk.budget.full:
        properties["truncated"] = True
    return text_result(detected, "\n".join(walk.lines), properties=properties, page_count=page_count,
                       title=meta.title, author=meta.author, created=meta.created)


class _ContentWalk:
    """Collects the lines of content.xml from a stream of start and end events.

    A table row is read whole when it ends, cell by cell from its elements: the paragraphs in
    cells (a million in a large sheet) are then passed over at the cost of two events each.
    """

    def __init__(self, format: str):
        self.format = format
        self.lines: list[str] = []
        self.sheets: list[str] = []
        self.slides = 0
        self.headings = 0
        self.budget = TextBudget(MAX_SHEET_CHARS if format == "ods" else MAX_TEXT_CHARS)
        self._rows = 0  # table rows open around the current element
        self._skipping = 0
        self._paragraphs = 0  # paragraphs open around the current element

    def read(self, stream: Any) -> None:
        events = etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False,
            huge_tree=False, remove_comments=True, remove_pis=True,
        )
        for event, element in events:
            if event == "start":
                self._start(element)
            else:
                self._end(element)
            if self.budget.full:
                return

    def _start(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == _HEADING:
            self.headings += 1
        if tag in _PARAGRAPHS:
            self._paragraphs += 1
        elif tag in _SKIP:
            self._skipping += 1
        elif tag == _ROW:
            self._rows += 1
        elif tag == _TABLE and self.format == "ods" and not self._rows:
            name = clean_value(element.get(f"{{{TABLE}}}name")) or ""
            self.sheets.append(name)
            self._emit(f"Tabelle: {name}" if name else "")
        elif tag == _PAGE:
            self.slides += 1
            self._emit("")

    def _end(self, element: etree._Element) -> None:
        tag = element.tag
        if tag in _PARAGRAPHS:
            self._paragraphs -= 1
            if not self._skipping and not self._rows:
                self._emit(_inline(element))
                self._drop(element)
        elif tag in _SKIP:
            self._skipping -= 1
            if not self._rows:
                self._drop(element)
        elif tag == _ROW:
            self._rows -= 1
            if not self._skipping and not self._rows:  # a nested table's rows are read with its cell
                line = _row_text(element)
                if line:
                    self._emit(line)
                self._drop(element)

    def _emit(self, line: str) -> None:
        if self.budget.take(line):
            self.lines.append(line)

    def _drop(self, element: etree._Element) -> None:
        """Free what has been read: the element's content and, outside a paragraph (whose
        inline content is read when the paragraph ends), the siblings read before it."""
        element.clear(keep_tail=True)
        parent = element.getparent()
        if parent is not None and not self._paragraphs:
            while element.getprevious() is not None:
                del parent[0]


def _row_text(row: etree._Element) -> str:
    cells = []
    for cell in row:
        if cell.tag in _CELLS:
            if len(cell) == 1 and cell[0].tag in _PARAGRAPHS and not len(cell[0]):
                text = (cell[0].text or "").strip()  # the usual cell: one paragraph of plain text
            else:
                text = " ".join(line.strip() for line in _blocks(cell) if line.strip())
            if text:
                cells.append(text)
    return " | ".join(cells)


def _blocks(container: etree._Element) -> list[str]:
    """The lines of a cell's content: paragraphs, lists, nested tables (one line per row)."""
    lines: list[str] = []
    for child in container:
        tag = child.tag
        if tag in _PARAGRAPHS:
            lines.append(_inline(child))
        elif tag == _ROW:
            lines.append(_row_text(child))
        elif isinstance(tag, str) and tag not in _SKIP:
            lines.extend(_blocks(child))
    return lines


def _inline(paragraph: etree._Element) -> str:
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            tag = child.tag
            if tag == _SPACE:
                parts.append(" ")
            elif tag == _TAB:
                parts.append("\t")
            elif tag == _LINE_BREAK:
                parts.append("\n")
            elif isinstance(tag, str) and tag not in _SKIP and tag not in _PARAGRAPHS:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(paragraph)
    return "".join(parts)


class _Meta:
    def __init__(self) -> None:
        self.title: str | None = None
        self.author: str | None = None
        self.created: str | None = None
        self.pages: int | None = None
        self.properties: dict[str, Any] = {}


_META_PROPERTIES = {
    f"{{{DC}}}subject": "subject",
    f"{{{DC}}}description": "description",
    f"{{{DC}}}creator": "last_modified_by",
    f"{{{DC}}}date": "modified",
    f"{{{DC}}}language": "language",
    f"{{{META}}}generator": "application",
}


def _meta(archive: zipfile.ZipFile) -> _Meta:
    """Title, author, dates and the page count from meta.xml (a file without one has none)."""
    meta = _Meta()
    try:
        root = etree.fromstring(archive.read("meta.xml"), PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return meta
    block = root.find(f"{{{OFFICE}}}meta")
    if block is None:
        return meta
    meta.title = clean_value(block.findtext(f"{{{DC}}}title"))
    meta.author = clean_value(block.findtext(f"{{{META}}}initial-creator")) or clean_value(
        block.findtext(f"{{{DC}}}creator"))
    meta.created = clean_value(block.findtext(f"{{{META}}}creation-date"), 40)
    for tag, name in _META_PROPERTIES.items():
        value = clean_value(block.findtext(tag))
        if value:
            meta.properties[name] = value
    keywords = [clean_value(element.text) for element in block.findall(f"{{{META}}}keyword")]
    if any(keywords):
        meta.properties["keywords"] = ", ".join(filter(None, keywords))
    statistic = block.find(f"{{{META}}}document-statistic")
    if statistic is not None:
        pages = statistic.get(f"{{{META}}}page-count") or ""
        if pages.isdigit() and int(pages) > 0:
            meta.pages = int(pages)
    return meta
