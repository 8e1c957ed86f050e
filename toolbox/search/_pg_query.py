"""The query language (``_query``'s syntax tree) compiled to one PostgreSQL ``tsquery``.

The tree is the same as Whoosh's: parsed, stop words dropped, synonyms and spelling variants
added by the shared modules. Each leaf becomes lexemes of ``_pg_entries`` (field prefix and
index term): a word is ``t:x | d:x | b:x | p:x | m:x`` plus the compounds ending with it
(``rt:``/``rd:``/``rb:`` prefixes of its reversed stem); a phrase its word pairs per field
(``bp:x y``), with ``b:x <-> b:y <-> b:z`` beside them from three words on; a prefix
``b:x:*``. AND, OR and exclusion become ``&``, ``|`` and ``& !``, so a whole query is one
GIN-indexed ``@@``.

Ranking follows ``_ranking.accumulate``: every positive leaf adds its score, scaled by the
boosts of its subtree (synonyms 0.6, compounds 0.3 of an exact word). A leaf's score is BM25's
shape read from the GIN index alone: the field boost of each field holding the term (title 4,
description 2, project and municipality 1.5, body 1), plus the steps of a frequent body term
(``b2:``, ``b4:``, ``b8:``: BM25's saturating term frequency at k1 = 1.2), times the term's
inverse document frequency (``Lexicon.idf``, counted from the GIN index and kept five
minutes; not counted for a query of one term, whose order it cannot change). Each
part is a ``RankItem``: a ``tsquery`` and the weight a document matching it gets.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from sqlalchemy import text

from ._pg_entries import (
    COMPOUND_PREFIX,
    FREQUENCY_STEPS,
    MAX_PARTS,
    PAIR_PREFIX,
    PREFIX,
    TERMS_TABLE,
    UNPAIRED,
    part_prefix,
    quote,
)
from ._fields import COMPOUND_WEIGHT
from ._syntax import TEXT_FIELDS, Clause, Group, HighlightTerms, Node, Phrase, Word
from .analysis import MIN_MODIFIER, fold, head_terms, phrase_pairs, term_for


@dataclass
class RankItem:
    """One scored part of a query: its lexemes as a ``tsquery`` and its weight; ``rarity``, the
    (term, fields) whose inverse document frequency the weight is still to be multiplied by."""

    tsquery: str
    weight: float
    rarity: tuple[str, tuple[str, ...]] | None = None


@dataclass
class Compiled:
    tsquery: str
    rank: list[RankItem] = field(default_factory=list)


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: Compounds of one head read for the snippets' marks (matching takes every compound, by prefix);
#: Whoosh marks its 40 most frequent.
MARKED_COMPOUNDS = 200
_COMPOUNDS = text(f"SELECT term FROM {TERMS_TABLE} WHERE kind = 'c' AND term LIKE :pattern "
                  f"ORDER BY length(term), term LIMIT {MARKED_COMPOUNDS}")
_COUNT = text("SELECT count(*) FROM search_entries WHERE tsv @@ CAST(:q AS tsquery)")
_TOTAL = text("SELECT count(*) FROM search_entries")

#: BM25's term-frequency factor tf (k1 + 1) / (tf + k1) at k1 = 1.2 for tf = 1, 2, 4, 8: the
#: body's score steps, each added by a lexeme of ``_pg_entries.FREQUENCY_STEPS``.
FREQUENCY_BONUS = {2: 4.4 / 3.2 - 1.0, 4: 8.8 / 5.2 - 4.4 / 3.2, 8: 17.6 / 9.2 - 8.8 / 5.2}
#: Field weights of a word (``_fields.TEXT_FIELD_BOOSTS``), grouped where equal: one GIN lookup each.
FIELD_GROUPS = ((("title",), 4.0), (("description",), 2.0), (("project", "municipality"), 1.5), (("body",), 1.0))
#: How long a term's document count is reused (it only weighs the ranking).
FREQUENCY_SECONDS = 300.0
_FREQUENCIES: dict[tuple[str, str], tuple[float, int]] = {}
_FREQUENCY_LIMIT = 50_000


class Lexicon:
    """What the compiler asks the database: compound expansions and term rarity."""

    def __init__(self, connection, database: str = "") -> None:
        self.connection = connection
        self.database = database
        self._compounds: dict[str, list[str]] = {}

    def _cached(self, key: str, compute) -> int:
        now = time.monotonic()
        found = _FREQUENCIES.get((self.database, key))
        if found is not None and now - found[0] < FREQUENCY_SECONDS:
            return found[1]
        value = int(compute() or 0)
        if len(_FREQUENCIES) >= _FREQUENCY_LIMIT:
            _FREQUENCIES.clear()
        _FREQUENCIES[(self.database, key)] = (now, value)
        return value

    def documents(self) -> int:
        return self._cached("", lambda: self.connection.execute(_TOTAL).scalar())

    def frequency(self, tsquery: str) -> int:
        """Documents matching ``tsquery`` (any status), counted within the last five minutes."""
        return self._cached(tsquery, lambda: self.connection.execute(_COUNT, {"q": tsquery}).scalar())

    def idf(self, term: str, fields: tuple[str, ...] = TEXT_FIELDS) -> float:
        """Whoosh's BM25 idf of ``term`` in ``fields``, always > 0."""
        documents = max(self.documents(), 1)
        return math.log(documents / (self.frequency(field_terms(term, fields)) + 1)) + 1.0

    def compound_terms(self, word: str) -> list[str]:
        """Index terms of compounds that end with ``word`` (``_query.Compiler.compound_terms``),
        from the vocabulary: what the snippets mark, and whether the word is known as a head.
        Matching does not need the list (``compound_query``)."""
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
        self._compounds[word] = result
        return result


