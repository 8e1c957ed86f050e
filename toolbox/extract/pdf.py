"""PDF text and metadata with pypdf."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from datetime import datetime
from typing import Any

from pypdf import PasswordType
from pypdf import PdfReader
from pypdf.errors import DependencyError

from . import messages
from .normalize import clean_value
from .normalize import has_words
from .normalize import normalize_text
from .result import DetectedType
from .result import ExtractionResult

# pypdf reports every repaired cross-reference table as a warning; in the child that is
# only noise on stderr.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_INFO_PROPERTIES = {
    "producer": "producer",
    "creator": "creator",
    "subject": "subject",
    "keywords": "keywords",
}


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract the text of all pages and the document information of a PDF file."""
    reader = PdfReader(path, strict=False)
    properties: dict[str, Any] = {}
    if reader.is_encrypted:
        properties["encrypted"] = True
        try:
            opened = reader.decrypt("")
        except DependencyError:  # AES without the cryptography package
            return _result(detected, "encrypted", messages.PDF_ENCRYPTION_UNSUPPORTED)
        except NotImplementedError:  # an unknown security handler
            return _result(detected, "encrypted", messages.PDF_ENCRYPTION_UNSUPPORTED)
        if opened == PasswordType.NOT_DECRYPTED:
            return _result(detected, "encrypted", messages.PDF_PASSWORD)

    title, author, created = _document_info(reader, properties)
    pages = reader.pages
    page_count = len(pages)
    texts: list[str] = []
    failed_pages = 0
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except MemoryError:
            raise
        except Exception:  # one broken page must not cost the others
            failed_pages += 1
    if failed_pages:
        properties["pages_failed"] = failed_pages
    text = normalize_text("\n\n".join(texts))

    if page_count and failed_pages == page_count:
        status, message = "failed", messages.corrupt("Keine Seite der PDF-Datei konnte gelesen werden")
    elif not page_count:
        status, message = "empty", messages.PDF_WITHOUT_PAGES
    elif not has_words(text):
        status, message = "empty", messages.SCANNED_PDF
    elif failed_pages:
        status, message = "ok", messages.ok_pages_partly(page_count, failed_pages)
    else:
        status, message = "ok", messages.ok_pages(page_count)
    return ExtractionResult(
        status=status,
        message=message,
        text=text if status == "ok" else "",
        format=detected.format,
        media_type=detected.media_type,
        page_count=page_count,
        title=title,
        author=author,
        created=created,
        properties=properties,
    )


def _document_info(
    reader: PdfReader, properties: dict[str, Any]
) -> tuple[str | None, str | None, str | None]:
    """Title, author and creation date from the info dictionary, else from XMP.

    Broken metadata is common (wrong date formats, dangling references); every field is
    read on its own and a field that fails is left out.
    """
    info = _safely(lambda: reader.metadata)
    title = author = created = None
    if info is not None:
        title = clean_value(_safely(lambda: info.title))
        author = clean_value(_safely(lambda: info.author))
        created = _iso(_safely(lambda: info.creation_date))
        if created is None:
            created_raw = clean_value(_safely(lambda: info.get("/CreationDate")), 100)
            if created_raw:
                properties["created_raw"] = created_raw
        modified = _iso(_safely(lambda: info.modification_date))
        if modified:
            properties["modified"] = modified
        for key, attribute in _INFO_PROPERTIES.items():
            value = clean_value(_safely(lambda attribute=attribute: getattr(info, attribute)))
            if value:
                properties[key] = value
    if title is None or author is None or created is None:
        xmp = _safely(lambda: reader.xmp_metadata)
        if xmp is not None:
            if title is None:
                title = clean_value(_first(_safely(lambda: xmp.dc_title)))
            if author is None:
                author = clean_value(_first(_safely(lambda: xmp.dc_creator)))
            if created is None:
                created = _iso(_safely(lambda: xmp.xmp_create_date))
    version = clean_value(_safely(lambda: reader.pdf_header), 20)
    if version:
        properties["pdf_version"] = version.removeprefix("%PDF-")
    return title, author, created


def _safely(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except MemoryError:
        raise
    except Exception:
        return None


def _first(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("x-default") or next(iter(value.values()), None)
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _iso(value: Any) -> str | None:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return None


def _result(detected: DetectedType, status: str, message: str) -> ExtractionResult:
    return ExtractionResult(
        status=status,
        message=message,
        format=detected.format,
        media_type=detected.media_type,
        properties={"encrypted": True} if status == "encrypted" else {},
    )
