"""Render a demo document as OpenDocument text (ODT), Excel workbook (XLSX) or PowerPoint (PPTX).

So that `make run` shows every path of the extraction: each format is written from the same
catalogue blocks as the PDFs and DOCX files. The packages are re-zipped with a fixed timestamp and
fixed document dates, so the same catalogue gives the same bytes and a second import finds
duplicates.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .catalogue import BulletList, DemoDocument, Heading, Paragraph, Table
from .render_docx import _normalised_zip

_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"')


def _created(doc: DemoDocument) -> datetime.datetime:
    return datetime.datetime.combine(doc.date, datetime.time(9, 30))


def _subtitle(doc: DemoDocument) -> str:
    # Type and licence as the PDFs' footers and the DOCX files' footers name them.
    return (f"{doc.municipality.name} · {doc.type_label} · Projekt „{doc.project.name}“ · "
            f"Stand: {doc.date:%d.%m.%Y} · Lizenz: {doc.license_label}")


def render_odt(doc: DemoDocument, path: Path) -> None:
    """Write doc as an ODT package: headings, paragraphs, lists and tables in content.xml."""
    parts = [f'<text:h text:outline-level="1">{escape(doc.title)}</text:h>', f"<text:p>{escape(_subtitle(doc))}</text:p>"]
    for block in doc.body:
        if isinstance(block, Heading):
            parts.append(f'<text:h text:outline-level="{block.level + 1}">{escape(block.text)}</text:h>')
        elif isinstance(block, Paragraph):
            parts.append(f"<text:p>{escape(' '.join(block.text.split()))}</text:p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<text:list-item><text:p>{escape(item)}</text:p></text:list-item>" for item in block.items)
            parts.append(f"<text:list>{items}</text:list>")
        elif isinstance(block, Table):
            rows = [block.header, *block.rows]
            cells = "".join("<table:table-row>" + "".join(
                f"<table:table-cell><text:p>{escape(cell)}</text:p></table:table-cell>" for cell in row)
                + "</table:table-row>" for row in rows)
            parts.append(f"<table:table>{cells}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.3">'
               f"<office:body><office:text>{''.join(parts)}</office:text></office:body></office:document-content>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_NS} office:version="1.3"><office:meta>'
            f"<dc:title>{escape(doc.title)}</dc:title><dc:language>de-DE</dc:language>"
            f"<meta:initial-creator>{escape(doc.municipality.author)}</meta:initial-creator>"
            f"<meta:creation-date>{_created(doc):%Y-%m-%dT%H:%M:%S}</meta:creation-date>"
            "</office:meta></office:document-meta>")
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {_NS} manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODT_MIMETYPE}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        stamp = (2020, 1, 1, 0, 0, 0)
        archive.writestr(zipfile.ZipInfo("mimetype", date_time=stamp), _ODT_MIMETYPE)  # stored, first
        for name, data in (("content.xml", content), ("meta.xml", meta), ("META-INF/manifest.xml", manifest)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def render_xlsx(doc: DemoDocument, path: Path) -> None:
    """Write doc as a workbook: an overview sheet with the text, one sheet per table (named after
    the heading above it), numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    overview = workbook.active
    overview.title = "Übersicht"
    overview.append([doc.title])
    overview["A1"].font = Font(bold=True, size=14)
    overview.append([_subtitle(doc)])
    heading = "Tabelle"
    used: set[str] = {"Übersicht"}
    for block in doc.body:
        if isinstance(block, Heading):
            heading = block.text
            overview.append([])
            overview.append([block.text])
            overview.cell(overview.max_row, 1).font = Font(bold=True)
        elif isinstance(block, Paragraph):
            overview.append([" ".join(block.text.split())])
        elif isinstance(block, BulletList):
            for item in block.items:
                overview.append([f"• {item}"])
        elif isinstance(block, Table):
            sheet = workbook.create_sheet(_sheet_name(heading, used))
            sheet.append(list(block.header))
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in block.rows:
                sheet.append([_number(value) for value in row])
    overview.column_dimensions["A"].width = 100
    workbook.properties.title = doc.title
    workbook.properties.creator = doc.municipality.author
    workbook.properties.created = workbook.properties.modified = _created(doc)
    workbook.properties.language = "de-DE"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_normalised_zip(_fixed_modified(buffer.getvalue(), _created(doc))))


def _fixed_modified(data: bytes, moment: datetime.datetime) -> bytes:
    """openpyxl stamps the save time as "modified" whatever the properties say; the catalogue's
    date goes in its place, so that the bytes do not change from run to run."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                rb"\g<1>" + f"{moment:%Y-%m-%dT%H:%M:%SZ}".encode() + rb"\g<2>", member)
            target.writestr(info.filename, member)
    return buffer.getvalue()


def _sheet_name(heading: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", heading).strip()[:28] or "Tabelle"
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name[:25]} {number}", number + 1
    used.add(candidate)
    return candidate


def _number(value: str) -> object:
    """German numbers in table cells ("125.000", "2,5") as numbers; anything else as text."""
    plain = value.replace("\u202f", "").replace(" €", "").strip()
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+(,\d+)?", plain):
        number = float(plain.replace(".", "").replace(",", "."))
        return int(number) if number.is_integer() else number
    return value


def render_pptx(doc: DemoDocument, path: Path) -> None:
    """Write doc as slides: a title slide, one slide per top heading with its text as bullets,
    tables as slide tables, the description as the title slide's speaker notes."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(13.333), Inches(7.5)
    title_slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    title_slide.shapes.title.text = doc.title
    title_slide.placeholders[1].text = _subtitle(doc)
    title_slide.notes_slide.notes_text_frame.text = doc.description
    slide = None
    for block in doc.body:
        if isinstance(block, Heading) and block.level == 1 or slide is None:
            slide = presentation.slides.add_slide(presentation.slide_layouts[1])
            slide.shapes.title.text = block.text if isinstance(block, Heading) else doc.title
            body = slide.placeholders[1].text_frame
            body.clear()
            first = True
            if isinstance(block, Heading):
                continue
        if isinstance(block, Heading):
            lines = [block.text]
        elif isinstance(block, Paragraph):
            lines = [" ".join(block.text.split())]
        elif isinstance(block, BulletList):
            lines = list(block.items)
        else:
            rows = [block.header, *block.rows]
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(0.7), Inches(4.2), Inches(11.9),
                                           Inches(0.35 * len(rows)))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
                    shape.table.cell(r, c).text_frame.paragraphs[0].font.size = Pt(12)
            continue
        for line in lines:
            paragraph = body.paragraphs[0] if first else body.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(16)
            first = False
    core = presentation.core_properties
    core.title, core.author, core.language = doc.title, doc.municipality.author, "de-DE"
    core.created = core.modified = _created(doc)
    core.revision = 1
    buffer = io.BytesIO()
    presentation.save(buffer)
    path.write_bytes(_normalised_zip(buffer.getvalue()))