def compound_query(word: str, fields) -> str | None:
    """The compounds ending with ``word`` in ``fields``: its reversed head stems as prefixes."""
    parts = [quote(f"{COMPOUND_PREFIX[name]}:{head[::-1]}") + ":*"
             for name in fields if name in COMPOUND_PREFIX for head in sorted(head_terms(word))]
    return " | ".join(parts) if parts else None


def lexemes(term: str, fields) -> list[str]:
    return [quote(f"{PREFIX[name]}:{term}") for name in fields]


def field_terms(term: str, fields) -> str:
    return " | ".join(lexemes(term, fields))


def _phrase(prefix: str, terms: list[str]) -> str:
    return "(" + " <-> ".join(quote(f"{prefix}:{t}") for t in terms) + ")"


def _phrase_query(name: str, terms: list[str]) -> str:
    """A phrase in one field: its word pairs, which the GIN index answers without reading a
    ``tsvector``; with three words or more also the positions, which PostgreSQL then checks in
    the few entries holding every pair (pairs may occur apart)."""
    if len(terms) == 1:
        return _phrase(PREFIX[name], terms)
    pairs = " & ".join(quote(f"{PAIR_PREFIX[name]}:{pair}") for pair in phrase_pairs(terms))
    if name != "body":
        return f"({pairs})" if len(terms) == 2 else f"({pairs} & {_phrase(PREFIX[name], terms)})"
    # A long body's positions are in parts (``_pg_entries.PART_WORDS``): any part may hold it. A
    # huge body has positions without pairs (``UNPAIRED``); only those entries are checked
    # over positions alone.
    positions = "(" + " | ".join(_phrase(part_prefix(part), terms) for part in range(MAX_PARTS + 1)) + ")"
    if len(terms) == 2:
        return f"({pairs} | ({quote(UNPAIRED)} & {positions}))"
    return f"(({pairs} | {quote(UNPAIRED)}) & {positions})"


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
        return Compiled(f"{positive} & {negative}" if negative else positive, self._weighted(rank))

    def _weighted(self, rank: list[RankItem]) -> list[RankItem]:
        """The items with their terms' rarity applied. With one term only, rarity changes no order
        and is not counted (a count is a GIN lookup of every document holding the term)."""
        terms = {item.rarity[0] for item in rank if item.rarity is not None}
        if len(terms) < 2:
            return [RankItem(item.tsquery, item.weight) for item in rank]
        return [RankItem(item.tsquery, item.weight * (self.lexicon.idf(*item.rarity) if item.rarity else 1.0))
                for item in rank]

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

    def _word_rank(self, term: str, fields, weight: float, rank: list[RankItem]) -> None:
        """A word's score parts: a field's boost where it holds the term, the body's frequency steps."""
        rarity = (term, tuple(fields))
        for group, boost in FIELD_GROUPS:
            present = [name for name in group if name in fields]
            if present:
                rank.append(RankItem(field_terms(term, present), weight * boost, rarity))
        if "body" in fields:
            for step in FREQUENCY_STEPS:
                rank.append(RankItem(quote(f"b{step}:{term}"), weight * FREQUENCY_BONUS[step], rarity))

    def _leaf(self, node: Word | Phrase, collect: bool, rank: list[RankItem] | None, weight: float) -> str | None:
        fields = (node.field,) if node.field else TEXT_FIELDS
        if isinstance(node, Phrase):
            terms = [term_for(w) for w in node.words]
            terms = [t for t in terms if t]
            if not terms:
                return None
            if collect:
                self.highlight.phrases.append(tuple(terms))
            per_field = [_phrase_query(name, terms) for name in fields]
            if rank is not None:
                # As Whoosh: a phrase scores as its words.
                for term in dict.fromkeys(terms):
                    self._word_rank(term, fields, weight, rank)
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
            self._word_rank(term, fields, weight, rank)
        compounds = compound_query(node.text, fields)
        if compounds is not None:
            if collect:
                self.highlight.terms.update(self.compound_terms(node.text))
            parts.append(compounds)
            if rank is not None:
                # Below an exact match of equal rarity: the compound weight of the head's score.
                rarity = (term, tuple(name for name in fields if name in COMPOUND_PREFIX))
                for name, boost in (("title", 4.0), ("description", 2.0), ("body", 1.0)):
                    if name in fields:
                        rank.append(RankItem(compound_query(node.text, (name,)),
                                             weight * COMPOUND_WEIGHT * boost, rarity))
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
            for group, boost in FIELD_GROUPS:
                present = [name for name in group if name in fields]
                if present:
                    rank.append(RankItem(" | ".join(quote(f"{PREFIX[name]}:{start}") + ":*" for name in present
                                                    for start in sorted(starts)), weight * boost))
        return _or(parts)
