"""Bring a file into the repository: validate → store → extract → database → index.

Used by ``toolbox ingest`` and ``toolbox demo`` now, and by uploads and the API. Extraction is
the slow step, so a batch runs it on two worker threads, each driving a sandboxed child process;
database writes stay on the calling thread, where the Flask app context lives.
"""
from __future__ import annotations

import contextlib
import os
import unicodedata
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from flask import current_app
from sqlalchemy import select

from .. import extract as extraction
from ..extensions import db
from ..extract import messages as extraction_messages
from ..i18n import DEFAULT_LOCALE
from ..message import Message, StoredMessage
from ..message_render import render
from ..models import STATUS_PUBLISHED, STATUS_SUBMITTED, Document, FileVersion, Project, User, utcnow
from ..storage import blob_store
from . import indexing, jobs
from .places import municipality_get_or_create, project_get_or_create
from .vocabularies import UnknownSlugError, vocabulary_get

OUTCOME_INGESTED = "ingested"
OUTCOME_DUPLICATE = "duplicate"
OUTCOME_FAILED = "failed"

#: Documents recorded between two index commits in a batch: keeps the index writer's memory
#: flat and lets searches see a long import grow.
INDEX_FLUSH_EVERY = 200


@dataclass
class DocumentMetadata:
    """What a contributor, an option or a manifest row says about a document."""

    title: str | None = None
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    type: str | None = None
    municipality: str | None = None
    population: int | None = None
    size_class: str | None = None
    state: str | None = None
    district: str | None = None
    project: str | None = None
    # An existing project chosen by id (upload form); wins over ``project``.
    project_id: int | None = None
    project_year: int | None = None
    year: int | None = None
    license: str | None = None
    contact: str | None = None

    def merged_over(self, defaults: "DocumentMetadata") -> "DocumentMetadata":
        """Return these values, falling back to ``defaults`` for every field left empty."""
        values = {}
        for name in self.__dataclass_fields__:
            own = getattr(self, name)
            values[name] = own if own not in (None, "", []) else getattr(defaults, name)
        return DocumentMetadata(**values)


