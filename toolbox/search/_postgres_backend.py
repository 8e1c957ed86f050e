"""The PostgreSQL full-text backend (``TOOLBOX_SEARCH_BACKEND=postgresql``): the index lives in the
application's own PostgreSQL database, so any number of application servers share it and no
server has an ``index/`` directory.

Tables (created by the migration ``a17c3e5f9b20``): ``search_entries``, a document's entry with
its ``tsvector`` (built from the shared German analysis, ``_pg_entries``) and its filter and
facet columns; ``search_terms``, the vocabulary (words for corrections and autocomplete,
reversed stems for compounds); ``search_state``, the analysis version the entries were built with.

Same transaction as the document
--------------------------------
With Whoosh, a change writes an index-queue row in the document's transaction and the index is
updated after the commit; a crash in between is repaired from the queue. Here the entry is
written *inside* the document's transaction, so there is nothing to repair: the services layer
(``toolbox.services.indexing``) collects the documents a transaction changes and, just before it
commits, hands the session's own connection to ``update_in_transaction``. That reads the
documents through the source on that connection (``DocumentSource.locked_records``: the ORM stays
in services, and the document rows are locked so that two writers of one entry take turns) and
writes their entries there. A rollback takes the entries with it; a commit makes document and
entry visible together, to every server at once.

The backend is SQLAlchemy Core on the source's engine (``text()`` statements), never the ORM.
Searching is ``_pg_search`` (matching, facets ``_pg_facets``, order), the query language
``_pg_query``, corrections and autocomplete ``_pg_words`` and ``_pg_extras``.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Iterable, Iterator, Sequence

from sqlalchemy import text

from ..config import ConfigError
from . import _pg_extras, _pg_search
from ._pg_entries import DELETE, ENTRY_TABLE, STATE_TABLE, write_entries
from ._record import SCHEMA_VERSION, IndexRecord
from ._types import SearchQuery, SearchResults, sanitized
from .backend import DatabaseDocumentSource, IndexReport, Progress

log = logging.getLogger("toolbox.search")

#: The entries' format: the analysis version and this backend's own layout.
FORMAT = f"{SCHEMA_VERSION}.pg4"
#: ``pg_advisory_lock`` key of rebuilds (any number held by other applications is unlikely to clash).
REBUILD_LOCK = 0x70676674  # "pgft"
_CHUNK = 200


def _chunks(items: list[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class PostgresBackend:
    name = "postgresql"
    #: Entries are written in the document's own transaction (``update_in_transaction``), not
    #: through the index queue.
    transactional = True

    def __init__(self, source: DatabaseDocumentSource) -> None:
        self.source = source

    def _engine(self):
        return self.source.engine()

    # --- set-up and state --------------------------------------------------------------------

    def check(self) -> None:
        engine = getattr(self.source, "engine", None)
        dialect = engine().dialect.name if engine is not None else "unknown"
        if dialect != "postgresql":
            raise ConfigError(
                f"TOOLBOX_SEARCH_BACKEND=postgresql needs a PostgreSQL database, but TOOLBOX_DATABASE_URL "
                f"points to {dialect}. Use a postgresql+psycopg:// database URL, or TOOLBOX_SEARCH_BACKEND=whoosh.")

    def _stored_format(self, connection) -> str | None:
        if connection.execute(text(f"SELECT to_regclass('{STATE_TABLE}')")).scalar() is None:
            raise LookupError("search tables missing")
        return connection.execute(text(f"SELECT value FROM {STATE_TABLE} WHERE key = 'format'")).scalar()

    def index_state(self) -> str:
        """``missing`` before the migration or the first start, ``outdated`` after a change of
        the analysis until the rebuild, else ``ok``: two tiny queries."""
        try:
            with self._engine().connect() as connection:
                stored = self._stored_format(connection)
        except LookupError:
            return "missing"
        if stored is None:
            return "missing"
        return "ok" if stored == FORMAT else "outdated"

    def ensure(self) -> None:
        """At start: build the entries when they were never built (a database that ran another
        backend so far) or were built by another analysis version; apply a leftover queue."""
        try:
            with self._engine().connect() as connection:
                stored = self._stored_format(connection)
                empty = connection.execute(text(f"SELECT NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE})")).scalar()
        except LookupError:
            log.warning("The search tables of TOOLBOX_SEARCH_BACKEND=postgresql do not exist yet; "
                        "run `toolbox migrate`")
            return
        if stored != FORMAT or (empty and self.source.has_documents()):
            with self._rebuild_lock():
                with self._engine().connect() as connection:  # another server may have done it meanwhile
                    stored = self._stored_format(connection)
                    empty = connection.execute(text(f"SELECT NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE})")).scalar()
                if stored != FORMAT or (empty and self.source.has_documents()):
                    if stored is not None and stored != FORMAT:
                        log.warning("Search entries were built by format %s; rebuilding for %s", stored, FORMAT)
                    self._rebuild_locked(None)
        self.apply_queue()

    @contextlib.contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        """One rebuild at a time across every server: a session advisory lock on a connection
        of its own (released with it, also when the process dies)."""
        with self._engine().connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": REBUILD_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": REBUILD_LOCK})
                connection.commit()

    # --- writing -----------------------------------------------------------------------------

    def update_in_transaction(self, connection, document_ids: Sequence[int]) -> int:
        """Write the current entries of ``document_ids`` on ``connection``, inside its transaction
        (the caller commits or rolls back); documents that no longer exist lose their entry."""
        ids = sorted(set(document_ids))
        if not ids:
            return 0
        records = self.source.locked_records(connection, ids)
        write_entries(connection, records.values(), [i for i in ids if i not in records])
        return len(ids)

    def _write_current(self, document_ids: Sequence[int], progress: Progress | None = None,
                       total: int | None = None) -> int:
        """``update_in_transaction`` in transactions of a few hundred documents each."""
        ids = sorted(set(document_ids))
        done = 0
        for chunk in _chunks(ids):
            with self._engine().begin() as connection:
                self.update_in_transaction(connection, chunk)
            done += len(chunk)
            if progress:
                progress(done, total if total is not None else len(ids))
        return len(ids)

    def index_documents(self, records: Iterable[IndexRecord]) -> int:
        with self._engine().begin() as connection:
            return write_entries(connection, list(records))

    def remove_documents(self, document_ids: Iterable[int]) -> int:
        ids = sorted(set(document_ids))
        if ids:
            with self._engine().begin() as connection:
                connection.execute(DELETE, {"ids": ids})
        return len(ids)

    def apply_queue(self) -> int:
        """Index-queue rows exist only from a time this database ran the Whoosh backend: they are
        applied once, then the queue stays empty (one indexed query per call)."""
        rows = self.source.queued()
        if not rows:
            return 0
        applied = self._write_current([document_id for _row, document_id in rows])
        self.source.dequeue([row_id for row_id, _document_id in rows])
        return applied

    def rebuild(self, progress: Progress | None = None) -> int:
        with self._rebuild_lock():
            return self._rebuild_locked(progress)

    def _rebuild_locked(self, progress: Progress | None) -> int:
        """Every document's entry written anew, a few hundred per transaction; searches see the
        old entries until each chunk commits. Entries of documents gone meanwhile are removed."""
        ids = self.source.document_ids()
        total = len(ids)
        if progress:
            progress(0, total)
        self._write_current(ids, progress, total)
        with self._engine().connect() as connection:
            indexed = [row[0] for row in connection.execute(text(f"SELECT document_id FROM {ENTRY_TABLE}"))]
        known = set(ids)
        leftovers = [document_id for document_id in indexed if document_id not in known]
        if leftovers:
            # Locked and read again: a document created meanwhile keeps its entry.
            self._write_current(leftovers)
        with self._engine().begin() as connection:
            connection.execute(text(
                f"INSERT INTO {STATE_TABLE} (key, value) VALUES ('format', :value) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"), {"value": FORMAT})
        log.info("Search entries rebuilt from the database: %d documents", total)
        return total

    def check_index(self, repair: bool = False) -> IndexReport:
        if self.index_state() == "missing":
            missing = self.source.document_ids()
            if repair:
                self.rebuild()
            return IndexReport(missing=missing, repaired=repair, rebuilt=repair)
        with self._engine().connect() as connection:
            indexed = dict(connection.execute(text(f"SELECT document_id, fingerprint FROM {ENTRY_TABLE}")).all())
        missing: list[int] = []
        stale: list[int] = []
        ids = self.source.document_ids()
        for chunk in _chunks(ids):
            for document_id, record in self.source.records(chunk).items():
                fingerprint = indexed.get(document_id)
                if fingerprint is None:
                    missing.append(document_id)
                elif fingerprint != record.fingerprint():
                    stale.append(document_id)
        known = set(ids)
        orphaned = sorted(document_id for document_id in indexed if document_id not in known)
        report = IndexReport(missing=sorted(missing), stale=sorted(stale), orphaned=orphaned)
        if repair and not report.ok:
            self._write_current(report.missing + report.stale + report.orphaned)
            return IndexReport(report.missing, report.stale, report.orphaned, repaired=True)
        return report

    # --- searching ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator:
        """A connection for one search, in a transaction that plans with the GIN index.

        For a word most entries hold, the planner takes a sequential scan (or a walk along the
        primary key) and tests ``@@`` on each row, reading (de-toasting) every entry's
        ``tsvector``: 30 µs an entry, seconds at 50 000. The bitmap scan of the GIN index answers
        the same without reading one, so a search plans without those two (``SET LOCAL``: this
        transaction only, which ends with the connection); a browse without words sorts the
        status's rows instead of walking an index, which costs milliseconds. Without JIT: the
        penalty that keeps those plans away makes every plan look expensive enough to compile,
        which took over a second for a browse of 10 000 entries.
        """
        with self._engine().connect() as connection:
            connection.execute(text("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
                                    "SET LOCAL jit = off"))
            yield connection

    def search(self, query: SearchQuery) -> SearchResults:
        with self._reading() as connection:
            return _pg_search.run_search(connection, sanitized(query))

    def matching_document_ids(self, query: SearchQuery) -> list[int]:
        with self._reading() as connection:
            return _pg_search.matching_ids(connection, sanitized(query))

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        with self._reading() as connection:
            return _pg_extras.suggest(connection, prefix, limit)

    def did_you_mean(self, query: SearchQuery) -> str | None:
        with self._reading() as connection:
            return _pg_search.did_you_mean(connection, sanitized(query))

    def more_like_this(self, document_id: int, limit: int = 5) -> list[int]:
        document = self.source.similar_to(document_id)
        if document is None:
            return []
        with self._reading() as connection:
            found = _pg_extras.similar_documents_scored(connection, document, limit)
        return [likeness.document_id for likeness in found]
