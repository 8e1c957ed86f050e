"""The query language of the search box, parsed by hand so that no input can raise; the same for
every search backend, which each compile the syntax tree for its engine (Whoosh: ``_query``,
PostgreSQL: ``_pg_query``).

Supported: words (all must match), ``"phrases"``, ``-exclusion`` (also ``NOT``/``NICHT``),
``OR``/``ODER``/``|`` between words or groups, ``(groups)``, prefixes ``digital*`` and field
search ``titel:``/``title:``, ``beschreibung:``, ``projekt:``, ``kommune:``, ``text:``.
Everything else degrades to plain words: an unbalanced quote is ignored, a stray parenthesis
is ignored, an operator without operands is dropped, ``title:`` without a value is dropped,
``[ { ~ ^`` and control characters are separators, and the input is cut to a sane length.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Iterable

from ._fields import TEXT_FIELD_BOOSTS
from .analysis import fold, is_stopword, words

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 32
MAX_PHRASE_WORDS = 16
MAX_DEPTH = 4

FIELD_ALIASES = {
    "title": "title", "titel": "title",
    "description": "description", "beschreibung": "description",
    "project": "project", "projekt": "project",
    "municipality": "municipality", "kommune": "municipality", "gemeinde": "municipality",
    "text": "body", "inhalt": "body", "body": "body",
}
TEXT_FIELDS = tuple(TEXT_FIELD_BOOSTS)

_OR = {"OR", "ODER", "|", "||"}
_AND = {"AND", "UND", "&", "&&", "+"}
_NOT = {"NOT", "NICHT"}
# Characters that separate tokens beyond whitespace.
_SEPARATORS = set("[]{}~^\\<>=!;,/") | {"\u201e", "\u201c", "\u201d", "\u00bb", "\u00ab"}


# --- syntax tree ------------------------------------------------------------------------------


@dataclass
class Word:
    text: str
    field: str | None = None
    prefix: bool = False
    #: Multiplies the word's score: below 1 for a synonym the query did not name (``_synonyms``).
    weight: float = 1.0
    #: Added by a rewrite (a spelling variant or synonym), not typed: not shown, never corrected.
    added: bool = False

    def render(self) -> str:
        return f"{_field_label(self.field)}{self.text}{'*' if self.prefix else ''}"


@dataclass
class Phrase:
    words: list[str]
    field: str | None = None
    weight: float = 1.0
    added: bool = False

    def render(self) -> str:
        return f'{_field_label(self.field)}"{" ".join(self.words)}"'


@dataclass
class Group:
    clauses: list["Clause"]
    added: bool = False

    def render(self) -> str:
        return f"({render(self.clauses)})"


Node = Word | Phrase | Group


@dataclass
class Clause:
    alternatives: list[Node]
    negated: bool = False

    def render(self) -> str:
        shown = [node for node in self.alternatives if not node.added] or self.alternatives
        inner = " OR ".join(node.render() for node in shown)
        if self.negated:
            return f"-({inner})" if len(shown) > 1 else f"-{inner}"
        return inner


def _field_label(name: str | None) -> str:
    return {None: "", "title": "titel:", "description": "beschreibung:", "project": "projekt:",
            "municipality": "kommune:", "body": "text:"}[name]


def render(clauses: list[Clause]) -> str:
    return " ".join(clause.render() for clause in clauses)


# --- lexer and parser -------------------------------------------------------------------------


def clean(text: str) -> str:
    """Drop control and format characters (and lone surrogates), cut to a sane length."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_QUERY_LENGTH * 2]
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH]


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens: (kind, value) with kinds word, phrase, lparen, rparen, or, and, not."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch in _SEPARATORS:
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            if end == -1:  # unbalanced quote: the rest is plain words
                i += 1
                continue
            tokens.append(("phrase", text[i + 1:end]))
            i = end + 1
            continue
        if ch == "(":
            tokens.append(("lparen", ch))
            i += 1
            continue
        if ch == ")":
            tokens.append(("rparen", ch))
            i += 1
            continue
        if ch == "-" and (not tokens or tokens[-1][0] != "neg") and i + 1 < n and not text[i + 1].isspace():
            tokens.append(("neg", ch))
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '"()' and text[j] not in _SEPARATORS:
            j += 1
        raw = text[i:j]
        i = j
        if raw in _OR:
            tokens.append(("or", raw))
        elif raw in _AND:
            tokens.append(("and", raw))
        elif raw in _NOT:
            tokens.append(("neg", raw))
        elif raw.endswith(":") and raw[:-1].lower() in FIELD_ALIASES:
            # field followed by a phrase, or by nothing (then dropped)
            if i < n and text[i] == '"' and text.find('"', i + 1) != -1:
                end = text.find('"', i + 1)
                tokens.append(("fphrase", f"{FIELD_ALIASES[raw[:-1].lower()]}\x00{text[i + 1:end]}"))
                i = end + 1
        elif raw.strip("-+"):
            tokens.append(("word", raw))
    return tokens


def parse(text: str) -> list[Clause]:
    """Parse a query string; never raises, whatever the input."""
    try:
        tokens = _lex(clean(text))
        position = [0]
        clauses = _parse_sequence(tokens, position, depth=0)
        return _limit(clauses)
    except Exception:  # pragma: no cover - the parser is meant to be total; this is the net
        return [Clause([Word(w)]) for w in words(clean(text))[:MAX_CLAUSES]]


