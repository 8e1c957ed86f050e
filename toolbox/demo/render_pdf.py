"""Render a demo document as PDF with fpdf2's core fonts.

The core fonts (Helvetica) carry no Unicode mapping beyond Windows-1252, so every text
passes through `pdf_text()`: a few typographic characters are mapped to look-alikes and
anything else outside cp1252 is an error in the catalogue, not something to hide.
With cp1252 selected, fpdf2 declares /WinAnsiEncoding, which lets pypdf return
umlauts, ß, „“, – and € unchanged.
"""

from __future__ import annotations

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
    """Write doc as a PDF to path (a drawn, text-free page for scans)."""
    if doc.scan:
        _render_scan(doc, path)
        return
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
    _write(pdf, path)


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
    """Draw a signed council resolution as a scanner would deliver it: pixels, no text.

    Only lines, rectangles and curves are drawn, so the PDF has no font and no text
    layer at all; that is what makes the app report the "empty" extraction status.
    """
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    _set_metadata(pdf, doc)
    # A fixed seed keeps the "handwriting" identical from run to run.
    rng = random.Random(doc.filename)
    for page in range(2):
        pdf.add_page()
        pdf.set_fill_color(246, 244, 237)
        pdf.rect(0, 0, pdf.w, pdf.h, style="F")
        with pdf.rotation(0.7, x=pdf.w / 2, y=pdf.h / 2):
            _scan_page(pdf, rng, last=page == 1)
    _write(pdf, path)


def _text_lines(pdf: FPDF, rng: random.Random, x: float, y: float, width: float, count: int) -> float:
    pdf.set_fill_color(70, 70, 70)
    for index in range(count):
        length = width if index < count - 1 else width * rng.uniform(0.3, 0.8)
        cursor = x
        while cursor < x + length - 4:
            word = min(rng.uniform(4, 17), x + length - cursor)
            pdf.rect(cursor, y, word, 1.6, style="F")
            cursor += word + 2.2
        y += 5.2
    return y + 3


def _scan_page(pdf: FPDF, rng: random.Random, last: bool) -> None:
    left, width = 25.0, pdf.w - 50
    # Letterhead: coat of arms and address block.
    pdf.set_draw_color(40, 40, 40)
    pdf.set_line_width(0.5)
    pdf.rect(left, 18, 14, 17)
    pdf.line(left, 26.5, left + 14, 26.5)
    pdf.line(left + 7, 18, left + 7, 35)
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(left + 20, 20, 60, 3, style="F")
    pdf.rect(left + 20, 26, 45, 2, style="F")
    pdf.rect(left + width - 45, 20, 45, 2, style="F")
    pdf.rect(left + width - 35, 25, 35, 2, style="F")
    pdf.line(left, 40, left + width, 40)
    y = 50.0
    if not last:
        pdf.rect(left, y, 90, 4, style="F")  # headline "Beschluss"
        y += 12
        for _ in range(3):
            y = _text_lines(pdf, rng, left, y, width, rng.randint(3, 6))
        # Voting result as a small ruled table.
        pdf.set_line_width(0.3)
        for row in range(4):
            pdf.line(left, y + row * 7, left + 100, y + row * 7)
        for col in (0, 50, 75, 100):
            pdf.line(left + col, y, left + col, y + 21)
        y += 30
        for _ in range(2):
            y = _text_lines(pdf, rng, left, y, width, rng.randint(3, 5))
        return
    y = _text_lines(pdf, rng, left, y, width, 4)
    y += 25
    for column in (left, left + width / 2 + 5):
        _signature(pdf, rng, column + 5, y)
        pdf.set_line_width(0.3)
        pdf.line(column, y + 12, column + width / 2 - 15, y + 12)
        pdf.set_fill_color(70, 70, 70)
        pdf.rect(column, y + 15, 40, 1.6, style="F")
    _stamp(pdf, left + width - 30, y + 45)


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
