"""Running a search: matching, filters, facet counts, sorting, pages, snippets, suggestions.

Filters and facets work on sets of Whoosh document numbers. For each reader generation the
document numbers of every facet value are read once from the postings (``IndexView``); a
search then costs one pass over the query's matches plus set intersections, and every
facet's counts come from the same sets the filters use, so a count is exactly the total the
corresponding click returns.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, TypeVar

import numpy as np
from flask import current_app

from sqlalchemy import select
from whoosh import query as wq

from ..extensions import db
from ..extract.running import PROPERTY as RUNNING_LINES
from ..extract.running import without_running_lines
from ..models import STATUS_PUBLISHED, Document, FileVersion
from . import _store
from ._analysis import STOP_FOLDED, _transliterate, fold, term_for, words
from ._highlight import highlight, opening
from ._query import (
    TEXT_FIELDS,
    Clause,
    Compiler,
    HighlightTerms,
    Word,
    clean,
    drop_stopwords,
    map_words,
    parse,
    positive_leaves,
    render,
    widen,
)
from ._schema import FACET_FIELDS, FACET_INDEX_FIELDS, FOLDED_FACETS, municipality_key
from ._segments import SEGMENTS, BoundedCache, LeafView, unwrap_postings
from ._synonyms import SynonymTable, current_table, has_synonyms, rewrite
from ._typos import correction, prefix_corrections
from ._types import ALL_STATUSES, MAX_PER_PAGE, FacetValue, SearchHit, SearchQuery, SearchResults

log = logging.getLogger("toolbox.search")

T = TypeVar("T")
_EMPTY: frozenset[int] = frozenset()
_STOP_TERMS = frozenset(term_for(word) for word in STOP_FOLDED)


# --- per-generation view ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndexView:
    doc_ids: list[int]                                # docnum → document id
    sort_date: list[int]                              # docnum → published (or created), epoch
    title_sort: list[str]                             # docnum → German collation key
    live: frozenset[int]                              # docnums not deleted
    terms: dict[str, dict[str, frozenset[int]]]       # facet field / status → value → docnums
    docnum_by_id: dict[int, int]
    term_docs: "_TermCache"                           # posting lists of recently searched terms
    term_weights: "_TermWeights"                      # BM25 weights of recently searched terms
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


def _view(searcher) -> IndexView:
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
                         _TermCache(), _TermWeights(),
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
    return IndexView(doc_ids, sort_date, title_sort, live, terms, docnum_by_id, _TermCache(leaves=leaves),
                     _TermWeights(), leaves=leaves, term_arrays=term_arrays)


def clear_views() -> None:
    with _VIEWS_LOCK:
        _VIEWS.clear()
    SEGMENTS.clear()


# --- running against the index ---------------------------------------------------------------


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


def _status_docs(view: IndexView, statuses: tuple[str, ...]) -> frozenset[int] | set[int]:
    if not statuses or ALL_STATUSES in statuses:
        return view.live
    return _union(view.terms["status"].get(status, _EMPTY) for status in statuses)


def _union(sets: Iterable[frozenset[int]]) -> set[int]:
    result: set[int] = set()
    for docs in sets:
        result |= docs
    return result


def _intersect(base, sets: Iterable) -> set[int]:
    result = set(base)
    for docs in sorted(sets, key=len):
        if not result:
            break
        result &= docs
    return result


def _filter_sets(view: IndexView, query: SearchQuery, reader) -> dict[str, set[int]]:
    """The documents each selected filter allows, by facet key (OR within one filter)."""
    filters: dict[str, set[int]] = {}
    for facet in ("topic", "size_class", "type", "format", "license", "project", "accessibility"):
        selected = getattr(query, facet)
        if selected:
            filters[facet] = _union(view.terms[facet].get(value, _EMPTY) for value in selected)
    for facet in FOLDED_FACETS:
        selected = getattr(query, facet)
        if selected:
            filters[facet] = _union(view.terms[facet][term] for term in view.named_terms(facet, selected))
    if query.year_from is not None or query.year_to is not None:
        low = query.year_from if query.year_from is not None else -1
        high = query.year_to if query.year_to is not None else 10_000
        filters["year"] = _union(docs for year, docs in view.terms["year"].items()
                                 if year.isdigit() and low <= int(year) <= high)
    return filters


@dataclass
class _Match:
    clauses: list[Clause]
    compiler: Compiler
    query: wq.Query | None
    base: set[int] | frozenset[int]  # matches of the words within the statuses
    final: set[int]                  # ... and every filter
    widened: bool
    #: The clauses as typed (before spelling variants and synonyms were added): shown back.
    shown: list[Clause] = field(default_factory=list)
    #: Sets of documents ranked first, the first set above the second and so on: the matches
    #: of the query as typed above those of its correction, literal matches above synonyms.
    tiers: list[set[int]] = field(default_factory=list)
    #: The query as typed, when ``clauses`` are its correction.
    corrected_from: str | None = None


#: Fewer hits than this are "too little": typo correction is tried.
FEW_HITS = 3


def _match(searcher, view: IndexView, query: SearchQuery, status_docs, filters) -> _Match:
    typed = drop_stopwords(parse(query.q)) if query.q and query.q.strip() else []
    table = current_table() if typed else SynonymTable()
    match = _match_clauses(searcher, view, query, typed, table, status_docs, filters)
    if typed and not query.literal and (len(match.final) < FEW_HITS or match.widened):
        corrected = _corrected(searcher, view, query, typed, table, status_docs, filters, match)
        if corrected is not None:
            return corrected
    return match


def _match_clauses(searcher, view: IndexView, query: SearchQuery, typed: list[Clause], table: SynonymTable,
                   status_docs, filters) -> _Match:
    """Match ``typed`` with its spelling variants and synonyms; all words, else any word."""
    scored = query.sort == "relevance"
    literal = rewrite(typed, SynonymTable())
    clauses = rewrite(typed, table) if table else literal
    compiler = Compiler(searcher, view.expansions, view.leaves)
    compiled = compiler.compile(clauses) if clauses else None
    if compiled is None:
        clauses = []
        base = status_docs
    else:
        base = _docs(searcher, compiled, scored) & status_docs
    final = _intersect(base, filters.values())
    match = _Match(clauses, compiler, compiled, base, final, False, shown=typed if compiled is not None else [])
    positive_clauses = sum(1 for clause in clauses if not clause.negated)
    if compiled is not None and not final and positive_clauses >= 2:
        wide = widen(clauses)
        wide_compiler = Compiler(searcher, view.expansions, view.leaves)
        wide_compiled = wide_compiler.compile(wide)
        if wide_compiled is not None:
            wide_base = _docs(searcher, wide_compiled, scored) & status_docs
            wide_final = _intersect(wide_base, filters.values())
            if wide_final:
                match = _Match(wide, wide_compiler, wide_compiled, wide_base, wide_final, True, shown=widen(typed))
                literal = widen(literal)
    if match.final and has_synonyms(match.clauses):
        literal_docs = _clauses_docs(searcher, view, literal, status_docs, filters)
        if literal_docs:
            match.tiers = [literal_docs]
    return match


def _clauses_docs(searcher, view: IndexView, clauses: list[Clause], status_docs, filters) -> set[int]:
    compiled = Compiler(searcher, view.expansions, view.leaves).compile(clauses, collect=False)
    if compiled is None:
        return set()
    return _intersect(_docs(searcher, compiled) & status_docs, filters.values())


def _corrected(searcher, view: IndexView, query: SearchQuery, typed: list[Clause], table: SynonymTable,
               status_docs, filters, match: _Match) -> _Match | None:
    """The match of the query with its unknown words corrected, when that finds more (see ``_typos``)."""
    reader = searcher.reader()

    def visible_documents(term: str) -> int:
        docs: set[int] = set()
        for fieldname in TEXT_FIELDS:
            docs |= view.term_docs.get(reader, fieldname, term)
        return len(docs & status_docs) if docs else 0

    mapping: dict[str, str] = {}
    for leaf in positive_leaves(typed):
        if not isinstance(leaf, Word) or leaf.prefix or leaf.text in mapping:
            continue
        if _known(reader, term_for(leaf.text)) or match.compiler.compound_terms(leaf.text):
            continue
        fixed = correction(reader, leaf.text, visible_documents, view.expansions)
        if fixed is not None:
            mapping[leaf.text] = _match_case(leaf.text, fixed)
    if not mapping:
        return None
    corrected = _match_clauses(searcher, view, query, map_words(typed, mapping), table, status_docs, filters)
    if not corrected.final:
        return None
    if match.final and len(corrected.final) <= len(match.final) and (corrected.widened or not match.widened):
        return None
    corrected.corrected_from = render(typed)
    if match.final and not match.widened:
        # The query as typed found a few documents: they stay on top.
        corrected.tiers = [set(match.final)] + corrected.tiers
    return corrected


def _docs(searcher, compiled: wq.Query, scored: bool = False) -> set[int]:
    """The documents a query matches, by set algebra over posting lists (nothing is scored).

    With ``scored`` (the hits will be ranked), a term's posting set is taken from its BM25
    weights, so that its postings are read and decoded once for both rather than twice.
    """
    reader = searcher.reader()
    view = _view(searcher)
    return _evaluate(compiled, searcher, reader, view.term_docs, view.term_weights if scored else None, view)


def _evaluate(q: wq.Query, searcher, reader, cache: "_TermCache", weights: "_TermWeights | None" = None,
              view: "IndexView | None" = None) -> set[int] | frozenset[int]:
    if isinstance(q, wq.Term):
        if weights is not None:
            fieldname, text = q.fieldname, q.text
            return cache.get(reader, fieldname, text,
                             lambda: weights.get(reader, view, fieldname, text).docs() or _EMPTY)
        return cache.get(reader, q.fieldname, q.text)
    if isinstance(q, wq.AndNot):
        positive = _evaluate(q.a, searcher, reader, cache, weights, view)
        # The excluded part is never scored.
        return positive - _evaluate(q.b, searcher, reader, cache) if positive else positive
    if isinstance(q, wq.And):
        parts = sorted((_evaluate(sub, searcher, reader, cache, weights, view) for sub in q.subqueries), key=len)
        result = set(parts[0]) if parts else set()
        for part in parts[1:]:
            if not result:
                break
            result &= part
        return result
    if isinstance(q, wq.Or):
        result: set[int] = set()
        for sub in q.subqueries:
            result |= _evaluate(sub, searcher, reader, cache, weights, view)
        return result
    if isinstance(q, wq.Every):
        return _view(searcher).live
    if isinstance(q, wq.Phrase):
        candidates = _evaluate(wq.And([wq.Term(q.fieldname, w) for w in q.words]), searcher, reader, cache,
                               weights, view)
        return _phrase_docs(reader, q.fieldname, list(q.words), candidates)
    return set(searcher.docs_for_query(q))


def _phrase_docs(reader, fieldname: str, terms: list[str], candidates) -> set[int]:
    """Documents among ``candidates`` where ``terms`` follow each other.

    Every occurrence is one number, ``docnum << 32 | position``, so checking a phrase is a
    few sorted-array lookups over all documents at once; the rarest word goes first so that
    documents drop out before the positions of a frequent word ("und") are read. Whoosh's span
    matcher does the same check with a Python object per position and is far slower, and a
    set per document cost most of a phrase query's time under load (py-spy, bench/load.py).
    """
    if not candidates:
        return set()
    offsets: dict[str, list[int]] = {}
    for offset, term in enumerate(terms):
        offsets.setdefault(term, []).append(offset)
    order = sorted(offsets, key=lambda t: reader.doc_frequency(fieldname, t))
    wanted = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
    wanted.sort()
    starts: np.ndarray | None = None
    for term in order:
        keys = _position_keys(reader, fieldname, term, wanted)
        if starts is None:
            # The rarest word: its occurrences give the possible phrase starts.
            for offset in offsets[term]:
                shifted = keys[(keys & _POSITION_MASK) >= offset] - offset
                starts = shifted if starts is None else starts[_members(starts, shifted)]
        else:
            # A more frequent word only confirms or rules out the starts found so far.
            for offset in offsets[term]:
                starts = starts[_members(starts + offset, keys)]
        if not len(starts):
            return set()
        wanted = np.unique(starts >> 32)
    return set(wanted.tolist())


_POSITION_MASK = (1 << 32) - 1


def _members(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """A boolean per entry of ``values``: is it in ``sorted_keys``?"""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_keys, values)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return sorted_keys[at] == values


def _position_keys(reader, fieldname: str, term: str, wanted: np.ndarray) -> np.ndarray:
    """``docnum << 32 | position`` for each occurrence of ``term`` in the sorted ``wanted``
    documents, ascending."""
    docnums: list[int] = []
    positions: list[list[int]] = []
    if len(wanted) and (fieldname, term) in reader:
        decode = reader.schema[fieldname].format.decode_positions
        for leaf, base in reader.leaf_readers():
            if (fieldname, term) not in leaf:
                continue
            low, high = np.searchsorted(wanted, [base, base + leaf.doc_count_all()])
            if low == high:
                continue
            matcher = leaf.postings(fieldname, term)
            raw = unwrap_postings(matcher)
            if raw is not None:
                _block_positions(raw, wanted[low:high] - base, base, decode, docnums, positions)
            else:
                _matcher_positions(matcher, set((wanted[low:high] - base).tolist()), base, docnums, positions)
    if not docnums:
        return np.empty(0, dtype=np.int64)
    counts = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    flat = np.fromiter(itertools.chain.from_iterable(positions), dtype=np.int64, count=int(counts.sum()))
    return (np.repeat(np.asarray(docnums, dtype=np.int64), counts) << 32) | flat


def _block_positions(matcher, local: np.ndarray, base: int, decode,
                     docnums: list[int], positions: list[list[int]]) -> None:
    """Positions for the sorted ``local`` docnums, a posting block at a time, appended in
    document order.

    A block whose id range holds no wanted document is skipped unread (its header gives the
    largest id); in the others only the wanted postings' positions are decoded. A method call
    per posting through Whoosh's matcher cost more than the decoding itself.
    """
    matcher.reset()
    first = 0
    while matcher.is_active() and first < len(local):
        end = int(np.searchsorted(local, matcher._maxid, side="right"))
        if end > first:
            if matcher._data is None:
                matcher._read_data()
            ids = np.asarray(matcher._data[0], dtype=np.int64)
            if not matcher._byteids:
                ids = np.cumsum(ids)
            candidates = local[first:end]
            at = np.searchsorted(ids, candidates)
            at_valid = at < len(ids)
            hits = at[at_valid][ids[at[at_valid]] == candidates[at_valid]]
            if len(hits):
                if matcher._values is None:
                    matcher._read_values()
                values = matcher._values
                docnums.extend((ids[hits] + base).tolist())
                positions.extend(map(decode, map(values.__getitem__, hits.tolist())))
            first = end
        matcher._next_block()


def _matcher_positions(matcher, docs: set[int], base: int, docnums: list[int], positions: list[list[int]]) -> None:
    while matcher.is_active():
        docnum = matcher.id()
        if docnum in docs:
            docnums.append(docnum + base)
            positions.append(list(matcher.value_as("positions")))
        matcher.next()


# --- ranking ----------------------------------------------------------------------------------

BM25_K1 = 1.2
BM25_B = 0.75


def _accumulate(q: wq.Query, reader, view: "IndexView", total: np.ndarray, factor: float = 1.0) -> None:
    """Add the BM25 score of ``q`` to ``total`` (indexed by docnum) for every document with its terms.

    Ranking with Whoosh's matchers walks a tree of Python objects per document and was the
    slowest part of a search. Matching is done by set algebra already, so the scores are
    summed here from cached per-term weight arrays, one vectorised addition per term: OR and
    AND add up the weights of their parts (a boost multiplies its whole subtree), an
    exclusion scores its positive part, and a phrase scores as its words. Documents outside
    the match get scores too, but are never looked at.
    """
    if isinstance(q, wq.Term):
        weights = view.term_weights.get(reader, view, q.fieldname, q.text)
        if len(weights):
            boost = factor * q.boost
            total[weights.docnums] += weights.values * boost if boost != 1.0 else weights.values
    elif isinstance(q, wq.Phrase):
        _accumulate(wq.And([wq.Term(q.fieldname, w) for w in q.words], boost=q.boost), reader, view, total, factor)
    elif isinstance(q, wq.AndNot):
        _accumulate(q.a, reader, view, total, factor)
    elif isinstance(q, (wq.And, wq.Or)):
        for sub in q.subqueries:
            _accumulate(sub, reader, view, total, factor * q.boost)


@dataclass(frozen=True)
class _Weights:
    """One term's postings as two parallel arrays: document numbers and their BM25 weights."""

    docnums: np.ndarray  # int64, each docnum once
    values: np.ndarray   # float64

    def __len__(self) -> int:
        return len(self.docnums)

    def docs(self) -> frozenset[int]:
        return frozenset(self.docnums.tolist())