def _parse_sequence(tokens: list[tuple[str, str]], position: list[int], depth: int) -> list[Clause]:
    clauses: list[Clause] = []
    pending_or = False
    negated = False
    while position[0] < len(tokens):
        kind, value = tokens[position[0]]
        position[0] += 1
        if kind == "rparen":
            if depth > 0:
                return clauses
            continue
        if kind == "or":
            pending_or = bool(clauses)
            continue
        if kind == "and":
            continue
        if kind == "neg":
            negated = True
            continue
        node: Node | None
        if kind == "lparen":
            if depth >= MAX_DEPTH:
                continue
            inner = _parse_sequence(tokens, position, depth + 1)
            node = Group(inner) if inner else None
            if node is not None and len(inner) == 1 and not inner[0].negated and len(inner[0].alternatives) == 1:
                node = inner[0].alternatives[0]
        elif kind == "phrase":
            node = _phrase(value, None)
        elif kind == "fphrase":
            field_name, phrase_text = value.split("\x00", 1)
            node = _phrase(phrase_text, field_name)
        else:
            node = _word(value)
        if node is None:
            negated = pending_or = False
            continue
        if pending_or and clauses and not negated and not clauses[-1].negated:
            clauses[-1].alternatives.append(node)
        else:
            clauses.append(Clause([node], negated=negated))
        pending_or = negated = False
    return clauses


def _phrase(text: str, field_name: str | None) -> Node | None:
    parts = words(text)[:MAX_PHRASE_WORDS]
    if not parts:
        return None
    if len(parts) == 1:
        return Word(parts[0], field_name)
    return Phrase(parts, field_name)


def _word(raw: str) -> Node | None:
    field_name = None
    match = re.match(r"^([^\W\d_]+):(.+)$", raw)
    if match and match.group(1).lower() in FIELD_ALIASES:
        field_name = FIELD_ALIASES[match.group(1).lower()]
        raw = match.group(2)
    prefix = raw.endswith("*")
    raw = raw.replace("*", " ").replace("?", " ")
    parts = words(raw)
    if not parts:
        return None
    if len(parts) > 1:
        return Phrase(parts[:MAX_PHRASE_WORDS], field_name)
    word = parts[0]
    if prefix and len(fold(word)) < 2:
        prefix = False
    return Word(word, field_name, prefix)


def _limit(clauses: list[Clause], budget: list[int] | None = None) -> list[Clause]:
    """Keep at most MAX_CLAUSES leaf nodes in total, however they are nested."""
    budget = budget if budget is not None else [MAX_CLAUSES]
    kept: list[Clause] = []
    for clause in clauses:
        alternatives: list[Node] = []
        for node in clause.alternatives:
            if budget[0] <= 0:
                break
            if isinstance(node, Group):
                inner = _limit(node.clauses, budget)
                if inner:
                    alternatives.append(Group(inner))
            else:
                budget[0] -= 1
                alternatives.append(node)
        if alternatives:
            kept.append(Clause(alternatives, clause.negated))
    return kept


def drop_stopwords(clauses: list[Clause]) -> list[Clause]:
    """Remove unquoted stop words ("für", "die"), unless nothing else would remain."""

    def is_stop(node: Node) -> bool:
        return isinstance(node, Word) and node.field is None and not node.prefix and is_stopword(node.text)

    def strip(items: list[Clause]) -> list[Clause]:
        result = []
        for clause in items:
            alternatives = []
            for node in clause.alternatives:
                if isinstance(node, Group):
                    inner = strip(node.clauses)
                    if inner:
                        alternatives.append(Group(inner))
                elif not is_stop(node):
                    alternatives.append(node)
            if alternatives:
                result.append(Clause(alternatives, clause.negated))
        return result

    stripped = strip(clauses)
    if any(not clause.negated for clause in stripped):
        return stripped
    return clauses


def widen(clauses: list[Clause]) -> list[Clause]:
    """Any word instead of all words: the positive clauses become one OR."""
    positives = [c for c in clauses if not c.negated]
    negatives = [c for c in clauses if c.negated]
    alternatives: list[Node] = []
    for clause in positives:
        if len(clause.alternatives) == 1:
            alternatives.append(clause.alternatives[0])
        else:
            alternatives.append(Group([clause]))
    return [Clause(alternatives)] + negatives if alternatives else negatives


def positive_leaves(clauses: list[Clause]) -> Iterable[Word | Phrase]:
    for clause in clauses:
        if clause.negated:
            continue
        for node in clause.alternatives:
            if node.added:
                continue
            if isinstance(node, Group):
                yield from positive_leaves(node.clauses)
            else:
                yield node


def map_words(clauses: list[Clause], mapping: dict[str, str]) -> list[Clause]:
    """Replace plain words (spelling corrections) throughout the tree."""

    def convert(node: Node) -> Node:
        if isinstance(node, Group):
            return Group(map_words(node.clauses, mapping))
        if isinstance(node, Word) and not node.prefix and node.text in mapping:
            return replace(node, text=mapping[node.text])
        return node

    return [Clause([convert(n) for n in clause.alternatives], clause.negated) for clause in clauses]


@dataclass
class HighlightTerms:
    """What to mark in a text: index terms and folded prefixes (for the body field)."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: list[tuple[str, ...]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.phrases)
