"""Recognise a file's format from its content.

The filename is only a hint to tell plain text, Markdown and CSV apart once the content
is known to be text: a PDF named `.docx` is a PDF. Everything here reads a bounded amount
of the file, so it is safe to call in the web process.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
import zipfile
from typing import BinaryIO

from . import messages
from . import zipguard
from .result import DetectedType

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
    "docm": "application/vnd.ms-word.document.macroEnabled.12",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ott": "application/vnd.oasis.opendocument.text-template",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
    "odf": "application/vnd.oasis.opendocument",
    "epub": "application/epub+zip",
    "zip": "application/zip",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "msg": "application/vnd.ms-outlook",
    "ole": "application/x-ole-storage",
    "encrypted-office": "application/x-ole-storage",
    "rtf": "application/rtf",
    "html": "text/html",
    "svg": "image/svg+xml",
    "xml": "application/xml",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "gz": "application/gzip",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "exe": "application/vnd.microsoft.portable-executable",
    "elf": "application/x-executable",
    "empty": "application/x-empty",
    "unknown": "application/octet-stream",
}

TEXT_FORMATS = ("txt", "md", "csv")
# Images are read by text recognition, a background job (toolbox/extract/ocr.py).
IMAGE_FORMATS = ("png", "jpeg", "tiff")
#: Office formats read by their own parser in the sandboxed child.
OFFICE_FORMATS = ("odt", "ods", "odp", "xlsx", "pptx", "rtf")
#: Word, Excel and PowerPoint 97–2003: converted by LibreOffice in a background job.
LEGACY_FORMATS = ("doc", "xls", "ppt")
#: Web pages, read for their visible text; only under a web page's own name (see detect_type).
MARKUP_FORMATS = ("html",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: ZIP containers the ZIP guard checks before any parser unpacks a member.
ZIP_FORMATS = ("docx", "xlsx", "pptx", "odt", "ods", "odp")
#: A password-protected OOXML file whose kind its name does not tell (stored as encrypted).
ENCRYPTED_OFFICE = "encrypted-office"
#: The file name extensions an upload form offers in its file chooser (the content decides).
UPLOAD_EXTENSIONS = (".pdf", ".docx", ".doc", ".odt", ".rtf", ".xlsx", ".xls", ".ods", ".pptx", ".ppt", ".odp",
                     ".txt", ".md", ".csv", ".html", ".htm", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUPPORTED = frozenset({"pdf", "docx", *TEXT_FORMATS, *IMAGE_FORMATS, *OFFICE_FORMATS, *LEGACY_FORMATS,
                       *MARKUP_FORMATS, ENCRYPTED_OFFICE})

_SNIFF_BYTES = 64 * 1024
# The PDF signature counts only at offset 0. ISO 32000 puts the header on the file's first line,
# and pypdf in strict mode requires it there; in lenient mode pypdf, like Acrobat, pdf.js and
# poppler, reads a PDF after up to a kilobyte of anything, but only by guessing its cross-reference
# offsets anew. That leniency is what a polyglot uses: an HTML page with a script that carries
# "%PDF-" a few lines down. So nothing may stand before the signature, not even a byte order mark
# or a blank line. A binary file with the signature further in, or one with only a byte order mark
# and blank lines before it, is refused with its own message; otherwise the file is what the rest
# of its content says (HTML and SVG are refused; a note that mentions "%PDF-" is text).
_PDF_MAGIC = b"%PDF-"
_PDF_MISPLACED_WINDOW = 1024
# What broken generators put before a PDF's signature: a byte order mark, blank lines, NULs.
_PDF_JUNK = codecs.BOM_UTF8 + b" \t\r\n\x00"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_BINARY_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x7fELF", "elf"),
)
# Two-byte magics a text file may start with too ("BMW …"); they count only for binary content.
_WEAK_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gz"),
    (b"BM", "bmp"),
    (b"MZ", "exe"),
)
#: Byte order marks of text files and the codec that decodes such a file, mark removed.
#: UTF-32 LE starts with the UTF-16 LE mark, so it is tested first.
TEXT_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TEXT_BOMS = tuple(bom for bom, _codec in TEXT_BOMS)
# Bytes that do not occur in text files: C0 controls except tab, line feed, vertical tab,
# form feed, carriage return and escape.
_CONTROL_BYTES = bytes(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}) + b"\x7f"
_MAX_SMALL_MEMBER = 1024 * 1024

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".tab"})

#: The file name extensions that fit a stored media type, the usual one first. Keyed by media
#: type rather than format because a Word template is stored as format "docx": Word refuses to
#: open a template named ``.docx``.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    MEDIA_TYPES["pdf"]: (".pdf",),
    MEDIA_TYPES["docx"]: (".docx",),
    MEDIA_TYPES["dotx"]: (".dotx",),
    MEDIA_TYPES["txt"]: (".txt", ".text"),
    MEDIA_TYPES["md"]: (".md", *sorted(_MARKDOWN_SUFFIXES - {".md"})),
    MEDIA_TYPES["csv"]: (".csv", *sorted(_CSV_SUFFIXES - {".csv"})),
    MEDIA_TYPES["html"]: (".html", ".htm", ".xhtml"),
    **{MEDIA_TYPES[format]: (f".{format}",) for format in (*OFFICE_FORMATS, *LEGACY_FORMATS)},
}


def detected(format: str, media_type: str | None = None) -> DetectedType:
    """The DetectedType for a format name, with the refusal message if unsupported."""
    supported = format in SUPPORTED
    return DetectedType(
        format=format,
        media_type=media_type or MEDIA_TYPES.get(format, MEDIA_TYPES["unknown"]),
        supported=supported,
        message=None if supported else messages.unsupported(format),
    )


def encrypted(format: str) -> DetectedType:
    """A password-protected office file: stored like an encrypted PDF, with status "encrypted"."""
    return DetectedType(format, MEDIA_TYPES[format], True, messages.OFFICE_PASSWORD, encrypted=True)


def with_macros(format: str) -> DetectedType:
    """An office file that carries macros: refused (municipal IT security forbids passing them on)."""
    return DetectedType(format, MEDIA_TYPES[format], False, messages.macros(format))


def detect_type(path: str | os.PathLike[str], filename: str | None = None) -> DetectedType:
    """Recognise the format of the file at `path` from its content.

    `filename` (the name the user uploaded) only decides between txt, md and csv; without
    it the name of `path` is used.

    :raise OSError: if the file cannot be read.
    """
    with open(path, "rb") as fp:
        head = fp.read(_SNIFF_BYTES)
        if not head:
            return DetectedType("empty", MEDIA_TYPES["empty"], False, messages.EMPTY_FILE)
        if head.startswith(_PDF_MAGIC):
            return detected("pdf")
        if head.startswith(_ZIP_MAGICS):
            return _detect_zip(fp)
        if head.startswith(_OLE2_MAGIC):
            return _detect_ole2(fp, head, filename or os.fspath(path))
        for magic, format in _BINARY_MAGICS:
            if head.startswith(magic):
                return detected(format)
        if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
            return detected("webp")
    name = filename or os.fspath(path)
    text = _looks_like_text(head)
    signature = head.find(_PDF_MAGIC, 0, _PDF_MISPLACED_WINDOW)
    if signature > 0 and (not text or not head[:signature].strip(_PDF_JUNK)):
        return DetectedType("pdf-misplaced", MEDIA_TYPES["unknown"], False, messages.PDF_HEADER_MISPLACED)
    if not text:
        for magic, format in _WEAK_MAGICS:
            if head.startswith(magic):
                return detected(format)
        return detected("unknown")
    markup = _markup_format(head, name)
    if markup == "html" and os.path.splitext(name)[1].lower() not in HTML_SUFFIXES:
        # A page named as something else (a .pdf, a .txt note) is what polyglots look like.
        return DetectedType("html", MEDIA_TYPES["html"], False, messages.html_misnamed(os.path.splitext(name)[1]))
    if markup:
        return detected(markup)
    return detected(_text_format(name))


def _looks_like_text(sample: bytes) -> bool:
    if sample.startswith(_TEXT_BOMS):
        return True
    if b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls <= len(sample) // 100


# Elements that open an HTML page or fragment: the HTML patterns of the WHATWG MIME Sniffing
# standard (§7.1), by which a browser takes a file of unknown type for HTML, each followed by a
# space or ">". Those that also open Markdown files (a README centres its logo in <p align=…>, a
# note starts with a comment) count as HTML only in a file not named as Markdown.
_HTML_TAGS = (b"!doctype html", b"html", b"head", b"script", b"iframe", b"style", b"title", b"body")
_HTML_TAGS_ALSO_MARKDOWN = (b"h1", b"div", b"font", b"table", b"a", b"b", b"br", b"p", b"!--")
_TAG_ENDS = (b"", b" ", b"\t", b"\n", b"\x0c", b"\r", b">")
# An SVG image: its root element, after an optional XML declaration, comments and a DOCTYPE
# (whose internal subset may hold entity declarations).
_SVG = re.compile(
    rb"(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!doctype[^>\[]*(?:\[.*?\])?\s*>)*<(?:[a-z0-9_.-]+:)?svg[\s>/]",
    re.DOTALL,
)
_SVG_DOCTYPE = re.compile(rb"(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<!doctype\s+svg[\s>]", re.DOTALL)


def _markup_format(sample: bytes, name: str) -> str | None:
    for bom, codec in TEXT_BOMS:
        if sample.startswith(bom):
            # Markup in UTF-16 or UTF-32 is markup too: look at it as UTF-8.
            sample = sample.decode(codec, "ignore").encode("utf-8")
            break
    start = sample[:4096].lstrip().lower()
    if start.startswith(b"{\\rtf"):
        return "rtf"
    if _SVG.match(start) or _SVG_DOCTYPE.match(start):
        return "svg"
    tags = _HTML_TAGS if os.path.splitext(name)[1].lower() in _MARKDOWN_SUFFIXES else _HTML_TAGS + _HTML_TAGS_ALSO_MARKDOWN
    if any(start.startswith(b"<" + tag) and start[len(tag) + 1 : len(tag) + 2] in _TAG_ENDS for tag in tags):
        return "html"
    if start.startswith((b"<?xml", b"<!doctype")):
        return "html" if b"<html" in start[:512] else "xml"
    return None


def _text_format(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _MARKDOWN_SUFFIXES:
        return "md"
    if suffix in _CSV_SUFFIXES:
        return "csv"
    return "txt"


# The main part's content type names the kind of an OOXML package; an embedded chart or workbook
# adds other kinds' types to the list, so only a ".main+xml" type counts.
_OOXML_KINDS = (
    ("docx", "docm", re.compile(rb"(?:wordprocessingml|ms-word)[\w.-]*\.main\+xml"), "word/document.xml"),
    ("xlsx", "xlsm", re.compile(rb"(?:spreadsheetml|ms-excel)[\w.-]*\.main\+xml"), "xl/workbook.xml"),
    ("pptx", "pptm", re.compile(rb"(?:presentationml|ms-powerpoint)[\w.-]*\.main\+xml"), "ppt/presentation.xml"),
)
# Where OpenDocument keeps macros: StarBasic modules and scripts in other languages.
_ODF_MACRO_FOLDERS = ("Basic/", "Scripts/")
_MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def _detect_zip(fp: BinaryIO) -> DetectedType:
    try:
        listing = zipguard.read_listing(fp)
    except (zipfile.BadZipFile, struct.error):
        return detected("zip")
    names = listing.names
    if "[Content_Types].xml" in names:
        content_types = _read_small_member(fp, listing, "[Content_Types].xml").lower()
        # A VBA project makes a package macro-enabled whatever its content type says: Office
        # runs it once the file is renamed back to .docm/.xlsm/.pptm.
        macros = b"macroenabled" in content_types or b"vbaproject" in content_types or any(
            name.lower().endswith("vbaproject.bin") for name in names)
        for format, macro_format, main_type, main_part in _OOXML_KINDS:
            if main_type.search(content_types) or main_part in names:
                if macros:
                    return with_macros(macro_format)
                if format == "docx" and b"wordprocessingml.template.main+xml" in content_types:
                    return detected("docx", MEDIA_TYPES["dotx"])
                return detected(format)
        return detected("zip")
    if "mimetype" in names:
        mimetype = _read_small_member(fp, listing, "mimetype").strip().decode("ascii", "replace")
        for format in ("odt", "ott", "ods", "odp", "odg", "epub"):
            if mimetype == MEDIA_TYPES[format]:
                return _opendocument(fp, listing, format)
        if mimetype.startswith(MEDIA_TYPES["odf"]):
            return detected("odf", mimetype)
    return detected("zip")


def _opendocument(fp: BinaryIO, listing: zipguard.ZipListing, format: str) -> DetectedType:
    """An OpenDocument file: refused with macros, encrypted when its manifest says so."""
    if format == "epub":
        return detected(format)
    # Imported here: the extraction child imports this module and must not pay for lxml before
    # its parser needs it (a low memory limit is reported as such, not as a failed import).
    from lxml import etree

    from . import xmlsafe

    manifest = _read_small_member(fp, listing, xmlsafe.ODF_MANIFEST) if xmlsafe.ODF_MANIFEST in listing.names else b""
    entries: list[str] = []
    encrypted_entries = False
    if manifest:
        try:
            root = etree.fromstring(manifest, xmlsafe.PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            entries = [entry.get(f"{{{_MANIFEST_NS}}}full-path") or "" for entry in root.iter(f"{{{_MANIFEST_NS}}}file-entry")]
            encrypted_entries = next(root.iter(f"{{{_MANIFEST_NS}}}encryption-data"), None) is not None
    if any(name.startswith(_ODF_MACRO_FOLDERS) for name in (*listing.names, *entries)):
        return with_macros(format)
    if encrypted_entries and format in SUPPORTED:
        return encrypted(format)
    return detected(format)


def _read_small_member(fp: BinaryIO, listing: zipguard.ZipListing, name: str) -> bytes:
    """The content of a small member, or b"" if it is large, damaged or the archive is
    suspicious (zipfile would read a directory longer than the walk did)."""
    member = next(m for m in listing.members if m.name == name)
    if listing.truncated or member.uncompressed_size > _MAX_SMALL_MEMBER:
        return b""
    try:
        fp.seek(0)
        with zipfile.ZipFile(fp) as archive, archive.open(name) as stream:
            return stream.read(_MAX_SMALL_MEMBER)
    except Exception:  # BadZipFile, zlib.error, encrypted members…: detection goes on without
        return b""


def _detect_ole2(fp: BinaryIO, head: bytes, name: str) -> DetectedType:
    """Tell Word 97–2003, Excel, PowerPoint, Outlook and password-protected OOXML apart by
    the stream names in the first directory sectors.

    A password-protected DOCX, XLSX or PPTX is a CFB container with EncryptionInfo and an
    EncryptedPackage; what the package holds is encrypted too, so only its name tells the kind.
    """
    directory = head
    try:
        sector_shift = struct.unpack_from("<H", head, 30)[0]
        first_directory_sector = struct.unpack_from("<L", head, 48)[0]
        if 7 <= sector_shift <= 16:
            sector_size = 1 << sector_shift
            fp.seek((first_directory_sector + 1) * sector_size)
            directory = fp.read(8 * sector_size) + head
    except (struct.error, OSError, OverflowError, ValueError):
        pass

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in directory

    if has("EncryptedPackage"):
        suffix = os.path.splitext(name)[1].lower().lstrip(".")
        return encrypted(suffix if suffix in ("docx", "xlsx", "pptx") else ENCRYPTED_OFFICE)
    if has("WordDocument"):
        return detected("doc")
    if has("Workbook") or has("Book"):
        return detected("xls")
    if has("PowerPoint Document"):
        return detected("ppt")
    if has("__substg1.0_"):
        return detected("msg")
    return detected("ole")