class MetadataError(ValueError):
    """Metadata that cannot be accepted; ``message`` says why (``str()`` in German)."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(render(message, DEFAULT_LOCALE))


def validate_metadata(metadata: DocumentMetadata) -> None:
    """Check every vocabulary slug and number before anything is stored."""
    for slug in metadata.topics:
        vocabulary_get("topic", slug)
    if metadata.type:
        vocabulary_get("type", metadata.type)
    if metadata.size_class:
        vocabulary_get("size_class", metadata.size_class)
    if metadata.license:
        vocabulary_get("license", metadata.license)
    if metadata.year is not None and not 1990 <= metadata.year <= 2100:
        raise MetadataError(Message("metadata.year_range", {"year": metadata.year}))
    if metadata.population is not None and metadata.population < 0:
        raise MetadataError(Message("metadata.population_negative"))
    if metadata.title is not None and len(metadata.title) > 500:
        raise MetadataError(Message("metadata.title_too_long"))
    if metadata.project_id is not None and db.session.get(Project, metadata.project_id) is None:
        raise MetadataError(Message("metadata.project_gone"))


@dataclass
class IngestOutcome:
    source: str
    status: str
    message: StoredMessage
    document_id: int | None = None
    extraction_status: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == OUTCOME_FAILED


@dataclass
class _Accepted:
    """A file that passed validation and waits to be stored and extracted."""

    source: str
    path: Path
    filename: str
    metadata: DocumentMetadata
    detected: extraction.DetectedType


@dataclass
class _Processed:
    """A stored file with its extraction result, ready to be recorded."""

    accepted: _Accepted
    sha256: str
    size: int
    result: extraction.ExtractionResult


ProgressCallback = Callable[[IngestOutcome], None]
#: Called with the new document and the item's source path after the flush and before the
#: commit, so that a caller's own records (audit entries) land in the same transaction.
BeforeCommit = Callable[[Document, str], None]


def ingest_file(
    path: str | os.PathLike,
    metadata: DocumentMetadata | None = None,
    *,
    filename: str | None = None,
    uploader: User | None = None,
    publish: bool = False,
    before_commit: BeforeCommit | None = None,
) -> IngestOutcome:
    """Ingest one file; see ``ingest_files``."""
    return ingest_files([(path, metadata or DocumentMetadata(), filename)], uploader=uploader, publish=publish,
                        before_commit=before_commit)[0]


def ingest_files(
    items: Sequence[tuple[str | os.PathLike, DocumentMetadata, str | None]],
    *,
    uploader: User | None = None,
    publish: bool = False,
    on_progress: ProgressCallback | None = None,
    workers: int = 2,
    before_commit: BeforeCommit | None = None,
) -> list[IngestOutcome]:
    """Ingest ``(path, metadata, original filename)`` items and report one outcome per item.

    A failure of one file never stops the batch, and a file whose text cannot be extracted is
    still stored and recorded with the reason; only files that are not acceptable at all
    (unsupported format, too large, bad metadata) are refused before storing.
    """
    outcomes: list[IngestOutcome | None] = [None] * len(items)
    timeout = float(current_app.config["TOOLBOX_EXTRACT_TIMEOUT"])
    memory_mb = int(current_app.config["TOOLBOX_EXTRACT_MEMORY_MB"])
    workers = max(1, workers)

    # A single file gets a fresh child of its own; a batch shares long-lived children, whose
    # start-up would otherwise cost more than parsing a typical file.
    sandbox_pool = extraction.WorkerPool(workers, memory_mb=memory_mb) if len(items) > 1 else None

    store = blob_store()

    def store_and_extract(item: _Accepted) -> _Processed | IngestOutcome:
        # Runs on a worker thread: hashing, fsync and waiting for the child release the GIL.
        try:
            stored = store.put_file(item.path)
        except OSError as exc:
            return IngestOutcome(item.source, OUTCOME_FAILED, _store_failed(exc))
        # The same bytes: the stored file, or the source itself when they went to a bucket.
        result = extraction.extract(stored.path or item.path, item.filename, timeout=timeout, memory_mb=memory_mb,
                                    pool=sandbox_pool)
        return _Processed(item, stored.sha256, stored.size, result)

    # Files stream through: worker threads store and extract while this thread checks the next
    # files and records finished ones. The window bounds how far the workers run ahead, so
    # memory stays flat however large the batch.
    window = 4 * workers
    pending: deque[tuple[int, Future]] = deque()
    unindexed = 0

    def record_finished(block: bool) -> None:
        nonlocal unindexed
        while pending and (block or pending[0][1].done()):
            position, future = pending.popleft()
            processed = future.result()
            if isinstance(processed, IngestOutcome):
                outcome = processed
            else:
                outcome = _record(processed, uploader=uploader, publish=publish, before_commit=before_commit)
            outcomes[position] = outcome
            if outcome.status == OUTCOME_INGESTED:
                unindexed += 1
            if on_progress:
                on_progress(outcome)
            if unindexed >= INDEX_FLUSH_EVERY:
                indexing.flush_index_queue()
                unindexed = 0

    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=workers) as threads:
        if sandbox_pool is not None:
            stack.callback(sandbox_pool.close)
        for position, (path, metadata, filename) in enumerate(items):
            accepted = _accept(Path(path), metadata, filename)
            if isinstance(accepted, IngestOutcome):
                outcomes[position] = accepted
                if on_progress:
                    on_progress(accepted)
            else:
                pending.append((position, threads.submit(store_and_extract, accepted)))
            record_finished(block=False)
            while len(pending) > window:
                pending[0][1].result()  # wait for the oldest file's extraction
                record_finished(block=False)
        record_finished(block=True)
    if unindexed:
        indexing.flush_index_queue()
    return [o for o in outcomes if o is not None]


def _accept(path: Path, metadata: DocumentMetadata, filename: str | None) -> _Accepted | IngestOutcome:
    """Refuse what must not be stored: bad metadata, unreadable, empty, too large, wrong format."""
    source = str(path)
    filename = clean_filename(filename or path.name)
    try:
        validate_metadata(metadata)
    except (UnknownSlugError, MetadataError) as exc:
        return IngestOutcome(source, OUTCOME_FAILED, exc.message)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return IngestOutcome(source, OUTCOME_FAILED, Message("ingest.unreadable", {"detail": exc.strerror or str(exc)}))
    if not path.is_file():
        return IngestOutcome(source, OUTCOME_FAILED, Message("ingest.not_a_file"))
    if size == 0:
        return IngestOutcome(source, OUTCOME_FAILED, extraction_messages.EMPTY_FILE)
    limit_mb = int(current_app.config["TOOLBOX_MAX_UPLOAD_MB"])
    if size > limit_mb * 1024 * 1024:
        return IngestOutcome(source, OUTCOME_FAILED, Message("upload.too_large", {"mb": limit_mb}))
    detected = extraction.detect_type(path, filename)
    if not detected.supported:
        return IngestOutcome(source, OUTCOME_FAILED, detected.message)
    return _Accepted(source, path, filename, metadata, detected)


def _record(
    processed: _Processed,
    *,
    uploader: User | None,
    publish: bool,
    before_commit: BeforeCommit | None = None,
) -> IngestOutcome:
    item, result = processed.accepted, processed.result
    metadata = item.metadata
    try:
        duplicate = _duplicate_outcome(item.source, processed.sha256)
        if duplicate is not None:
            return duplicate
        municipality = None
        if metadata.municipality:
            municipality = municipality_get_or_create(
                metadata.municipality,
                population=metadata.population,
                size_class=metadata.size_class,
                state=metadata.state,
                district=metadata.district,
            )
        project = None
        if metadata.project_id is not None:
            project = db.session.get(Project, metadata.project_id)
        elif metadata.project:
            project = project_get_or_create(
                metadata.project, municipality, year_finished=metadata.project_year, contact=metadata.contact
            )
        now = utcnow()
        document = Document(
            title=_title_for(metadata, result, item.filename),
            description=metadata.description or None,
            document_type=vocabulary_get("type", metadata.type) if metadata.type else None,
            license=vocabulary_get("license", metadata.license) if metadata.license else None,
            municipality=municipality,
            project=project,
            year=metadata.year,
            contact=metadata.contact or None,
            status=STATUS_PUBLISHED if publish else STATUS_SUBMITTED,
            published_at=now if publish else None,
            uploader=uploader,
            topics=[vocabulary_get("topic", slug) for slug in dict.fromkeys(metadata.topics)],
        )
        document.versions.append(_file_version(processed, number=1, uploader=uploader))
        db.session.add(document)
        db.session.flush()
        if before_commit is not None:
            before_commit(document, item.source)
        # Read before the commit, which expires the object: reading after it costs a SELECT.
        document_id = document.id
        indexing.queue_document(document_id)
        job_ids = queue_version_jobs(document.versions[-1])
        db.session.commit()
    except (UnknownSlugError, MetadataError) as exc:
        db.session.rollback()
        return IngestOutcome(item.source, OUTCOME_FAILED, exc.message)
    except Exception as exc:  # the batch goes on; the stored blob stays for a retry
        db.session.rollback()
        current_app.logger.exception("Ingest of %s failed", item.source)
        return IngestOutcome(item.source, OUTCOME_FAILED, _database_failed(exc))
    jobs.job_dispatch(job_ids)
    return IngestOutcome(
        item.source,
        OUTCOME_INGESTED,
        result.message,
        document_id=document_id,
        extraction_status=result.status,
    )


def _duplicate_outcome(source: str, sha256: str) -> IngestOutcome | None:
    """The outcome for bytes that are already stored as a document's version, if they are."""
    existing = db.session.scalar(
        select(FileVersion).where(FileVersion.sha256 == sha256).order_by(FileVersion.id).limit(1)
    )
    if existing is None:
        return None
    return IngestOutcome(
        source,
        OUTCOME_DUPLICATE,
        Message("ingest.duplicate", {"id": existing.document_id, "title": existing.document.title}),
        document_id=existing.document_id,
        extraction_status=existing.extraction_status,
    )


