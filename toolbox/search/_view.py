"""The per-generation view of the index that filters, facets and sorting work on.

For each reader generation the document numbers of every facet value are read once from the
postings (``IndexView``); a search then costs one pass over the query's matches plus set
intersections, and every facet's counts come from the same sets the filters use, so a count
is exactly the total the corresponding click returns.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import numpy as np
from flask import current_app

from . import _store
from ._ranking import TermWeights
from ._fields import FACET_FIELDS, municipality_key
from ._schema import FACET_INDEX_FIELDS
from ._segments import SEGMENTS, BoundedCache, LeafView

log = logging.getLogger("toolbox.search")

T = TypeVar("T")
EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class IndexView:
    doc_ids: list[int]                                # docnum → document id
    sort_date: list[int]                              # docnum → published (or created), epoch
    title_sort: list[str]                             # docnum → German collation key
    live: frozenset[int]                              # docnums not deleted
    terms: dict[str, dict[str, frozenset[int]]]       # facet field / status → value → docnums
    docnum_by_id: dict[int, int]
    term_docs: "TermCache"                           # posting lists of recently searched terms
    term_weights: "TermWeights"                      # BM25 weights of recently searched terms
    # query word → its compound expansions (they depend on the lexicon only; see Compiler)
    expansions: dict[str, list[str]] = field(default_factory=dict)
    leaves: tuple[LeafView, ...] = ()                 # the generation's segments (see _segments)
    term_arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # ``terms`` as arrays

    def named_terms(self, facet: str, names) -> list[str]:
        """The terms of a name facet that ``names`` mean, compared as ``municipality_key`` does."""
        cache = f"_by_key_{facet}"
        by_key = self.__dict__.get(cache)
        if by_key is None:
            by_key = {}
            for term in self.terms[facet]:
                by_key.setdefault(municipality_key(term), []).append(term)
            object.__setattr__(self, cache, by_key)
        return [term for name in names for term in by_key.get(municipality_key(name), ())]

    @property
    def sort_dates(self) -> np.ndarray:
        """``sort_date`` as an array, for ranking with numpy (built on first use)."""
        dates = self.__dict__.get("_sort_dates")
        if dates is None:
            dates = np.asarray(self.sort_date, dtype=np.int64)
            object.__setattr__(self, "_sort_dates", dates)
        return dates


_VIEWS: OrderedDict[tuple, IndexView] = OrderedDict()
_VIEWS_LOCK = threading.Lock()


def index_view(searcher) -> IndexView:
    reader = searcher.reader()
    key = (getattr(getattr(searcher, "_ix", None), "storage", None) and searcher._ix.storage.folder,
           reader.generation(), reader.doc_count_all())
    with _VIEWS_LOCK:
        view = _VIEWS.get(key)
        if view is not None:
            _VIEWS.move_to_end(key)
            return view
    view = _build_view(reader)
    with _VIEWS_LOCK:
        _VIEWS[key] = view
        while len(_VIEWS) > 4:
            _VIEWS.popitem(last=False)
    return view


def _build_view(reader) -> IndexView:
    if reader.doc_count_all() == 0:  # Whoosh's EmptyReader has no columns at all
        return IndexView([], [], [], frozenset(), {name: {} for name in FACET_FIELDS + ("status",)}, {},
                         TermCache(), TermWeights(),
                         term_arrays={name: {} for name in FACET_FIELDS + ("status",)})
    # Built from per-segment parts that outlive the generation (see _segments): a commit adds a
    # small segment, and only that one is read.
    leaves = SEGMENTS.leaf_views(reader)
    fieldnames = FACET_FIELDS + ("status",)
    index_fields = {FACET_INDEX_FIELDS.get(name, name): name for name in fieldnames}
    doc_ids: list[int] = []
    sort_date: list[int] = []
    title_sort: list[str] = []
    live_parts: list[np.ndarray] = []
    value_parts: dict[str, dict[str, list[np.ndarray]]] = {name: {} for name in fieldnames}
    for (leaf, _), leaf_view in zip(reader.leaf_readers(), leaves):
        ids, dates, titles = SEGMENTS.columns(leaf, leaf_view)
        doc_ids.extend(ids)
        sort_date.extend(dates)
        title_sort.extend(titles)
        alive, base = leaf_view.alive, leaf_view.base
        numbers = np.arange(base, base + leaf_view.count, dtype=np.int64)
        live_parts.append(numbers[alive] if alive is not None else numbers)
        for index_field, values in SEGMENTS.facets(leaf, leaf_view, tuple(index_fields)).items():
            parts = value_parts[index_fields[index_field]]
            for value, docnums in values.items():
                if alive is not None:
                    docnums = docnums[alive[docnums]]
                if len(docnums):
                    parts.setdefault(value, []).append(docnums + base)
    live = frozenset(np.concatenate(live_parts).tolist())
    term_arrays = {fieldname: {value: np.concatenate(parts) if len(parts) > 1 else parts[0]
                               for value, parts in values.items()}
                   for fieldname, values in value_parts.items()}
    terms = {fieldname: {value: frozenset(docnums.tolist()) for value, docnums in values.items()}
             for fieldname, values in term_arrays.items()}
    docnum_by_id = {doc_ids[d]: d for d in sorted(live)}
    return IndexView(doc_ids, sort_date, title_sort, live, terms, docnum_by_id, TermCache(leaves=leaves),
                     TermWeights(), leaves=leaves, term_arrays=term_arrays)


def clear_views() -> None:
    with _VIEWS_LOCK:
        _VIEWS.clear()
    SEGMENTS.clear()


def with_searcher(action: Callable[..., T]) -> T:
    """Run ``action(searcher)``; a missing or damaged index is rebuilt once, then retried."""
    from ._indexing import ensure_index

    root = _store.index_root()
    # Visitors may see another process's commit up to this late (``_store._SearcherPool``).
    max_age = float(current_app.config.get("TOOLBOX_SEARCH_REFRESH_SECONDS", 1.0))
    try:
        with _store.searcher(root, max_age) as searcher:
            return action(searcher)
    except _store.IndexUnavailable:
        log.warning("No readable search index in %s; building it from the database", root)
    except Exception:
        if _store.probe(root).ok:
            raise
        log.exception("Search index in %s is damaged; rebuilding it from the database", root)
    _store.discard_searchers()
    clear_views()
    ensure_index()
    with _store.searcher(root) as searcher:
        return action(searcher)


class TermCache:
    """Document numbers per term of one reader generation, for the most recent terms."""

    def __init__(self, size: int = 2048, max_numbers: int = 2_000_000,
                 leaves: tuple[LeafView, ...] | None = None) -> None:
        # About 50 bytes per document number held.
        self._cache = BoundedCache(size, max_numbers)
        self._leaves = leaves  # with them, postings come decoded from the segment cache

    def get(self, reader, fieldname: str, text,
            compute: Callable[[], frozenset[int]] | None = None) -> frozenset[int]:
        """The term's documents; ``compute`` (if given) reads them when they are not cached."""
        def postings() -> frozenset[int]:
            if (fieldname, text) not in reader:
                return EMPTY
            if self._leaves is not None:
                return frozenset(SEGMENTS.term(reader, self._leaves, fieldname, text)[0].tolist())
            return frozenset(reader.postings(fieldname, text).all_ids())

        return self._cache.get((fieldname, text), compute or postings)
