"""Plain text, Markdown and CSV: decode with the right encoding, keep words apart."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from .detect import TEXT_BOMS
from .normalize import clean_value
from .normalize import normalize_text
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult

_SAMPLE_CHARS = 200_000
_CSV_DELIMITERS = ";,\t|"
# csv.Sniffer's regular expressions are slow on long input; a few KB tell enough.
_CSV_SNIFF_CHARS = 16 * 1024
_CSV_FIELD_LIMIT = 16 * 1024 * 1024
_MARKDOWN_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Decode a text file and, for CSV, lay out its rows as lines of " | "-separated cells."""
    raw = Path(path).read_bytes()
    text, encoding = decode(raw)
    properties: dict[str, Any] = {"encoding": encoding}
    title = None
    if detected.format == "csv":
        text, table_properties = csv_to_text(text)
        properties.update(table_properties)
    elif detected.format == "md":
        match = _MARKDOWN_TITLE.search(text[:_SAMPLE_CHARS])
        title = clean_value(match.group(1), 300) if match else None
    text = normalize_text(text)
    if detected.format != "csv":
        properties["lines"] = text.count("\n") + 1 if text else 0
    return text_result(detected, text, properties=properties, title=title, normalized=True)


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read with.

    Order: byte-order mark, strict UTF-8, Windows-1252, then charset-normalizer.
    Windows-1252 goes before the detector because German files are mostly that, and on
    short texts the detector guesses wildly ("Straße Größe" comes out as Urdu cp1006).
    It is only taken when the result looks like Latin-script text, so Cyrillic or Greek
    single-byte files still reach the detector.
    """
    for bom, encoding in TEXT_BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace"), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        candidate = raw.decode("cp1252")
    except UnicodeDecodeError:
        candidate = None
    if candidate is not None and _looks_latin(candidate):
        return candidate, "cp1252"
    from charset_normalizer import from_bytes  # imported late: most files never need it

    best = from_bytes(raw).best()
    if best is not None:
        return str(best), best.encoding
    return raw.decode("cp1252", errors="replace"), "cp1252"


def _looks_latin(text: str) -> bool:
    """True if most letters are ASCII, as in German, English or French text. Text in
    another script read as Windows-1252 is almost all accented letters ("Ïðèâåò")."""
    letters = [char for char in text[:_SAMPLE_CHARS] if char.isalpha()]
    if not letters:
        return True
    non_ascii = sum(1 for char in letters if ord(char) > 0x7F)
    return non_ascii / len(letters) < 0.3


def csv_to_text(text: str) -> tuple[str, dict[str, Any]]:
    """Rows as lines, non-empty cells joined by " | " so words of adjacent cells stay apart."""
    delimiter = _delimiter(text[:_CSV_SNIFF_CHARS].rsplit("\n", 1)[0])
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    lines: list[str] = []
    columns = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells = [" ".join(cell.split()) for cell in row]
            columns = max(columns, len(cells))
            cells = [cell for cell in cells if cell]
            if cells:
                lines.append(" | ".join(cells))
    except csv.Error:
        # Not really CSV after all (a stray quote, a giant field): keep the raw text.
        return text.replace(delimiter, " | ") if delimiter != "," else text, {"csv_error": True}
    delimiter_name = {"\t": "tab", ";": ";", ",": ",", "|": "|"}[delimiter]
    return "\n".join(lines), {"rows": len(lines), "columns": columns, "delimiter": delimiter_name}


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_CSV_DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        counts = {delimiter: first_line.count(delimiter) for delimiter in _CSV_DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","