def _file_version(processed: _Processed, *, number: int, uploader: User | None) -> FileVersion:
    item, result = processed.accepted, processed.result
    return FileVersion(
        number=number,
        sha256=processed.sha256,
        original_filename=item.filename,
        media_type=result.media_type or item.detected.media_type,
        format=result.format or item.detected.format,
        size=processed.size,
        page_count=result.page_count,
        text=result.text,
        extraction_status=result.status,
        extraction=result.message,
        properties=_json_safe_properties(result),
        uploader=uploader,
    )


def file_version_ingest(
    document: Document,
    path: str | os.PathLike,
    *,
    filename: str | None = None,
    uploader: User | None = None,
    before_commit: Callable[[FileVersion], None] | None = None,
) -> IngestOutcome:
    """Add the file at ``path`` as the next version of ``document``; the older ones stay.

    The same checks as for a new document apply. Bytes already stored in any document are
    refused as a duplicate, naming that document. The caller checks permissions.
    """
    prepared = file_version_prepare(path, filename=filename, uploader=uploader)
    if isinstance(prepared, IngestOutcome):
        return prepared
    version, source = prepared
    try:
        version.number = max((v.number for v in document.versions), default=0) + 1
        document.versions.append(version)
        document.updated_at = utcnow()
        db.session.flush()
        if before_commit is not None:
            before_commit(version)
        indexing.queue_document(document.id)
        job_ids = queue_version_jobs(version)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("New version of document %s failed", document.id)
        return IngestOutcome(source, OUTCOME_FAILED, _database_failed(exc))
    jobs.job_dispatch(job_ids)
    indexing.flush_index_queue()
    return IngestOutcome(source, OUTCOME_INGESTED, version.extraction, document_id=document.id,
                         extraction_status=version.extraction_status)


