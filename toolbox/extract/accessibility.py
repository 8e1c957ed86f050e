"""Is the download itself accessible? The checks BITV 2.0 asks of a published document that a
parser can answer: a PDF is tagged (a structure tree, marked content), names its language and
has a title; a word-processing document uses real headings (heading styles), not bold text.

The findings are stored with the extraction result (``properties["accessibility"]``) as facts;
``findings`` turns them into the messages shown to contributors and editors.
"""

from __future__ import annotations

from typing import Any

from ..message import Message


def pdf_facts(reader: Any, title: str | None) -> dict[str, Any]:
    """Tags, language and title of an opened pypdf reader; a damaged catalog counts as absent."""
    try:
        root = reader.trailer["/Root"].get_object()
    except Exception:  # broken trailers are common; the text may still be readable
        return {"tagged": False, "language": None, "title": bool(title)}
    mark_info = _object(root.get("/MarkInfo"))
    # pypdf's BooleanObject is truthy even when false; its equality with True is what counts.
    marked = mark_info is not None and _object(mark_info.get("/Marked")) == True  # noqa: E712
    language = _object(root.get("/Lang"))
    return {
        "tagged": "/StructTreeRoot" in root and marked,
        "language": str(language)[:35] if language else None,
        "title": bool(title),
    }


def inspect_file(path: str, file_format: str) -> dict[str, Any] | None:
    """Run in the sandbox at the upload step, before anything is stored: the same facts the
    extraction records, so the contributor can export an accessible file before submitting.
    A PDF is only opened (its catalog says everything; the pages are not read); a text
    document goes through its parser, which is where its headings are counted. None where
    nothing can be said (other formats, password-protected or unreadable files)."""
    if file_format == "pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                return None
            info = reader.metadata
            title = info.title if info is not None else None
        except Exception:  # damaged: the extraction will say so in its own words
            return None
        return pdf_facts(reader, title)
    if file_format in ("docx", "odt"):
        from importlib import import_module

        from .core import PARSERS
        from .result import DetectedType

        detected = DetectedType(format=file_format, media_type="", supported=True)
        try:
            result = import_module(f"{__package__}.{PARSERS[file_format]}").parse(path, detected)
        except Exception:
            return None
        facts = (result.properties or {}).get("accessibility")
        return facts if isinstance(facts, dict) else None
    return None


def _object(value: Any) -> Any:
    try:
        return value.get_object() if value is not None and hasattr(value, "get_object") else value
    except Exception:
        return None


def findings(properties: dict[str, Any] | None, format: str) -> list[Message]:
    """What keeps a stored document from being accessible, as messages; empty when nothing does
    (or nothing was checked, as for text files)."""
    facts = (properties or {}).get("accessibility")
    if not isinstance(facts, dict):
        return []
    found = []
    if format == "pdf":
        if not facts.get("tagged"):
            found.append(Message("accessibility.pdf_untagged"))
        if not facts.get("language"):
            found.append(Message("accessibility.pdf_no_language"))
        if not facts.get("title"):
            found.append(Message("accessibility.pdf_no_title"))
    elif "headings" in facts and not facts["headings"]:
        found.append(Message("accessibility.no_headings"))
    return found


def is_accessible(properties: dict[str, Any] | None, format: str) -> bool:
    """True for a checked document without findings."""
    facts = (properties or {}).get("accessibility")
    return isinstance(facts, dict) and not findings(properties, format)
