"""One search on PostgreSQL: matching, facets, order and hints, as ``_search`` does on Whoosh.

A search is one statement for the matching rows (``tsv @@ tsquery``, from the GIN index, with
the filters as plain column conditions), every facet's counts with the total, and the ranked
page (``_pg_facets``), then the snippets of the page's hits only (read by the services, cut by
the shared highlighter). The score is read from the GIN index alone (``rank_sql``).

The decisions around it are Whoosh's, step by step (``_matching``): all words, else any word
when all find nothing; a query that finds (almost) nothing has its unknown words corrected
(``_pg_words``); literal matches rank above synonyms, and the query as typed above its
correction; did-you-mean for what remains.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy import text

from ._did_you_mean import match_case, spelling_fixes
from ._highlight import snippets
from ._pg_entries import ENTRY_TABLE
from ._pg_facets import Filters, facet_counts
from ._pg_query import Compiled, Lexicon, PgCompiler, field_terms
from ._pg_words import correction, spelling_options
from ._syntax import Clause, Word, drop_stopwords, map_words, parse, positive_leaves, render, widen
from ._synonyms import SynonymTable, current_table, has_synonyms, rewrite
from ._types import FEW_HITS, FacetValue, SearchHit, SearchQuery, SearchResults
from .analysis import term_for
from .backend import current_source


@dataclass
class Match:
    clauses: list[Clause]
    compiler: PgCompiler
    compiled: Compiled | None
    total: int
    facets: dict[str, list[FacetValue]]
    widened: bool
    shown: list[Clause] = field(default_factory=list)
    #: ``tsquery`` texts whose matches rank first, the first above the second (``_matching.Match.tiers``).
    tiers: list[str] = field(default_factory=list)
    corrected_from: str | None = None
    #: The page, when the facet statement ranked it too (``Searcher.page``), and the tiers it used.
    hits: list[tuple[int, float]] | None = None
    hits_tiers: list[str] = field(default_factory=list)


class Searcher:
    """One search's view of the database: a connection, the query's filters, the lexicon."""

    def __init__(self, connection, query: SearchQuery) -> None:
        self.connection = connection
        self.query = query
        self.filters = Filters(query)
        self.lexicon = Lexicon(connection, str(connection.engine.url))
        #: (limit, offset) of the page to rank in the facet statement itself, or None.
        self.page: tuple[int, int] | None = None

    # --- matching --------------------------------------------------------------------------

    def match_query(self) -> Match:
        query = self.query
        typed = drop_stopwords(parse(query.q)) if query.q and query.q.strip() else []
        table = current_table() if typed else SynonymTable()
        match = self.match_clauses(typed, table)
        if typed and not query.literal and (match.total < FEW_HITS or match.widened):
            corrected = self.corrected_match(typed, table, match)
            if corrected is not None:
                return corrected
        return match

    def _counted(self, compiled: Compiled | None, tiers: list[str]) -> tuple[int, dict, list | None]:
        """Total and facets of ``compiled``, and (when asked) its page in the same statement, so
        that the matching rows are found once (a phrase's positions are checked once)."""
        page = None
        sort = "newest" if self.query.sort == "relevance" and compiled is None else self.query.sort
        if self.page is not None and sort != "downloads":
            score, order, params = order_sql(compiled, tiers, sort)
            page = (score, order, params, *self.page)
        return facet_counts(self.connection, self.filters, compiled.tsquery if compiled else None, page)

    def _literal_tiers(self, clauses: list[Clause], literal: list[Clause]) -> list[str]:
        if not has_synonyms(clauses):
            return []
        literal_compiled = PgCompiler(self.lexicon).compile(literal, collect=False, scored=False)
        return [literal_compiled.tsquery] if literal_compiled is not None else []

    def match_clauses(self, typed: list[Clause], table: SynonymTable) -> Match:
        literal = rewrite(typed, SynonymTable())
        clauses = rewrite(typed, table) if table else literal
        compiler = PgCompiler(self.lexicon)
        scored = self.query.sort == "relevance"
        compiled = compiler.compile(clauses, scored=scored) if clauses else None
        if compiled is None:
            clauses = []
        tiers = self._literal_tiers(clauses, literal) if compiled is not None else []
        total, facets, hits = self._counted(compiled, tiers)
        match = Match(clauses, compiler, compiled, total, facets, False,
                      shown=typed if compiled is not None else [], hits=hits, hits_tiers=tiers)
        positive_clauses = sum(1 for clause in clauses if not clause.negated)
        if compiled is not None and not total and positive_clauses >= 2:
            wide = widen(clauses)
            wide_compiler = PgCompiler(self.lexicon)
            wide_compiled = wide_compiler.compile(wide, scored=scored)
            if wide_compiled is not None:
                wide_tiers = self._literal_tiers(wide, widen(literal))
                wide_total, wide_facets, wide_hits = self._counted(wide_compiled, wide_tiers)
                if wide_total:
                    match = Match(wide, wide_compiler, wide_compiled, wide_total, wide_facets, True, shown=widen(typed),
                                  hits=wide_hits, hits_tiers=wide_tiers)
                    tiers = wide_tiers
        if match.total:
            match.tiers = list(tiers)
        return match

    def corrected_match(self, typed: list[Clause], table: SynonymTable, match: Match) -> Match | None:
        mapping: dict[str, str] = {}
        for leaf in positive_leaves(typed):
            if not isinstance(leaf, Word) or leaf.prefix or leaf.text in mapping:
                continue
            if self.is_known_term(term_for(leaf.text)) or match.compiler.compound_terms(leaf.text):
                continue
            fixed = correction(self.connection, leaf.text, self.visible_documents)
            if fixed is not None:
                mapping[leaf.text] = match_case(leaf.text, fixed)
        if not mapping:
            return None
        corrected = self.match_clauses(map_words(typed, mapping), table)
        if not corrected.total:
            return None
        if match.total and corrected.total <= match.total and (corrected.widened or not match.widened):
            return None
        corrected.corrected_from = render(typed)
        if match.total and not match.widened and match.compiled is not None:
            corrected.tiers = [match.compiled.tsquery] + corrected.tiers
        return corrected

    def is_known_term(self, term: str) -> bool:
        return self.lexicon.frequency(field_terms(term, _TEXT)) > 0

    def visible_documents(self, term: str) -> int:
        """Documents of the searched statuses with ``term`` in a text field."""
        status, params = self.filters.status_condition()
        sql = f"SELECT count(*) FROM {ENTRY_TABLE} WHERE tsv @@ CAST(:q AS tsquery)" + (f" AND {status}" if status else "")
        return int(self.connection.execute(text(sql), {**params, "q": field_terms(term, _TEXT)}).scalar() or 0)

    # --- order -----------------------------------------------------------------------------

    def ordered(self, match: Match, sort: str, limit: int | None, offset: int = 0) -> list[tuple[int, float]]:
        """(document id, score) of the hits in ``sort`` order, from ``offset``, at most ``limit``."""
        if not match.total or limit == 0:
            return []
        where, params = self.filters.where(match.compiled.tsquery if match.compiled else None)
        if sort == "downloads":
            rows = self.connection.execute(text(f"SELECT document_id, sort_date FROM {ENTRY_TABLE} WHERE {where}"),
                                           params).all()
            downloads = current_source().download_counts([row[0] for row in rows])
            rows.sort(key=lambda row: (-downloads.get(row[0], 0), -row[1], -row[0]))
            end = None if limit is None else offset + limit
            return [(row[0], 0.0) for row in rows[offset:end]]
        score, order, order_params = order_sql(match.compiled, match.tiers, sort)
        params.update(order_params)
        sql = f"SELECT document_id, {score} AS score FROM {ENTRY_TABLE} WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        return [(row[0], float(row[1])) for row in self.connection.execute(text(sql), params)]

    # --- did you mean ----------------------------------------------------------------------

    def did_you_mean(self, match: Match) -> str | None:
        mapping = spelling_fixes(match.shown, self.is_known_term, match.compiler.compound_terms,
                                 lambda word: spelling_options(self.connection, word))
        if not mapping:
            return None
        corrected = map_words(match.shown, mapping)
        compiled = PgCompiler(self.lexicon).compile(corrected, scored=False)
        if compiled is None:
            return None
        where, params = self.filters.where(compiled.tsquery)
        found = self.connection.execute(text(f"SELECT count(*) FROM {ENTRY_TABLE} WHERE {where}"), params).scalar()
        return render(corrected) if int(found or 0) > match.total else None


_TEXT = ("title", "description", "body", "project", "municipality")


def rank_sql(items, prefix: str = "rank") -> tuple[str, dict]:
    """The SQL of a hit's score: for each ranked part, its weight if the document matches it.

    Each part is a hashed sub-plan over one GIN lookup (``document_id IN (…)``): the score never
    reads a ``tsvector``, whose de-toasting per match cost more than the rest of a search.
    Parts with the same ``tsquery`` are merged.
    """
    merged: dict[str, float] = {}
    for item in items:
        merged[item.tsquery] = merged.get(item.tsquery, 0.0) + item.weight
    if not merged:
        return "0.0", {}
    terms = []
    params = {}
    for number, (tsquery, weight) in enumerate(merged.items()):
        params[f"{prefix}{number}"] = tsquery
        terms.append(f"CASE WHEN document_id IN (SELECT document_id FROM {ENTRY_TABLE} "
                     f"WHERE tsv @@ CAST(:{prefix}{number} AS tsquery)) THEN {float(weight)!r} ELSE 0.0 END")
    return " + ".join(terms), params


def order_sql(compiled: Compiled | None, tiers: list[str], sort: str) -> tuple[str, str, dict]:
    """The score expression, the ``ORDER BY`` and their parameters of a sort but "downloads"."""
    if sort == "title":
        return "0.0", "title_sort, document_id", {}
    if sort != "relevance" or compiled is None:
        return "0.0", "sort_date DESC, document_id DESC", {}
    score, params = rank_sql(compiled.rank)
    order = []
    for number, tier in enumerate(tiers):
        params[f"tier{number}"] = tier
        order.append(f"(document_id IN (SELECT document_id FROM {ENTRY_TABLE} "
                     f"WHERE tsv @@ CAST(:tier{number} AS tsquery))) DESC")
    return score, ", ".join(order + ["score DESC", "sort_date DESC", "document_id DESC"]), params


def effective_sort(query: SearchQuery, match: Match) -> str:
    if query.sort == "relevance" and match.compiled is None:
        return "newest"
    return query.sort


def run_search(connection, query: SearchQuery) -> SearchResults:
    searcher = Searcher(connection, query)
    offset = (query.page - 1) * query.per_page
    searcher.page = (query.per_page, offset)
    match = searcher.match_query()
    sort = effective_sort(query, match)
    if offset >= match.total:
        ranked = []
    elif match.hits is not None and match.hits_tiers == match.tiers:
        ranked = match.hits
    else:  # the order changed after the count (tiers of a correction), or downloads
        ranked = searcher.ordered(match, sort, query.per_page, offset)
    suggestion = None
    if match.shown and match.total < FEW_HITS and match.corrected_from is None:
        suggestion = searcher.did_you_mean(match)
    found = snippets([document_id for document_id, _ in ranked], match.compiler.highlight)
    hits = [SearchHit(document_id, score, found.get(document_id, "")) for document_id, score in ranked]
    return SearchResults(
        total=match.total, page=query.page, per_page=query.per_page, hits=hits, facets=match.facets,
        suggestion=suggestion, widened=match.widened, query_used=render(match.shown), sort=sort,
        corrected_from=match.corrected_from,
    )


def matching_ids(connection, query: SearchQuery) -> list[int]:
    searcher = Searcher(connection, query)
    match = searcher.match_query()
    return [document_id for document_id, _ in searcher.ordered(match, effective_sort(query, match), None)]


def did_you_mean(connection, query: SearchQuery) -> str | None:
    results = run_search(connection, dataclasses.replace(query, page=1, per_page=1))
    if results.corrected_from is not None:
        return results.query_used
    return results.suggestion
