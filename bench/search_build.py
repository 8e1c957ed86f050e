"""Indexing the benchmark's repository fast enough for 50 000 documents (issue 17).

``toolbox.search.reindex()`` is the path the benchmark must measure the result of, so the build
goes through it on Whoosh; it only differs in memory. Whoosh's segment writer sorts its
postings in a pool and spills sorted runs to disk (pickled, merged back at commit) when the
pool is full. A 1 000-word document makes about 0.3 MB of postings, so with Whoosh's 128 MB each
build worker spilled every 400 documents; at 800 documents one writer took 28 s with 128 MB and
11 s with a pool large enough (on a quiet core). The toolbox's rebuild takes the pool from
``TOOLBOX_INDEX_MEMORY_MB`` (default 512); the benchmark sets it to ``POOL_MB`` for its build.
The segments, and so every search, are the same whatever the pool.

The PostgreSQL backend writes its entries a few hundred documents per transaction on one
process, and building an entry (the German analysis of 1 000 words) is the cost. ``pg_rebuild``
does what ``PostgresBackend.rebuild`` does — ``update_in_transaction`` over every document, then
the format row — but splits the documents among processes of their own.
"""
from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

#: Postings pool of each index build worker, in MB (Whoosh's default: 128). A worker holds up to
#: ~1.2 times this (measured at 1 500 documents); beyond ~6 500 documents per worker (the pool's
#: estimate is ~0.3 MB per 1 000-word document) it spills again. ``BENCH_INDEX_POOL_MB`` raises it
#: where the memory is there, e.g. 8000 for 50 000 documents on two workers.
POOL_MB = int(os.environ.get("BENCH_INDEX_POOL_MB", "2048"))
#: Seconds between progress lines.
PROGRESS_EVERY = 5.0


def progress_printer(label: str, log: Callable[[str], None], finishing: str = "") -> Callable[[int, int], None]:
    """A ``Progress`` callback that logs at most every ``PROGRESS_EVERY`` seconds, with the rate;
    ``finishing`` is what still follows the last document."""
    began = time.perf_counter()
    last = [began]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= PROGRESS_EVERY or (done == total and total):
            last[0] = now
            rate = done / (now - began) if now > began else 0.0
            rest = f"; {finishing}" if done == total and finishing else ""
            log(f"{label}: {done} / {total} documents handed to the index ({rate:.0f} docs/s){rest}")

    return progress


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_processes() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def pg_write_part(database_url: str, folder: str, part: int, parts: int) -> int:
    """In a child: the entries of every ``parts``-th document from the ``part``-th, through the
    backend's own transactional write path; progress on stdout."""
    from bench.search import _app
    from toolbox.extensions import db
    from toolbox.search import current_backend

    app = _app(database_url, Path(folder), "postgresql")
    with app.app_context():
        backend = current_backend()
        ids = backend.source.document_ids()[part::parts]
        written = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            with backend.source.engine().begin() as connection:
                backend.update_in_transaction(connection, chunk)
            written += len(chunk)
            print(written, flush=True)
        db.session.remove()
        db.engine.dispose()
    return written


def pg_rebuild(app, database_url: str, folder: Path, log: Callable[[str], None]) -> int:
    """``PostgresBackend.rebuild()`` on ``pg_processes()`` processes: every document's entry,
    then the format row that marks the entries current. (The rebuild's last step, removing
    entries of documents gone meanwhile, has nothing to do in a database just filled.)"""
    from sqlalchemy import text

    from toolbox.search import current_backend
    from toolbox.search._pg_entries import STATE_TABLE
    from toolbox.search._postgres_backend import FORMAT

    with app.app_context():
        total = len(current_backend().source.document_ids())
    parts = pg_processes()
    children = [subprocess.Popen(
        [sys.executable, "-c", f"from bench.search_build import pg_write_part; "
                               f"pg_write_part({database_url!r}, {str(folder)!r}, {part}, {parts})"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
        for part in range(parts)]
    progress = progress_printer("postgresql entries", log)
    done = [0] * parts
    try:
        selector = selectors.DefaultSelector()
        for part, child in enumerate(children):
            selector.register(child.stdout, selectors.EVENT_READ, part)
        open_streams = parts
        while open_streams:
            for key, _ in selector.select(timeout=1.0):
                line = key.fileobj.readline()
                if not line:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                done[key.data] = int(line)
                progress(sum(done), total)
        selector.close()
        for child in children:
            if child.wait() != 0:
                raise SystemExit(f"a PostgreSQL entry writer failed (exit {child.returncode})")
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
                child.wait()
            child.stdout.close()
    with app.app_context():
        with current_backend().source.engine().begin() as connection:
            connection.execute(text(
                f"INSERT INTO {STATE_TABLE} (key, value) VALUES ('format', :value) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"), {"value": FORMAT})
    return sum(done)
