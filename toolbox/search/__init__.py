"""Full-text search over the repository: German analysis, facets, index upkeep.

Everything Whoosh lives in this package; nothing outside it imports ``whoosh``. The index is
derived data: it holds every document (all statuses, with a status field) and can always be
rebuilt from the database (``reindex``). Searches use ``flask.current_app.config
["TOOLBOX_INDEX_DIR"]`` and the Flask-SQLAlchemy session.

Modules: ``analysis`` (German word forms, shared by every backend), ``_analysis`` (the same in
Whoosh's tokenizer and positions format), ``_schema`` (fields, document → entry),
``_store`` (directory layout, writer lock, searchers), ``_synonyms`` (synonyms and spelling
variants added at query time), ``_typos`` (corrections of unknown words), ``_indexing`` (queue, rebuild,
start-up and drift checks), ``_query`` (query language, compound expansion), ``_search`` (one
search from query to page: the steps below), ``_view`` (per-generation facet and filter sets),
``_matching`` (which documents match), ``_phrases`` (word positions), ``_ranking`` (BM25 and
the other orders), ``_facets`` (counts), ``_spelling`` (did-you-mean), ``_suggest``
(autocomplete), ``_similar`` (more like this), ``_warmup`` (caches filled at start),
``_highlight``, ``_patches`` (a speed fix to Whoosh's commit path).
"""
from __future__ import annotations

from . import _patches, _release

# On another Whoosh release the patches may not fit; the app then refuses to start with a clear
# message (``init_app``) instead of failing here, at import, with an AttributeError.
if _release.release_problem() is None:
    _patches.apply()

from .analysis import sort_key
from ._schema import municipality_key as name_key
from ._synonyms import key_of as synonym_key
from ._indexing import IndexReport, apply_index_queue, check_index, ensure_index, reindex
from ._search import matching_document_ids, search
from ._similar import more_like_this
from ._suggest import suggest
from ._types import FacetValue, SearchHit, SearchQuery, SearchResults, default_sort
from ._warmup import WarmUpReport, release_open_files, warm_up
from ._release import UnsupportedWhoosh


def init_app(app) -> None:
    """Check at start that the search engine can run here: the pinned Whoosh release."""
    _release.check_release()


def index_state() -> str:
    """``ok``, or why the live index cannot serve searches: ``missing``, ``corrupt``, ``outdated``.

    Opens the live generation and reads its schema and document count, without reading through
    its data (``toolbox check-index`` does that); cheap enough for a readiness probe.
    """
    from ._store import index_root, probe

    return probe(index_root(), thorough=False).state

__all__ = [
    "FacetValue",
    "IndexReport",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "UnsupportedWhoosh",
    "WarmUpReport",
    "apply_index_queue",
    "check_index",
    "default_sort",
    "index_state",
    "ensure_index",
    "init_app",
    "matching_document_ids",
    "name_key",
    "more_like_this",
    "reindex",
    "release_open_files",
    "search",
    "sort_key",
    "suggest",
    "synonym_key",
    "warm_up",
]
