"""DOCX text and properties: python-docx opens the package, the text is walked in the XML.

(Named word.py, not docx.py, so it cannot shadow the python-docx package.)

python-docx's paragraph API misses most of what a municipal template holds: text boxes,
content controls, footnotes, endnotes, tracked changes, and it repeats merged table cells.
So the story parts are walked here in document order:

- paragraphs, and tables row by row (cells joined with " | ", nested tables inline);
- text boxes (w:txbxContent) after the paragraph that anchors them. Word stores a modern
  text box twice, as mc:Choice (DrawingML) and mc:Fallback (VML); only one branch of an
  mc:AlternateContent is read, like Word does;
- content controls (w:sdt), hyperlinks, fields (the result, not the field code);
- inserted text (w:ins) but not deleted text (w:del / w:delText / w:moveFrom).

Order of the whole: headers, body, footnotes, endnotes, footers. Headers and footers are
collected from the sections' references and read once each: sections that are "linked to
previous" reuse the same part.
"""

from __future__ import annotations

from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.package import Package
from lxml import etree

from . import messages
from .normalize import clean_value
from .normalize import normalize_text
from .running import PROPERTY as RUNNING_LINES
from .running import margin_lines
from .office import read_property as _read
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult
from .xmlsafe import PARSER
from .xmlsafe import declares_doctype

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


# Our own parser: python-docx's custom element classes override `.text`, and entities
# must never be resolved in untrusted XML.
_PARSER = PARSER

_PARAGRAPH = _w("p")
_TABLE = _w("tbl")
_ROW = _w("tr")
_CELL = _w("tc")
_TEXT_BOX = _w("txbxContent")
_ALTERNATE = f"{{{MC}}}AlternateContent"
_CHOICE = f"{{{MC}}}Choice"
_FALLBACK = f"{{{MC}}}Fallback"
_TEXT_TAGS = frozenset({_w("t"), f"{{{M}}}t"})
_LINE_BREAK_TAGS = frozenset({_w("br"), _w("cr")})
_TAB_TAGS = frozenset({_w("tab"), _w("ptab")})
# Elements whose content is never text that a reader sees.
_SKIP = frozenset(
    {
        _w("del"),
        _w("delText"),
        _w("moveFrom"),
        _w("instrText"),
        _w("delInstrText"),
        _w("pPr"),
        _w("rPr"),
        _w("sdtPr"),
        _w("sdtEndPr"),
        _w("tblPr"),
        _w("tblGrid"),
        _w("trPr"),
        _w("tcPr"),
        _w("sectPr"),
        _w("fldData"),
    }
)

