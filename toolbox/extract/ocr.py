"""Text recognition (OCR) of scans and images with OCRmyPDF and Tesseract's German data.

The parent side (`ocr_availability`, `recognise`) runs in the worker; `recognise_in_child` runs
in the sandboxed child with the extraction limits: an address-space cap that Tesseract and
Ghostscript inherit, a wall-clock limit of `TOOLBOX_OCR_PAGE_SECONDS` per page (plus Tesseract's
own per-page timeout), and a page cap (`TOOLBOX_OCR_MAX_PAGES`). The original file is only read;
the searchable PDF is written to a temporary path the caller chose and renames into place.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

from . import sandbox
from .result import DetectedType

logger = logging.getLogger(__name__)

#: Formats OCR reads: scans (PDF without a text layer) and images.
IMAGE_FORMATS = ("png", "jpeg", "tiff")
OCR_FORMATS = ("pdf", *IMAGE_FORMATS)
LANGUAGE = "deu"

#: Seconds on top of the per-page limit for starting the child, OCRmyPDF's set-up and reading.
_BASE_SECONDS = 30.0

_TARGET = f"{__name__}:recognise_in_child"


@dataclass(frozen=True)
class OcrAvailability:
    """What this server lacks for OCR (Debian package names), empty when it can recognise text."""

    missing: tuple[str, ...]

    @property
    def available(self) -> bool:
        return not self.missing


def ocr_availability() -> OcrAvailability:
    """Look for OCRmyPDF, Tesseract with German data and Ghostscript on this server's PATH."""
    missing = []
    if importlib.util.find_spec("ocrmypdf") is None:
        missing.append("ocrmypdf")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        missing.append("tesseract-ocr")
    elif LANGUAGE not in _tesseract_languages(tesseract):
        missing.append("tesseract-ocr-deu")
    if shutil.which("gs") is None:
        missing.append("ghostscript")
    return OcrAvailability(tuple(missing))


@functools.lru_cache(maxsize=4)
def _tesseract_languages(tesseract: str) -> frozenset[str]:
    try:
        listed = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip())


@dataclass(frozen=True)
class OcrOutcome:
    """How one recognition ended.

    status: "ok" (text and pages are set; the searchable PDF is at the output path),
    "too_many_pages", "timeout", "memory", "unreadable" (the input cannot be read: a final
    answer) or "error" (something that another attempt may not meet again).
    """

    status: str
    text: str = ""
    pages: int = 0
    detail: str = ""


def recognise(source: str, fmt: str, output: str, *, pages: int | None, max_pages: int, page_seconds: float,
              memory_mb: int) -> OcrOutcome:
    """Recognise the text of `source` (a PDF or image of format `fmt`) into the PDF `output`."""
    if pages is not None and pages > max_pages:
        return OcrOutcome("too_many_pages", pages=pages)
    timeout = _BASE_SECONDS + page_seconds * max(1, min(pages or max_pages, max_pages))
    outcome = sandbox.run(_TARGET, [source, fmt, output, max_pages, page_seconds], timeout=timeout,
                          memory_mb=memory_mb)
    if outcome.kind == "ok":
        value = outcome.value or {}
        return OcrOutcome(str(value.get("status", "error")), text=str(value.get("text") or ""),
                          pages=int(value.get("pages") or 0), detail=str(value.get("detail") or ""))
    if outcome.kind in ("timeout", "memory"):
        return OcrOutcome(outcome.kind, pages=pages or 0, detail=outcome.error)
    return OcrOutcome("error", detail=(outcome.error or outcome.stderr[-500:]).strip())


def recognise_in_child(source: str, fmt: str, output: str, max_pages: int, page_seconds: float) -> dict[str, Any]:
    """In the sandboxed child: images become a PDF, OCRmyPDF adds the text layer, pypdf reads it."""
    # Tesseract's OpenMP threads would each reserve address space under the child's cap and
    # compete for the cores the web server needs; one page at a time is enough for a job.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import ocrmypdf
    import pikepdf
    from ocrmypdf import exceptions as ocr_errors

    from .pdf import parse

    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    # Named after the worker (this child's parent), like the caller's temporary files, so that a
    # sweep after a killed worker recognises the folder as a leftover.
    with tempfile.TemporaryDirectory(prefix=f"{os.getppid()}-ocr-", dir=os.path.dirname(output)) as work:
        pdf_input = source
        if fmt in IMAGE_FORMATS:
            pdf_input = os.path.join(work, "images.pdf")
            try:
                _images_to_pdf(source, pdf_input)
            except Exception as exc:  # Pillow and img2pdf raise many kinds for a broken image
                return {"status": "unreadable", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        try:
            with pikepdf.open(pdf_input) as pdf:
                pages = len(pdf.pages)
        except pikepdf.PdfError as exc:
            return {"status": "unreadable", "detail": str(exc)[:300]}
        if pages > max_pages:
            return {"status": "too_many_pages", "pages": pages}
        try:
            ocrmypdf.ocr(pdf_input, output, language=[LANGUAGE], jobs=1, use_threads=True, output_type="pdf",
                         skip_text=True, optimize=0, tesseract_timeout=page_seconds, progress_bar=False,
                         rotate_pages=False, deskew=False)
        except (ocr_errors.InputFileError, ocr_errors.EncryptedPdfError, ocr_errors.DpiError,
                ocr_errors.UnsupportedImageFormatError) as exc:
            return {"status": "unreadable", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        result = parse(output, DetectedType("pdf", "application/pdf", True))
        return {"status": "ok", "pages": pages, "text": result.text}


def _images_to_pdf(source: str, target: str) -> None:
    """Every frame of the image (a multi-page TIFF has several) as one page each, pixels unchanged."""
    import img2pdf
    from PIL import Image

    with Image.open(source) as image:
        dpi = image.info.get("dpi")
    # A scan without a resolution is taken as 300 dpi, the usual scanner setting, so that the
    # page gets a real size and Tesseract a sensible scale.
    options: dict[str, Any] = {"rotation": img2pdf.Rotation.ifvalid}
    if not (dpi and min(dpi) > 1):
        options["layout_fun"] = img2pdf.get_fixed_dpi_layout_fun((300, 300))
    with open(target, "wb") as out:
        out.write(img2pdf.convert(source, **options))
