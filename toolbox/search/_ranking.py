"""The order of the hits: BM25 relevance summed from cached per-term weight arrays, or
newest, title, downloads."""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq

from ._segments import SEGMENTS, BoundedCache
from .backend import current_source

if TYPE_CHECKING:
    from ._matching import Match
    from ._types import SearchQuery
    from ._view import IndexView


BM25_K1 = 1.2
BM25_B = 0.75


def accumulate(q: wq.Query, reader, view: "IndexView", total: np.ndarray, factor: float = 1.0) -> None:
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
        accumulate(wq.And([wq.Term(q.fieldname, w) for w in q.words], boost=q.boost), reader, view, total, factor)
    elif isinstance(q, wq.AndNot):
        accumulate(q.a, reader, view, total, factor)
    elif isinstance(q, (wq.And, wq.Or)):
        for sub in q.subqueries:
            accumulate(sub, reader, view, total, factor * q.boost)


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


class TermWeights:
    """BM25 weight of one term in each document that has it, for the most recent terms."""

    def __init__(self, size: int = 20_000, max_weights: int = 4_000_000) -> None:
        # 16 bytes per weight held (a document number and a float): the weights bound the
        # memory. The count is only a bound on the bookkeeping: a word brings up to 40 compounds
        # in three fields, mostly rare, so 512 entries (the bound until 2026-12-03) held the terms
        # of five queries, and a repeated query computed its weights again.
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


def rank_by_relevance(q: wq.Query, reader, view: "IndexView", docs, limit: int | None,
          tiers: list[set[int]] | None = None) -> list[tuple[int, float]]:
    """(docnum, score), best first; ties go to the newer document, then the higher docnum.

    ``tiers``: sets of documents ranked above all others whatever their scores, the first
    set above the second (see ``Match.tiers``).
    """
    if not docs:
        return []
    total = np.zeros(max(len(view.doc_ids), reader.doc_count_all()), dtype=np.float64)
    accumulate(q, reader, view, total)
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


def effective_sort(query: SearchQuery, match: Match) -> str:
    if query.sort == "relevance" and match.query is None:
        return "newest"
    return query.sort


def order_hits(searcher, view: IndexView, match: Match, sort: str, limit: int | None) -> list[tuple[int, float]]:
    """(docnum, score) of the first ``limit`` hits (all when None) in the requested order."""
    final = match.final
    if not final or limit == 0:
        return []
    if sort == "relevance":
        return rank_by_relevance(match.query, searcher.reader(), view, final, limit, match.tiers)
    doc_ids, dates = view.doc_ids, view.sort_date
    if sort == "title":
        titles = view.title_sort

        def key(d: int):
            return (titles[d], doc_ids[d])
    elif sort == "downloads":
        downloads = current_source().download_counts([doc_ids[d] for d in final])

        def key(d: int):
            return (-downloads.get(doc_ids[d], 0), -dates[d], -doc_ids[d])
    else:
        def key(d: int):
            return (-dates[d], -doc_ids[d])
    ordered = heapq.nsmallest(limit, final, key=key) if limit is not None else sorted(final, key=key)
    return [(d, 0.0) for d in ordered]
