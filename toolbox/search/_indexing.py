"""Keeping the index derived from the database: queue, rebuild, start-up check, drift check.

The database is the truth. Every write reads the *current* database state of a document
after taking the writer lock, so whichever process writes last writes the newest state.
The database is read through the backend's ``DocumentSource`` (plain values, each read in a
session of its own; see ``toolbox.services.search_source``), never through the ORM here.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

from flask import current_app

from . import _build, _store
from ._record import IndexRecord
from ._schema import index_fields
from .backend import DocumentSource, IndexReport, Progress, current_source

log = logging.getLogger("toolbox.search")

_CHUNK = 200


def _chunks(items: list[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- rebuild ---------------------------------------------------------------------------------


def _rebuild_locked(root: Path, progress: Progress | None = None, *, parallel: bool = False) -> int:
    """Build a complete index from the database beside the live one, then swap it in.

    Only an explicit ``reindex`` builds on several processes: the automatic repairs run inside
    web processes, whose other threads may hold locks at the moment of a fork.
    """
    _store.clean_leftovers(root)
    build, ix = _store.new_build_dir(root)
    source = current_source()
    try:
        ids = source.document_ids()
        total = len(ids)
        if progress:
            progress(0, total)
        done = 0
        workers = _build_workers(total) if parallel else 1
        memory = _build_memory_mb()
        if workers > 1:
            def records_in_chunks() -> Iterator[list[IndexRecord]]:
                for chunk in _chunks(ids):
                    records = source.records(chunk)
                    yield [records[i] for i in chunk if i in records]

            _build.build_parallel(ix, build, records_in_chunks(), workers,
                                  (lambda sent: progress(sent, total)) if progress else None, memory_mb=memory)
        else:
            with _store.index_writer(ix, memory_mb=memory) as writer:
                for chunk in _chunks(ids):
                    records = source.records(chunk)
                    for document_id in chunk:
                        record = records.get(document_id)
                        if record is not None:
                            writer.add_document(**index_fields(record))
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        _store.publish_build(root, build)
    except BaseException:
        _store.discard_build(build)
        raise
    log.info("Index rebuilt from the database: %d documents", total)
    return total


def _write_current(source: DocumentSource, writer, document_ids: list[int]) -> int:
    """Write each document's current database state into the index; gone ones are deleted."""
    for chunk in _chunks(document_ids):
        records = source.records(chunk)
        for document_id in chunk:
            record = records.get(document_id)
            if record is None:
                writer.delete_by_term("doc_id", document_id)
            else:
                writer.update_document(**index_fields(record))
    return len(document_ids)


def _build_workers(total: int) -> int:
    """Worker processes for a rebuild of ``total`` documents; 1 means build in this process.

    ``TOOLBOX_INDEX_WORKERS`` (default: the number of cores, at most 4) and
    ``TOOLBOX_INDEX_PARALLEL_MIN`` (default 1000 documents) tune it.
    """
    config = current_app.config
    workers = int(config.get("TOOLBOX_INDEX_WORKERS") or _build.default_workers())
    minimum = int(config.get("TOOLBOX_INDEX_PARALLEL_MIN", _build.PARALLEL_MIN_DOCUMENTS))
    return workers if workers > 1 and total >= max(minimum, 2) else 1


def _build_memory_mb() -> int:
    """The postings pool of each rebuild writer, ``TOOLBOX_INDEX_MEMORY_MB`` (at least 16)."""
    return max(16, int(current_app.config.get("TOOLBOX_INDEX_MEMORY_MB") or _build.DEFAULT_MEMORY_MB))


def reindex(progress: Progress | None = None) -> int:
    """Rebuild the whole index from the database; searches keep using the old one meanwhile.

    Holds the writer lock throughout, so that no queued update is applied to the old index
    and then lost in the swap; the queue is applied to the new index at the end.
    """
    root = _store.index_root()
    with _store.writer_lock(root):
        count = _rebuild_locked(root, progress, parallel=True)
        _apply_queue_locked(root)
    return count


