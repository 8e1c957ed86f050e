"""German text analysis shared by every search backend: one canonical form for a word however
it is typed, computed once, in Python, so that each engine finds the same documents.

The pipeline for every word, at index time and at query time alike:

1. lower-case, ``ß`` → ``ss``;
2. typed transliterations back to umlauts: ``ae``/``oe``/``ue`` → ``ä``/``ö``/``ü`` unless a
   vowel precedes them (``Steuer``, ``Bauer``, ``neue`` keep their diphthongs) and ``ue``
   after ``q`` (``Quelle``). "Buergerbeteiligung" and "Bürgerbeteiligung" become one word;
3. the Snowball German stemmer, which itself removes the umlaut accents, so that plural
   umlauts conflate too ("Abfälle" ~ "Abfall", "Häuser" ~ "Haus");
4. any other accent is removed ("Café" ~ "Cafe").

Mapping ``ae`` → ``ä`` (rather than ``ä`` → ``ae``) keeps the stemmer's umlaut handling; the
price is a few compounds whose parts meet at such a pair ("Kita|eltern" becomes "Kitältern"),
which are then not found by their head word alone. Exact matches are never affected because
both sides run through the same function.

Stop words stay in the index with their positions, so a phrase such as
"Konzept für die Digitalisierung" matches exactly that text; the query builder drops them
from unquoted queries instead.

A backend indexes ``term_positions(text)`` (term → its word positions; positions count every
word, also the over-long ones that are dropped, so that a phrase never matches across a
dropped word), ``adjacent_pairs`` (a position-less term per two adjacent words, which answers
phrases from the inverted index), ``compound_keys`` for the compound lookup, and searches with
``term_for``, ``fold`` and ``head_terms``. Only the Snowball stemmer and the German stop list
come from Whoosh's language package (pure Python text utilities, not the index engine).
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

#: Words longer than this are junk (base64, hashes, tables without spaces) and not indexed.
MAX_WORD_LENGTH = 60

# Whoosh's default word pattern: "z.B." stays one token, "Kita-App" is two.
WORD_PATTERN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)

_TRANSLITERATION = re.compile(r"(?<![aeiouyäöü])(ae|oe|(?<!q)ue)")
_UMLAUT_FOR = {"ae": "ä", "oe": "ö", "ue": "ü"}
_stem = stemmer_for_language("de")

# An unbounded cache would grow with every junk token of every document; clearing it now and
# then costs a few re-stems.
_TERM_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 300_000


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def transliterate(lowered: str) -> str:
    lowered = lowered.replace("ß", "ss").replace("ẞ", "ss")
    if "e" in lowered:
        lowered = _TRANSLITERATION.sub(lambda m: _UMLAUT_FOR[m.group(1)], lowered)
    return lowered


def term_for(word: str) -> str:
    """The index term of one word: folded and stemmed (cached)."""
    term = _TERM_CACHE.get(word)
    if term is None:
        term = _strip_accents(_stem(transliterate(word.lower())))
        if len(_TERM_CACHE) >= _CACHE_LIMIT:
            _TERM_CACHE.clear()
        _TERM_CACHE[word] = term
    return term


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """A word folded like ``term_for`` but not stemmed: for prefixes and compound heads."""
    return _strip_accents(transliterate(word.lower()))


def sort_key(text: str) -> str:
    """German dictionary order (DIN 5007-1): ä = a, ö = o, ü = u, ß = ss, case ignored.

    Leading quotes and punctuation are ignored so that „Smart City“ sorts under S.
    """
    folded = _strip_accents(text.replace("ß", "ss").replace("ẞ", "ss").casefold())
    folded = " ".join(folded.split())
    match = re.search(r"\w", folded)
    return folded[match.start():] if match else folded


def words(text: str) -> list[str]:
    """The raw words of ``text`` as the index tokenizer sees them."""
    return [w for w in WORD_PATTERN.findall(text) if len(w) <= MAX_WORD_LENGTH]


def term_positions(text: str) -> dict[str, list[int]]:
    """Each index term of ``text`` with the positions of its words (the hot loop of indexing).

    A position counts every word, the over-long ones too, which are not indexed themselves.
    """
    cache = _TERM_CACHE
    poses: defaultdict[str, list[int]] = defaultdict(list)
    for pos, word in enumerate(WORD_PATTERN.findall(text)):
        if len(word) <= MAX_WORD_LENGTH:
            term = cache.get(word)
            if term is None:
                term = term_for(word)
            poses[term].append(pos)
    return poses


# Words that carry no meaning in an unquoted query. Taken from Whoosh's German list minus
# words that do narrow a search ("machen", "weg", "ohne", "gegen").
_STOPWORDS_RAW = stoplists["de"] - {"machen", "weg", "ohne", "gegen"}
STOP_FOLDED = frozenset(fold(w) for w in _STOPWORDS_RAW) | frozenset({"fuer", "ueber", "waehrend"})


def is_stopword(word: str) -> bool:
    return fold(word) in STOP_FOLDED or word.lower() in _STOPWORDS_RAW


#: The index terms of the stop words: the frequent words whose phrases cost most to check over
#: positions ("und", "der", "im").
STOP_TERMS = frozenset(term_for(w) for w in _STOPWORDS_RAW | STOP_FOLDED)


def pair_term(first: str, second: str) -> str:
    """The word-pair term of two index terms that follow each other (no term has a space)."""
    return f"{first} {second}"


def is_common_pair(first: str, second: str) -> bool:
    """Whether a pair of index terms holds a stop word (``adjacent_pairs(common_only=True)``)."""
    return first in STOP_TERMS or second in STOP_TERMS


def adjacent_pairs(text: str, common_only: bool = False) -> set[str]:
    """The pair term of every two index terms at positions ``p`` and ``p + 1`` of ``text``;
    with ``common_only``, of those holding a stop word (``is_common_pair``).

    A two-word phrase is then one lookup of a position-less term, and a longer one the
    intersection of its pairs, instead of reading the positions of every document holding its
    words. Adjacency follows ``term_positions`` exactly: a dropped over-long word keeps its
    position, so the words around it form no pair.
    """
    cache = _TERM_CACHE
    stops = STOP_TERMS
    pairs: set[str] = set()
    previous: str | None = None
    for word in WORD_PATTERN.findall(text):
        if len(word) > MAX_WORD_LENGTH:
            previous = None
            continue
        term = cache.get(word)
        if term is None:
            term = term_for(word)
        if previous is not None and (not common_only or previous in stops or term in stops):
            pairs.add(f"{previous} {term}")
        previous = term
    return pairs


def phrase_pairs(terms: list[str]) -> list[str]:
    """The pair terms a phrase of ``terms`` needs, in order, each once."""
    return list(dict.fromkeys(pair_term(a, b) for a, b in zip(terms, terms[1:])))


def compound_keys(unique_words: set[str]) -> list[str]:
    """Reversed stems of the long words of a document, for the compound lookup.

    A query word then finds the compounds that end with it by one lexicon prefix scan (see
    ``_query``): "Datenstrategie" is indexed as "igetartsnetad", which starts with the
    reversed stem of "Strategie".
    """
    keys: set[str] = set()
    for word in unique_words:
        if len(word) >= MIN_COMPOUND_LENGTH:
            term = term_for(word)
            if len(term) >= MIN_COMPOUND_LENGTH:
                keys.add(term[::-1])
    return sorted(keys)


def head_terms(word: str) -> set[str]:
    """The stems ``word`` can have as the last part of a compound.

    The Snowball stemmer only strips a suffix inside the word's "R2" region, which starts
    later in a short word: "Planung" keeps its "-ung" while "Verkehrsplanung" becomes
    "verkehrsplan". Stemming the word behind a dummy modifier gives its in-compound stem.
    """
    heads = {term_for(word)}
    dummy = "abab"  # vowel-consonant pairs put R1 and R2 right after the dummy
    inner = _stem(dummy + transliterate(word.lower()))
    if inner.startswith(dummy):
        heads.add(_strip_accents(inner[len(dummy):]))
    return {head for head in heads if len(head) >= MIN_HEAD}


#: A compound needs a modifier of at least this many characters before its head ...
MIN_MODIFIER = 3
#: ... and a head of at least this many ("Amt" in "Bauamt" is too short to trust).
MIN_HEAD = 4
MIN_COMPOUND_LENGTH = MIN_MODIFIER + MIN_HEAD
