"""What the text parsers share: the result they build from the text they read (DOCX, plain text
and the office formats), the office parsers' answer to a package whose XML declares a DTD, and
their way of reading a document property that may be malformed."""

from __future__ import annotations

from typing import Any

from . import messages
from .normalize import has_words
from .normalize import normalize_text
from .normalize import word_count
from .result import DetectedType
from .result import ExtractionResult

#: Characters of text an office file may yield. A spreadsheet of a million cells holds a few
#: million characters; past this the rest is not read, the properties say so ("truncated"), and
#: the child stays within its memory limit however large the sheet claims to be.
MAX_TEXT_CHARS = 20_000_000
#: The same for a spreadsheet: its cells are mostly numbers, and a sheet of a million of them
#: (8 MB of text) took 40 s to index in the request; the first half million characters hold
#: its names, headings and the start of every table.
MAX_SHEET_CHARS = 500_000


class TextBudget:
    """Counts the characters collected; `full` once the cap is reached."""

    def __init__(self, limit: int = MAX_TEXT_CHARS):
        self.limit = limit
        self.used = 0

    def take(self, text: str) -> bool:
        """Count `text`; False (and nothing counted) once the budget is spent."""
        if self.used >= self.limit:
            return False
        self.used += len(text) + 1
        return True

    @property
    def full(self) -> bool:
        return self.used >= self.limit


def text_result(
    detected: DetectedType,
    text: str,
    *,
    properties: dict[str, Any] | None = None,
    page_count: int | None = None,
    title: str | None = None,
    author: str | None = None,
    created: str | None = None,
    normalized: bool = False,
) -> ExtractionResult:
    """"ok" with the normalised text when it holds a word, else "empty"."""
    if not normalized:
        text = normalize_text(text)
    if has_words(text):
        status, message = "ok", messages.ok_words(word_count(text))
    else:
        status, message, text = "empty", messages.NO_TEXT, ""
    return ExtractionResult(
        status=status,
        message=message,
        text=text,
        format=detected.format,
        media_type=detected.media_type,
        page_count=page_count,
        title=title,
        author=author,
        created=created,
        properties=properties or {},
    )


def read_property(core: Any, name: str) -> Any:
    """A document property, or None where reading it fails: a malformed value (a revision of
    "abc", a date of "gestern") loses only that field."""
    try:
        return getattr(core, name)
    except MemoryError:
        raise
    except Exception:
        return None


def doctype_refused(detected: DetectedType) -> ExtractionResult:
    return ExtractionResult(
        status="failed",
        message=messages.OFFICE_DOCTYPE,
        format=detected.format,
        media_type=detected.media_type,
    )
