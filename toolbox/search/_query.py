"""Compiling the search box's syntax tree (``_syntax``) into a Whoosh query.

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

from whoosh import query as wq
from whoosh.query.compound import DefaultOr

from ._fields import COMPOUND_FIELDS, COMPOUND_WEIGHT, TEXT_FIELD_BOOSTS
from ._syntax import TEXT_FIELDS, Clause, Group, HighlightTerms, Node, Phrase, Word
from .analysis import MIN_MODIFIER, fold, head_terms, term_for

MAX_EXPANSIONS = 40
MAX_CACHED_EXPANSIONS = 20_000  # words whose expansions one index generation keeps
MAX_PREFIX_TERMS = 200
MAX_COMPOUND_SCAN = 2000  # lexicon entries one head may expand to before the cut


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