_NO_WEIGHTS = _Weights(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))


class _TermWeights:
    """BM25 weight of one term in each document that has it, for the most recent terms."""

    def __init__(self, size: int = 512, max_weights: int = 4_000_000) -> None:
        # 16 bytes per weight held (a document number and a float).
        self._cache = BoundedCache(size, max_weights)

    def get(self, reader, view: "IndexView", fieldname: str, text: str) -> _Weights:
        return self._cache.get((fieldname, text), lambda: self._compute(reader, view, fieldname, text))

    def _compute(self, reader, view: "IndexView", fieldname: str, text: str) -> _Weights:
        if (fieldname, text) not in reader:
            return _NO_WEIGHTS
        docnums, frequencies = SEGMENTS.term(reader, view.leaves, fieldname, text)
        if not len(docnums):
            return _NO_WEIGHTS
        documents = max(reader.doc_count_all(), 1)
        idf = math.log(documents / (reader.doc_frequency(fieldname, text) + 1)) + 1.0
        # As Whoosh: the total length still counts replaced entries, and so does the divisor.
        average = reader.field_length(fieldname) / documents or 1.0
        lengths = SEGMENTS.lengths(reader, view.leaves, fieldname, docnums)
        norms = BM25_K1 * (1 - BM25_B + BM25_B * lengths / average)
        values = idf * frequencies * (BM25_K1 + 1) / (frequencies + norms)
        return _Weights(docnums, values)


