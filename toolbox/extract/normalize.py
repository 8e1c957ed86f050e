"""Text clean-up shared by all extractors, so the index sees one shape of text."""

from __future__ import annotations

import re
import unicodedata

# PDF fonts (LaTeX above all) set "fl", "fi", … as one ligature glyph; left in place,
# "Auﬂage" would never match a search for "Auflage". NFKC would fix these too but also
# rewrites ², ½ and full-width forms, so only the Latin ligatures are expanded.
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Control characters, soft hyphens (they split words: "Ver\xadwaltung"), zero-width
# characters, stray byte-order marks, lone surrogates and non-characters.
_DROP = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f"
    "\u00ad\u200b\u2060\ufeff\ud800-\udfff\ufffe\uffff]"
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFC-normalise, drop NULs and control characters, collapse runs of spaces, keep line
    breaks (at most one blank line in a row) and strip spaces at line ends."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _DROP.sub("", text)
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def has_words(text: str) -> bool:
    """True if the text holds at least one letter or digit."""
    return any(char.isalnum() for char in text)


def word_count(text: str) -> int:
    return len(text.split())


def clean_value(value: object, limit: int = 1000) -> str | None:
    """A metadata value as a short clean string, or None if there is nothing to show."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = normalize_text(str(value)).replace("\n", " ")
    return text[:limit] or None
