"""PDF text and metadata with pypdf."""

from __future__ import annotations

import logging
import resource
from collections.abc import Callable
from datetime import date
from datetime import datetime
from typing import Any

from pypdf import PasswordType
from pypdf import PdfReader
from pypdf import apply_configuration
from pypdf import get_configuration
from pypdf.errors import DependencyError
from pypdf.errors import LimitReachedError

from ..message import Message
from . import messages
from ._child import address_space_in_use
from .accessibility import pdf_facts
from .normalize import clean_value
from .normalize import has_words
from .normalize import normalize_text
from .running import PROPERTY as RUNNING_LINES
from .running import running_lines
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


# pypdf's own decompression caps (75 MB per stream) are far above what a child limited to a
# few hundred MB can afford: while it inflates a page's contents it holds the compressed
# streams, the inflated ones, their concatenation and the decoded text, next to the
# interpreter and its libraries. An eighth of the child's address space per stream keeps the
# cap tied to TOOLBOX_EXTRACT_MEMORY_MB, so a Flate bomb stops at a named limit with a
# precise message instead of a MemoryError somewhere in the parser.
_CAPPED_SETTINGS = (
    "zlib_maximum_output_length",
    "array_based_stream_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "brotli_maximum_output_length",
    "jbig2_maximum_output_length",
    "image_maximum_buffer_size",
    "stream_decoding_work_maximum_length",
)


def decompression_cap() -> int:
    """Bytes one PDF stream (or a page's contents together) may inflate to in this process:
    an eighth of the address space still free under the limit, never more than pypdf's own
    default. The free part, not the limit: a warm child that has parsed a spreadsheet before
    holds openpyxl and numpy (some 100 MB of address space), and a cap taken from the whole
    limit let a bomb run into the memory limit instead of this named one."""
    default = get_configuration().zlib_maximum_output_length
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return default
    free = soft - address_space_in_use()
    return max(1024**2, min(default, free // 8))



def parse(path: str, detected: DetectedType) -> ExtractionResult:
    """Extract the text of all pages and the document information of a PDF file."""
    cap = decompression_cap()
    with apply_configuration(**{name: cap for name in _CAPPED_SETTINGS}):
        try:
            return _parse(path, detected)
        except LimitReachedError as exc:
            if not is_inflation_limit(exc):
                raise  # a reference loop and the like: reported as a damaged file
            return _result(detected, "failed", messages.pdf_stream_too_large(cap))


# pypdf raises LimitReachedError for reference loops and oversized structures as well; only
# these texts mean that inflating a stream went past the cap.
_INFLATION_MARKERS = (
    "decompressing",
    "array-based stream has at least",
    "stream decoding exceeded",
    "declared stream length",
    "jbig2",
)


def is_inflation_limit(exc: LimitReachedError) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in _INFLATION_MARKERS)


def _parse(path: str, detected: DetectedType) -> ExtractionResult:
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
    properties["accessibility"] = pdf_facts(reader, title)
    pages = reader.pages
    page_count = len(pages)
    texts: list[str] = []
    failed_pages = 0
    for page in pages:
        try:
            page_text = page.extract_text() or ""
            if not page_text.strip():
                # pypdf answers "" both for a page without text (a scan) and for one whose
                # content stream it cannot read at all (a /Length that refers to itself);
                # reading the contents tells the two apart, and costs little on such pages.
                page.get_contents()
            texts.append(page_text)
        except MemoryError:
            raise
        except LimitReachedError as exc:
            if is_inflation_limit(exc):
                raise  # the file as a whole is refused, not just this page
            failed_pages += 1
        except Exception:  # one broken page must not cost the others
            failed_pages += 1
    if failed_pages:
        properties["pages_failed"] = failed_pages
    text = normalize_text("\n\n".join(texts))
    running = running_lines(normalize_text(page_text) for page_text in texts)
    if running:
        properties[RUNNING_LINES] = running

    if page_count and failed_pages == page_count:
        status, message = "failed", messages.corrupt(messages.NO_PDF_PAGE_READABLE)
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


def _result(detected: DetectedType, status: str, message: Message) -> ExtractionResult:
    return ExtractionResult(
        status=status,
        message=message,
        format=detected.format,
        media_type=detected.media_type,
        properties={"encrypted": True} if status == "encrypted" else {},
    )
