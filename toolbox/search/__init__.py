"""Full-text search over the repository: the backend contract, German analysis, the Whoosh engine.

Everything Whoosh lives in this package; nothing outside it imports ``whoosh``, and nothing in
it imports the ORM. ``init_app`` picks the engine (``TOOLBOX_SEARCH_BACKEND``, ``backend``
for the contract) and hands it the database as a ``DocumentSource`` of plain values
(``toolbox.services.search_source``). The index is derived data: it holds every document (all
statuses, with a status field) and can always be rebuilt from the database (``reindex``).

Modules: ``backend`` (the contract), ``_whoosh_backend`` (the Whoosh engine behind it),
``_release`` (the pinned Whoosh release), ``analysis`` (German word forms, shared by every backend), ``_analysis`` (the same in
Whoosh's tokenizer and positions format), ``_schema`` (fields, the index entry),
``_store`` (directory layout, writer lock, searchers), ``_synonyms`` (synonyms and spelling
variants added at query time), ``_typos`` (corrections of unknown words), ``_indexing`` (queue, rebuild,
start-up and drift checks), ``_bulk`` (a long import indexed by a child process), ``_merge``
(segment merges in a background job, never inside a commit), ``_query`` (query language, compound expansion), ``_search`` (one
search from query to page: the steps below), ``_view`` (per-generation facet and filter sets),
``_matching`` (which documents match), ``_phrases`` (word positions), ``_ranking`` (BM25 and
the other orders), ``_facets`` (counts), ``_spelling`` (did-you-mean), ``_suggest``
(autocomplete), ``_similar`` (more like this), ``_warmup`` (caches filled at start),
``_highlight``, ``_patches`` (a speed fix to Whoosh's commit path).

The PostgreSQL engine (``TOOLBOX_SEARCH_BACKEND=postgresql``): ``_postgres_backend`` (the
contract, written in the document's own transaction), ``_pg_entries`` (entries and vocabulary),
``_pg_query`` (query language to ``tsquery``), ``_pg_search`` (one search), ``_pg_facets``,
``_pg_words`` (corrections), ``_pg_extras`` (autocomplete, more like this). Its tables
(``DATABASE_TABLES``) live in the application's database; it uses SQLAlchemy Core, never the ORM.
"""
from __future__ import annotations

from . import _patches, _release

# On another Whoosh release the patches may not fit; the app then refuses to start with a clear
# message (``init_app``) instead of failing here, at import, with an AttributeError.
if _release.release_problem() is None:
    _patches.apply()

from typing import Callable

from flask import Flask

from ..config import ConfigError
from ._release import UnsupportedWhoosh
from ._fields import ACCESSIBLE
from ._fields import municipality_key as name_key
from ._record import IndexRecord
from ._synonyms import key_of as synonym_key
from ._types import FacetValue, SearchHit, SearchQuery, SearchResults, default_sort
from ._warmup import WarmUpReport, release_open_files
from ._pg_entries import TABLES as DATABASE_TABLES
from ._postgres_backend import PostgresBackend
from ._whoosh_backend import WhooshBackend
from .analysis import sort_key
from .backend import (
    EXTENSION_KEY,
    DatabaseDocumentSource,
    DocumentSource,
    IndexReport,
    Progress,
    SearchBackend,
    SimilarTo,
    SnippetText,
    SynonymGroup,
    current_backend,
)

#: ``TOOLBOX_SEARCH_BACKEND`` → the engine's class.
BACKENDS: dict[str, type] = {"whoosh": WhooshBackend, "postgresql": PostgresBackend}


def init_app(app: Flask, source: DocumentSource) -> None:
    """Choose the engine named by ``TOOLBOX_SEARCH_BACKEND`` and check that it can run here."""
    name = str(app.config.get("TOOLBOX_SEARCH_BACKEND") or "whoosh").strip().lower()
    backend_class = BACKENDS.get(name)
    if backend_class is None:
        raise ConfigError(f"TOOLBOX_SEARCH_BACKEND={name!r} is not a search backend; "
                          f"choose one of: {', '.join(sorted(BACKENDS))}.")
    backend = backend_class(source)
    with app.app_context():  # a backend may ask its source about the database
        backend.check()
    app.extensions[EXTENSION_KEY] = backend


# The operations of the running backend, for services, the CLI and tests.

def search(query: SearchQuery) -> SearchResults:
    """One page of hits with snippets, the total, facet counts and hints."""
    return current_backend().search(query)


def matching_document_ids(query: SearchQuery) -> list[int]:
    return current_backend().matching_document_ids(query)


def suggest(prefix: str, limit: int = 8) -> list[str]:
    return current_backend().suggest(prefix, limit)


def did_you_mean(query: SearchQuery) -> str | None:
    return current_backend().did_you_mean(query)


def more_like_this(document_id: int, limit: int = 5) -> list[int]:
    return current_backend().more_like_this(document_id, limit)


def ensure_index() -> None:
    current_backend().ensure()


def apply_index_queue() -> int:
    return current_backend().apply_queue()


def reindex(progress: Progress | None = None) -> int:
    return current_backend().rebuild(progress)


def check_index(repair: bool = False) -> IndexReport:
    return current_backend().check_index(repair)


def bulk_indexer(after_fork: Callable[[], None] | None = None):
    """For a long import: a context manager whose ``add(document_ids)`` indexes committed,
    queued documents beside the caller (the Whoosh engine forks a child, ``_bulk``); None when
    the engine has no such path, and the index queue does the work."""
    make = getattr(current_backend(), "bulk_indexer", None)
    return make(after_fork) if make is not None else None


def index_needs_merge() -> bool:
    """Whether the engine has index segments to merge (in a background job)."""
    check = getattr(current_backend(), "needs_merge", None)
    return bool(check()) if check is not None else False


def merge_index():
    """Merge index segments without holding up writers; a ``MergeReport`` or None."""
    merge = getattr(current_backend(), "merge", None)
    return merge() if merge is not None else None


def warm_up(max_postings: int) -> WarmUpReport:
    """Fill the engine's caches before serving; nothing to do for an engine without them."""
    warm = getattr(current_backend(), "warm_up", None)
    return warm(max_postings) if warm is not None else WarmUpReport(0, 0, 0.0)


def index_state() -> str:
    """``ok``, or why the index cannot serve searches (``missing``, ``corrupt``, ``outdated``)."""
    return current_backend().index_state()


__all__ = [
    "ACCESSIBLE",
    "BACKENDS",
    "DATABASE_TABLES",
    "DatabaseDocumentSource",
    "DocumentSource",
    "FacetValue",
    "IndexRecord",
    "IndexReport",
    "PostgresBackend",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SimilarTo",
    "SnippetText",
    "SynonymGroup",
    "UnsupportedWhoosh",
    "WarmUpReport",
    "apply_index_queue",
    "bulk_indexer",
    "check_index",
    "current_backend",
    "default_sort",
    "did_you_mean",
    "index_needs_merge",
    "index_state",
    "ensure_index",
    "init_app",
    "matching_document_ids",
    "merge_index",
    "more_like_this",
    "name_key",
    "reindex",
    "release_open_files",
    "search",
    "sort_key",
    "suggest",
    "synonym_key",
    "warm_up",
]
