"""Render a demo document as DOCX with python-docx.

python-docx stamps every zip member with the current time, so the saved package is
re-zipped with a fixed timestamp: the same catalogue then gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.shared import Pt
from docx.shared import RGBColor
from docx.table import _Row

from .catalogue import BulletList
from .catalogue import DemoDocument
from .catalogue import Heading
from .catalogue import Paragraph
from .catalogue import Table

_ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)
# python-docx's template is US Letter; German offices write on A4 with 2.5 cm margins.
_TEXT_WIDTH_CM = 16.0


def render_docx(doc: DemoDocument, path: Path) -> None:
    """Write doc as a DOCX file to path."""
    if doc.scan:
        raise ValueError("a scan can only be rendered as PDF")
    document = Document()
    _set_core_properties(document, doc)
    _set_language(document)
    _header_and_footer(document, doc)

    document.add_heading(doc.title, level=0)
    subtitle = document.add_paragraph()
    run = subtitle.add_run(
        f"{doc.municipality.name} · {doc.type_label} · Projekt „{doc.project.name}“ · "
        f"Stand: {doc.date:%d.%m.%Y}"
    )
    run.italic = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x46, 0x46, 0x46)

    for block in doc.body:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, BulletList):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(document, block)
        else:  # pragma: no cover - the catalogue only holds the four block kinds
            raise TypeError(f"unknown block {block!r}")

    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_normalised_zip(buffer.getvalue()))


def _set_core_properties(document: DocxDocument, doc: DemoDocument) -> None:
    created = datetime.datetime.combine(doc.date, datetime.time(9, 30))
    core = document.core_properties
    core.title = doc.title
    core.subject = doc.project.name
    core.author = doc.municipality.author
    core.last_modified_by = doc.municipality.author
    core.comments = doc.description
    core.keywords = ", ".join(doc.keywords)
    core.category = doc.type_label
    core.language = "de-DE"
    core.created = created
    core.modified = created
    core.revision = 1


def _set_language(document: DocxDocument) -> None:
    # The template declares en-US as the default language, which would make Word
    # spell-check the German text as English.
    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), "de-DE")


def _header_and_footer(document: DocxDocument, doc: DemoDocument) -> None:
    section = document.sections[0]
    section.page_width = Cm(21)
    section.page_height = Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    header = section.header.paragraphs[0]
    header.text = f"{doc.municipality.name} – {doc.municipality.author}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.text = f"{doc.title} · Lizenz: {doc.license_label} · Kontakt: {doc.project.contact}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for paragraph in (header, footer):
        for run in paragraph.runs:
            run.font.size = Pt(8)


def _table(document: DocxDocument, block: Table) -> None:
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    _repeat_as_header(table.rows[0])
    for row, cells in zip(table.rows[1:], block.rows):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    if block.widths:
        total = sum(block.widths)
        for column, share in zip(table.columns, block.widths):
            for cell in column.cells:
                cell.width = Cm(_TEXT_WIDTH_CM * share / total)
    # An empty paragraph keeps two consecutive tables from merging in Word.
    document.add_paragraph()


def _repeat_as_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tbl_header = OxmlElement("w:tblHeader")
    tbl_header.set(qn("w:val"), "true")
    tr_pr.append(tbl_header)


def _normalised_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return target_buffer.getvalue()
