"""Running headers and footers: the lines a document repeats on its pages.

A PDF prints its header ("Stadt Fulda – Datenstrategie 2024") and footer ("Seite 3 von 12") on
every page, so a snippet or an excerpt of its text is full of them. Only extraction sees the
pages, so it finds these lines and records them (``properties["running_lines"]``); the text
itself keeps them and stays searchable. Whoever shows a piece of the text leaves them out with
``without_running_lines``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

#: The key of ``properties`` that holds the running lines (as ``line_key`` gives them).
PROPERTY = "running_lines"
# Headers and footers sit at the top and the bottom of a page.
_EDGE_LINES = 3
# A line on at least this share of the pages (and on two at least) runs through the document.
_SHARE = 0.6
_MAX_LINES = 20
_MAX_LINE_CHARS = 200
_NUMBERS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """A line as it is compared across pages: numbers (the page number) do not count, nor do
    case and spacing."""
    return _NUMBERS.sub("#", " ".join(line.split())).casefold()


def _lines(text: str) -> list[str]:
    return [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]


def running_lines(pages: Iterable[str]) -> list[str]:
    """The keys of lines that stand at the top or bottom of most pages."""
    counts: Counter[str] = Counter()
    page_count = 0
    for page in pages:
        page_count += 1
        lines = _lines(page)
        counts.update({line_key(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]})
    if page_count < 2:
        return []
    needed = max(2, math.ceil(_SHARE * page_count))
    found = sorted(key for key, count in counts.items() if count >= needed and len(key) <= _MAX_LINE_CHARS)
    return found[:_MAX_LINES]


def margin_lines(texts: Iterable[str]) -> list[str]:
    """The keys of every line of a document's header and footer parts (Word keeps them apart)."""
    found = sorted({line_key(line) for text in texts for line in _lines(text)
                    if len(line_key(line)) <= _MAX_LINE_CHARS})
    return found[:_MAX_LINES]


def without_running_lines(text: str, keys: Iterable[str] | None) -> str:
    """``text`` less the lines whose key is one of ``keys``; unchanged without keys."""
    wanted = set(keys or ())
    if not wanted or not text:
        return text
    return "\n".join(line for line in text.split("\n") if line_key(line) not in wanted)
