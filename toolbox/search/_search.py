"""Running a search: one page of hits with the total, facet counts, snippets and hints;
every hit in order for the ZIP download.

The steps live in their own modules: ``_view`` (the per-generation index view),
``_matching`` (which documents match), ``_phrases``, ``_ranking`` (order), ``_facets``
(counts), ``_spelling`` (did-you-mean).
"""
from __future__ import annotations

from dataclasses import dataclass

from ._facets import facet_counts
from ._highlight import snippets as _snippets
from ._matching import docs_with_status, filter_sets, match_query
from ._syntax import HighlightTerms, render
from ._ranking import effective_sort, order_hits
from ._spelling import did_you_mean
from ._types import FEW_HITS, FacetValue, SearchHit, SearchQuery, SearchResults, sanitized
from ._view import index_view, with_searcher


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
    query = sanitized(query)
    offset = (query.page - 1) * query.per_page

    def run(searcher) -> _Outcome:
        view = index_view(searcher)
        status_docs = docs_with_status(view, query.statuses)
        filters = filter_sets(view, query, searcher.reader())
        match = match_query(searcher, view, query, status_docs, filters)
        total = len(match.final)
        sort = effective_sort(query, match)
        ranked = []
        if offset < total:
            ranked = order_hits(searcher, view, match, sort, offset + query.per_page)[offset:]
        ranked = [(view.doc_ids[d], score) for d, score in ranked]
        suggestion = None
        if match.shown and total < FEW_HITS and match.corrected_from is None:
            suggestion = did_you_mean(searcher, match, status_docs, filters, total)
        return _Outcome(total, ranked, facet_counts(view, query, match.base, filters, match.final), suggestion,
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
    query = sanitized(query)

    def run(searcher) -> list[int]:
        view = index_view(searcher)
        status_docs = docs_with_status(view, query.statuses)
        filters = filter_sets(view, query, searcher.reader())
        match = match_query(searcher, view, query, status_docs, filters)
        return [view.doc_ids[d] for d, _ in order_hits(searcher, view, match, effective_sort(query, match), None)]

    return with_searcher(run)