_CORE_PROPERTIES = (
    "last_modified_by",
    "revision",
    "subject",
    "keywords",
    "category",
    "comments",  # the core property "description"; renamed below so it is not confused
    "content_status",
    "language",
    "version",
)
_APP_PROPERTIES = {
    "Company": "company",
    "Manager": "manager",
    "Application": "application",
    "Template": "template",
    "Pages": "pages",
}


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract the text and document properties of a DOCX (or DOTX) file."""
    if declares_doctype(path):
        return ExtractionResult(
            status="failed",
            message=messages.XML_DOCTYPE,
            format=detected.format,
            media_type=detected.media_type,
        )
    package = Package.open(path)
    document_part = package.part_related_by(RT.OFFICE_DOCUMENT)
    document = _xml(document_part)

    stories: list[etree._Element] = [document]
    headers, footers = _headers_and_footers(document, document_part)
    notes = [_related_xml(document_part, reltype) for reltype in (RT.FOOTNOTES, RT.ENDNOTES)]
    stories.extend(headers + footers + [note for note in notes if note is not None])

    blocks: list[str] = []
    margins: list[str] = []
    for header in headers:
        blocks.extend(_blocks(header))
        margins.extend(_blocks(header))
    body = document.find(_w("body"))
    if body is not None:
        blocks.extend(_blocks(body))
    for note in notes:
        if note is not None:
            for entry in note:
                blocks.extend(_blocks(entry))
    for footer in footers:
        blocks.extend(_blocks(footer))
        margins.extend(_blocks(footer))
    text = normalize_text("\n".join(blocks))

    properties, title, author, created = _core_properties(package)
    properties.update(_app_properties(package))
    properties.update(_tracked_changes(stories))
    running = margin_lines(normalize_text(block) for block in margins)
    if running:
        properties[RUNNING_LINES] = running
    properties["accessibility"] = {"headings": _heading_count(document)}
    comments = _comments(document_part)
    if comments is not None:
        properties["comments"] = comments

    return text_result(detected, text, properties=properties, page_count=_page_count(properties), title=title,
                       author=author, created=created, normalized=True)


# --- the text walk -------------------------------------------------------------------


def _heading_count(document: etree._Element) -> int:
    """Paragraphs in a heading style (Word's "Heading n" / "Überschrift n", "Title") or with an
    outline level: the headings a screen reader can jump between."""
    count = 0
    for style in document.iter(_w("pStyle")):
        name = (style.get(_w("val")) or "").lower()
        if name.startswith(("heading", "berschrift", "title", "titel")):
            count += 1
    return count + sum(1 for _ in document.iter(_w("outlineLvl")))


def _blocks(container: etree._Element) -> list[str]:
    """Lines of a block container (body, cell, text box, header, note, content control)."""
    lines: list[str] = []
    for child in container:
        tag = child.tag
        if tag == _PARAGRAPH:
            lines.extend(_paragraph(child))
        elif tag == _TABLE:
            lines.extend(_table(child))
        elif tag == _ALTERNATE:
            branch = _chosen_branch(child)
            if branch is not None:
                lines.extend(_blocks(branch))
        elif tag in _SKIP or not isinstance(tag, str):
            continue
        else:  # w:sdt/w:sdtContent, w:customXml, w:ins, w:moveTo, w:smartTag …
            lines.extend(_blocks(child))
    return lines


def _paragraph(paragraph: etree._Element) -> list[str]:
    """The paragraph's text, followed by the text of the text boxes anchored in it."""
    parts: list[str] = []
    text_boxes: list[str] = []
    _inline(paragraph, parts, text_boxes)
    return ["".join(parts), *text_boxes]


def _inline(element: etree._Element, parts: list[str], text_boxes: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in _TEXT_TAGS:
            parts.append(child.text or "")
        elif tag in _TAB_TAGS:
            parts.append("\t")
        elif tag in _LINE_BREAK_TAGS:
            parts.append("\n")
        elif tag == _w("noBreakHyphen"):
            parts.append("-")
        elif tag == _TEXT_BOX:
            text_boxes.extend(_blocks(child))
        elif tag == _ALTERNATE:
            branch = _chosen_branch(child)
            if branch is not None:
                _inline(branch, parts, text_boxes)
        elif tag == _PARAGRAPH:  # block content where inline was expected (odd producers)
            text_boxes.extend(_paragraph(child))
        elif tag == _TABLE:
            text_boxes.extend(_table(child))
        else:  # runs, hyperlinks, w:ins, fields, inline content controls, drawings …
            _inline(child, parts, text_boxes)


def _table(table: etree._Element) -> list[str]:
    lines: list[str] = []
    for row in _descendants_through_wrappers(table, _ROW):
        cells = []
        for cell in _descendants_through_wrappers(row, _CELL):
            content = " ".join(line.strip() for line in _blocks(cell) if line.strip())
            if content:
                cells.append(content)
        if cells:
            lines.append(" | ".join(cells))
    return lines


def _descendants_through_wrappers(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Rows of a table or cells of a row, also where content controls or custom XML wrap
    them (w:sdt > w:sdtContent > w:tr)."""
    found: list[etree._Element] = []
    for child in parent:
        if child.tag == tag:
            found.append(child)
        elif child.tag == _ALTERNATE:
            branch = _chosen_branch(child)
            if branch is not None:
                found.extend(_descendants_through_wrappers(branch, tag))
        elif isinstance(child.tag, str) and child.tag not in _SKIP and child.tag not in (
            _TABLE,
            _PARAGRAPH,
        ):
            found.extend(_descendants_through_wrappers(child, tag))
    return found


def _chosen_branch(alternate: etree._Element) -> etree._Element | None:
    """The one branch of mc:AlternateContent to read: the first mc:Choice (we read every
    namespace a choice may require), else mc:Fallback."""
    choice = alternate.find(_CHOICE)
    return choice if choice is not None else alternate.find(_FALLBACK)


# --- parts ---------------------------------------------------------------------------


def _xml(part: Any) -> etree._Element:
    return etree.fromstring(part.blob, _PARSER)


def _related_xml(part: Any, reltype: str) -> etree._Element | None:
    try:
        related = part.part_related_by(reltype)
    except KeyError:
        return None
    return _xml(related)


def _headers_and_footers(
    document: etree._Element, document_part: Any
) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every header and footer part the sections refer to, in section order, each once."""
    headers: list[etree._Element] = []
    footers: list[etree._Element] = []
    seen: set[str] = set()
    for reference in document.iter(_w("headerReference"), _w("footerReference")):
        relationship_id = reference.get(f"{{{R}}}id")
        relationship = document_part.rels.get(relationship_id)
        if relationship is None or relationship.is_external:
            continue
        part = relationship.target_part
        if str(part.partname) in seen:
            continue
        seen.add(str(part.partname))
        target = headers if reference.tag == _w("headerReference") else footers
        target.append(_xml(part))
    return headers, footers


def _core_properties(package: Package) -> tuple[dict[str, Any], str | None, str | None, str | None]:
    # Not `package.core_properties`: for a file without the part, python-docx invents one
    # ("Word Document", last modified by "python-docx").
    try:
        core = package.part_related_by(RT.CORE_PROPERTIES).core_properties
    except (KeyError, AttributeError):
        return {}, None, None, None
    properties: dict[str, Any] = {}
    for name in _CORE_PROPERTIES:
        value = _read(core, name)
        if value is None or value == "":
            continue
        if name == "comments":
            name = "description"
        properties[name] = value if isinstance(value, int) else clean_value(value)
    modified = _read(core, "modified")
    if modified is not None:
        properties["modified"] = modified.isoformat()
    created = _read(core, "created")
    return (
        {key: value for key, value in properties.items() if value is not None},
        clean_value(_read(core, "title")),
        clean_value(_read(core, "author")),
        created.isoformat() if created is not None else None,
    )



def _app_properties(package: Package) -> dict[str, Any]:
    try:
        part = package.part_related_by(RT.EXTENDED_PROPERTIES)
        root = etree.fromstring(part.blob, _PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return {}
    properties: dict[str, Any] = {}
    for element_name, key in _APP_PROPERTIES.items():
        element = root.find(f"{{{EP}}}{element_name}")
        value = clean_value(element.text if element is not None else None)
        if value is None:
            continue
        properties[key] = int(value) if key == "pages" and value.isdigit() else value
    return properties


def _page_count(properties: dict[str, Any]) -> int | None:
    # Word stores the page count it last laid out; other producers leave it out or at 0.
    pages = properties.pop("pages", None)
    return pages if isinstance(pages, int) and pages > 0 else None


def _tracked_changes(stories: list[etree._Element]) -> dict[str, Any]:
    count = 0
    authors: set[str] = set()
    for story in stories:
        for change in story.iter(_w("ins"), _w("del")):
            count += 1
            author = change.get(_w("author"))
            if author:
                authors.add(author)
    if not count:
        return {"tracked_changes": 0}
    return {
        "tracked_changes": count,
        "tracked_change_authors": sorted(filter(None, map(clean_value, authors))),
    }


def _comments(document_part: Any) -> dict[str, Any] | None:
    root = _related_xml(document_part, RT.COMMENTS)
    if root is None:
        return None
    comments = root.findall(_w("comment"))
    authors = {clean_value(comment.get(_w("author"))) for comment in comments}
    return {"count": len(comments), "authors": sorted(filter(None, authors))}
