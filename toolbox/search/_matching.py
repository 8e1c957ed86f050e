"""Which documents a query matches: statuses, filters, the words (with synonyms and typo
corrections), by set algebra over posting lists; nothing is scored here (see ``_ranking``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from whoosh import query as wq

from .analysis import is_common_pair, pair_term, term_for
from ._did_you_mean import match_case
from ._phrases import phrase_docs
from ._query import Compiler
from ._syntax import (
    TEXT_FIELDS,
    Clause,
    Word,
    drop_stopwords,
    map_words,
    parse,
    positive_leaves,
    render,
    widen,
)
from ._fields import FOLDED_FACETS
from ._schema import PAIR_FIELD, pair_field_term
from ._synonyms import SynonymTable, current_table, has_synonyms, rewrite
from ._typos import correction
from ._types import ALL_STATUSES, FEW_HITS, SearchQuery
from ._view import EMPTY, IndexView, TermCache, index_view
from ._ranking import TermWeights


def docs_with_status(view: IndexView, statuses: tuple[str, ...]) -> frozenset[int] | set[int]:
    if not statuses or ALL_STATUSES in statuses:
        return view.live
    return union_of(view.terms["status"].get(status, EMPTY) for status in statuses)


def union_of(sets: Iterable[frozenset[int]]) -> set[int]:
    result: set[int] = set()
    for docs in sets:
        result |= docs
    return result


def intersect(base, sets: Iterable) -> set[int]:
    result = set(base)
    for docs in sorted(sets, key=len):
        if not result:
            break
        result &= docs
    return result


def filter_sets(view: IndexView, query: SearchQuery, reader) -> dict[str, set[int]]:
    """The documents each selected filter allows, by facet key (OR within one filter)."""
    filters: dict[str, set[int]] = {}
    for facet in ("topic", "size_class", "type", "format", "license", "project", "accessibility"):
        selected = getattr(query, facet)
        if selected:
            filters[facet] = union_of(view.terms[facet].get(value, EMPTY) for value in selected)
    for facet in FOLDED_FACETS:
        selected = getattr(query, facet)
        if selected:
            filters[facet] = union_of(view.terms[facet][term] for term in view.named_terms(facet, selected))
    if query.year_from is not None or query.year_to is not None:
        low = query.year_from if query.year_from is not None else -1
        high = query.year_to if query.year_to is not None else 10_000
        filters["year"] = union_of(docs for year, docs in view.terms["year"].items()
                                 if year.isdigit() and low <= int(year) <= high)
    return filters


@dataclass
class Match:
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




def match_query(searcher, view: IndexView, query: SearchQuery, status_docs, filters) -> Match:
    typed = drop_stopwords(parse(query.q)) if query.q and query.q.strip() else []
    table = current_table() if typed else SynonymTable()
    match = match_clauses(searcher, view, query, typed, table, status_docs, filters)
    if typed and not query.literal and (len(match.final) < FEW_HITS or match.widened):
        corrected = corrected_match(searcher, view, query, typed, table, status_docs, filters, match)
        if corrected is not None:
            return corrected
    return match


def match_clauses(searcher, view: IndexView, query: SearchQuery, typed: list[Clause], table: SynonymTable,
                   status_docs, filters) -> Match:
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
        base = matched_docs(searcher, compiled, scored) & status_docs
    final = intersect(base, filters.values())
    match = Match(clauses, compiler, compiled, base, final, False, shown=typed if compiled is not None else [])
    positive_clauses = sum(1 for clause in clauses if not clause.negated)
    if compiled is not None and not final and positive_clauses >= 2:
        wide = widen(clauses)
        wide_compiler = Compiler(searcher, view.expansions, view.leaves)
        wide_compiled = wide_compiler.compile(wide)
        if wide_compiled is not None:
            wide_base = matched_docs(searcher, wide_compiled, scored) & status_docs
            wide_final = intersect(wide_base, filters.values())
            if wide_final:
                match = Match(wide, wide_compiler, wide_compiled, wide_base, wide_final, True, shown=widen(typed))
                literal = widen(literal)
    if match.final and has_synonyms(match.clauses):
        literal_docs = clauses_docs(searcher, view, literal, status_docs, filters)
        if literal_docs:
            match.tiers = [literal_docs]
    return match


def clauses_docs(searcher, view: IndexView, clauses: list[Clause], status_docs, filters) -> set[int]:
    compiled = Compiler(searcher, view.expansions, view.leaves).compile(clauses, collect=False)
    if compiled is None:
        return set()
    return intersect(matched_docs(searcher, compiled) & status_docs, filters.values())


def corrected_match(searcher, view: IndexView, query: SearchQuery, typed: list[Clause], table: SynonymTable,
               status_docs, filters, match: Match) -> Match | None:
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
        if is_known_term(reader, term_for(leaf.text)) or match.compiler.compound_terms(leaf.text):
            continue
        fixed = correction(reader, leaf.text, visible_documents, view.expansions)
        if fixed is not None:
            mapping[leaf.text] = match_case(leaf.text, fixed)
    if not mapping:
        return None
    corrected = match_clauses(searcher, view, query, map_words(typed, mapping), table, status_docs, filters)
    if not corrected.final:
        return None
    if match.final and len(corrected.final) <= len(match.final) and (corrected.widened or not match.widened):
        return None
    corrected.corrected_from = render(typed)
    if match.final and not match.widened:
        # The query as typed found a few documents: they stay on top.
        corrected.tiers = [set(match.final)] + corrected.tiers
    return corrected


def matched_docs(searcher, compiled: wq.Query, scored: bool = False) -> set[int]:
    """The documents a query matches, by set algebra over posting lists (nothing is scored).

    With ``scored`` (the hits will be ranked), a term's posting set is taken from its BM25
    weights, so that its postings are read and decoded once for both rather than twice.
    """
    reader = searcher.reader()
    view = index_view(searcher)
    return evaluate(compiled, searcher, reader, view.term_docs, view.term_weights if scored else None, view)


def evaluate(q: wq.Query, searcher, reader, cache: "TermCache", weights: "TermWeights | None" = None,
              view: "IndexView | None" = None) -> set[int] | frozenset[int]:
    if isinstance(q, wq.Term):
        if weights is not None:
            fieldname, text = q.fieldname, q.text
            return cache.get(reader, fieldname, text,
                             lambda: weights.get(reader, view, fieldname, text).docs() or EMPTY)
        return cache.get(reader, q.fieldname, q.text)
    if isinstance(q, wq.AndNot):
        positive = evaluate(q.a, searcher, reader, cache, weights, view)
        # The excluded part is never scored.
        return positive - evaluate(q.b, searcher, reader, cache) if positive else positive
    if isinstance(q, wq.And):
        parts = sorted((evaluate(sub, searcher, reader, cache, weights, view) for sub in q.subqueries), key=len)
        result = set(parts[0]) if parts else set()
        for part in parts[1:]:
            if not result:
                break
            result &= part
        return result
    if isinstance(q, wq.Or):
        result: set[int] = set()
        for sub in q.subqueries:
            result |= evaluate(sub, searcher, reader, cache, weights, view)
        return result
    if isinstance(q, wq.Every):
        return index_view(searcher).live
    if isinstance(q, wq.Phrase):
        return phrase_matches(q, searcher, reader, cache)
    return set(searcher.docs_for_query(q))


def phrase_matches(q: wq.Phrase, searcher, reader, cache: "TermCache") -> set[int] | frozenset[int]:
    """A phrase's documents from its word pairs (``_schema.PAIR_FIELD``), as far as they hold a
    stop word, and its other words' postings; two words with their pair indexed are exactly
    that pair. Otherwise the candidates (pairs may occur apart) have their word positions
    checked (``phrase_docs``): reading the positions of every document holding a frequent word
    ("und", "der") was most of a phrase query's time, those of two rarer words are few."""
    terms = list(q.words)
    parts: list[wq.Query] = []
    paired: set[int] = set()
    for at, (first, second) in enumerate(zip(terms, terms[1:])):
        if is_common_pair(first, second):
            parts.append(wq.Term(PAIR_FIELD, pair_field_term(q.fieldname, pair_term(first, second))))
            paired.update((at, at + 1))
    parts.extend(wq.Term(q.fieldname, term) for at, term in enumerate(terms) if at not in paired)
    candidates = evaluate(wq.And(parts), searcher, reader, cache)
    if len(terms) == 2 and paired:
        return candidates
    return phrase_docs(reader, q.fieldname, terms, candidates)


def is_known_term(reader, term: str) -> bool:
    return any(reader.doc_frequency(f, term) for f in TEXT_FIELDS)