def _rank(q: wq.Query, reader, view: "IndexView", docs, limit: int | None,
          tiers: list[set[int]] | None = None) -> list[tuple[int, float]]:
    """(docnum, score), best first; ties go to the newer document, then the higher docnum.

    ``tiers``: sets of documents ranked above all others whatever their scores, the first
    set above the second (see ``_Match.tiers``).
    """
    if not docs:
        return []
    total = np.zeros(max(len(view.doc_ids), reader.doc_count_all()), dtype=np.float64)
    _accumulate(q, reader, view, total)
    candidates = np.fromiter(docs, dtype=np.int64, count=len(docs))
    scores = total[candidates]
    # The tier goes in front of the score as a bonus larger than any score, so that the cut
    # below works unchanged.
    keys = scores
    if tiers:
        bonus = np.zeros(len(total), dtype=np.float64)
        step = float(scores.max()) + 1.0 if len(scores) else 1.0
        for rank, tier in enumerate(tiers):
            if tier:
                members = np.fromiter(tier, dtype=np.int64, count=len(tier))
                bonus[members] += step * 2.0 ** (len(tiers) - rank)
        keys = scores + bonus[candidates]
    if limit is not None and limit < len(candidates):
        if limit <= 0:
            return []
        # Only documents scoring at least the limit-th best can be on the page (ties included).
        threshold = np.partition(keys, len(keys) - limit)[len(keys) - limit]
        keep = keys >= threshold
        candidates, scores, keys = candidates[keep], scores[keep], keys[keep]
    order = np.lexsort((-candidates, -view.sort_dates[candidates], -keys))
    if limit is not None:
        order = order[:limit]
    return list(zip(candidates[order].tolist(), scores[order].tolist()))


