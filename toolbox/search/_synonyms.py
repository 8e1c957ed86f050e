"""Synonyms, abbreviations and spelling variants, added to a parsed query as alternatives.

Applied at query time, so that an editor's change to the synonym list (``/admin/synonyms``)
needs no reindex: a query word that is a key of the list gets the other terms of its group
as OR-ed alternatives with ``SYNONYM_WEIGHT`` of its score, and the search ranks documents
that match the words as typed above those found only through a synonym (``_search``).

Spelling variants of one abbreviation count as the word itself (full weight): "zB" also
looks for "z.B" (the tokenizer keeps inner dots), "z.B." for "zB", "eGovernment" for the
phrase "e government" (how "E-Government" and "E Government" are indexed) and those two for
"egovernment".
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from .analysis import term_for, words
from ._syntax import Clause, Group, Node, Phrase, Word
from .backend import current_source

#: A synonym's share of the score the word as typed would get.
SYNONYM_WEIGHT = 0.6
#: Terms one key adds at most (the query has a budget of leaves, see ``_query.MAX_CLAUSES``).
MAX_SYNONYMS = 8
#: Words of a multi-word key ("öffentlicher Personennahverkehr") looked for across clauses.
MAX_KEY_WORDS = 4

# "eGovernment", "eAkte": one or two lower-case letters before a capital.
_CAMEL = re.compile(r"^([a-zäöü]{1,2})([A-ZÄÖÜ][^\W\d_]+)$")


def key_of(text: str) -> tuple[str, ...]:
    """The lookup key of a term: its index terms, inner dots dropped ("z.B." = "zB")."""
    return tuple(term for term in (term_for(word).replace(".", "") for word in words(text)) if term)


@dataclass(frozen=True)
class SynonymTable:
    """key → the terms (as written by the editor) it also finds."""

    expansions: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.expansions)

    def longest(self) -> int:
        return max((len(key) for key in self.expansions), default=0)


def build_table(groups: Iterable[tuple[Sequence[str], bool]]) -> SynonymTable:
    """A table from (terms, one_way) groups: a one-way group's first term finds the others,
    an ordinary group's terms find each other."""
    expansions: dict[tuple[str, ...], list[str]] = {}
    for terms, one_way in groups:
        usable = [(term, key_of(term)) for term in terms if key_of(term)]
        if len(usable) < 2:
            continue
        sources = usable[:1] if one_way else usable
        for source, source_key in sources:
            found = expansions.setdefault(source_key, [])
            for other, other_key in usable:
                if other_key != source_key and other not in found:
                    found.append(other)
    return SynonymTable({key: tuple(terms[:MAX_SYNONYMS]) for key, terms in expansions.items() if terms})


# --- the current table, read from the database -----------------------------------------------

_LOCK = threading.Lock()
_CURRENT: dict[str, tuple[tuple, SynonymTable]] = {}


def current_table() -> SynonymTable:
    """The synonym list as it is in the database now (cached while it is unchanged).

    One small aggregate query per search tells whether any group was added, changed or
    deleted, in this process or another one.
    """
    source = current_source()
    stamp = source.synonym_stamp()
    database = source.database_key()
    with _LOCK:
        cached = _CURRENT.get(database)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    table = build_table((list(group.terms), group.one_way) for group in source.synonym_groups())
    with _LOCK:
        _CURRENT[database] = (stamp, table)
    return table


# --- rewriting a query ------------------------------------------------------------------------


def spelling_variants(node: Word | Phrase) -> list[Node]:
    """Other ways of writing the same abbreviation, as nodes of full weight."""
    found: list[Node] = []
    if isinstance(node, Word):
        if node.prefix:
            return found
        text = node.text
        if "." in text:
            found.append(Word(text.replace(".", ""), node.field, added=True))
        elif text.isalpha() and 2 <= len(text) <= 3:
            found.append(Word(".".join(text), node.field, added=True))
        camel = _CAMEL.match(text)
        if camel:
            found.append(Phrase([camel.group(1), camel.group(2)], node.field, added=True))
    elif len(node.words) == 2 and len(node.words[0]) <= 2 and node.words[0].isalpha():
        found.append(Word("".join(node.words), node.field, added=True))
    return found


