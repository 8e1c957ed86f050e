"""Generate a mixed corpus of realistic size for the ingest benchmark: PDF, DOCX and every
format of issue 13 (ODT, ODS, ODP, XLSX, PPTX, RTF, HTML)."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .german_text import TextGenerator


def _latin1(text: str) -> str:
    return text.encode("cp1252", errors="replace").decode("cp1252")


def write_pdf(path: Path, gen: TextGenerator, pages: int) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.cell(0, 8, _latin1(f"Abschnitt {page + 1}: {gen.sentence(5)}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _latin1(gen.paragraph(380)))
    pdf.output(str(path))


def write_docx(path: Path, gen: TextGenerator, sections: int) -> None:
    import docx

    document = docx.Document()
    document.core_properties.author = "Benchmark"
    document.sections[0].header.paragraphs[0].text = "Smart Region Toolbox – Benchmark"
    for section in range(sections):
        document.add_heading(f"Abschnitt {section + 1}", level=1)
        document.add_paragraph(gen.paragraph(250))
        table = document.add_table(rows=4, cols=3)
        for row in table.rows:
            for cell in row.cells:
                cell.text = " ".join(gen.words_(3))
        document.add_paragraph(gen.paragraph(120))
    document.save(path)


_ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def _odf(path: Path, kind: str, inner: str) -> None:
    element = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}[kind]
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS} office:version="1.3">'
               f"<office:body><office:{element}>{inner}</office:{element}></office:body></office:document-content>")
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {_ODF_NS} manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODF_MIMETYPES[kind]}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _ODF_MIMETYPES[kind], compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)


def _p(text: str) -> str:
    return f"<text:p>{escape(text)}</text:p>"


def _rows(gen: TextGenerator, count: int) -> list[list[str]]:
    return [[" ".join(gen.words_(2)), str(1000 + 37 * row), " ".join(gen.words_(4))] for row in range(count)]


def write_odt(path: Path, gen: TextGenerator, sections: int) -> None:
    parts = []
    for section in range(sections):
        parts.append(f'<text:h text:outline-level="1">Abschnitt {section + 1}: {escape(gen.sentence(4))}</text:h>')
        parts.append(_p(gen.paragraph(250)))
        rows = "".join("<table:table-row>" + "".join(f"<table:table-cell>{_p(c)}</table:table-cell>" for c in row)
                       + "</table:table-row>" for row in _rows(gen, 4))
        parts.append(f"<table:table>{rows}</table:table>")
    _odf(path, "odt", "".join(parts))


def write_ods(path: Path, gen: TextGenerator, sheets: int) -> None:
    tables = []
    for sheet in range(sheets):
        rows = "".join("<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string">{_p(c)}</table:table-cell>' for c in row)
            + "</table:table-row>" for row in _rows(gen, 40))
        tables.append(f'<table:table table:name="Kosten {sheet + 1}">{rows}</table:table>')
    _odf(path, "ods", "".join(tables))


def write_odp(path: Path, gen: TextGenerator, slides: int) -> None:
    pages = []
    for slide in range(slides * 3):
        pages.append(f'<draw:page draw:name="Folie {slide + 1}"><draw:frame><draw:text-box>'
                     f"{_p(gen.sentence(6))}{_p(gen.paragraph(60))}</draw:text-box></draw:frame>"
                     f"<presentation:notes><draw:frame><draw:text-box>{_p(gen.sentence(10))}</draw:text-box>"
                     "</draw:frame></presentation:notes></draw:page>")
    _odf(path, "odp", "".join(pages))


def write_xlsx(path: Path, gen: TextGenerator, sheets: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    for sheet in range(sheets):
        worksheet = workbook.active if sheet == 0 else workbook.create_sheet()
        worksheet.title = f"Kostenplan {sheet + 1}"
        worksheet.append(["Maßnahme", "Betrag", "Bemerkung"])
        for row in _rows(gen, 40):
            worksheet.append([row[0], int(row[1]), row[2]])
    workbook.save(path)


def write_pptx(path: Path, gen: TextGenerator, slides: int) -> None:
    from pptx import Presentation

    presentation = Presentation()
    for _slide in range(slides * 3):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = gen.sentence(5)
        slide.placeholders[1].text = gen.paragraph(60)
        slide.notes_slide.notes_text_frame.text = gen.sentence(12)
    presentation.save(path)


def write_rtf(path: Path, gen: TextGenerator, sections: int) -> None:
    def rtf(text: str) -> str:
        return "".join(c if ord(c) < 128 and c not in "\\{}" else f"\\u{ord(c)}?" for c in text)

    body = "".join(f"{{\\b Abschnitt {n + 1}}}\\par {rtf(gen.paragraph(250))}\\par " for n in range(sections))
    path.write_text("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}" + body + "}", encoding="ascii")


def write_html(path: Path, gen: TextGenerator, sections: int) -> None:
    body = "".join(f"<h2>Abschnitt {n + 1}</h2><p>{escape(gen.paragraph(250))}</p>" for n in range(sections))
    path.write_text(f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{escape(gen.sentence(5))}'
                    f"</title></head><body><h1>Bericht</h1>{body}</body></html>", encoding="utf-8")


#: Cycled through by ``generate``: half of the files are PDF and DOCX as before, the other half
#: the formats of issue 13, one each in turn.
WRITERS = {
    "pdf": write_pdf, "docx": write_docx, "odt": write_odt, "ods": write_ods, "odp": write_odp,
    "xlsx": write_xlsx, "pptx": write_pptx, "rtf": write_rtf, "html": write_html,
}
_NEW_FORMATS = ("odt", "ods", "odp", "xlsx", "pptx", "rtf", "html")


def format_for(n: int) -> str:
    if n % 4 == 0:
        return "pdf"
    if n % 4 == 2:
        return "docx"
    return _NEW_FORMATS[(n // 2) % len(_NEW_FORMATS)]


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` files: a quarter PDF (1–4 pages), a quarter DOCX (1–4 sections), half the
    formats of issue 13 in turn (1–4 sections, sheets or three slides); reuse existing ones."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        # One generator per file: a file's content does not depend on which files exist already.
        gen = TextGenerator(seed * 1_000_003 + n)
        size = 1 + n % 4
        kind = format_for(n)
        path = folder / f"bench-{n:05d}.{kind}"
        if not path.exists():
            WRITERS[kind](path, gen, size)
        paths.append(path)
        if sys.stderr.isatty() and n % 50 == 0:
            print(f"\rgenerating {n}/{count}", end="", file=sys.stderr)
    return paths
