"""Ingest throughput: the whole pipeline against bare sequential extraction of the same files,
and a bulk import of one-page text files through `toolbox ingest` as an operator runs it.

    python -m bench.ingest                 # 500 and 2 000 files
    python -m bench.ingest --files 500     # one size only
    python -m bench.ingest --bulk 10000    # only the bulk import: 10 000 text files + manifest

Each measurement runs in its own child process so that peak memory (max RSS) belongs to it
alone. The corpus holds PDF, DOCX and every format of issue 13 (`bench/corpus.py`). "bare"
calls pypdf, python-docx and the toolbox's parsers of the other formats in one process and does
nothing else; "pipeline" is `ingest_files` as uploads and `toolbox demo` run it: content check,
blob store, sandboxed extraction on both cores, SQLite, and the Whoosh index in this process.
"--bulk" runs the `toolbox ingest` command itself, which indexes in a child (`search/_bulk.py`).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def _corpus(folder: Path, count: int) -> list[Path]:
    from .corpus import generate

    return generate(folder, count)


def bare(folder: Path, count: int) -> dict:
    """pypdf and python-docx as before; the other formats through the toolbox's own parser of
    that format (``extract.core.parse_file``), in this process, without sandbox or anything else."""
    import docx
    import pypdf

    from toolbox.extract import detect_type
    from toolbox.extract.core import parse_file

    files = _corpus(folder, count)
    pages = 0
    characters = 0
    cpu = time.process_time()
    start = time.perf_counter()
    for path in files:
        if path.suffix == ".pdf":
            reader = pypdf.PdfReader(path)
            for page in reader.pages:
                characters += len(page.extract_text() or "")
                pages += 1
        elif path.suffix == ".docx":
            document = docx.Document(path)
            parts = [p.text for p in document.paragraphs]
            for table in document.tables:
                for row in table.rows:
                    parts.extend(cell.text for cell in row.cells)
            parts.extend(p.text for p in document.sections[0].header.paragraphs)
            characters += sum(len(p) for p in parts)
            pages += 1
        else:
            result = parse_file(str(path), detect_type(path, path.name).to_dict())
            assert result["status"] == "ok", (path, result.get("message"))
            characters += len(result["text"] or "")
            pages += result.get("page_count") or 1
    elapsed = time.perf_counter() - start
    return {"files": len(files), "pages": pages, "characters": characters, "seconds": elapsed,
            "cpu_seconds": time.process_time() - cpu}


def pipeline(folder: Path, count: int) -> dict:

    from toolbox import create_app
    from toolbox.services.database import prepare_database
    from toolbox.services.ingest import DocumentMetadata, ingest_files

    files = _corpus(folder, count)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DOCUMENTS_DIR": f"{tmp}/documents",
            "INDEX_DIR": f"{tmp}/index",
        })
        prepare_database(app)
        with app.app_context():
            from toolbox import search
            from toolbox.services import indexing

            search.ensure_index()
            index_seconds = 0.0
            flush = indexing.flush_index_queue

            def timed_flush() -> int:
                # Measures the share of the Whoosh index in the wall time; changes nothing.
                nonlocal index_seconds
                began = time.perf_counter()
                try:
                    return flush()
                finally:
                    index_seconds += time.perf_counter() - began

            indexing.flush_index_queue = timed_flush
            cpu_before = _cpu_seconds()
            start = time.perf_counter()
            outcomes = ingest_files([(p, DocumentMetadata(), p.name) for p in files], publish=True)
            elapsed = time.perf_counter() - start
            cpu = _cpu_seconds() - cpu_before
            from toolbox.extensions import db
            from toolbox.models import FileVersion
            from sqlalchemy import func, select

            pages = db.session.scalar(select(func.sum(func.coalesce(FileVersion.page_count, 1))))
    failed = [o.message for o in outcomes if o.status != "ingested"]
    return {"files": len(files), "pages": int(pages or 0), "seconds": elapsed, "index_seconds": index_seconds,
            "cpu_seconds": cpu,
            "failed": failed[:5],
            "not_ingested": len(failed)}


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the extraction workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure(mode: str, folder: Path, count: int) -> dict:
    """Run one mode in a fresh interpreter and collect its result and peak memory."""
    code = (
        "import json, resource, sys; from pathlib import Path; from bench.ingest import bare, pipeline; "
        f"r = {mode}(Path({str(folder)!r}), {count}); "
        "r['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


BULK_TOPICS = ("strategie-organisation", "daten-plattformen", "mobilitaet-verkehr", "energie-klimaschutz",
               "bildung-schule")
BULK_TYPES = ("muster-vorlage", "beispieldokument", "konzept-strategie", "beschlussvorlage")


def bulk_corpus(folder: Path, count: int) -> Path:
    """``count`` one-page German text files (about 3 KB) and a CSV manifest naming each with
    title, topics, type, one of 60 municipalities, year and licence; returns the manifest."""
    import csv

    from .german_text import TextGenerator

    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    manifest = folder / f"manifest-{count}.csv"
    if manifest.exists():
        return manifest
    with open(manifest.with_suffix(".tmp"), "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["path", "title", "topics", "type", "municipality", "population", "year", "license"])
        for n in range(count):
            gen = TextGenerator(11 * 1_000_003 + n)
            name = f"files/dok-{n:05d}.txt"
            path = folder / name
            if not path.exists():
                path.write_text("\n\n".join(gen.paragraph(120) for _ in range(3)), encoding="utf-8")
            writer.writerow([name, f"Dokument {n}: {gen.sentence(5)}",
                             ";".join(BULK_TOPICS[j % len(BULK_TOPICS)] for j in (n, n + 2)),
                             BULK_TYPES[n % len(BULK_TYPES)], f"Gemeinde {n % 60}", 1000 + 700 * (n % 60),
                             2015 + n % 10, "cc-by-4.0"])
    manifest.with_suffix(".tmp").rename(manifest)
    return manifest


def bulk(count: int) -> dict:
    """``toolbox ingest FILES --manifest M --publish`` on a terminal (a pty, so the progress bar
    is drawn), into an empty instance; times the whole command and every progress update."""
    import pty
    import re
    import select

    folder = CACHE / "bulk-text"
    manifest = bulk_corpus(folder, count)
    files = folder / "files"
    # Only the files the manifest names: the folder may hold more from a larger run.
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        listed = Path(tmp) / "files"
        listed.mkdir()
        for n in range(count):
            os.symlink(files / f"dok-{n:05d}.txt", listed / f"dok-{n:05d}.txt")
        local_manifest = Path(tmp) / "manifest.csv"
        local_manifest.write_bytes(manifest.read_bytes())
        env = dict(os.environ)
        env.update({
            "TOOLBOX_INSTANCE_DIR": f"{tmp}/instance", "TOOLBOX_DOCUMENTS_DIR": f"{tmp}/documents",
            "TOOLBOX_INDEX_DIR": f"{tmp}/index", "TOOLBOX_SECRET_KEY": "b" * 32,
            "TOOLBOX_BASE_URL": "http://127.0.0.1:5000", "COLUMNS": "100",
        })
        env.pop("TOOLBOX_DATABASE_URL", None)
        toolbox = Path(sys.executable).parent / "toolbox"
        command = [str(toolbox), "ingest", str(listed), "--manifest", str(local_manifest), "--publish"]
        progress = re.compile(rb"(\d+)/%d" % count)
        updates: list[tuple[float, int]] = []
        output = bytearray()
        started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(command[0], command, env)
        seen = -1
        while True:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            now = time.perf_counter()
            output += data
            for match in progress.finditer(data):
                position = int(match.group(1))
                if position != seen:
                    seen = position
                    updates.append((now, position))
        _, status = os.waitpid(pid, 0)
        ended = time.perf_counter()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        text = output.decode("utf-8", "replace")
        summary = re.search(r"Importiert: (\d+)", text)
        if os.waitstatus_to_exitcode(status) != 0 or not summary:
            raise SystemExit(f"toolbox ingest failed:\n{text[-3000:]}")
        check = subprocess.run([str(toolbox), "check-index"], env=env, capture_output=True, text=True)
    bar_start = updates[0][0] if updates else started
    gaps = [b[0] - a[0] for a, b in zip(updates, updates[1:])]
    gaps.append(ended - updates[-1][0] if updates else ended - started)
    longest = max(gaps)
    at = updates[gaps.index(longest)][1] if updates and gaps.index(longest) < len(updates) else count
    return {"files": count, "ingested": int(summary.group(1)), "seconds": ended - started,
            "start_seconds": bar_start - started, "bar_seconds": ended - bar_start,
            "longest_gap": longest, "gap_at": at, "updates": len(updates),
            "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "index_ok": check.returncode == 0, "load": os.getloadavg()[0]}


def print_bulk(result: dict) -> None:
    print("| files | ingested | total s | docs/s (whole command) | docs/s (progress bar) | start-up s "
          "| longest pause between bar updates s (at) | CPU s (all processes) | peak RSS MB | index check | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    r = result
    print(f"| {r['files']} | {r['ingested']} | {r['seconds']:.1f} | {r['files'] / r['seconds']:.0f} "
          f"| {r['files'] / r['bar_seconds']:.0f} | {r['start_seconds']:.1f} | {r['longest_gap']:.1f} ({r['gap_at']}) "
          f"| {r['cpu_seconds']:.1f} | {r['peak_rss_mb']:.0f} | {'ok' if r['index_ok'] else 'DRIFT'} "
          f"| {r['load']:.1f} |")


def main(argv: list[str] | None = None) -> None:
    from .corpus import generate

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, action="append", help="corpus size; repeatable (default 500 and 2000)")
    parser.add_argument("--bulk", type=int, metavar="N",
                        help="only the bulk import of N one-page text files with a manifest (e.g. 10000)")
    args = parser.parse_args(argv)
    if args.bulk:
        print_bulk(bulk(args.bulk))
        return
    sizes = args.files or [500, 2000]
    folder = CACHE / "ingest-corpus-formats"
    generate(folder, max(sizes))
    rows = []
    for count in sizes:
        b = _measure("bare", folder, count)
        p = _measure("pipeline", folder, count)
        rows.append((count, b, p))
    cores = os.cpu_count() or 1
    print("| files | pages | bare sequential s | pipeline s | ratio | of which index s | ratio without index "
          "| pipeline docs/s | pipeline pages/s | pipeline peak RSS (MB) | bare peak RSS (MB) "
          f"| bare CPU s | pipeline CPU s | lowest possible ratio on {cores} cores |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for count, b, p in rows:
        without_index = p["seconds"] - p["index_seconds"]
        # The pipeline's CPU time spread perfectly over every core is the least wall time it can
        # take; bare extraction uses one core, so its wall time is its CPU time on a quiet machine.
        floor = p["cpu_seconds"] / cores / b["cpu_seconds"]
        print(f"| {count} | {p['pages']} | {b['seconds']:.1f} | {p['seconds']:.1f} | {p['seconds'] / b['seconds']:.2f} "
              f"| {p['index_seconds']:.1f} | {without_index / b['seconds']:.2f} "
              f"| {p['files'] / p['seconds']:.1f} | {p['pages'] / p['seconds']:.1f} | {p['peak_rss_mb']:.0f} "
              f"| {b['peak_rss_mb']:.0f} | {b['cpu_seconds']:.1f} | {p['cpu_seconds']:.1f} | {floor:.2f} |")
        if p["not_ingested"]:
            print(f"  {p['not_ingested']} files not ingested, e.g. {p['failed']}")


if __name__ == "__main__":
    main()