class _TermCache:
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
                return _EMPTY
            if self._leaves is not None:
                return frozenset(SEGMENTS.term(reader, self._leaves, fieldname, text)[0].tolist())
            return frozenset(reader.postings(fieldname, text).all_ids())

        return self._cache.get((fieldname, text), compute or postings)


# --- facets ------------------------------------------------------------------------------------


def _facets(view: IndexView, query: SearchQuery, base, filters: dict[str, set[int]],
            final: set[int]) -> dict[str, list[FacetValue]]:
    result: dict[str, list[FacetValue]] = {}
    size = len(view.doc_ids)
    final_mask: np.ndarray | None = None
    for facet in FACET_FIELDS:
        if facet in filters:
            mask = _mask(_intersect(base, [docs for key, docs in filters.items() if key != facet]), size)
        else:
            if final_mask is None:
                final_mask = _mask(final, size)
            mask = final_mask
        # One gather per value over a boolean array of the candidates: set intersections cost
        # a hash lookup per document and value, which at 50 000 documents was the larger part.
        counts = {value: int(np.count_nonzero(mask[docnums])) for value, docnums in view.term_arrays[facet].items()}
        selected = _selected_values(query, facet, counts, view)
        values = [FacetValue(value, count, value in selected) for value, count in counts.items()
                  if count > 0 or value in selected]
        values += [FacetValue(value, 0, True) for value in selected if value not in counts]
        values.sort(key=lambda fv: (-fv.count, fv.value))
        result[facet] = values
    return result


