"""The query language of the search box, parsed by hand so that no input can raise.

Supported: words (all must match), ``"phrases"``, ``-exclusion`` (also ``NOT``/``NICHT``),
``OR``/``ODER``/``|`` between words or groups, ``(groups)``, prefixes ``digital*`` and field
search ``titel:``/``title:``, ``beschreibung:``, ``projekt:``, ``kommune:``, ``text:``.
Everything else degrades to plain words: an unbalanced quote is ignored, a stray parenthesis
is ignored, an operator without operands is dropped, ``title:`` without a value is dropped,
``[ { ~ ^`` and control characters are separators, and the input is cut to a sane length.

Compound words
--------------
"Strategie" also finds "Datenstrategie" and "Digitalisierungsstrategie" through a
*query-side* expansion over the index's own vocabulary (a lexicon built from the index, no
dictionary): every document indexes the reversed stems of its long words in the
``compounds`` field, so the stems that end with a query word's stem are one lexicon prefix
scan away ("igetarts…" finds "igetartsnetad" = "datenstrategi"). The expansions are OR-ed in
with at most ``COMPOUND_WEIGHT`` of the weight an exact match of the same rarity gets, so
compounds always rank below exact hits. The head is also stemmed as it would be inside a
compound (``head_terms``): "Planung" finds "Verkehrsplanung", whose stem is "verkehrsplan".

Trade-offs, compared with splitting words at index time (indexing every suffix, or heads at
linking points such as the Fugen-s):

* one small extra term per long word instead of one per possible split point, so indexing
  speed and index size stay close to plain stemming; any compound the corpus contains is
  found, with no lexicon of German word parts to maintain, and no split-point heuristics
  ("Digitalisierungs|strategie" and "Daten|strategie" need no rule);
* it finds heads only (the last part, "Strategie" in "Datenstrategie"), not modifiers
  ("Daten" — the prefix search ``daten*`` does that);
* a head needs four letters and the rest of the word three, so "Amt" does not find "Bauamt"
  and "Welt" does not find "Umwelt"; a word that merely ends like another ("Flugplan" for
  "Planung") can slip in, ranked low; a query word expands to at most ``MAX_EXPANSIONS`` of
  its most frequent compounds;
* the expansion reads the lexicon at query time (a prefix scan per word), which costs far
  less than the postings of index-time splitting would.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Iterable

from whoosh import query as wq
from whoosh.query.compound import DefaultOr

from .analysis import MIN_MODIFIER, fold, head_terms, is_stopword, term_for, words
from ._schema import COMPOUND_FIELDS, TEXT_FIELD_BOOSTS

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 32
MAX_PHRASE_WORDS = 16
MAX_DEPTH = 4
MAX_EXPANSIONS = 40
MAX_CACHED_EXPANSIONS = 20_000  # words whose expansions one index generation keeps
MAX_PREFIX_TERMS = 200
COMPOUND_WEIGHT = 0.3
MAX_COMPOUND_SCAN = 2000  # lexicon entries one head may expand to before the cut

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


# --- compiling to Whoosh ----------------------------------------------------------------------


@dataclass
class HighlightTerms:
    """What to mark in a text: index terms and folded prefixes (for the body field)."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: list[tuple[str, ...]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.phrases)


