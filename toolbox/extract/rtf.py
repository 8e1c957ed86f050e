"""Rich Text Format (RTF) with striprtf.

striprtf is a small pure-Python reader, kept up to date on PyPI: it skips the destinations a
reader never sees (font and colour tables, pictures, embedded objects, fields' instructions, the
document information), decodes \\'hh and \\u escapes and keeps table cells apart. Being pure
Python it cannot crash the child, and its loop over control words is linear in the file's size;
the sandbox's time limit bounds a huge file. Title and author come from the {\\info} group,
which striprtf leaves out of the text.
"""

from __future__ import annotations

import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from .normalize import clean_value
from .office import text_result
from .result import DetectedType
from .result import ExtractionResult

# Enough of the file's start to hold its {\info} group, which comes before the text.
_INFO_CHARS = 256 * 1024
_INFO_FIELD = re.compile(r"\{\\(title|author|subject|keywords)\s+((?:[^{}\\]|\\[^{}])*)\}")


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract the text of an RTF file and the title and author of its {\\info} group."""
    # RTF is 7-bit text with escapes; Latin-1 maps every byte to one character, so striprtf
    # sees the file exactly and decodes the escapes with the document's code page.
    source = Path(path).read_bytes().decode("latin-1")
    text = rtf_to_text(source, errors="replace")
    info: dict[str, str] = {}
    for match in _INFO_FIELD.finditer(source[:_INFO_CHARS]):
        value = clean_value(rtf_to_text("{\\rtf1 " + match.group(2) + "}", errors="replace"))
        if value:
            info.setdefault(match.group(1), value)
    properties = {key: info[key] for key in ("subject", "keywords") if key in info}
    return text_result(detected, text, properties=properties, title=info.get("title"), author=info.get("author"))
