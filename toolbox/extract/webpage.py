"""HTML pages saved from a town's website or an intranet: their visible text, nothing else.

The standard library's tokenizer reads the page: it knows no DTDs or external entities, runs no
script and fetches nothing, and it survives any amount of broken markup, which real pages
have. Scripts, styles, templates and embedded SVG are skipped; block elements (paragraphs,
headings, list items, table rows) end a line, table cells are kept apart by " | " as in CSV.
The title is the page's <title>; headings (h1–h6) are counted for the accessibility check.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .normalize import clean_value
from .normalize import normalize_text
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult
from .text import decode

_SKIPPED = frozenset({"script", "style", "template", "noscript", "svg", "math", "head", "iframe", "object"})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot",
    "tr", "ul",
})
_CELLS = frozenset({"td", "th"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
# The bytes a page's meta element names its encoding in, when it is not UTF-8.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_MAX_CHARS = 5_000_000


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    raw = Path(path).read_bytes()
    markup, encoding = _decode(raw)
    reader = _VisibleText()
    reader.feed(markup[:_MAX_CHARS])
    reader.close()
    properties: dict[str, Any] = {"encoding": encoding, "accessibility": {"headings": reader.headings}}
    if reader.language:
        properties["language"] = clean_value(reader.language, 35)
    if len(markup) > _MAX_CHARS:
        properties["truncated"] = True
    title = clean_value(" ".join("".join(reader.title).split()), 300) or None
    return text_result(detected, normalize_text(reader.text()), properties=properties, title=title,
                       normalized=True)


def _decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 and the byte-order marks first (as for text files), then the charset the page names."""
    text, encoding = decode(raw)
    if encoding != "utf-8" and not encoding.startswith("utf"):
        named = _META_CHARSET.search(raw[:4096])
        if named:
            try:
                return raw.decode(named.group(1).decode("ascii"), errors="replace"), named.group(1).decode("ascii").lower()
            except (LookupError, UnicodeDecodeError):
                pass
    return text, encoding


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping: list[str] = []
        self.title: list[str] = []
        self.in_title = False
        self.headings = 0
        self.language: str | None = None
        self.cell_open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.language is None:
            self.language = next((value for name, value in attrs if name == "lang" and value), None)
        if tag == "title":
            self.in_title = True
        if tag == "body" and self.skipping == ["head"]:
            self.skipping = []  # </head> may be left out
        if self.skipping:
            if tag in _SKIPPED and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIPPED:
            self.skipping.append(tag)
            return
        if tag in _HEADINGS:
            self.headings += 1
        if tag in _CELLS:
            if self.cell_open:
                self.current.append(" | ")
            self.cell_open = True
        elif tag in _BLOCKS:
            self._end_line()
        elif tag == "img":
            alt = next((value for name, value in attrs if name == "alt" and value), None)
            if alt:
                self.current.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in _BLOCKS or tag == "tr":
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.skipping:
            self.current.append(data)

    def _end_line(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []
        self.cell_open = False

    def text(self) -> str:
        self._end_line()
        return "\n".join(self.lines)