def ensure_index() -> None:
    """At start-up: build a missing index, rebuild a corrupt or outdated one from the database."""
    root = _store.index_root()
    health = _store.probe(root)
    if health.ok and not _empty_but_database_is_not(root):
        # A rebuild killed before its swap leaves a whole index copy in a tmp- folder. It is
        # abandoned when nobody holds the lock; a running rebuild holds it, and then it stays.
        with contextlib.suppress(_store.IndexBusy), _store.writer_lock(root, timeout=0):
            _store.clean_leftovers(root)
        return
    with _store.writer_lock(root):
        # Another process may have rebuilt it while this one waited for the lock.
        health = _store.probe(root)
        if health.ok and not _empty_but_database_is_not(root):
            _store.clean_leftovers(root)
            return
        if health.state != "missing":
            log.warning("Search index in %s is %s (%s); rebuilding from the database", root, health.state,
                        health.detail)
        _rebuild_locked(root)
        _apply_queue_locked(root)


def _empty_but_database_is_not(root: Path) -> bool:
    """An index without a single entry while the database has documents was lost."""
    try:
        with _store.searcher(root) as searcher:
            if searcher.doc_count() > 0:
                return False
    except _store.IndexUnavailable:
        return True
    return current_source().has_documents()


# --- the queue -------------------------------------------------------------------------------


def apply_index_queue() -> int:
    """Write or delete the index entries of every queued document, then drop the queue rows.

    Waits for the writer lock; if another writer holds it for longer than
    ``TOOLBOX_INDEX_LOCK_TIMEOUT`` seconds (a full rebuild), the rows stay queued and are applied
    by that rebuild or the next call, so no update is lost and no error reaches the caller.
    """
    root = _store.index_root()
    try:
        with _store.writer_lock(root, timeout=_store.lock_timeout()):
            if _store.current_generation(root) is None:
                _rebuild_locked(root)
            return _apply_queue_locked(root)
    except _store.IndexBusy as exc:
        log.warning("Index updates left queued: %s", exc)
        return 0


def _apply_queue_locked(root: Path) -> int:
    source = current_source()
    rows = source.queued()
    if not rows:
        return 0
    try:
        ix = _store.open_live(root)
    except _store.IndexUnavailable:
        # The queue's documents are part of any rebuild; the rows can go afterwards.
        _rebuild_locked(root)
        ix = _store.open_live(root)
    document_ids = sorted({document_id for _row_id, document_id in rows})
    with _store.index_writer(ix) as writer:
        applied = _write_current(source, writer, document_ids)
    source.dequeue([row_id for row_id, _document_id in rows])
    return applied


# --- drift -----------------------------------------------------------------------------------


def check_index(repair: bool = False) -> IndexReport:
    """Compare every document in the database with its index entry; optionally fix the drift."""
    root = _store.index_root()
    health = _store.probe(root)
    source = current_source()
    if not health.ok:
        missing = source.document_ids()
        if repair:
            with _store.writer_lock(root):
                _rebuild_locked(root)
                _apply_queue_locked(root)
        return IndexReport(missing=missing, repaired=repair, rebuilt=repair)

    indexed: dict[int, list[str]] = {}
    with _store.searcher(root) as searcher:
        for _docnum, stored in searcher.reader().iter_docs():
            indexed.setdefault(int(stored["doc_id"]), []).append(stored.get("fingerprint", ""))

    missing: list[int] = []
    stale: list[int] = []
    ids = source.document_ids()
    for chunk in _chunks(ids):
        for document_id, record in source.records(chunk).items():
            entries = indexed.get(document_id)
            if entries is None:
                missing.append(document_id)
            elif len(entries) != 1 or entries[0] != record.fingerprint():
                stale.append(document_id)
    known = set(ids)
    orphaned = sorted(document_id for document_id in indexed if document_id not in known)
    report = IndexReport(missing=sorted(missing), stale=sorted(stale), orphaned=orphaned)
    if repair and not report.ok:
        _repair(root, report)
        return IndexReport(report.missing, report.stale, report.orphaned, repaired=True)
    return report


def _repair(root: Path, report: IndexReport) -> None:
    with _store.writer_lock(root):
        ix = _store.open_live(root)
        with _store.index_writer(ix) as writer:
            for document_id in report.orphaned:
                writer.delete_by_term("doc_id", document_id)
            _write_current(current_source(), writer, sorted(report.missing + report.stale))
