"""The query language (``_query``'s syntax tree) compiled to one PostgreSQL ``tsquery``.

The tree is the same as Whoosh's: parsed, stop words dropped, synonyms and spelling variants
added by the shared modules. Each leaf becomes lexemes of ``_pg_entries`` (field prefix and
index term): a word is ``t:x | d:x | b:x | p:x | m:x`` plus its compound expansions in title,
description and body; a phrase ``b:x <-> b:y`` per field; a prefix ``b:x:*``. AND, OR and
exclusion become ``&``, ``|`` and ``& !``, so a whole query is one GIN-indexed ``@@``.

Ranking follows ``_ranking.accumulate``: every positive leaf adds its score, scaled by the
boosts of its subtree (synonyms 0.6, compounds at most 0.3 of an exact word of equal rarity).
A leaf's score is ``ts_rank`` over its lexemes, with the weight labels as field boosts, times
the leaf's weight and the inverse document frequency of its term (``Lexicon.idf``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import text

from ._pg_entries import KIND_COMPOUND, PREFIX, TERMS_TABLE, quote
from ._query import (
    COMPOUND_WEIGHT,
    MAX_COMPOUND_SCAN,
    MAX_EXPANSIONS,
    TEXT_FIELDS,
    Clause,
    Group,
    HighlightTerms,
    Node,
    Phrase,
    Word,
)
from ._schema import COMPOUND_FIELDS
from .analysis import MIN_MODIFIER, fold, head_terms, term_for


@dataclass
class RankItem:
    """One scored part of a query: its lexemes as a ``tsquery`` and its weight."""

    tsquery: str
    weight: float


@dataclass
class Compiled:
    tsquery: str
    rank: list[RankItem] = field(default_factory=list)


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_COMPOUNDS = text(f"SELECT term FROM {TERMS_TABLE} WHERE kind = 'c' AND term LIKE :pattern "
                  f"ORDER BY term LIMIT {MAX_COMPOUND_SCAN}")
_COUNT = text("SELECT count(*) FROM search_entries WHERE tsv @@ CAST(:q AS tsquery)")
_TOTAL = text("SELECT count(*) FROM search_entries")


class Lexicon:
    """What the compiler asks the database: compound expansions and term rarity (per search)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self._compounds: dict[str, list[str]] = {}
        self._frequencies: dict[str, int] = {}
        self._documents: int | None = None

    def documents(self) -> int:
        if self._documents is None:
            self._documents = int(self.connection.execute(_TOTAL).scalar() or 0)
        return self._documents

    def frequency(self, tsquery: str) -> int:
        """Documents matching ``tsquery`` (any status)."""
        found = self._frequencies.get(tsquery)
        if found is None:
            found = int(self.connection.execute(_COUNT, {"q": tsquery}).scalar() or 0)
            self._frequencies[tsquery] = found
        return found

    def idf(self, term: str, fields: tuple[str, ...] = TEXT_FIELDS) -> float:
        """Whoosh's BM25 idf of ``term`` in ``fields``, always > 0."""
        documents = max(self.documents(), 1)
        return math.log(documents / (self.frequency(field_terms(term, fields)) + 1)) + 1.0

    def compound_terms(self, word: str) -> list[str]:
        """Index terms of compounds that end with ``word`` (``_query.Compiler.compound_terms``)."""
        cached = self._compounds.get(word)
        if cached is not None:
            return cached
        term = term_for(word)
        found: set[str] = set()
        for head in head_terms(word):
            for (reversed_term,) in self.connection.execute(_COMPOUNDS, {"pattern": _like_prefix(head[::-1])}):
                if len(reversed_term) - len(head) >= MIN_MODIFIER:
                    found.add(reversed_term[::-1])
        found.discard(term)
        result = sorted(found)
        if len(result) > MAX_EXPANSIONS:
            counts = {compound: self.frequency(field_terms(compound, COMPOUND_FIELDS)) for compound in result}
            result = sorted(sorted(result, key=lambda t: (-counts[t], t))[:MAX_EXPANSIONS])
        self._compounds[word] = result
        return result


def lexemes(term: str, fields) -> list[str]:
    return [quote(f"{PREFIX[name]}:{term}") for name in fields]


def field_terms(term: str, fields) -> str:
    return " | ".join(lexemes(term, fields))


def _or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


