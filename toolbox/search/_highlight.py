"""Snippets with the query's words marked: escaped text, ``<mark>`` around each match.

Written by hand rather than with ``whoosh.highlight`` because it reuses the cached word
analysis (a dictionary lookup per word instead of Whoosh's token pipeline). Only the words
that can match are analysed: a word's index term is a prefix of its folded form, so a scan in C
for the query's stems over a lower-cased, umlaut-folded copy of the text (``_spotter``) finds
them, and the exact analysis decides. Texts with letters that copy does not fold (ligatures,
other scripts) are analysed word by word as before (``_all_matches``).
"""
from __future__ import annotations

import heapq
import itertools
import re
import unicodedata

from markupsafe import Markup, escape

from .analysis import MAX_WORD_LENGTH, WORD_PATTERN, fold, term_for
from ._syntax import HighlightTerms
from .backend import current_source

MAX_SCAN_CHARS = 300_000
FRAGMENTS = 3
CONTEXT_CHARS = 70
FRAGMENT_CHARS = 220
FALLBACK_CHARS = 240
# Enough matches to choose the best three fragments from; a long text may hold thousands.
MAX_MATCHES = 80


def highlight(text: str, wanted: HighlightTerms) -> Markup:
    """Up to three fragments of ``text`` around matches, or an empty string without any."""
    if not text or not wanted:
        return Markup("")
    scanned = text[:MAX_SCAN_CHARS]
    spotter = _spotter(wanted)
    folded = _spot_text(scanned) if spotter is not None else None
    if spotter is not None and folded is not None:
        matches = _spotted_matches(scanned, folded, wanted, spotter)
    else:
        # Letters the pre-scan does not fold (ligatures, other scripts): analyse every word.
        matches = _all_matches(scanned, wanted)
    if not matches:
        return Markup("")

    # Group matches into windows, score each by distinct terms then number of matches.
    windows: list[list[tuple[int, int, str]]] = []
    for item in matches:
        if windows and item[1] - windows[-1][0][0] <= FRAGMENT_CHARS - 2 * CONTEXT_CHARS:
            windows[-1].append(item)
        else:
            windows.append([item])
    ranked = sorted(range(len(windows)),
                    key=lambda i: (-len({m[2] for m in windows[i]}), -len(windows[i]), i))[:FRAGMENTS]
    # Fragments whose stretches of text meet or overlap become one: two fragments side by side
    # would otherwise read "… …" with nothing left out between them.
    spans: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    for i in sorted(ranked):
        start, end = _span(text, windows[i])
        if spans and start <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]), spans[-1][2] + windows[i])
        else:
            spans.append((start, end, list(windows[i])))
    pieces = [_render(text, window, start, end) for start, end, window in spans]
    # Each piece carries "…" where it cuts the text; between two pieces one "…" says so once.
    out = Markup("…") if spans[0][0] > 0 else Markup("")
    out += Markup(" … ").join(pieces)
    return out + (Markup("…") if spans[-1][1] < len(text) else Markup(""))


def _spotted_matches(scanned: str, folded: str, wanted: HighlightTerms,
                     spotter: list[re.Pattern]) -> list[tuple[int, int, str]]:
    """The matches of ``_all_matches``, found by analysing only the words the spotter finds.

    A word's index term is a prefix of its folded form, so every word that can match contains
    one of the query's stems or prefixes, typed with or without umlauts, ß, accents, in any
    case. One scan in C over ``folded`` (``scanned`` as ``_spot_text`` gives it, position for
    position) finds those places; only the words there go through the analysis.
    """
    terms = wanted.terms
    prefixes = tuple(wanted.prefixes)
    phrases = [p for p in wanted.phrases if p]
    firsts = {phrase[0] for phrase in phrases}
    find_word = WORD_PATTERN.search
    matches: list[tuple[int, int, str]] = []
    phrase_matches: list[tuple[int, int, str]] = []
    after = 0  # end of the last analysed word: one word may hold several spots
    spots = (spotter[0].finditer(folded) if len(spotter) == 1
             else heapq.merge(*(pattern.finditer(folded) for pattern in spotter), key=lambda m: m.start()))
    for spot in spots:
        if spot.start() < after:
            continue
        # The word around the spot: words never hold white space, so start after the last one
        # (or at the end of the last word analysed, also a word boundary).
        low = max(after, spot.start() - 2 * MAX_WORD_LENGTH)
        run = _TRAILING_NON_SPACE.search(scanned, low, spot.start())
        origin = run.start() if run.start() > low or low == after else after
        word = find_word(scanned, origin)
        while word is not None and word.end() <= spot.start():
            word = find_word(scanned, word.end())
        if word is None:
            break
        after = word.end()
        if word.start() > spot.start():
            continue  # the spot straddled a non-word character
        surface = word.group(0)
        term = term_for(surface)
        if len(matches) < MAX_MATCHES and (
                term in terms or (prefixes and (term.startswith(prefixes) or fold(surface).startswith(prefixes)))):
            matches.append((word.start(), word.end(), term))
        if term in firsts and len(phrase_matches) < MAX_MATCHES:
            for phrase in phrases:
                if phrase[0] != term:
                    continue
                end, following = word.end(), word
                for wanted_term in phrase[1:]:
                    following = find_word(scanned, end)
                    if following is None or term_for(following.group(0)) != wanted_term:
                        break
                    end = following.end()
                else:
                    phrase_matches.append((word.start(), end, " ".join(phrase)))
                    break
        if len(matches) >= MAX_MATCHES and (not phrases or len(phrase_matches) >= MAX_MATCHES):
            break
    if phrase_matches:
        merged: list[tuple[int, int, str]] = []
        for item in sorted(matches + phrase_matches, key=lambda m: (m[0], -m[1])):
            if merged and item[0] < merged[-1][1]:
                if item[1] > merged[-1][1]:
                    merged[-1] = (merged[-1][0], item[1], merged[-1][2])
                continue
            merged.append(item)
        matches = merged
    return matches


