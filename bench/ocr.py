"""OCR throughput: the whole pipeline (queue, sandbox, OCRmyPDF, index) against bare OCRmyPDF.

    python -m bench.ocr                  # 3 scans of 8 pages each
    python -m bench.ocr --files 2 --pages 10

Both sides get the same image-only PDFs (typed German pages rasterised at 200 dpi, skewed and
speckled, as `toolbox/demo/render_scan.py` makes them) and both cores: "bare" runs
`ocrmypdf.ocr` on one file after the other with two page jobs, as an operator would on the
command line; "pipeline" stores each file through `ingest_file` (the upload's server side, timed
on its own) and lets `toolbox worker`'s consumer with two threads recognise them, one sandboxed
child per file, until every job is done and the text is in the index. The ratio is pipeline
pages per minute over bare pages per minute. Also timed: the upload of one 20-page scan.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from .german_text import TextGenerator


def _typed_pdf(pages: int, seed: int) -> bytes:
    from fpdf import FPDF

    text = TextGenerator(seed)
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        for _ in range(6):
            pdf.multi_cell(0, 6, text.paragraph(60), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


def make_scans(folder: Path, files: int, pages: int) -> list[Path]:
    from toolbox.demo.render_scan import scan_images, write_scan_pdf

    paths = []
    for number in range(files):
        path = folder / f"scan-{number}-{pages}.pdf"
        if not path.exists():
            write_scan_pdf(scan_images(_typed_pdf(pages, number), seed=str(number)), path)
        paths.append(path)
    return paths


def bare(paths: list[Path], out: Path) -> float:
    import ocrmypdf

    started = time.perf_counter()
    for path in paths:
        ocrmypdf.ocr(path, out / f"{path.stem}.bare.pdf", language=["deu"], jobs=2, output_type="pdf",
                     skip_text=True, optimize=0, progress_bar=False)
    return time.perf_counter() - started


def pipeline(paths: list[Path], work: Path) -> tuple[float, list[float]]:
    from toolbox import create_app
    from toolbox.extensions import db
    from toolbox.jobs.worker import consumer_for
    from toolbox.models import Job
    from toolbox.services.database import prepare_database
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    import os

    os.environ["TOOLBOX_INSTANCE_DIR"] = str(work / "instance")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
                      "DOCUMENTS_DIR": str(work / "documents"), "INDEX_DIR": str(work / "index")})
    prepare_database(app)
    uploads = []
    started = time.perf_counter()
    with app.app_context():
        for path in paths:
            begin = time.perf_counter()
            outcome = ingest_file(path, DocumentMetadata(title=path.stem), publish=True)
            uploads.append(time.perf_counter() - begin)
            assert outcome.status == "ingested", outcome.message
    consumer = consumer_for(app, threads=2)
    import signal

    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    try:
        while True:
            with app.app_context():
                states = list(db.session.scalars(db.select(Job.state)))
            if states and all(state in ("done", "failed") for state in states):
                break
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
    elapsed = time.perf_counter() - started
    assert all(state == "done" for state in states), states
    return elapsed, uploads


def upload_time(work: Path, warm: Path, scan: Path) -> float:
    from toolbox import create_app
    from toolbox.services.database import prepare_database
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'u.sqlite3'}",
                      "DOCUMENTS_DIR": str(work / "u-documents"), "INDEX_DIR": str(work / "u-index")})
    prepare_database(app)
    with app.app_context():
        ingest_file(warm, DocumentMetadata(title="warm-up"), publish=True)  # the warm child starts once
        begin = time.perf_counter()
        outcome = ingest_file(scan, DocumentMetadata(title="Zwanzig Seiten"), publish=True)
        assert outcome.status == "ingested", outcome.message
        return time.perf_counter() - begin


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args(argv)
    from toolbox.extract.ocr import ocr_availability

    missing = ocr_availability().missing
    if missing:
        print(f"OCR benchmark skipped: missing {', '.join(missing)}")
        return
    cache = Path(__file__).resolve().parent / ".cache" / "ocr"
    cache.mkdir(parents=True, exist_ok=True)
    paths = make_scans(cache, args.files, args.pages)
    pages = args.files * args.pages
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        work = Path(folder)
        bare_seconds = bare(paths, work)
        pipeline_seconds, uploads = pipeline(paths, work)
        warm, twenty = make_scans(cache, 2, 20)
        upload_seconds = upload_time(work, warm, twenty)
    bare_rate = pages / bare_seconds * 60
    pipeline_rate = pages / pipeline_seconds * 60
    print(f"{args.files} scans x {args.pages} pages = {pages} pages at 200 dpi")
    print(f"bare ocrmypdf (jobs=2, one file after the other): {bare_seconds:.1f} s, {bare_rate:.1f} pages/min")
    print(f"pipeline (upload + queue + 2 worker threads + sandbox + index): {pipeline_seconds:.1f} s, "
          f"{pipeline_rate:.1f} pages/min; ratio {pipeline_rate / bare_rate:.2f}")
    print(f"upload server time per scan: max {max(uploads) * 1000:.0f} ms; "
          f"one 20-page scan: {upload_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
