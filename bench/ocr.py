"""OCR throughput: the whole pipeline (queue, sandbox, OCRmyPDF, index) against bare OCRmyPDF.

    python -m bench.ocr                  # 3 scans of 8 pages each
    python -m bench.ocr --files 2 --pages 10
    python -m bench.ocr --memory 200     # memory of the OCR child on one 200-page scan

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
import sys
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


def _tree(root_pid: int) -> list[int]:
    """``root_pid`` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def memory(scan: Path, pages: int, work: Path) -> dict:
    """OCR ``scan`` as the OCR job does (``extract.ocr.recognise``: the sandboxed child with the
    address-space limit ``TOOLBOX_EXTRACT_MEMORY_MB``, Tesseract and Ghostscript below it) and
    sample, every 0.2 s, the largest address space (VmSize, what RLIMIT_AS limits) and RSS of
    any process of the child's tree, and the sum of their RSS."""
    import os
    import resource
    import threading

    from toolbox.config import DEFAULTS
    from toolbox.extract.ocr import recognise

    limit_mb = int(os.environ.get("TOOLBOX_EXTRACT_MEMORY_MB") or DEFAULTS["EXTRACT_MEMORY_MB"])
    peaks = {"vm_mb": 0.0, "rss_mb": 0.0, "tree_rss_mb": 0.0}
    done = threading.Event()
    me = os.getpid()

    def sample() -> None:
        reported = time.perf_counter()
        while not done.wait(0.2):
            if time.perf_counter() - reported > 60:  # a long run shows how far it got
                reported = time.perf_counter()
                print(f"  {reported - started:.0f} s: peaks so far {peaks}", file=sys.stderr, flush=True)
            tree = [pid for pid in _tree(me) if pid != me]
            vm = [_status_kb(pid, "VmSize") for pid in tree]
            rss = [_status_kb(pid, "VmRSS") for pid in tree]
            if vm:
                peaks["vm_mb"] = max(peaks["vm_mb"], max(vm) / 1024)
                peaks["rss_mb"] = max(peaks["rss_mb"], max(rss) / 1024)
                peaks["tree_rss_mb"] = max(peaks["tree_rss_mb"], sum(rss) / 1024)

    started = time.perf_counter()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        outcome = recognise(str(scan), "pdf", str(work / "out.pdf"), pages=pages, max_pages=max(pages, 200),
                            page_seconds=120.0, memory_mb=limit_mb)
    finally:
        done.set()
        sampler.join()
    return {"pages": pages, "status": outcome.status, "detail": outcome.detail[:200],
            "characters": len(outcome.text), "seconds": time.perf_counter() - started, "limit_mb": limit_mb,
            "maxrss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, **peaks}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--memory", type=int, metavar="PAGES",
                        help="only measure the OCR child's memory on one scan of PAGES pages (e.g. 200)")
    parser.add_argument("--upload", type=int, metavar="TIMES",
                        help="only time the server side of uploading a 20-page scan, TIMES times")
    args = parser.parse_args(argv)
    from toolbox.extract.ocr import ocr_availability

    missing = ocr_availability().missing
    if missing:
        print(f"OCR benchmark skipped: missing {', '.join(missing)}")
        return
    cache = Path(__file__).resolve().parent / ".cache" / "ocr"
    cache.mkdir(parents=True, exist_ok=True)
    if args.memory:
        (scan,) = make_scans(cache, 1, args.memory)
        with tempfile.TemporaryDirectory(prefix="bench-ocr-memory-") as folder:
            r = memory(scan, args.memory, Path(folder))
        print(f"{r['pages']}-page scan ({scan.stat().st_size / 1e6:.1f} MB): {r['status']} {r['detail']} in "
              f"{r['seconds']:.0f} s, {r['characters']} characters recognised")
        print(f"TOOLBOX_EXTRACT_MEMORY_MB = {r['limit_mb']} (address space per process)")
        print(f"largest address space of a process in the OCR child's tree: {r['vm_mb']:.0f} MB; "
              f"largest RSS: {r['rss_mb']:.0f} MB; sum of the tree's RSS: {r['tree_rss_mb']:.0f} MB; "
              f"max RSS of any child (getrusage): {r['maxrss_children_mb']:.0f} MB")
        return
    if args.upload:
        warm, twenty = make_scans(cache, 2, 20)
        times = []
        for _ in range(args.upload):
            with tempfile.TemporaryDirectory(prefix="bench-ocr-upload-") as folder:
                times.append(upload_time(Path(folder), warm, twenty))
        times.sort()
        print(f"upload of a 20-page scan ({twenty.stat().st_size / 1e6:.1f} MB), server side, {len(times)} runs: "
              f"median {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
        return
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