class Compiler:
    """Turn a syntax tree into a Whoosh query against one reader (for the expansions)."""

    def __init__(self, searcher, expansions: dict[str, list[str]] | None = None, leaves=None) -> None:
        """``expansions``: a cache of ``compound_terms`` shared by searches of the same index
        generation (the expansions depend on the lexicon only); ``leaves``: the generation's
        segments (``_segments.LeafView``), whose lexicon scans are cached across generations."""
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = leaves
        self.highlight = HighlightTerms()
        self._expansions: dict[str, list[str]] = expansions if expansions is not None else {}

    def compile(self, clauses: list[Clause], collect: bool = True) -> wq.Query | None:
        positives = [self._clause(c, collect) for c in clauses if not c.negated]
        negatives = [self._clause(c, False) for c in clauses if c.negated]
        positives = [q for q in positives if q is not None]
        negatives = [q for q in negatives if q is not None]
        if not positives and not negatives:
            return None
        base: wq.Query = wq.And(positives) if len(positives) > 1 else (positives[0] if positives else wq.Every())
        if negatives:
            return wq.AndNot(base, _or(negatives) if len(negatives) > 1 else negatives[0])
        return base

    def _clause(self, clause: Clause, collect: bool = True) -> wq.Query | None:
        parts = [self._node(node, collect) for node in clause.alternatives]
        parts = [q for q in parts if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else _or(parts)

    def _node(self, node: Node, collect: bool) -> wq.Query | None:
        if isinstance(node, Group):
            return self.compile(node.clauses, collect)
        compiled = self._leaf(node, collect)
        if compiled is not None and node.weight != 1.0:
            # The ranking multiplies a subtree by its OR's boost; matching ignores it.
            return DefaultOr([compiled], boost=node.weight)
        return compiled

    def _leaf(self, node: Word | Phrase, collect: bool) -> wq.Query | None:
        fields = (node.field,) if node.field else TEXT_FIELDS
        if isinstance(node, Phrase):
            terms = [term_for(w) for w in node.words]
            if collect:
                self.highlight.phrases.append(tuple(terms))
            subs = [wq.Phrase(f, terms, boost=TEXT_FIELD_BOOSTS[f]) for f in fields
                    if all((f, t) in self.reader for t in set(terms))]
            if not subs:
                return wq.Term(fields[0], terms[0] + " " + terms[-1])  # matches nothing
            return subs[0] if len(subs) == 1 else _or(subs)
        if node.prefix:
            return self._prefix(node.text, fields, collect)
        term = term_for(node.text)
        if not term:
            return None
        # Fields without the term are left out: every clause costs time in the union matcher.
        subs: list[wq.Query] = [wq.Term(f, term, boost=TEXT_FIELD_BOOSTS[f]) for f in fields
                                if (f, term) in self.reader]
        if collect:
            self.highlight.terms.add(term)
        expansions = self.compound_terms(node.text)
        if expansions:
            if collect:
                self.highlight.terms.update(expansions)
            for f in fields:
                if f in COMPOUND_FIELDS:
                    subs.extend(self._expansion_terms(f, term, expansions))
        if not subs:
            return wq.Term(fields[0], term)  # matches nothing, so that AND still fails
        return subs[0] if len(subs) == 1 else _or(subs)

    def _prefix(self, text: str, fields: tuple[str, ...], collect: bool) -> wq.Query | None:
        folded = fold(text)
        stemmed = term_for(text)
        starts = {folded}
        if len(stemmed) >= 2:
            starts.add(stemmed)
        if collect:
            self.highlight.prefixes.update(starts)
        subs: list[wq.Query] = []
        for f in fields:
            found: dict[str, int] = {}
            for start in starts:
                for btext in _take(self.reader.expand_prefix(f, start), MAX_PREFIX_TERMS * 5):
                    t = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                    found[t] = self.reader.doc_frequency(f, t)
            best = sorted(found, key=lambda t: (-found[t], t))[:MAX_PREFIX_TERMS]
            subs.extend(wq.Term(f, t, boost=TEXT_FIELD_BOOSTS[f]) for t in best)
        if not subs:
            # Nothing starts like this: keep a term that matches nothing, so that AND still fails.
            return wq.Term(fields[0], folded)
        return _or(subs)

    def compound_terms(self, word: str) -> list[str]:
        """Index terms of compounds that end with ``word`` (see the module docstring)."""
        cached = self._expansions.get(word)  # one lookup: another search may clear the cache
        if cached is not None:
            return cached
        term = term_for(word)
        # compound → the number of documents holding it, read with the lexicon scan itself
        # (the compounds field has one entry per document and word): a lookup per candidate
        # in the text fields cost more than the rest of the search for a common head.
        frequency: dict[str, int] = {}
        for head in head_terms(word):
            for reversed_term, count in self._prefix_scan("compounds", head[::-1]):
                if len(reversed_term) - len(head) >= MIN_MODIFIER:
                    compound = reversed_term[::-1]
                    frequency[compound] = frequency.get(compound, 0) + count
        frequency.pop(term, None)
        found = list(frequency)
        if len(found) > MAX_EXPANSIONS:
            found = sorted(found, key=lambda t: (-frequency[t], t))[:MAX_EXPANSIONS]
        result = sorted(found)
        if len(self._expansions) >= MAX_CACHED_EXPANSIONS:
            self._expansions.clear()
        self._expansions[word] = result
        return result

    def _prefix_scan(self, fieldname: str, prefix: str):
        """(term, document count) of the lexicon entries starting with ``prefix``.

        With the generation's segments known, each segment's scan is cached beyond the
        generation (``_segments``): an upload adds a small segment, and only that is scanned.
        """
        if self.leaves is None:
            for btext, info in _take(self.reader.iter_prefix(fieldname, prefix), MAX_COMPOUND_SCAN):
                yield (btext.decode("utf-8") if isinstance(btext, bytes) else btext), info.doc_frequency()
            return
        from ._segments import SEGMENTS

        for (leaf, _), leaf_view in zip(self.reader.leaf_readers(), self.leaves):
            yield from SEGMENTS.prefix_frequencies(leaf, leaf_view, fieldname, prefix, MAX_COMPOUND_SCAN).items()

    def _expansion_terms(self, fieldname: str, term: str, expansions: list[str]) -> list[wq.Query]:
        """Compound terms weighted so that they never outscore an exact match of equal rarity.

        BM25 rewards rare terms; a compound is rarer than its head, so its weight is scaled by
        idf(head) / idf(compound) on top of the fixed compound weight.
        """
        # The weights depend on the lexicon only, so one index generation computes them once:
        # they cost three document-frequency lookups per compound and field.
        key = (fieldname, term, tuple(expansions))
        weighted = self._expansions.get(key)  # type: ignore[call-overload]
        if weighted is None:
            base_idf = self._idf(fieldname, term)
            weighted = []
            documents = max(self.reader.doc_count_all(), 1)
            for compound in expansions:
                frequency = self.reader.doc_frequency(fieldname, compound)
                if not frequency:
                    continue
                scale = min(1.0, base_idf / (math.log(documents / (frequency + 1)) + 1.0))  # see _idf
                weighted.append((compound, TEXT_FIELD_BOOSTS[fieldname] * COMPOUND_WEIGHT * scale))
            if len(self._expansions) >= MAX_CACHED_EXPANSIONS:
                self._expansions.clear()
            self._expansions[key] = weighted  # type: ignore[index]
        return [wq.Term(fieldname, compound, boost=boost) for compound, boost in weighted]

    def _idf(self, fieldname: str, term: str) -> float:
        # Whoosh's BM25F idf; always > 0 because df <= n.
        n = max(self.reader.doc_count_all(), 1)
        return math.log(n / (self.reader.doc_frequency(fieldname, term) + 1)) + 1.0


def _or(subqueries: list[wq.Query]) -> wq.Query:
    """An OR that scores lazily.

    Whoosh's plain ``Or`` pre-loads and scores every posting of every clause on indexes of up
    to 5 000 documents; the binary tree of union matchers scores only what is collected.
    """
    return DefaultOr(subqueries)


def _take(iterable, limit: int):
    for count, item in enumerate(iterable):
        if count >= limit:
            return
        yield item
