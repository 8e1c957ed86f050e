"""A full index build on every core: one Whoosh segment per worker process.

Analysis and, above all, writing the postings at commit time are pure Python and bound to one
core. A rebuild therefore splits the work: this process reads the documents from the database
and hands chunks of ``IndexRecord`` values to worker processes over a bounded queue (a worker
that is idle takes the next chunk, so the load balances itself). Each worker analyses its
documents into a segment of its own in the build directory; at the end this process writes
the table of contents that lists every worker's segment, exactly as Whoosh's own
``MpWriter(multisegment=True)`` does, but with the failure handling that one lacks: a worker
that fails or dies fails the whole build (nothing is dropped silently), and on any error every
worker is terminated and the build directory is thrown away by the caller — the live index is
never touched by a build.

Workers are started with ``fork`` where the platform has it: ``spawn`` and ``forkserver``
re-run the caller's main script in every worker, which breaks any unguarded script that calls
``reindex()``. A forked worker touches nothing but its records, Whoosh and the build directory
(no database connection, no Flask state, no logging on the normal path), so a lock that another
thread of a web process held at fork time cannot block it.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_module
import traceback
from pathlib import Path
from typing import Callable, Iterable

log = logging.getLogger("toolbox.search")

#: Below this many documents a rebuild runs in this process (starting workers costs ~1 s).
PARALLEL_MIN_DOCUMENTS = 1000
#: Postings each rebuild writer sorts in memory (``TOOLBOX_INDEX_MEMORY_MB``). Whoosh's default
#: of 128 MB holds about 400 documents of 1 000 words; beyond that a writer spills sorted runs
#: to disk and merges them back in Python at the end, which made a rebuild of 10 000 such
#: documents 2.5 times slower (README, Benchmarks). A writer takes up to ~1.2 times this.
DEFAULT_MEMORY_MB = 512


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _worker(build: str, jobs, results, memory_mb: int) -> None:
    """Index every chunk from ``jobs`` into one new segment of the index in ``build``, sorting
    up to ``memory_mb`` of postings in memory (``TOOLBOX_INDEX_MEMORY_MB``)."""
    try:
        from whoosh import index as whoosh_index
        from whoosh.writing import SegmentWriter

        from . import _patches
        from ._schema import index_fields

        _patches.apply()
        ix = whoosh_index.open_dir(build)
        # _lk=False: the parent holds Whoosh's lock of the build for the whole build.
        writer = SegmentWriter(ix, _lk=False, limitmb=memory_mb)
        count = 0
        while True:
            chunk = jobs.get()
            if chunk is None:
                break
            for record in chunk:
                writer.add_document(**index_fields(record))
            count += len(chunk)
        # The temporary folder is shared by every writer of the build; the parent removes it.
        segment = writer._finalize_segment() if count else None
        if segment is None:
            writer._close_segment()
        results.put(("ok", segment, count))
    except BaseException:  # report everything; the parent fails the build
        results.put(("error", traceback.format_exc(), 0))
        raise SystemExit(1)


class BuildFailed(RuntimeError):
    pass


def build_parallel(ix, build: Path, chunks: Iterable[list], workers: int,
                   progress: Callable[[int], None] | None = None, memory_mb: int = DEFAULT_MEMORY_MB) -> int:
    """Index every record of ``chunks`` into the empty index ``ix`` in ``build``; return the count.

    ``ix`` must be the fresh index of a build directory (no live reader uses it). On any
    error the workers are terminated and the error is raised; the caller discards ``build``.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    jobs = context.Queue(maxsize=workers * 2)
    results = context.Queue()
    # Whoosh's own lock of the build: no other Whoosh writer can commit into it meanwhile.
    writer = ix.writer()
    processes = [context.Process(target=_worker, args=(str(build), jobs, results, memory_mb), daemon=True,
                                 name=f"toolbox-index-build-{n}") for n in range(workers)]
    try:
        for process in processes:
            process.start()
        sent = 0
        for chunk in chunks:
            if chunk:
                _put(jobs, chunk, processes)
                sent += len(chunk)
            if progress:
                progress(sent)
        for _process in processes:
            _put(jobs, None, processes)
        segments, indexed = [], 0
        for _process in processes:
            status, value, count = _get(results, processes)
            if status != "ok":
                raise BuildFailed(f"index build worker failed:\n{value}")
            if value is not None:
                segments.append(value)
            indexed += count
        for process in processes:
            process.join(timeout=60)
        if indexed != sent:
            raise BuildFailed(f"index build workers indexed {indexed} of {sent} documents")
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
        return indexed
    except BaseException:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            if process.pid is not None:
                process.join(timeout=10)
        if not writer.is_closed:
            writer.cancel()
        raise
    finally:
        jobs.close()
        results.close()
        jobs.cancel_join_thread()
        results.cancel_join_thread()


def _put(jobs, item, processes) -> None:
    while True:
        try:
            jobs.put(item, timeout=1.0)
            return
        except queue_module.Full:
            _check_alive(processes)


def _get(results, processes):
    idle = 0
    while True:
        try:
            return results.get(timeout=1.0)
        except queue_module.Empty:
            _check_alive(processes, finished_ok=True)
            idle = idle + 1 if not any(p.is_alive() for p in processes) else 0
            if idle > 10:
                raise BuildFailed("index build workers ended without reporting")


def _check_alive(processes, finished_ok: bool = False) -> None:
    """Raise when a worker died (killed, out of memory, or failed and reported it)."""
    for process in processes:
        if process.is_alive():
            continue
        if finished_ok and process.exitcode == 0:
            continue  # it reported before exiting; its result is in the queue
        raise BuildFailed(f"index build worker {process.name} ended with exit code {process.exitcode}")
