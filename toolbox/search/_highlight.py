"""Snippets with the query's words marked: escaped text, ``<mark>`` around each match.

Written by hand rather than with ``whoosh.highlight`` because it reuses the cached word
analysis (a dictionary lookup per word instead of Whoosh's token pipeline), which keeps
highlighting a page of long documents within a few milliseconds.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from ._analysis import WORD_PATTERN, fold, term_for
from ._query import HighlightTerms

MAX_SCAN_CHARS = 300_000
FRAGMENTS = 3
CONTEXT_CHARS = 70
FRAGMENT_CHARS = 220
FALLBACK_CHARS = 240


def highlight(text: str, wanted: HighlightTerms) -> Markup:
    """Up to three fragments of ``text`` around matches, or an empty string without any."""
    if not text or not wanted:
        return Markup("")
    scanned = text[:MAX_SCAN_CHARS]
    matches: list[tuple[int, int, str]] = []
    terms = wanted.terms
    prefixes = tuple(wanted.prefixes)
    phrases = [p for p in wanted.phrases if p]
    tokens: list[tuple[int, int, str]] = []
    for match in WORD_PATTERN.finditer(scanned):
        word = match.group(0)
        term = term_for(word)
        if phrases:
            tokens.append((match.start(), match.end(), term))
        if term in terms or (prefixes and (term.startswith(prefixes) or fold(word).startswith(prefixes))):
            matches.append((match.start(), match.end(), term))
    if phrases:
        matches = sorted(set(matches) | set(_phrase_spans(tokens, phrases)))
        # A word inside a marked phrase is not marked a second time.
        merged: list[tuple[int, int, str]] = []
        for item in matches:
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


def _phrase_spans(tokens: list[tuple[int, int, str]], phrases: list[tuple[str, ...]]):
    """(start, end, phrase) for every place where a phrase's terms follow each other."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    for index, (start, _end, term) in enumerate(tokens):
        for phrase in by_first.get(term, ()):
            length = len(phrase)
            if tuple(t[2] for t in tokens[index:index + length]) == phrase:
                yield (start, tokens[index + length - 1][1], " ".join(phrase))


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
