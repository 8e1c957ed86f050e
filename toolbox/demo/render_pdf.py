"""Render a demo document as PDF with fpdf2's core fonts.

The core fonts (Helvetica) carry no Unicode mapping beyond Windows-1252, so every text
passes through `pdf_text()`: a few typographic characters are mapped to look-alikes and
anything else outside cp1252 is an error in the catalogue, not something to hide.
With cp1252 selected, fpdf2 declares /WinAnsiEncoding, which lets pypdf return
umlauts, ß, „“, – and € unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from .catalogue import BulletList
from .catalogue import DemoDocument
from .catalogue import Heading
from .catalogue import Paragraph
from .catalogue import Table

_FONT = "Helvetica"
_ENCODING = "windows-1252"
_REPLACEMENTS = str.maketrans(
    {
        "\u2192": "->",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2082": "2",
        "\u2011": "-",
        "\u2212": "-",
        "\u202f": " ",
        "\u2610": "[ ]",
        "\u2611": "[x]",
    }
)


def pdf_text(text: str) -> str:
    """Return text that Helvetica in Windows-1252 can show; raise if that is impossible."""
    text = text.translate(_REPLACEMENTS)
    text.encode(_ENCODING)  # raises UnicodeEncodeError naming the offending character
    return text


def _timestamp(doc: DemoDocument) -> datetime.datetime:
    return datetime.datetime.combine(doc.date, datetime.time(9, 30), tzinfo=datetime.timezone.utc)


class _DemoPDF(FPDF):
    def __init__(self, running_header: str, running_footer: str, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.core_fonts_encoding = _ENCODING
        self.running_header = pdf_text(running_header)
        self.running_footer = pdf_text(running_footer)
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)

    def header(self) -> None:
        self.set_font(_FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.running_header, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(170, 170, 170)
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.ln(5)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.running_footer} · Seite {self.page_no()} von {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _set_metadata(pdf: FPDF, doc: DemoDocument) -> None:
    pdf.set_title(pdf_text(doc.title))
    pdf.set_author(pdf_text(f"{doc.municipality.author}, {doc.municipality.name}"))
    pdf.set_subject(pdf_text(doc.description))
    pdf.set_keywords(pdf_text(", ".join(doc.keywords)))
    pdf.set_creator("Smart Region Toolbox – Demokorpus")
    pdf.set_lang("de-DE")
    pdf.set_creation_date(_timestamp(doc))


class _Sizes:
    def __init__(self, slides: bool) -> None:
        scale = 1.6 if slides else 1.0
        self.title = 28 if slides else 17
        self.h1 = 13 * scale
        self.h2 = 11 * scale
        self.body = 10 * scale
        self.table = 9 * scale
        self.line = 5 * scale
        self.table_line = 4.6 * scale


def render_pdf(doc: DemoDocument, path: Path) -> None:
    """Write doc as a PDF to path (for scans: page images of the text, without a text layer)."""
    if doc.scan:
        _render_scan(doc, path)
        return
    _write(_render_text(doc), path)


def _render_text(doc: DemoDocument) -> FPDF:
    slides = doc.layout == "slides"
    municipality = doc.municipality
    pdf = _DemoPDF(
        running_header=f"{municipality.name} · {doc.project.name}",
        running_footer=f"{doc.type_label} · Lizenz: {doc.license_label}",
        orientation="L" if slides else "P",
    )
    _set_metadata(pdf, doc)
    sizes = _Sizes(slides)
    pdf.add_page()
    if slides:
        _title_slide(pdf, doc, sizes)
    else:
        _title_block(pdf, doc, sizes)
    for block in doc.body:
        if isinstance(block, Heading):
            if slides and block.level == 1:
                pdf.add_page()
            _heading(pdf, block, sizes)
        elif isinstance(block, Paragraph):
            pdf.set_font(_FONT, "", sizes.body)
            pdf.multi_cell(0, sizes.line, pdf_text(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(sizes.line * 0.5)
        elif isinstance(block, BulletList):
            _bullets(pdf, block, sizes)
        elif isinstance(block, Table):
            _table(pdf, block, sizes)
        else:  # pragma: no cover - the catalogue only holds the four block kinds
            raise TypeError(f"unknown block {block!r}")
    return pdf


def _title_block(pdf: FPDF, doc: DemoDocument, sizes: _Sizes) -> None:
    pdf.set_font(_FONT, "B", 10)
    pdf.set_text_color(30, 80, 130)
    pdf.cell(0, 6, pdf_text(doc.municipality.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(_FONT, "B", sizes.title)
    pdf.multi_cell(0, 8, pdf_text(doc.title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(_FONT, "", 9)
    pdf.set_text_color(70, 70, 70)
    line = f"{doc.type_label} · Projekt „{doc.project.name}“ · Stand: {doc.date:%d.%m.%Y}"
    pdf.multi_cell(0, 4.5, pdf_text(line), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)


def _title_slide(pdf: FPDF, doc: DemoDocument, sizes: _Sizes) -> None:
    pdf.set_y(pdf.h * 0.3)
    pdf.set_font(_FONT, "B", sizes.title)
    pdf.set_text_color(30, 80, 130)
    pdf.multi_cell(0, 11, pdf_text(doc.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font(_FONT, "", 14)
    pdf.multi_cell(0, 7, pdf_text(doc.municipality.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 12)
    pdf.multi_cell(0, 7, pdf_text(f"{doc.date:%d.%m.%Y}"), align="C", new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, block: Heading, sizes: _Sizes) -> None:
    size = sizes.h1 if block.level == 1 else sizes.h2
    # Keep a heading together with at least two lines of what follows it.
    if pdf.get_y() + size + 3 * sizes.line > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(1.5 if block.level == 1 else 0.5)
    pdf.set_font(_FONT, "B", size)
    if block.level == 1:
        pdf.set_text_color(30, 80, 130)
    pdf.multi_cell(0, size * 0.55, pdf_text(block.text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)


def _bullets(pdf: FPDF, block: BulletList, sizes: _Sizes) -> None:
    pdf.set_font(_FONT, "", sizes.body)
    indent = 6
    for item in block.items:
        pdf.set_x(pdf.l_margin + 1)
        pdf.cell(indent - 1, sizes.line, "•")
        pdf.multi_cell(0, sizes.line, pdf_text(item), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)
    pdf.ln(sizes.line * 0.4)


def _table(pdf: FPDF, block: Table, sizes: _Sizes) -> None:
    pdf.set_font(_FONT, "", sizes.table)
    pdf.set_draw_color(150, 150, 150)
    headings_style = FontFace(emphasis="BOLD", fill_color=(221, 232, 243))
    with pdf.table(
        col_widths=block.widths,
        text_align="LEFT",
        line_height=sizes.table_line,
        headings_style=headings_style,
        padding=1.2,
    ) as table:
        for cells in (block.header, *block.rows):
            row = table.row()
            for text in cells:
                row.cell(pdf_text(text))
    pdf.ln(sizes.line)


def _write(pdf: FPDF, path: Path) -> None:
    path.write_bytes(bytes(pdf.output()))


def _render_scan(doc: DemoDocument, path: Path) -> None:
    """A signed council resolution as a scanner delivers it: the typed pages as pixels, skewed and
    speckled, signatures and stamp drawn as lines on the last page; no text layer at all, so only
    text recognition makes it searchable."""
    from .render_scan import scan_images, write_scan_pdf

    typed = bytes(_render_text(dataclasses.replace(doc, scan=False)).output())
    rng = random.Random(doc.filename)

    def sign(pdf: FPDF) -> None:
        y = pdf.h - 70
        for column in (25.0, pdf.w / 2 + 5):
            _signature(pdf, rng, column + 5, y)
        _stamp(pdf, pdf.w - 50, y + 40)

    write_scan_pdf(scan_images(typed, seed=doc.filename, dpi=250, noise=0.004), path, dpi=250,
                   prepare=lambda pdf: _set_metadata(pdf, doc), decorate_last=sign)


def _signature(pdf: FPDF, rng: random.Random, x: float, y: float) -> None:
    pdf.set_draw_color(20, 40, 120)
    pdf.set_line_width(0.45)
    points = []
    cursor = x
    for step in range(14):
        cursor += rng.uniform(2.5, 5.5)
        points.append((cursor, y + 6 + rng.uniform(-5, 5) * (1 if step % 2 else -1)))
    pdf.polyline(points)
    pdf.line(x, y + 10, cursor + 4, y + 8)


def _stamp(pdf: FPDF, x: float, y: float) -> None:
    pdf.set_draw_color(120, 30, 160)
    pdf.set_line_width(0.6)
    pdf.circle(x, y, 17)
    pdf.circle(x, y, 12)
    pdf.rect(x - 5, y - 6, 10, 12)