# After ``_spot_text``: a letter left outside ASCII is one the spotter cannot see through.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# The same letter, one character for one: ß stands for the "s" of "ss" (see ``_tolerant``).
_SPOT_FOLDS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "s"), ("é", "e"), ("è", "e"), ("ê", "e"),
               ("ë", "e"), ("à", "a"), ("á", "a"), ("â", "a"), ("ç", "c"), ("ñ", "n"), ("ó", "o"),
               ("ô", "o"), ("ú", "u"), ("û", "u"), ("í", "i"), ("ì", "i"), ("î", "i"), ("ï", "i"))
_TRAILING_NON_SPACE = re.compile(r"\S*\Z")


def _spot_text(text: str) -> str | None:
    """``text`` lower-cased with umlauts, ß and common accents as plain letters, character for
    character; None when a letter remains that this does not fold (or the length changes)."""
    folded = text.lower()
    if len(folded) != len(text):
        return None
    if not folded.isascii():
        for letter, plain in _SPOT_FOLDS:
            if letter in folded:
                folded = folded.replace(letter, plain)
        # A word character as the tokenizer's ``\w`` sees it, folded as ``term_for`` folds it
        # ("m²" is the term "m2"). One that does not fold to exactly one character ("ﬁ") would
        # shift every position after it: then the text is analysed word by word.
        for char in set(_NON_ASCII.findall(folded)):
            if char.isalnum() or char == "_":
                plain = _single_fold(char)
                if plain is None:
                    return None
                if plain != char:
                    folded = folded.replace(char, plain)
    return folded


def _single_fold(char: str) -> str | None:
    """``char`` as ``analysis`` folds it after lower-casing (compatibility decomposition,
    accents dropped), or None when that is not one character."""
    plain = _FOLD_CACHE.get(char)
    if plain is None and char not in _FOLD_CACHE:
        decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        plain = decomposed if len(decomposed) == 1 and decomposed.lower() == decomposed else None
        _FOLD_CACHE[char] = plain
    return plain


_FOLD_CACHE: dict[str, str | None] = {}


def _tolerant(stem: str) -> str:
    """A pattern for ``stem`` in a ``_spot_text``: also as typed with ae/oe/ue or ß."""
    out, i = [], 0
    while i < len(stem):
        if stem.startswith("ss", i):
            out.append("ss?")  # "ss" or a ß
            i += 2
            continue
        char = stem[i]
        out.append(re.escape(char) + ("e?" if char in "aou" else ""))
        i += 1
    return "".join(out)


_SPOTTERS: dict[tuple, list[re.Pattern] | None] = {}


def _spotter(wanted: HighlightTerms) -> list[re.Pattern] | None:
    """Patterns for the stems and prefixes a matching word must contain, in a ``_spot_text``.

    One pattern per stem: each starts with a literal, which the regular expression engine
    searches for quickly; an alternation of them would be tried at every position."""
    phrases = [p for p in wanted.phrases if p]
    key = (frozenset(wanted.terms), frozenset(wanted.prefixes), tuple(phrases))
    if key in _SPOTTERS:
        return _SPOTTERS[key]
    stems = set(wanted.terms) | set(wanted.prefixes) | {phrase[0] for phrase in phrases}
    spotter = None
    if stems and all(stems):
        # A compound's stem contains its head's: spotting the head finds the compound too.
        by_length = sorted(stems, key=len)
        kept: list[str] = []
        for stem in by_length:
            if not any(shorter in stem for shorter in kept):
                kept.append(stem)
        spotter = [re.compile(_tolerant(stem)) for stem in kept]
    if len(_SPOTTERS) >= 256:
        _SPOTTERS.clear()
    _SPOTTERS[key] = spotter
    return spotter


