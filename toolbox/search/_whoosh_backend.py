"""The Whoosh backend: the embedded default, an index directory per server (``TOOLBOX_INDEX_DIR``).

The work is done by the package's Whoosh modules; this class is their face towards the
``SearchBackend`` contract.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from . import _bulk, _indexing, _merge, _release, _search, _similar, _store, _suggest, _warmup
from ._record import IndexRecord
from ._schema import index_fields
from ._types import SearchQuery, SearchResults
from .backend import DocumentSource, IndexReport, Progress


class WhooshBackend:
    name = "whoosh"

    def __init__(self, source: DocumentSource) -> None:
        self.source = source

    def check(self) -> None:
        _release.check_release()

    def ensure(self) -> None:
        _indexing.ensure_index()

    def _ready_root(self) -> Path:
        root = _store.index_root()
        if _store.current_generation(root) is None:
            _indexing.ensure_index()
        return root

    def index_documents(self, records: Iterable[IndexRecord]) -> int:
        root = self._ready_root()
        count = 0
        with _store.writer_lock(root, timeout=_store.lock_timeout()):
            with _store.index_writer(_store.open_live(root)) as writer:
                for record in records:
                    writer.update_document(**index_fields(record))
                    count += 1
        return count

    def remove_documents(self, document_ids: Iterable[int]) -> int:
        root = self._ready_root()
        ids = list(document_ids)
        with _store.writer_lock(root, timeout=_store.lock_timeout()):
            with _store.index_writer(_store.open_live(root)) as writer:
                for document_id in ids:
                    writer.delete_by_term("doc_id", document_id)
        return len(ids)

    def apply_queue(self) -> int:
        return _indexing.apply_index_queue()

    def rebuild(self, progress: Progress | None = None) -> int:
        return _indexing.reindex(progress)

    def check_index(self, repair: bool = False) -> IndexReport:
        return _indexing.check_index(repair)

    def index_state(self) -> str:
        # Opens the live generation and reads its schema and document count, without reading
        # through its data (``check_index`` does that).
        return _store.probe(_store.index_root(), thorough=False).state

    def search(self, query: SearchQuery) -> SearchResults:
        return _search.search(query)

    def matching_document_ids(self, query: SearchQuery) -> list[int]:
        return _search.matching_document_ids(query)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        return _suggest.suggest(prefix, limit)

    def did_you_mean(self, query: SearchQuery) -> str | None:
        results = _search.search(replace(query, page=1, per_page=1))
        if results.corrected_from is not None:
            return results.query_used
        return results.suggestion

    def more_like_this(self, document_id: int, limit: int = 5) -> list[int]:
        return _similar.more_like_this(document_id, limit)

    # Beyond the contract: the index write path of a bulk import and the background merge.

    def bulk_indexer(self, after_fork: Callable[[], None] | None = None) -> _bulk.BulkIndexer:
        return _bulk.BulkIndexer(after_fork=after_fork)

    def needs_merge(self) -> bool:
        return _merge.index_needs_merge()

    def merge(self) -> _merge.MergeReport:
        return _merge.merge_index()

    def warm_up(self, max_postings: int) -> _warmup.WarmUpReport:
        return _warmup.warm_up(max_postings)
