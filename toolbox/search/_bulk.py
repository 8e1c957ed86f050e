"""Index a long import in a child process, beside the process that records it.

A bulk ``toolbox ingest`` spends as much time in Whoosh (analysis, then writing the postings at
commit time, pure Python on one core) as in everything else; done on the importing thread it
halved the import speed, and the commits with Whoosh's merge policy stalled it for minutes when
a merge rewrote the whole index. Here the importing process hands the ids of the documents it
recorded to a forked child, which reads them from the database (a connection of its own,
opened after the fork) and analyses them into a segment of its own in a private folder. Every ``SEAL_EVERY`` documents the child closes the segment and
the parent adds it to the live index under the writer lock: it moves the one compound segment
file in and writes a table of contents that lists it beside the existing segments — no merge,
so that step takes milliseconds however large the index is.

The database stays the truth, as for every other index write. The parent keeps the ids of the
queue rows each entry stands for; at the commit, an entry whose rows another writer applied
meanwhile (a web process's ``apply_index_queue`` takes every queued row) is marked deleted in
the new segment, since that writer read a state at least as new; otherwise the document's
older entries are deleted and its rows dropped. A change made after an entry was read queued
a row of its own, which the next ``apply_index_queue`` applies. Should the child die, the rows
of whatever it had not delivered stay queued and the caller's final ``apply_index_queue``
writes them.

The child is forked (as the parallel rebuild's workers are, see ``_build``) before the import
starts its threads, and touches nothing but the database, Whoosh and its folder.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue as queue_module
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from typing import Callable

from . import _store
from .backend import current_source

log = logging.getLogger("toolbox.search")

#: Documents per segment: fewer, larger segments search faster, smaller ones show up sooner
#: (the merge job joins them afterwards).
SEAL_EVERY = 250
#: ... and a segment is sealed after this many seconds anyway, so searches see an import grow.
#: Both also bound the wait at the end of an import, when the last segment is written.
SEAL_SECONDS = 5.0
#: Chunks of document ids the child may be behind before ``add`` waits for it. Small, so that
#: the import's progress is the indexing's progress: with 64 chunks the child was up to 2 000
#: documents behind on a loaded machine, and the end of an import of 10 000 waited 7 s for it.
_BACKLOG = 4


def _child(folder: str, jobs, results, after_fork: Callable[[], None] | None) -> None:
    """Load the documents of each message from the source and analyse them into segments of
    the private index in ``folder``; report each segment with its document ids in order."""
    try:
        from whoosh import index as whoosh_index
        from whoosh.writing import SegmentWriter

        from . import _patches
        from ._schema import build_schema, index_fields

        _patches.apply()
        if after_fork is not None:
            after_fork()  # the parent's database connections must not be used here
        source = current_source()
        ix = whoosh_index.create_in(folder, build_schema())
        writer = None
        indexed: list[int] = []
        parent = os.getppid()
        while True:
            try:
                message = jobs.get(timeout=5.0)
            except queue_module.Empty:
                # A parent killed with SIGKILL never says goodbye, and this process holds the
                # queue's other end itself, so no end-of-file comes either.
                if os.getppid() != parent:
                    return
                continue
            if message is None:
                break
            if message == "seal":
                segment = None
                if writer is not None:
                    segment = writer._finalize_segment()
                    writer._tempstorage.destroy()
                    writer = None
                results.put(("segment", (segment, indexed)))
                indexed = []
                continue
            records = source.records(message)
            if writer is None:
                # _lk=False: nobody else writes this private index.
                writer = SegmentWriter(ix, _lk=False)
            for document_id in message:
                record = records.get(document_id)
                if record is not None:
                    writer.add_document(**index_fields(record))
                    indexed.append(document_id)
        if writer is not None:
            writer.cancel()
        results.put(("done", None))
    except BaseException:  # reported; the parent falls back to the queue
        results.put(("error", traceback.format_exc()))
        raise SystemExit(1)


@dataclass
class _Open:
    """What the child is analysing into its current segment."""

    row_ids: dict[int, list[int]] = field(default_factory=dict)  # document id → queue row ids read
    started: float = 0.0


class BulkIndexer:
    """``add`` recorded documents; they are searchable once their segment is sealed.

    Use as a context manager: leaving it seals and commits the last segment and stops the
    child. ``add`` is cheap for the caller (one database read per chunk); the child does the
    analysis on another core.
    """

    def __init__(self, *, after_fork: Callable[[], None] | None = None, seal_every: int | None = None,
                 seal_seconds: float | None = None) -> None:
        """``after_fork`` runs first in the child: the owner of the database connections makes
        the child open its own (``engine.dispose(close=False)``)."""
        self._root = _store.index_root()
        self._source = current_source()
        self._seal_every = seal_every or SEAL_EVERY
        self._seal_seconds = seal_seconds or SEAL_SECONDS
        self._folder = Path(tempfile.mkdtemp(prefix="toolbox-bulk-index-"))
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._jobs = context.Queue(maxsize=_BACKLOG)
        self._results = context.Queue()
        self._process = context.Process(target=_child, args=(str(self._folder), self._jobs, self._results, after_fork),
                                        daemon=True, name="toolbox-bulk-index")
        self._process.start()
        self._open = _Open()
        self._sealed: list[_Open] = []  # sent "seal", waiting for the segment, oldest first
        self._failed = False
        self.committed = 0

    # --- the caller's side ---------------------------------------------------------------

    def add(self, document_ids: list[int]) -> None:
        """Index the current database state of ``document_ids`` (committed, with queue rows)."""
        if self._failed or not document_ids:
            return
        wanted = set(document_ids)
        row_ids: dict[int, list[int]] = {}
        for row_id, document_id in self._source.queued():
            if document_id in wanted:
                row_ids.setdefault(document_id, []).append(row_id)
        waiting = [i for i in document_ids if i in row_ids]
        while waiting and not self._failed:
            if not self._open.row_ids:
                self._open.started = time.monotonic()
            room = self._seal_every - len(self._open.row_ids)
            chunk, waiting = waiting[:room], waiting[room:]
            if not self._send(chunk):
                return
            for document_id in chunk:
                self._open.row_ids[document_id] = row_ids[document_id]
            if (len(self._open.row_ids) >= self._seal_every
                    or time.monotonic() - self._open.started >= self._seal_seconds):
                self._seal()
        self._collect(block=False)

    def close(self) -> None:
        """Seal and commit what is left, then stop the child."""
        try:
            if not self._failed:
                self._seal()
                while self._sealed and not self._failed:
                    self._collect(block=True)
                self._send(None)
        finally:
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=10)
            self._jobs.close()
            self._results.close()
            self._jobs.cancel_join_thread()
            self._results.cancel_join_thread()
            shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "BulkIndexer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- talking to the child ----------------------------------------------------------------

    def _send(self, message) -> bool:
        while True:
            try:
                self._jobs.put(message, timeout=1.0)
                return True
            except queue_module.Full:
                # The child is behind: commit what it has finished meanwhile, and check it lives.
                self._collect(block=False)
                if self._failed or not self._process.is_alive():
                    self._fail("the bulk index child ended")
                    return False

    def _seal(self) -> None:
        if not self._open.row_ids:
            return
        if self._send("seal"):
            self._sealed.append(self._open)
        self._open = _Open()

    def _collect(self, block: bool) -> None:
        while self._sealed and not self._failed:
            try:
                kind, value = self._results.get(timeout=1.0) if block else self._results.get_nowait()
            except queue_module.Empty:
                if not block:
                    return
                if not self._process.is_alive():
                    self._fail("the bulk index child ended without a report")
                continue
            if kind == "error":
                self._fail(value)
                return
            if kind == "segment":
                sealed = self._sealed.pop(0)
                segment, document_ids = value
                if segment is not None:
                    self._commit(segment, document_ids, sealed)
            block = False

    def _fail(self, detail: str) -> None:
        if not self._failed:
            log.warning("Bulk indexing stopped, the queue takes over: %s", detail)
        self._failed = True
        self._sealed.clear()
        self._open = _Open()

    # --- adding a segment to the live index ------------------------------------------------------

    def _commit(self, segment, document_ids: list[int], sealed: _Open) -> None:
        """Add a sealed segment to the live index (no merge) and drop the rows it stands for."""
        files = [name for name in os.listdir(self._folder) if name.startswith(segment.segment_id() + ".")]
        try:
            with _store.writer_lock(self._root, timeout=_store.lock_timeout()):
                generation = _store.current_generation(self._root)
                if generation is None:
                    return  # no live index: the rows stay queued for the rebuild
                present = {row_id for row_id, _document_id in self._source.queued()}
                ix = _store.open_live(self._root)
                writer = ix.writer(timeout=10.0, delay=0.05)
                moved: list[Path] = []
                try:
                    for docnum, document_id in enumerate(document_ids):
                        if any(row in present for row in sealed.row_ids[document_id]):
                            writer.delete_by_term("doc_id", document_id)
                        else:
                            segment.delete_document(docnum)
                    for name in files:
                        target = generation / name
                        shutil.move(str(self._folder / name), target)
                        moved.append(target)
                    segments = list(writer.segments) + [segment]
                    writer._close_segment()
                    writer._commit_toc(segments)
                    writer._finish()
                except BaseException:
                    if not writer.is_closed:
                        writer.cancel()
                    for path in moved:
                        with contextlib.suppress(OSError):
                            path.unlink()
                    raise
                _store.note_commit()
                self._source.dequeue(sorted(row for document_id in document_ids
                                            for row in sealed.row_ids[document_id] if row in present))
                self.committed += len(document_ids)
        except _store.IndexBusy as exc:
            log.warning("Bulk index segment not added, its documents stay queued: %s", exc)
        finally:
            for name in files:
                with contextlib.suppress(OSError):
                    (self._folder / name).unlink()
