"""First-page thumbnails of documents, as derived files beside the OCR'd PDFs; the same job reads
the text preview (``services.text_preview``).

PDFs are rendered directly and images scaled; office files are first drawn as a PDF by
LibreOffice (``<sha256>.libreoffice.pdf``, also what the page viewer shows), when it is installed.
Thumbnails live under ``TOOLBOX_DERIVED_DIR`` like every derived file, outside the blob store of
originals, and ``toolbox previews [--rebuild]`` makes them again.
"""
from __future__ import annotations

import logging
from typing import Callable

from flask import current_app
from sqlalchemy import select

from ..derived import StoredFile, derived_store
from ..extensions import db
from ..extract.convert import PDF_FORMATS, convert_to_pdf, libreoffice
from ..extract.ocr import IMAGE_FORMATS
from ..extract.thumbnail import make_thumbnail
from ..models import Document, FileVersion, Job
from .jobs import KIND_PREVIEW, job_create
from .text_preview import text_preview_build, text_preview_possible

logger = logging.getLogger(__name__)

DERIVED_KIND = "thumb.png"
#: LibreOffice's drawing of an office file as PDF.
OFFICE_PDF_KIND = "libreoffice.pdf"
#: Legacy formats get their conversion job first; their PDF is drawn by `toolbox previews`.
_LEGACY = frozenset({"doc", "xls", "ppt"})


def preview_possible(version: FileVersion) -> bool:
    return version.format == "pdf" or version.format in IMAGE_FORMATS or office_pdf_possible(version)


def office_pdf_possible(version: FileVersion) -> bool:
    """An office file LibreOffice can draw: one whose text could be read (or, for a legacy file,
    is waiting for its conversion), on a server with LibreOffice."""
    return (version.format in PDF_FORMATS and version.extraction_status in ("ok", "empty")
            and libreoffice() is not None)


def office_pdf_file(version: FileVersion | None) -> StoredFile | None:
    if version is None or version.format not in PDF_FORMATS:
        return None
    drawn = StoredFile(version.sha256, OFFICE_PDF_KIND)
    return drawn if drawn.exists() else None


def office_pdf_build(version: FileVersion) -> bool:
    """Draw an office file as PDF with LibreOffice unless that is done; False when it cannot be."""
    if office_pdf_file(version) is not None:
        return True
    if not office_pdf_possible(version):
        return False
    original = StoredFile(version.sha256)
    if not original.exists():
        return False
    store = derived_store()
    config = current_app.config
    with original.local_path() as source, store.writing(version.sha256, OFFICE_PDF_KIND) as temporary:
        outcome = convert_to_pdf(str(source), version.format, str(temporary),
                                 seconds=float(config["TOOLBOX_CONVERT_SECONDS"]),
                                 memory_mb=int(config["TOOLBOX_EXTRACT_MEMORY_MB"]))
        if outcome.status != "ok" or not temporary.is_file():
            return False
        store.commit(temporary, version.sha256, OFFICE_PDF_KIND)
    return True


def preview_queue(version: FileVersion) -> Job | None:
    """A thumbnail and text preview job for a flushed version, in the caller's transaction."""
    if version.format in _LEGACY or (not preview_possible(version) and not text_preview_possible(version)):
        return None
    return job_create(KIND_PREVIEW, document_id=version.document_id, file_version_id=version.id, limit_seconds=600)


def preview_job(job: Job) -> None:
    version = db.session.get(FileVersion, job.file_version_id) if job.file_version_id else None
    if version is not None:
        office_pdf_build(version)
        preview_build(version)
        text_preview_build(version)


def preview_build(version: FileVersion) -> bool:
    """Make the thumbnail of ``version`` now; False when it has no first page to draw."""
    if not preview_possible(version):
        return False
    if version.format in PDF_FORMATS:
        original = office_pdf_file(version)
        if original is None:
            return False
    else:
        original = StoredFile(version.sha256)
    if not original.exists():
        return False
    store = derived_store()
    config = current_app.config
    kind = "image" if version.format in IMAGE_FORMATS else "pdf"
    with original.local_path() as source, store.writing(version.sha256, DERIVED_KIND) as temporary:
        answer = make_thumbnail(str(source), kind, str(temporary), timeout=float(config["TOOLBOX_EXTRACT_TIMEOUT"]),
                                memory_mb=int(config["TOOLBOX_EXTRACT_MEMORY_MB"]))
        if answer.get("status") != "ok":
            return False
        store.commit(temporary, version.sha256, DERIVED_KIND)
    return True


def thumbnail_file(version: FileVersion | None) -> StoredFile | None:
    if version is None:
        return None
    thumbnail = StoredFile(version.sha256, DERIVED_KIND)
    return thumbnail if thumbnail.exists() else None


def previews_rebuild(*, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Make the missing thumbnails of every document's current version (all with ``rebuild``).

    Returns (made, without a thumbnail)."""
    versions = [document.current_version for document in db.session.scalars(select(Document).order_by(Document.id))
                if document.current_version is not None]
    made = missing = 0
    for done, version in enumerate(versions, start=1):
        if rebuild or thumbnail_file(version) is None:
            office_pdf_build(version)
            if preview_build(version):
                made += 1
            else:
                missing += 1
        if progress:
            progress(done, len(versions))
    return made, missing


def viewer_pdf(version: FileVersion | None) -> StoredFile | None:
    """The PDF the in-browser viewer shows for ``version``: a scan's searchable version (its text
    can be selected and found), an office file's drawing by LibreOffice, else the original PDF;
    None for other formats and for PDFs that could not be read (an encrypted one would ask the visitor for a password)."""
    if version is None:
        return None
    from .ocr import searchable_file

    searchable = searchable_file(version)
    if searchable is not None:
        return searchable
    office = office_pdf_file(version)
    if office is not None:
        return office
    if version.format != "pdf" or version.extraction_status not in ("ok", "empty"):
        return None
    original = StoredFile(version.sha256)
    return original if original.exists() else None


def previews_after_text(version: FileVersion) -> None:
    """Called by the OCR and conversion jobs once a version's text is there: the text preview is
    divided again from the searchable PDF or the OpenDocument conversion, and a Word, Excel or
    PowerPoint 97–2003 file gets its PDF and thumbnail. Only derived files are written; a failure
    here leaves the preview as it was and never fails the job that recognised the text."""
    try:
        if version.format in _LEGACY and office_pdf_build(version):
            preview_build(version)
        text_preview_build(version)
    except Exception:  # the text is what the job is for; previews can be made again
        logger.exception("previews of version %s after its text failed", version.id)
