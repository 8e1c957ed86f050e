"""Messages of the extraction package, as codes with parameters.

They are stored with each file version and shown to contributors and editors in their language;
the German sentences live in the catalogue of ``toolbox.message_render``. The extraction child
builds them without Flask or Babel, so a number stays a number here and is formatted where the
message is shown.
"""

from __future__ import annotations

from ..message import Message


def ok_pages(pages: int) -> Message:
    return Message("extract.ok_pages", {"pages": pages})


def ok_words(words: int) -> Message:
    return Message("extract.ok_words", {"words": words})


def ok_pages_partly(pages: int, failed_pages: int) -> Message:
    return Message("extract.ok_pages_partly", {"pages": pages, "failed": failed_pages})


SCANNED_PDF = Message("extract.scanned_pdf")
PDF_WITHOUT_PAGES = Message("extract.pdf_without_pages")
IMAGE_WITHOUT_TEXT = Message("extract.image_without_text")
NO_TEXT = Message("extract.no_text")
EMPTY_FILE = Message("extract.empty_file")
PDF_PASSWORD = Message("extract.pdf_password")
PDF_ENCRYPTION_UNSUPPORTED = Message("extract.pdf_encryption_unsupported")
OFFICE_PASSWORD = Message("extract.office_password")
XML_DOCTYPE = Message("extract.xml_doctype")
OFFICE_DOCTYPE = Message("extract.office_doctype")
INTERNAL_ERROR = Message("extract.internal_error")
FILE_NOT_FOUND = Message("extract.file_not_found")
PDF_HEADER_MISPLACED = Message("extract.pdf_header_misplaced")
#: A Word, Excel or PowerPoint 97–2003 file at upload: LibreOffice reads it in a background job.
LEGACY_PENDING = Message("extract.legacy_pending")
#: The same without LibreOffice on the server.
NEEDS_LIBREOFFICE = Message("extract.needs_libreoffice")

#: What a macro-enabled file is called, and the format to save it as instead.
_MACRO_FORMATS = {
    "docm": ("DOCM", "DOCX"),
    "xlsm": ("XLSM", "XLSX"),
    "pptm": ("PPTM", "PPTX"),
    "odt": ("ODT", "ODT"),
    "ott": ("OTT", "ODT"),
    "ods": ("ODS", "ODS"),
    "odp": ("ODP", "ODP"),
    "odg": ("ODG", "ODG"),
}


def macros(format: str) -> Message:
    """Why an office file with macros is refused."""
    name, instead = _MACRO_FORMATS.get(format, (format.upper(), "PDF"))
    return Message("extract.macros", {"format": name, "instead": instead})


def html_misnamed(suffix: str) -> Message:
    """Why a web page under another format's name is refused: that is how polyglots travel."""
    return Message("extract.html_misnamed", {"suffix": suffix or "–"})


#: Reasons a parser gives for a damaged file, nested in ``corrupt``.
NO_PDF_PAGE_READABLE = Message("extract.reason.no_pdf_page_readable")
PDF_UNREADABLE = "extract.reason.pdf_unreadable"
WORD_UNREADABLE = "extract.reason.word_unreadable"
FILE_UNREADABLE = "extract.reason.file_unreadable"
IMAGE_UNREADABLE = "extract.reason.image_unreadable"
OFFICE_UNREADABLE = "extract.reason.office_unreadable"
RTF_UNREADABLE = "extract.reason.rtf_unreadable"
ZIP_INVALID = "extract.reason.zip_invalid"


def _mb(limit_bytes: int) -> int:
    return limit_bytes // (1024 * 1024)


def pdf_stream_too_large(limit_bytes: int) -> Message:
    return Message("extract.pdf_stream_too_large", {"mb": _mb(limit_bytes)})


def corrupt(reason: Message | None = None) -> Message:
    return Message("extract.corrupt_reason", {"reason": reason}) if reason else Message("extract.corrupt")


def corrupt_detail(what: str, detail: str) -> Message:
    """`what` is a reason code (``PDF_UNREADABLE`` …); `detail` is the library's (English) error
    text, kept short for editors who want to dig further."""
    detail = " ".join(str(detail).split())[:200]
    if detail:
        return corrupt(Message(what + "_detail", {"detail": detail}))
    return corrupt(Message(what))


def timeout(seconds: float) -> Message:
    return Message("extract.timeout", {"seconds": seconds})


def memory(limit_mb: int) -> Message:
    return Message("extract.memory", {"mb": limit_mb})


def crashed(detail: str) -> Message:
    return Message("extract.crashed", {"detail": detail})


def zip_too_many_members(limit: int) -> Message:
    return Message("extract.zip_too_many_members", {"count": limit})


def zip_too_large(limit_bytes: int) -> Message:
    return Message("extract.zip_too_large", {"mb": _mb(limit_bytes)})


def zip_ratio(name: str, ratio: float) -> Message:
    return Message("extract.zip_ratio", {"name": name[:80], "ratio": round(ratio)})


def zip_corrupt(detail: str) -> Message:
    return corrupt_detail(ZIP_INVALID, detail)


# Unsupported formats: the name shown to the user and the code of what to do instead.
_PDF_OR_DOCX = "extract.advice.pdf_or_docx"
_PDF = "extract.advice.pdf"
_ARCHIVE = "extract.advice.archive"


def _image(name: str) -> Message:
    return Message("extract.format.image", {"name": name})


def _program(name: str) -> Message:
    return Message("extract.format.program", {"name": name})


UNSUPPORTED_ADVICE: dict[str, tuple[str | Message, str]] = {
    "ott": ("OTT", _PDF_OR_DOCX),
    "odg": ("ODG", _PDF),
    "odf": ("OpenDocument", _PDF_OR_DOCX),
    "msg": (Message("extract.format.msg"), _PDF),
    "ole": (Message("extract.format.ole"), _PDF_OR_DOCX),
    "svg": (_image("SVG"), _PDF),
    "xml": ("XML", "extract.advice.pdf_docx_or_txt"),
    "epub": ("EPUB", _PDF),
    "zip": ("ZIP", _ARCHIVE),
    "rar": ("RAR", _ARCHIVE),
    "7z": ("7z", _ARCHIVE),
    "gz": ("GZIP", _ARCHIVE),
    "png": (_image("PNG"), _PDF),
    "jpeg": (_image("JPEG"), _PDF),
    "gif": (_image("GIF"), _PDF),
    "tiff": (_image("TIFF"), _PDF),
    "bmp": (_image("BMP"), _PDF),
    "webp": (_image("WebP"), _PDF),
    "exe": (_program("EXE"), _PDF_OR_DOCX),
    "elf": (_program("ELF"), _PDF_OR_DOCX),
}


def unsupported(format: str) -> Message:
    if format in ("docm", "xlsm", "pptm"):
        return macros(format)
    if format in UNSUPPORTED_ADVICE:
        label, advice = UNSUPPORTED_ADVICE[format]
        return Message("extract.unsupported", {"format": label, "advice": Message(advice)})
    return Message("extract.format_unknown")
