"""Text recognition of scans and images as a background job.

At upload, quick extraction stays in the request (a PDF with a text layer is searchable at once);
a PDF without text and an image get an OCR job instead of waiting. The job reads the stored
original (never changed), writes the searchable PDF as a derived file, and stores the recognised
text, the new status and the index entry in one transaction with the job's "done".
"""
from __future__ import annotations

from flask import current_app

from .. import extract as extraction
from ..derived import StoredFile, derived_store
from ..extensions import db
from ..message import Message
from ..metrics import record_ocr
from ..extract.ocr import OCR_FORMATS, IMAGE_FORMATS, ocr_availability, recognise
from ..models import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, FileVersion, Job
from . import indexing
from .jobs import KIND_OCR, JobFailed, job_create

#: The outcomes of ``recognise`` counted by name in the metrics; any other is an "error".
OCR_OUTCOMES = ("ok", "too_many_pages", "timeout", "memory", "unreadable")
#: The derived file of a recognised document: the original with a text layer.
DERIVED_KIND = "ocr.pdf"
#: Seconds a job may take beyond its pages before `toolbox check` calls it stuck.
_LIMIT_MARGIN = 300

# Stored with the version (``FileVersion.extraction``) and rendered in the reader's language by
# toolbox.message_render.
UNAVAILABLE = Message("ocr.unavailable")
RUNNING = Message("ocr.running")
QUEUED = Message("ocr.queued")


def needs_ocr(version: FileVersion) -> bool:
    """A scan (a PDF whose pages hold no text) or an image."""
    if version.format in IMAGE_FORMATS:
        return version.extraction_status == "empty"
    return version.format == "pdf" and version.extraction_status == "empty" and bool(version.page_count)


def ocr_enabled() -> bool:
    return bool(current_app.config.get("TOOLBOX_OCR", True)) and ocr_availability().available


def ocr_queue(version: FileVersion) -> Job | None:
    """Add an OCR job for a flushed version that needs one, in the caller's transaction."""
    if not needs_ocr(version) or not ocr_enabled():
        return None
    pages = min(version.page_count or 1, int(current_app.config["TOOLBOX_OCR_MAX_PAGES"]))
    limit = float(current_app.config["TOOLBOX_OCR_PAGE_SECONDS"]) * pages + _LIMIT_MARGIN
    return job_create(KIND_OCR, document_id=version.document_id, file_version_id=version.id, limit_seconds=int(limit))


def ocr_job(job: Job) -> None:
    """The handler of an OCR job (see ``services.jobs``): changes rows, never commits."""
    version = db.session.get(FileVersion, job.file_version_id) if job.file_version_id else None
    if version is None or version.format not in OCR_FORMATS:
        return  # the document was deleted meanwhile: nothing to do
    if not current_app.config.get("TOOLBOX_OCR", True) or not ocr_availability().available:
        record_ocr("unavailable")
        raise JobFailed(UNAVAILABLE)
    original = StoredFile(version.sha256)
    if not original.exists():
        raise JobFailed(Message("job.file_missing"))
    store = derived_store()
    config = current_app.config
    max_pages = int(config["TOOLBOX_OCR_MAX_PAGES"])
    page_seconds = float(config["TOOLBOX_OCR_PAGE_SECONDS"])
    memory_mb = int(config["TOOLBOX_EXTRACT_MEMORY_MB"])
    if store.exists(version.sha256, DERIVED_KIND):
        # A run before was killed between writing the file and the commit: read that file again.
        with store.local_path(version.sha256, DERIVED_KIND) as searchable:
            derived = extraction.extract(searchable, "ocr.pdf", timeout=float(config["TOOLBOX_EXTRACT_TIMEOUT"]),
                                         memory_mb=memory_mb)
        if derived.status in ("ok", "empty"):
            _record_text(version, derived.text, derived.page_count or 0)
            return
    with original.local_path() as source, store.writing(version.sha256, DERIVED_KIND) as temporary:
        outcome = recognise(str(source), version.format, str(temporary), pages=version.page_count,
                            max_pages=max_pages, page_seconds=page_seconds, memory_mb=memory_mb)
        if outcome.status == "ok":
            store.commit(temporary, version.sha256, DERIVED_KIND)
    record_ocr(outcome.status if outcome.status in OCR_OUTCOMES else "error")
    if outcome.status == "ok":
        _record_text(version, outcome.text, outcome.pages)
    elif outcome.status == "too_many_pages":
        _record_refusal(version, Message("ocr.too_many_pages", {"pages": outcome.pages, "limit": max_pages}))
    elif outcome.status == "timeout":
        seconds = page_seconds * max(1, min(version.page_count or 1, max_pages))
        _record_refusal(version, Message("ocr.timeout", {"seconds": seconds}))
    elif outcome.status == "memory":
        _record_refusal(version, Message("ocr.memory", {"mb": memory_mb}))
    elif outcome.status == "unreadable":
        _record_refusal(version, Message("ocr.unreadable", {"detail": outcome.detail}))
    else:
        raise RuntimeError(f"OCR: {outcome.detail or outcome.status}")


def _record_text(version: FileVersion, text: str, pages: int) -> None:
    from ..extract.normalize import has_words

    if has_words(text):
        version.text = text
        version.extraction_status = "ok"
        version.extraction = Message("ocr.done", {"pages": pages})
    else:
        version.extraction = Message("ocr.no_text", {"pages": pages})
    if pages:
        version.page_count = pages
    # A new dict: SQLAlchemy sees a changed JSON value only when the object is replaced.
    version.properties = {**(version.properties or {}), "ocr": {"pages": pages, "derived": DERIVED_KIND}}
    indexing.queue_document(version.document_id)
    from .previews import previews_after_text

    previews_after_text(version)


def _record_refusal(version: FileVersion, message: Message) -> None:
    version.extraction = message
    version.properties = {**(version.properties or {}), "ocr": {"refused": True}}


def searchable_file(version: FileVersion) -> StoredFile | None:
    """The searchable PDF of a recognised version, or None."""
    if not (version.properties or {}).get("ocr", {}).get("derived"):
        return None
    searchable = StoredFile(version.sha256, DERIVED_KIND)
    return searchable if searchable.exists() else None


def ocr_notice(version: FileVersion | None, job: Job | None) -> Message | None:
    """What the page says about text recognition of ``version`` beside its extraction message."""
    if version is None:
        return None
    if job is not None and job.file_version_id == version.id and job.kind == KIND_OCR:
        if job.state == JOB_RUNNING:
            return RUNNING
        if job.state == JOB_QUEUED:
            return RUNNING if job.attempts else QUEUED
        if job.state == JOB_FAILED:
            return Message("ocr.failed", {"attempts": job.attempts, "reason": job.error})
        if job.state == JOB_DONE:
            return None
    if needs_ocr(version) and not (version.properties or {}).get("ocr") and not ocr_enabled():
        return UNAVAILABLE
    return None
