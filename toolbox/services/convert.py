"""Word, Excel and PowerPoint 97–2003 files read by LibreOffice as a background job.

At upload such a file is stored with status "empty" (nothing can be read in the request: a
conversion takes seconds) and gets a conversion job, the way a scan gets an OCR job. The job
reads the stored original (never changed), keeps the OpenDocument conversion as a derived file,
and stores the text, the new status and the index entry in one transaction with the job's
"done". Without LibreOffice on the server the document says so ("Format nur mit LibreOffice
lesbar").
"""
from __future__ import annotations

from flask import current_app

from ..derived import StoredFile, derived_store
from ..extensions import db
from ..extract import messages as extraction_messages
from ..extract.convert import TARGETS, convert, libreoffice
from ..extract.normalize import has_words, word_count
from ..message import Message
from ..models import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, FileVersion, Job
from . import indexing
from .jobs import KIND_CONVERT, JobFailed, job_create

QUEUED = Message("convert.queued")
RUNNING = Message("convert.running")
#: Seconds a job may take beyond the conversion before `toolbox check` calls it stuck.
_LIMIT_MARGIN = 300


def derived_kind(version: FileVersion) -> str:
    """The derived file's kind: "libreoffice.odt", ".ods" or ".odp"."""
    return f"libreoffice.{TARGETS[version.format]}"


def needs_conversion(version: FileVersion) -> bool:
    """A Word, Excel or PowerPoint 97–2003 file whose text has not been read yet."""
    return version.format in TARGETS and version.extraction_status == "empty" and not (
        version.properties or {}).get("libreoffice")


def conversion_enabled() -> bool:
    return libreoffice() is not None


def conversion_queue(version: FileVersion) -> Job | None:
    """Add a conversion job for a flushed version that needs one, in the caller's transaction.

    Without LibreOffice the version's message says the format needs it, and no job is made.
    """
    if not needs_conversion(version):
        return None
    if not conversion_enabled():
        version.extraction = extraction_messages.NEEDS_LIBREOFFICE
        return None
    limit = float(current_app.config["TOOLBOX_CONVERT_SECONDS"]) + _LIMIT_MARGIN
    return job_create(KIND_CONVERT, document_id=version.document_id, file_version_id=version.id,
                      limit_seconds=int(limit))


def convert_job(job: Job) -> None:
    """The handler of a conversion job (see ``services.jobs``): changes rows, never commits."""
    version = db.session.get(FileVersion, job.file_version_id) if job.file_version_id else None
    if version is None or version.format not in TARGETS:
        return  # the document was deleted meanwhile: nothing to do
    if not conversion_enabled():
        raise JobFailed(extraction_messages.NEEDS_LIBREOFFICE)
    original = StoredFile(version.sha256)
    if not original.exists():
        raise JobFailed(Message("job.file_missing"))
    config = current_app.config
    seconds = float(config["TOOLBOX_CONVERT_SECONDS"])
    memory_mb = int(config["TOOLBOX_EXTRACT_MEMORY_MB"])
    store, kind = derived_store(), derived_kind(version)
    with original.local_path() as source, store.writing(version.sha256, kind) as temporary:
        outcome = convert(str(source), version.format, str(temporary), seconds=seconds, memory_mb=memory_mb)
        if outcome.status == "ok":
            store.commit(temporary, version.sha256, kind)
    if outcome.status == "ok":
        _record_text(version, outcome.text, outcome.pages, kind)
    elif outcome.status == "timeout":
        _record_refusal(version, Message("convert.timeout", {"seconds": seconds}))
    elif outcome.status == "memory":
        _record_refusal(version, Message("convert.memory", {"mb": memory_mb}))
    elif outcome.status == "unreadable":
        _record_refusal(version, Message("convert.unreadable", {"detail": outcome.detail}))
    else:
        raise RuntimeError(f"LibreOffice: {outcome.detail or outcome.status}")


def _record_text(version: FileVersion, text: str, pages: int | None, kind: str) -> None:
    if has_words(text):
        version.text = text
        version.extraction_status = "ok"
        version.extraction = Message("convert.done", {"words": word_count(text)})
    else:
        version.extraction = Message("convert.no_text")
    if pages:
        version.page_count = pages
    # A new dict: SQLAlchemy sees a changed JSON value only when the object is replaced.
    version.properties = {**(version.properties or {}), "libreoffice": {"derived": kind}}
    indexing.queue_document(version.document_id)
    from .previews import previews_after_text

    previews_after_text(version)


def _record_refusal(version: FileVersion, message: Message) -> None:
    version.extraction_status = "failed"
    version.extraction = message
    version.properties = {**(version.properties or {}), "libreoffice": {"refused": True}}


def conversion_notice(version: FileVersion | None, job: Job | None) -> Message | None:
    """What the page says about the conversion of ``version`` beside its extraction message."""
    if version is None or version.format not in TARGETS:
        return None
    if job is not None and job.file_version_id == version.id and job.kind == KIND_CONVERT:
        if job.state == JOB_RUNNING or (job.state == JOB_QUEUED and job.attempts):
            return RUNNING
        if job.state == JOB_QUEUED:
            return QUEUED
        if job.state == JOB_FAILED:
            return Message("convert.failed", {"attempts": job.attempts, "reason": job.error})
        if job.state == JOB_DONE:
            return None
    if needs_conversion(version) and not conversion_enabled():
        return extraction_messages.NEEDS_LIBREOFFICE
    return None