def file_version_prepare(
    path: str | os.PathLike, *, filename: str | None = None, uploader: User | None = None
) -> tuple[FileVersion, str] | IngestOutcome:
    """Check, store and extract a file; return an unsaved ``FileVersion`` (no number, no
    document) and the source, or the refusal.

    The bytes are in the blob store afterwards; a new version is added from this at once, a
    change waiting for review keeps its values until an editor accepts.
    """
    item = _accept(Path(path), DocumentMetadata(), filename)
    if isinstance(item, IngestOutcome):
        return item
    try:
        stored = blob_store().put_file(item.path)
    except OSError as exc:
        return IngestOutcome(item.source, OUTCOME_FAILED, _store_failed(exc))
    duplicate = _duplicate_outcome(item.source, stored.sha256)
    if duplicate is not None:
        return duplicate
    extracted = extraction.extract(
        stored.path or item.path,
        item.filename,
        timeout=float(current_app.config["TOOLBOX_EXTRACT_TIMEOUT"]),
        memory_mb=int(current_app.config["TOOLBOX_EXTRACT_MEMORY_MB"]),
    )
    version = _file_version(_Processed(item, stored.sha256, stored.size, extracted), number=0, uploader=uploader)
    return version, item.source


def _store_failed(exc: OSError) -> Message:
    return Message("ingest.store_failed", {"detail": exc.strerror or str(exc)})


def _database_failed(exc: Exception) -> Message:
    return Message("ingest.database_failed", {"detail": str(exc)})


def queue_version_jobs(version: FileVersion) -> list[int]:
    """The background work a new version needs (OCR of a scan or image, LibreOffice for a Word,
    Excel or PowerPoint 97–2003 file, its thumbnail), in this transaction."""
    from .convert import conversion_queue
    from .ocr import ocr_queue
    from .previews import preview_queue

    made = [job for job in (ocr_queue(version) or conversion_queue(version), preview_queue(version))
            if job is not None]
    if not made:
        return []
    db.session.flush()
    return [job.id for job in made]


def _title_for(metadata: DocumentMetadata, result: extraction.ExtractionResult, filename: str) -> str:
    if metadata.title and metadata.title.strip():
        return " ".join(metadata.title.split())
    if result.title and result.title.strip() and len(result.title) <= 500:
        return " ".join(result.title.split())
    stem = Path(filename).stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split()) or filename


#: Longest stored filename in UTF-8 bytes: what Linux, macOS and Windows accept as one file
#: name, so a download saved under it works everywhere.
FILENAME_MAX_BYTES = 255
_EXTENSION_MAX_CHARS = 16


def clean_filename(name: str) -> str:
    """A user's filename as metadata only, never a path.

    Directory parts (``/`` and ``\\``) are dropped; NUL, control and formatting characters
    (bidi overrides that disguise ``.exe`` as ``.txt``, zero-width spaces) are removed; other
    spaces become plain spaces. The name is NFC-normalised, so "Größe" typed on a Mac and on
    Windows is one name; umlauts and ß stay. Leading dots go (no hidden files), and a name
    longer than ``FILENAME_MAX_BYTES`` is shortened before its extension.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("Z"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    name = " ".join("".join(kept).split()).lstrip(". ").rstrip(" ")
    return _shorten(name) or "dokument"


def _shorten(name: str) -> str:
    if len(name.encode("utf-8")) <= FILENAME_MAX_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > _EXTENSION_MAX_CHARS:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    room = FILENAME_MAX_BYTES - len(suffix.encode("utf-8"))
    # Cut on a character boundary: decoding with "ignore" drops a split multi-byte character.
    stem = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return stem + suffix



def _json_safe_properties(result: extraction.ExtractionResult) -> dict:
    props = {"title": result.title, "author": result.author, "created": result.created}
    for key, value in dict(result.properties or {}).items():
        props[str(key)] = value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else str(value)
    return props


def iter_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders (recursively) into a sorted list of files, skipping hidden ones."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                if candidate.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found.append(candidate)
        else:
            found.append(path)
    return found