def _mask(docs, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    if docs:
        mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    return mask


def _selected_values(query: SearchQuery, facet: str, known: dict[str, int], view: IndexView) -> set[str]:
    if facet in FOLDED_FACETS:
        # A name as typed ("muecke") selects the indexed spelling ("Mücke"); one that matches
        # nothing stays selected as typed, so that it can be removed.
        names = getattr(query, facet)
        matched = set(view.named_terms(facet, names))
        keys = {municipality_key(term) for term in matched}
        return matched | {name for name in names if municipality_key(name) not in keys}
    if facet != "year":
        return set(getattr(query, facet))
    if query.year_from is None and query.year_to is None:
        return set()
    low = query.year_from if query.year_from is not None else -1
    high = query.year_to if query.year_to is not None else 10_000
    selected = {year for year in known if year.isdigit() and low <= int(year) <= high}
    if query.year_from is not None and query.year_from == query.year_to:
        selected.add(str(query.year_from))
    return selected


# --- ordering ------------------------------------------------------------------------------


def _effective_sort(query: SearchQuery, match: _Match) -> str:
    if query.sort == "relevance" and match.query is None:
        return "newest"
    return query.sort


def _ordered(searcher, view: IndexView, match: _Match, sort: str, limit: int | None) -> list[tuple[int, float]]:
    """(docnum, score) of the first ``limit`` hits (all when None) in the requested order."""
    final = match.final
    if not final or limit == 0:
        return []
    if sort == "relevance":
        return _rank(match.query, searcher.reader(), view, final, limit, match.tiers)
    doc_ids, dates = view.doc_ids, view.sort_date
    if sort == "title":
        titles = view.title_sort

        def key(d: int):
            return (titles[d], doc_ids[d])
    elif sort == "downloads":
        downloads = _download_counts([doc_ids[d] for d in final])

        def key(d: int):
            return (-downloads.get(doc_ids[d], 0), -dates[d], -doc_ids[d])
    else:
        def key(d: int):
            return (-dates[d], -doc_ids[d])
    ordered = heapq.nsmallest(limit, final, key=key) if limit is not None else sorted(final, key=key)
    return [(d, 0.0) for d in ordered]


def _download_counts(document_ids: list[int]) -> dict[int, int]:
    """Download counts from the database, which counts downloads without touching the index."""
    stmt = select(Document.id, Document.download_count)
    if len(document_ids) <= 500:
        stmt = stmt.where(Document.id.in_(document_ids))
    else:
        stmt = stmt.where(Document.download_count > 0)
    return {row.id: row.download_count or 0 for row in db.session.execute(stmt)}


# --- spelling ------------------------------------------------------------------------------


def _known(reader, term: str) -> bool:
    return any(reader.doc_frequency(f, term) for f in TEXT_FIELDS)


def _match_case(original: str, suggestion: str) -> str:
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def _suggestion(searcher, match: _Match, status_docs, filters, total: int) -> str | None:
    """A corrected query ("Meinten Sie …?") when it finds more than the query as typed.

    For words too short to be corrected automatically (``_typos``), or whose correction
    found too little to be taken.
    """
    reader = searcher.reader()
    corrector = searcher.corrector("words")
    mapping: dict[str, str] = {}
    for leaf in positive_leaves(match.shown):
        if not isinstance(leaf, Word) or leaf.prefix or leaf.text in mapping:
            continue
        word = leaf.text
        if len(word) < 3 or not word.isalpha():
            continue
        if _known(reader, term_for(word)) or match.compiler.compound_terms(word):
            continue
        for option in corrector.suggest(word.lower(), limit=5, maxdist=2, prefix=1):
            if option != word.lower() and _known(reader, term_for(option)):
                mapping[word] = _match_case(word, option)
                break
    if not mapping:
        return None
    corrected = map_words(match.shown, mapping)
    compiled = Compiler(searcher).compile(corrected)
    if compiled is None:
        return None
    found = _intersect(_docs(searcher, compiled) & status_docs, filters.values())
    return render(corrected) if len(found) > total else None


# --- public operations ---------------------------------------------------------------------


def _sanitize(query: SearchQuery) -> SearchQuery:
    from dataclasses import replace

    per_page = query.per_page if isinstance(query.per_page, int) else 20
    page = query.page if isinstance(query.page, int) else 1
    return replace(query, per_page=min(max(per_page, 1), MAX_PER_PAGE), page=max(page, 1),
                   q=query.q if isinstance(query.q, str) else "")


@dataclass
class _Outcome:
    total: int
    ranked: list[tuple[int, float]]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    widened: bool
    query_used: str
    sort: str
    highlight: HighlightTerms
    corrected_from: str | None = None


def search(query: SearchQuery) -> SearchResults:
    """Search the index: one page of hits, the total, facet counts and hints."""
    query = _sanitize(query)
    offset = (query.page - 1) * query.per_page

    def run(searcher) -> _Outcome:
        view = _view(searcher)
        status_docs = _status_docs(view, query.statuses)
        filters = _filter_sets(view, query, searcher.reader())
        match = _match(searcher, view, query, status_docs, filters)
        total = len(match.final)
        sort = _effective_sort(query, match)
        ranked = []
        if offset < total:
            ranked = _ordered(searcher, view, match, sort, offset + query.per_page)[offset:]
        ranked = [(view.doc_ids[d], score) for d, score in ranked]
        suggestion = None
        if match.shown and total < FEW_HITS and match.corrected_from is None:
            suggestion = _suggestion(searcher, match, status_docs, filters, total)
        return _Outcome(total, ranked, _facets(view, query, match.base, filters, match.final), suggestion,
                        match.widened, render(match.shown), sort, match.compiler.highlight, match.corrected_from)

    outcome = with_searcher(run)
    snippets = _snippets([document_id for document_id, _ in outcome.ranked], outcome.highlight)
    hits = [SearchHit(document_id, score, snippets.get(document_id, ""))
            for document_id, score in outcome.ranked]
    return SearchResults(
        total=outcome.total, page=query.page, per_page=query.per_page, hits=hits, facets=outcome.facets,
        suggestion=outcome.suggestion, widened=outcome.widened, query_used=outcome.query_used,
        sort=outcome.sort, corrected_from=outcome.corrected_from,
    )


def matching_document_ids(query: SearchQuery) -> list[int]:
    """Every hit of ``query`` (pages ignored) in the query's order, for the ZIP download."""
    query = _sanitize(query)

    def run(searcher) -> list[int]:
        view = _view(searcher)
        status_docs = _status_docs(view, query.statuses)
        filters = _filter_sets(view, query, searcher.reader())
        match = _match(searcher, view, query, status_docs, filters)
        return [view.doc_ids[d] for d, _ in _ordered(searcher, view, match, _effective_sort(query, match), None)]

    return with_searcher(run)


def _snippets(document_ids: list[int], wanted: HighlightTerms) -> dict[int, str]:
    """Highlighted fragments of each document's current text; its opening when nothing matched."""
    if not document_ids:
        return {}
    latest = (
        select(FileVersion.document_id, FileVersion.number)
        .where(FileVersion.document_id.in_(document_ids))
        .order_by(FileVersion.document_id, FileVersion.number)
    )
    current = {row.document_id: row.number for row in db.session.execute(latest)}
    texts: dict[int, str] = {}
    if current:
        rows = db.session.execute(
            select(FileVersion.document_id, FileVersion.number, FileVersion.text, FileVersion.properties)
            .where(FileVersion.document_id.in_(list(current)))
        )
        # Running headers and footers stay searchable but are no snippet: they would repeat
        # the same line for every page of the document.
        texts = {row.document_id: without_running_lines(row.text or "", (row.properties or {}).get(RUNNING_LINES))
                 for row in rows if current.get(row.document_id) == row.number}
    descriptions = dict(db.session.execute(
        select(Document.id, Document.description).where(Document.id.in_(document_ids))).all())
    snippets: dict[int, str] = {}
    for document_id in document_ids:
        text = texts.get(document_id, "")
        marked = highlight(text, wanted) if wanted else ""
        if not marked and wanted:
            marked = highlight(descriptions.get(document_id) or "", wanted)
        snippets[document_id] = marked or opening(descriptions.get(document_id) or text)
    return snippets


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Autocomplete: completions of the last word from frequent terms, then matching titles.

    A last word that no word of the index starts with is completed as its nearest prefix
    (one edit, ``_typos.prefix_corrections``): "Ausschrie" completes to "Ausschreibung".
    """
    limit = max(1, min(int(limit or 8), 50))
    text = clean(prefix or "")
    parts = words(text)
    if not parts or (len(parts) == 1 and len(parts[0]) < 2):
        return []  # one letter would expand to half the vocabulary
    head, last = parts[:-1], parts[-1]

    def run(searcher) -> list[str]:
        view = _view(searcher)
        published = view.terms["status"].get(STATUS_PUBLISHED, _EMPTY)
        if not published:
            return []
        reader = searcher.reader()
        completions: list[str] = []
        lowered = last.lower()
        if len(lowered) >= 2:
            def visible_completions(prefixes) -> list[tuple[int, str]]:
                candidates: set[str] = set()
                for start in prefixes:
                    for count, btext in enumerate(reader.expand_prefix("words", start)):
                        if count >= 2000:
                            break
                        candidates.add(btext.decode("utf-8"))
                ordered = sorted(candidates, key=lambda w: (-reader.doc_frequency("words", w), w))
                scored = []
                for word in ordered[: limit * 4]:
                    if word == lowered and not head:
                        continue
                    visible = len(published & frozenset(reader.postings("words", word).all_ids()))
                    if visible:
                        scored.append((-visible, word))
                return sorted(scored)

            # "buerger" completes to "bürger…" as the analysis folds it
            scored = visible_completions({lowered, _transliterate(lowered)})
            if not scored:
                scored = visible_completions(prefix_corrections(reader, lowered))
            prefix_text = " ".join(head)
            for _, word in scored:
                completions.append(((prefix_text + " ") if prefix_text else "") + _match_case(last, word))
        title_query = [wq.Term("title", term_for(w)) for w in head if fold(w) not in STOP_FOLDED]
        title_query.append(wq.Or([wq.Prefix("title", fold(last)), wq.Prefix("title", term_for(last))]))
        titles = [hit["title"] for hit in searcher.search(wq.And(title_query), filter=set(published), limit=limit)]
        merged: list[str] = []
        seen: set[str] = set()
        half = (limit + 1) // 2
        for item in completions[:half] + titles + completions[half:]:
            key = item.casefold()
            if key not in seen:
                seen.add(key)
                merged.append(item)
        return merged[:limit]

    return with_searcher(run)


#: How much each kind of likeness counts in "Ähnliche Dokumente" (the weights add up to 1).
SIMILAR_WEIGHTS = {"terms": 0.5, "topics": 0.3, "type": 0.2}
#: Below this a document is shown as similar to none: an empty list is better than noise.
SIMILAR_THRESHOLD = 0.35
#: Some distinctive words must be shared: topic and type alone make a neighbour, not a likeness;
#: without a shared topic, many of them must be.
SIMILAR_MIN_TERMS = 0.05
SIMILAR_MIN_TERMS_WITHOUT_TOPIC = 0.25


@dataclass(frozen=True)
class Likeness:
    """Why a document counts as similar, each part between 0 and 1."""

    document_id: int
    terms: float   # its score for the telling words, relative to the document's own score
    topics: float  # shared topics over all topics of the two (Jaccard)
    type: float    # 1 for the same document type
    score: float


def more_like_this(document_id: int, limit: int = 5) -> list[int]:
    """Published documents similar to ``document_id``, best first; none above the threshold
    gives an empty list."""
    return [likeness.document_id for likeness in similar_documents_scored(document_id, limit=limit)]


def similar_documents_scored(document_id: int, limit: int = 5,
                             threshold: float = SIMILAR_THRESHOLD) -> list[Likeness]:
    """Documents like ``document_id`` by shared topics, document type and distinctive words.

    Words alone ranked a heat-planning funding application beside a LoRaWAN tender (both say
    "Gemeinde", "Förderung", "Netz"): the telling words are scored relative to the document's
    own score for them, so that a score means the same in a long and a short text, and topic
    and type, which editors chose, count beside them.
    """
    limit = max(1, min(int(limit or 5), 50))
    document = db.session.get(Document, document_id)
    if document is None:
        return []
    version = document.current_version
    text = " ".join([document.title or "", document.description or "", (version.text if version else "")[:50_000]])
    own_topics = {topic.slug for topic in document.topics}
    own_type = document.document_type.slug if document.document_type is not None else None

    def run(searcher) -> list[Likeness]:
        view = _view(searcher)
        published = set(view.terms["status"].get(STATUS_PUBLISHED, _EMPTY))
        own = view.docnum_by_id.get(document_id)
        published.discard(own if own is not None else -1)
        if not published:
            return []
        key_terms = [
            (term, weight) for term, weight in searcher.key_terms_from_text("body", text, numterms=30)
            if term not in _STOP_TERMS and len(term) >= 3 and not term.isdigit()
        ][:12]
        if not key_terms:
            return []
        subqueries = [wq.Term("body", term, boost=weight) for term, weight in key_terms]
        subqueries += [wq.Term("title", term, boost=2 * weight) for term, weight in key_terms]
        similar_query = wq.Or(subqueries)
        reader = searcher.reader()
        candidates = _evaluate(similar_query, searcher, reader, view.term_docs) & published
        if not candidates:
            return []
        totals = np.zeros(max(len(view.doc_ids), reader.doc_count_all()), dtype=np.float64)
        _accumulate(similar_query, reader, view, totals)
        docnums = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        best = float(totals[docnums].max())
        reference = float(totals[own]) if own is not None and totals[own] > 0 else best
        topic_docs = {slug: view.terms["topic"].get(slug, _EMPTY) for slug in view.terms["topic"]}
        type_docs = view.terms["type"].get(own_type, _EMPTY) if own_type else _EMPTY
        found = []
        for docnum in docnums.tolist():
            terms = min(1.0, float(totals[docnum]) / reference) if reference > 0 else 0.0
            theirs = {slug for slug, docs in topic_docs.items() if docnum in docs}
            union = own_topics | theirs
            topics = len(own_topics & theirs) / len(union) if union else 0.0
            same_type = 1.0 if docnum in type_docs else 0.0
            # The square root spreads the low end, where related documents of different length
            # and kind meet (a tender and its operating concept share a third of their words).
            score = (SIMILAR_WEIGHTS["terms"] * math.sqrt(terms) + SIMILAR_WEIGHTS["topics"] * topics
                     + SIMILAR_WEIGHTS["type"] * same_type)
            enough_words = terms >= (SIMILAR_MIN_TERMS if topics else SIMILAR_MIN_TERMS_WITHOUT_TOPIC)
            if score >= threshold and enough_words:
                found.append(Likeness(view.doc_ids[docnum], round(terms, 4), round(topics, 3), same_type,
                                      round(score, 3)))
        found.sort(key=lambda likeness: (-likeness.score, likeness.document_id))
        return found[:limit]

    return with_searcher(run)
