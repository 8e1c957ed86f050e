"""Typo tolerance: a query word the index does not know, replaced by the nearest one it knows.

Rules (issue 16), chosen so that tolerance never floods a result:

* only a word that matches nothing is corrected, so a word of the corpus never is;
* it needs ``MIN_LENGTH`` letters after folding and gets one edit, two from
  ``TWO_EDITS_FROM`` letters on; edits are Damerau-Levenshtein, so "Ausschreibnug" is one
  swap away from "Ausschreibung", and are counted after folding, so "Buergerbeteilgung" is
  one edit from "Bürgerbeteiligung";
* candidates come from the index's own vocabulary (the ``words`` field: every word of
  titles, descriptions, texts, projects and municipalities); of the nearest, the one most
  documents the searcher may see contain wins, and one only unpublished documents contain
  is never offered.

Whoosh's ``terms_within`` walks the lexicon with a Levenshtein automaton; the first letter
(the first two for two edits) must be right, which keeps a lookup at a few milliseconds on a
vocabulary of 200 000 words. Lookups are cached per index generation.
"""
from __future__ import annotations

from typing import Callable

from whoosh.support.levenshtein import distance

from .analysis import transliterate, fold, term_for

MIN_LENGTH = 6
TWO_EDITS_FROM = 10
#: Candidates looked at per word (the automaton yields them in lexicon order).
MAX_CANDIDATES = 50
VOCABULARY_FIELD = "words"


def max_edits(word: str) -> int:
    """Edits allowed for ``word``: none below six letters, one, two from ten letters on."""
    length = len(fold(word))
    if length < MIN_LENGTH or not word.isalpha():
        return 0
    return 1 if length < TWO_EDITS_FROM else 2


def candidates(reader, word: str, cache: dict | None = None) -> list[tuple[int, str]]:
    """(edits, vocabulary word) near ``word``, nearest first; cached in ``cache`` if given."""
    key = ("typo", word.lower())
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    edits = max_edits(word)
    found: dict[str, int] = {}
    if edits:
        lowered = word.lower()
        target = fold(word)
        for form in {lowered, transliterate(lowered)}:
            for count, candidate in enumerate(reader.terms_within(VOCABULARY_FIELD, form, edits, prefix=edits)):
                if count >= MAX_CANDIDATES:
                    break
                if candidate == lowered or candidate in found:
                    continue
                folded = fold(candidate)
                if folded == target:
                    continue  # the same word in other letters, which the analysis already folds
                apart = distance(folded, target, limit=edits + 1)
                if apart <= edits:
                    found[candidate] = apart
    result = sorted(((apart, candidate) for candidate, apart in found.items()))
    if cache is not None:
        cache[key] = result
    return result


def correction(reader, word: str, visible_documents: Callable[[str], int], cache: dict | None = None) -> str | None:
    """The correction of ``word``: nearest first, then the most documents the searcher may see.

    ``visible_documents(term)`` counts the documents with the index term that the searcher
    may see; a candidate with none is never offered (it would reveal an unpublished word).
    """
    best: tuple[int, int, str] | None = None
    for apart, candidate in candidates(reader, word, cache):
        if best is not None and apart > best[0]:
            break
        seen = visible_documents(term_for(candidate))
        if seen and (best is None or (apart, -seen, candidate) < best):
            best = (apart, -seen, candidate)
    return best[2] if best else None


#: Letters a prefix correction may insert or substitute.
_ALPHABET = "abcdefghijklmnopqrstuvwxyzäöüß"
#: A typed prefix needs this many letters before it is corrected (autocomplete).
MIN_PREFIX_LENGTH = 5
MAX_PREFIX_CORRECTIONS = 8


def prefix_variants(typed: str) -> list[str]:
    """The prefixes one edit (the first letter kept) from ``typed``, in the order both engines try
    them: longest first, since a variant that keeps every typed letter beats one that drops the
    last. Empty for what is too short or not a word."""
    lowered = typed.lower()
    if len(lowered) < MIN_PREFIX_LENGTH or not lowered.isalpha():
        return []
    variants: set[str] = set()
    for at in range(1, len(lowered) + 1):
        head, tail = lowered[:at], lowered[at:]
        if tail:
            variants.add(head + tail[1:])
            for letter in _ALPHABET:
                variants.add(head + letter + tail[1:])
        if len(tail) > 1:
            variants.add(head + tail[1] + tail[0] + tail[2:])
        for letter in _ALPHABET:
            variants.add(head + letter + tail)
    variants.discard(lowered)
    return [v for v in sorted(variants, key=lambda v: (-len(v), v)) if len(v) >= MIN_PREFIX_LENGTH - 1]


def prefix_corrections(reader, typed: str) -> list[str]:
    """Prefixes one edit from ``typed`` (after its first letter) that some vocabulary word starts with.

    For autocomplete, where the word is not finished: every variant is looked up as a
    lexicon prefix (a few hundred seeks, each far cheaper than a scan of the vocabulary).
    """
    found: list[str] = []
    for variant in prefix_variants(typed):
        if next(iter(reader.expand_prefix(VOCABULARY_FIELD, variant)), None) is not None:
            found.append(variant)
            if len(found) >= MAX_PREFIX_CORRECTIONS:
                break
    return found
