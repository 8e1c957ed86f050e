"""Generate a mixed PDF/DOCX corpus of realistic size for the ingest benchmark."""
from __future__ import annotations

import sys
from pathlib import Path

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


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` files, half PDF (1–4 pages) and half DOCX (1–4 sections); reuse existing ones."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        # One generator per file: a file's content does not depend on which files exist already.
        gen = TextGenerator(seed * 1_000_003 + n)
        size = 1 + n % 4
        if n % 2 == 0:
            path = folder / f"bench-{n:05d}.pdf"
            if not path.exists():
                write_pdf(path, gen, size)
        else:
            path = folder / f"bench-{n:05d}.docx"
            if not path.exists():
                write_docx(path, gen, size)
        paths.append(path)
        if sys.stderr.isatty() and n % 50 == 0:
            print(f"\rgenerating {n}/{count}", end="", file=sys.stderr)
    return paths
