"""Helpers for tests of background jobs: the real Huey consumer, waiting for jobs, scanned pages."""
from __future__ import annotations

import contextlib
import io
import signal
import time
from pathlib import Path

import pytest

from toolbox.extensions import db
from toolbox.extract.ocr import ocr_availability

OCR_MISSING = ocr_availability().missing
#: Tests that recognise text skip where the system programs are missing, and say which.
requires_ocr = pytest.mark.skipif(
    bool(OCR_MISSING),
    reason="OCR not available on this machine (missing: " + ", ".join(OCR_MISSING)
    + "); install the Debian packages tesseract-ocr tesseract-ocr-deu ghostscript to run these tests",
)


@contextlib.contextmanager
def running_consumer(app, threads: int = 1):
    """Huey's own consumer on the app's queue, in threads of this process, as ``toolbox worker``
    runs it (recovery first). Its signal handlers are put back afterwards for pytest."""
    from toolbox.jobs.worker import consumer_for, prepare_worker

    prepare_worker(app)
    consumer = consumer_for(app, threads)
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


def wait_for_jobs(app, timeout: float = 180.0, states=("done", "failed")) -> list:
    """Wait until every job is in one of ``states``; return the jobs."""
    from toolbox.models import Job

    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            jobs = list(db.session.scalars(db.select(Job).order_by(Job.id)))
            db.session.expunge_all()
        if jobs and all(job.state in states for job in jobs):
            return jobs
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs not finished after {timeout} s: {jobs}")
        time.sleep(0.2)


def job_of(jobs: list, kind: str):
    """The one job of ``kind`` among ``jobs`` (an upload makes a thumbnail job beside it)."""
    (found,) = [job for job in jobs if job.kind == kind]
    return found


def typed_pdf(paragraphs: list[str], table: list[tuple[str, ...]] | None = None, pages: int = 1) -> bytes:
    """A PDF with real text (Helvetica, umlauts and ß in Windows-1252), ``pages`` pages long."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", "", 12)
        for text in paragraphs:
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        if table:
            with pdf.table(col_widths=(60, 40)) as grid:
                for row in table:
                    cells = grid.row()
                    for value in row:
                        cells.cell(value)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 8, f"Seite {page + 1}")
    return bytes(pdf.output())


def write_scan(path: Path, paragraphs: list[str], *, fmt: str = "png", pages: int = 1, dpi: int = 200,
               table: list[tuple[str, ...]] | None = None, seed: str = "scan") -> Path:
    """Scanned pages of ``paragraphs`` (skewed, speckled) as a PNG, JPEG, multi-page TIFF or image PDF."""
    from toolbox.demo.render_scan import scan_images, write_scan_pdf

    images = scan_images(typed_pdf(paragraphs, table, pages), seed=seed, dpi=dpi)
    if fmt == "pdf":
        write_scan_pdf(images, path, dpi=dpi)
    elif fmt == "tiff":
        images[0].save(path, format="TIFF", dpi=(dpi, dpi), save_all=True, append_images=images[1:],
                       compression="tiff_deflate")
    else:
        buffer = io.BytesIO()
        images[0].save(buffer, format="PNG" if fmt == "png" else "JPEG", dpi=(dpi, dpi))
        path.write_bytes(buffer.getvalue())
    return path