def _synonym_nodes(key: tuple[str, ...], field_name: str | None, table: SynonymTable) -> list[Node]:
    nodes: list[Node] = []
    for term in table.expansions.get(key, ()):
        parts = words(term)
        if len(parts) == 1:
            nodes.append(Word(parts[0], field_name, weight=SYNONYM_WEIGHT, added=True))
        elif parts:
            nodes.append(Phrase(parts, field_name, weight=SYNONYM_WEIGHT, added=True))
    return nodes


def _node_key(node: Node) -> tuple[str, ...] | None:
    if isinstance(node, Word) and not node.prefix:
        return key_of(node.text)
    if isinstance(node, Phrase):
        return tuple(term.replace(".", "") for term in (term_for(w) for w in node.words) if term)
    return None


def _single_word(clause: Clause) -> Word | None:
    if clause.negated or len(clause.alternatives) != 1:
        return None
    node = clause.alternatives[0]
    if isinstance(node, Word) and not node.prefix and node.field is None and not node.added:
        return node
    return None


def rewrite(clauses: list[Clause], table: SynonymTable) -> list[Clause]:
    """``clauses`` with spelling variants and (from ``table``) synonyms as added alternatives."""
    result: list[Clause] = []
    longest = min(max(table.longest(), 2), MAX_KEY_WORDS)
    i = 0
    while i < len(clauses):
        merged = _merge_words(clauses, i, longest, table)
        if merged is not None:
            clause, used = merged
            result.append(clause)
            i += used
            continue
        result.append(_rewrite_clause(clauses[i], table))
        i += 1
    return result


def _merge_words(clauses: list[Clause], start: int, longest: int,
                 table: SynonymTable) -> tuple[Clause, int] | None:
    """Unquoted neighbouring words that together are a key ("E Government", "öffentlicher
    Personennahverkehr") become one clause: the words as typed, or what they stand for."""
    for length in range(min(longest, len(clauses) - start), 1, -1):
        run = [_single_word(clause) for clause in clauses[start:start + length]]
        if any(word is None for word in run):
            continue
        texts = [word.text for word in run]  # type: ignore[union-attr]
        key = tuple(part for text in texts for part in key_of(text))
        added: list[Node] = []
        if length == 2 and len(texts[0]) <= 2 and texts[0].isalpha():
            added += [Phrase(texts, added=True), Word("".join(texts), added=True)]
            added += _synonym_nodes(key_of("".join(texts)), None, table)
        added += _synonym_nodes(key, None, table)
        if added:
            # Each word keeps its own variants and synonyms ("KI Verwaltung": KI is also
            # "künstliche Intelligenz").
            typed = Group([_rewrite_clause(Clause([word]), table) for word in run])  # type: ignore[list-item]
            return Clause([typed] + added), length
    return None


def _rewrite_clause(clause: Clause, table: SynonymTable) -> Clause:
    if clause.negated:
        return clause
    alternatives: list[Node] = []
    for node in clause.alternatives:
        if isinstance(node, Group):
            alternatives.append(replace(node, clauses=rewrite(node.clauses, table)))
            continue
        alternatives.append(node)
        if node.added:
            continue
        variants = spelling_variants(node)
        alternatives.extend(variants)
        keys: list[tuple[str, ...]] = []
        for candidate in [node, *variants]:
            key = _node_key(candidate)
            if key and key not in keys:
                keys.append(key)
        seen: set[tuple[str, ...]] = set(keys)
        for key in keys:
            for synonym in _synonym_nodes(key, node.field, table):
                synonym_key = _node_key(synonym)
                if synonym_key not in seen:
                    seen.add(synonym_key)  # type: ignore[arg-type]
                    alternatives.append(synonym)
    return Clause(alternatives, clause.negated)


def has_synonyms(clauses: list[Clause]) -> bool:
    """Whether a rewrite added any synonym (then literal matches are ranked first)."""
    for clause in clauses:
        for node in clause.alternatives:
            if isinstance(node, Group):
                if has_synonyms(node.clauses):
                    return True
            elif node.added and node.weight != 1.0:
                return True
    return False
