"""Snippets with the query's words marked: escaped text, ``<mark>`` around each match.

Written by hand rather than with ``whoosh.highlight`` because it reuses the cached word
analysis (a dictionary lookup per word instead of Whoosh's token pipeline), which keeps
highlighting a page of long documents within a few milliseconds.
"""
from __future__ import annotations

import itertools
import re

from markupsafe import Markup, escape

from ._analysis import WORD_PATTERN, fold, term_for
from ._query import HighlightTerms

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
    pieces = [_render(scanned, windows[i]) for i in sorted(ranked)]
    return Markup(" … ").join(pieces)


# Word boundaries as the index tokenizer draws them ("z.B." is one word).
_BEFORE = r"(?<![\w.])(?:"
_AFTER = r")(?!\w|\.\w)"


def _alternatives(words: list[str]) -> str:
    return "(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")"


def _render(text: str, window: list[tuple[int, int, str]]) -> Markup:
    start = max(0, window[0][0] - CONTEXT_CHARS)
    end = min(len(text), window[-1][1] + CONTEXT_CHARS)
    # Cut at word boundaries so that no fragment starts or ends in the middle of a word.
    if start > 0:
        space = text.find(" ", start, window[0][0])
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", window[-1][1], end)
        end = space if space != -1 else end
    out = [Markup("…") if start > 0 else Markup("")]
    cursor = start
    for match_start, match_end, _term in window:
        out.append(escape(_squash(text[cursor:match_start])))
        out.append(Markup("<mark>") + escape(text[match_start:match_end]) + Markup("</mark>"))
        cursor = match_end
    out.append(escape(_squash(text[cursor:end])))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


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