class PgCompiler:
    """Turn a syntax tree into a ``tsquery`` with its ranking parts."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.highlight = HighlightTerms()

    def compound_terms(self, word: str) -> list[str]:
        return self.lexicon.compound_terms(word)

    def compile(self, clauses: list[Clause], collect: bool = True, scored: bool = True) -> Compiled | None:
        rank: list[RankItem] = []
        positives = [self._clause(c, collect, rank if scored else None, 1.0) for c in clauses if not c.negated]
        negatives = [self._clause(c, False, None, 1.0) for c in clauses if c.negated]
        positives = [q for q in positives if q is not None]
        negatives = [q for q in negatives if q is not None]
        if not positives and not negatives:
            return None
        negative = ""
        if negatives:
            negative = "!" + (negatives[0] if len(negatives) == 1 else "(" + " | ".join(negatives) + ")")
        if not positives:
            return Compiled(negative, [])
        positive = positives[0] if len(positives) == 1 else "(" + " & ".join(positives) + ")"
        return Compiled(f"{positive} & {negative}" if negative else positive, rank)

    def _clause(self, clause: Clause, collect: bool, rank: list[RankItem] | None, factor: float) -> str | None:
        parts = [self._node(node, collect, rank, factor) for node in clause.alternatives]
        parts = [q for q in parts if q is not None]
        if not parts:
            return None
        return _or(parts)

    def _node(self, node: Node, collect: bool, rank: list[RankItem] | None, factor: float) -> str | None:
        if isinstance(node, Group):
            inner_rank: list[RankItem] | None = [] if rank is not None else None
            positives = [self._clause(c, collect, inner_rank, factor) for c in node.clauses if not c.negated]
            negatives = [self._clause(c, False, None, factor) for c in node.clauses if c.negated]
            positives = [q for q in positives if q is not None]
            negatives = [q for q in negatives if q is not None]
            if not positives and not negatives:
                return None
            if rank is not None and inner_rank:
                rank.extend(inner_rank)
            if not positives:
                # A group of exclusions only: everything but them (Whoosh's Every AND NOT).
                return "!" + _or(negatives)
            positive = positives[0] if len(positives) == 1 else "(" + " & ".join(positives) + ")"
            if negatives:
                return f"({positive} & !{_or(negatives)})"
            return positive
        return self._leaf(node, collect, rank, factor * node.weight)

    def _leaf(self, node: Word | Phrase, collect: bool, rank: list[RankItem] | None, weight: float) -> str | None:
        fields = (node.field,) if node.field else TEXT_FIELDS
        if isinstance(node, Phrase):
            terms = [term_for(w) for w in node.words]
            terms = [t for t in terms if t]
            if not terms:
                return None
            if collect:
                self.highlight.phrases.append(tuple(terms))
            per_field = ["(" + " <-> ".join(quote(f"{PREFIX[name]}:{t}") for t in terms) + ")" for name in fields]
            if rank is not None:
                scored = sorted(set(terms))
                idf = sum(self.lexicon.idf(t, fields) for t in scored) / len(scored)
                items = [lexeme for t in scored for lexeme in lexemes(t, fields)]
                rank.append(RankItem(" | ".join(items), weight * idf * len(items)))
            return _or(per_field)
        if node.prefix:
            return self._prefix(node.text, fields, collect, rank, weight)
        term = term_for(node.text)
        if not term:
            return None
        parts = lexemes(term, fields)
        if collect:
            self.highlight.terms.add(term)
        if rank is not None:
            rank.append(RankItem(" | ".join(parts), weight * self.lexicon.idf(term, fields) * len(parts)))
        compound_fields = [name for name in fields if name in COMPOUND_FIELDS]
        expansions = self.compound_terms(node.text) if compound_fields else []
        if expansions:
            if collect:
                self.highlight.terms.update(expansions)
            extra = [lexeme for compound in expansions for lexeme in lexemes(compound, compound_fields)]
            parts.extend(extra)
            if rank is not None:
                # Below an exact match of equal rarity: idf(head) at most, times the compound weight.
                base = self.lexicon.idf(term, tuple(compound_fields))
                rank.append(RankItem(" | ".join(extra), weight * COMPOUND_WEIGHT * base * len(extra)))
        return _or(parts)

    def _prefix(self, word: str, fields, collect: bool, rank: list[RankItem] | None, weight: float) -> str:
        folded = fold(word)
        stemmed = term_for(word)
        starts = {folded}
        if len(stemmed) >= 2:
            starts.add(stemmed)
        if collect:
            self.highlight.prefixes.update(starts)
        parts = [quote(f"{PREFIX[name]}:{start}") + ":*" for name in fields for start in sorted(starts)]
        if rank is not None:
            rank.append(RankItem(" | ".join(parts), weight * len(parts)))
        return _or(parts)