def _all_matches(scanned: str, wanted: HighlightTerms) -> list[tuple[int, int, str]]:
    """Every match in ``scanned``, deciding word by word (the exact, slower way)."""
    terms = wanted.terms
    prefixes = tuple(wanted.prefixes)
    phrases = [p for p in wanted.phrases if p]
    # Decide per distinct word (a dictionary lookup each), then find the chosen words with
    # one regular expression: far cheaper than analysing every token of a long text.
    chosen = []
    surfaces: dict[str, list[str]] = {}  # phrase term → the words of this text that have it
    phrase_terms = {term for phrase in phrases for term in phrase}
    for word in set(WORD_PATTERN.findall(scanned)):
        term = term_for(word)
        if term in terms or (prefixes and (term.startswith(prefixes) or fold(word).startswith(prefixes))):
            chosen.append(word)
        if term in phrase_terms:
            surfaces.setdefault(term, []).append(word)
    matches: list[tuple[int, int, str]] = []
    if chosen:
        pattern = re.compile(_BEFORE + _alternatives(chosen) + _AFTER)
        matches = [(m.start(), m.end(), term_for(m.group(0)))
                   for m in itertools.islice(pattern.finditer(scanned), MAX_MATCHES)]
    for phrase in phrases:
        if all(term in surfaces for term in phrase):
            pattern = re.compile(_BEFORE + r"\W+".join(_alternatives(surfaces[t]) for t in phrase) + _AFTER)
            matches.extend((m.start(), m.end(), " ".join(phrase))
                           for m in itertools.islice(pattern.finditer(scanned), MAX_MATCHES))
    if phrases and matches:
        # A word inside a marked phrase is not marked a second time.
        merged: list[tuple[int, int, str]] = []
        for item in sorted(matches, key=lambda m: (m[0], -m[1])):
            if merged and item[0] < merged[-1][1]:
                if item[1] > merged[-1][1]:
                    merged[-1] = (merged[-1][0], item[1], merged[-1][2])
                continue
            merged.append(item)
        matches = merged
    return matches


# Word boundaries as the index tokenizer draws them ("z.B." is one word).
_BEFORE = r"(?<![\w.])(?:"
_AFTER = r")(?!\w|\.\w)"


def _alternatives(words: list[str]) -> str:
    return "(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")"


def _span(text: str, window: list[tuple[int, int, str]]) -> tuple[int, int]:
    """The stretch of ``text`` a fragment shows: its matches with some context, cut at words."""
    start = max(0, window[0][0] - CONTEXT_CHARS)
    end = min(len(text), window[-1][1] + CONTEXT_CHARS)
    # Cut at word boundaries so that no fragment starts or ends in the middle of a word.
    if start > 0:
        space = _WHITE.search(text, start, window[0][0])
        start = space.end() if space else start
    if end < len(text):
        spaces = [m.start() for m in _WHITE.finditer(text, window[-1][1], end)]
        end = spaces[-1] if spaces else end
    return start, end


_WHITE = re.compile(r"\s+")


def _render(text: str, window: list[tuple[int, int, str]], start: int, end: int) -> Markup:
    out = []
    cursor = start
    for match_start, match_end, _term in sorted(window):
        if match_start < cursor:
            continue  # merged fragments may share a match
        out.append(escape(_squash(text[cursor:match_start])))
        out.append(Markup("<mark>") + escape(text[match_start:match_end]) + Markup("</mark>"))
        cursor = match_end
    out.append(escape(_squash(text[cursor:end])))
    return Markup("").join(out).strip()


def _squash(text: str) -> str:
    """Line breaks and runs of spaces of extracted text become single spaces."""
    if not text:
        return text
    squashed = " ".join(text.split())
    if text[0].isspace():
        squashed = " " + squashed
    if text[-1].isspace() and squashed and not squashed.endswith(" "):
        squashed += " "
    return squashed


def opening(text: str) -> Markup:
    """The start of a text as a snippet when nothing matched (escaped, cut at a word)."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    if len(text) <= FALLBACK_CHARS:
        return escape(text)
    cut = text.rfind(" ", 0, FALLBACK_CHARS)
    return escape(text[: cut if cut > FALLBACK_CHARS // 2 else FALLBACK_CHARS]) + Markup("…")


def snippets(document_ids: list[int], wanted: HighlightTerms) -> dict[int, str]:
    """Each hit's snippet: highlighted fragments of its current text (from the database, through
    the backend's ``DocumentSource``), else of its description; its opening when nothing matched.
    Shared by every backend, so that snippets look the same whichever engine found the hits."""
    if not document_ids:
        return {}
    texts = current_source().snippet_texts(document_ids)
    found_snippets: dict[int, str] = {}
    for document_id in document_ids:
        found = texts.get(document_id)
        text = found.text if found is not None else ""
        description = found.description if found is not None else ""
        marked = highlight(text, wanted) if wanted else ""
        if not marked and wanted:
            marked = highlight(description, wanted)
        found_snippets[document_id] = marked or opening(description or text)
    return found_snippets
