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
from sqlalchemy import inspect as sa_inspect
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


def validate_metadata(metadata: DocumentMetadata, *, lookup: Callable[[str, str], object] = vocabulary_get) -> None:
    """Check every vocabulary slug and number before anything is stored."""
    for slug in metadata.topics:
        lookup("topic", slug)
    if metadata.type:
        lookup("type", metadata.type)
    if metadata.size_class:
        lookup("size_class", metadata.size_class)
    if metadata.license:
        lookup("license", metadata.license)
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
    bulk_index: bool = False,
) -> list[IngestOutcome]:
    """Ingest ``(path, metadata, original filename)`` items and report one outcome per item.

    A failure of one file never stops the batch, and a file whose text cannot be extracted is
    still stored and recorded with the reason; only files that are not acceptable at all
    (unsupported format, too large, bad metadata) are refused before storing.

    ``bulk_index`` (``toolbox ingest``) lets a child process write the index entries of the
    batch beside this one (``search.bulk_indexer``); never inside a web request, which must not
    fork.
    """
    outcomes: list[IngestOutcome | None] = [None] * len(items)
    timeout = float(current_app.config["TOOLBOX_EXTRACT_TIMEOUT"])
    memory_mb = int(current_app.config["TOOLBOX_EXTRACT_MEMORY_MB"])
    workers = max(1, workers)
    lookups = _Lookups()

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
    # memory stays flat however large the batch; it is wide enough that a group of finished
    # files is ready whenever this thread comes back for them.
    window = 4 * workers + RECORD_GROUP
    pending: deque[tuple[int, Future]] = deque()
    group: list[tuple[int, _Processed]] = []
    unindexed = 0
    indexer = None

    def record_group() -> None:
        nonlocal unindexed
        if not group:
            return
        recorded = _record_group([processed for _position, processed in group], uploader=uploader,
                                 publish=publish, before_commit=before_commit, lookups=lookups)
        ingested_ids = []
        for (position, _processed), outcome in zip(group, recorded):
            outcomes[position] = outcome
            if outcome.status == OUTCOME_INGESTED and outcome.document_id is not None:
                ingested_ids.append(outcome.document_id)
        group.clear()
        if indexer is not None and ingested_ids:
            indexer.add(ingested_ids)
        else:
            unindexed += len(ingested_ids)
        for outcome in recorded:
            if on_progress:
                on_progress(outcome)
        if unindexed >= INDEX_FLUSH_EVERY:
            indexing.flush_index_queue()
            unindexed = 0

    def record_finished(block: bool) -> None:
        while pending and (block or pending[0][1].done()):
            position, future = pending.popleft()
            processed = future.result()
            if isinstance(processed, IngestOutcome):
                outcomes[position] = processed
                if on_progress:
                    on_progress(processed)
            else:
                group.append((position, processed))
            if len(group) >= RECORD_GROUP:
                record_group()
        # Nothing more is ready: record what there is rather than let it wait for company.
        record_group()

    with contextlib.ExitStack() as stack:
        # The batch's cached topics, places and its own rows are kept as they are across its
        # commits: expired, each would be reloaded at every group's flush (a SELECT per topic
        # and group; a third of a text import's database time). Nobody else writes through
        # this session meanwhile; afterwards everything is expired as a commit would.
        session = db.session()
        if session.expire_on_commit:
            session.expire_on_commit = False
            stack.callback(session.expire_all)
            stack.callback(setattr, session, "expire_on_commit", True)
        if bulk_index and len(items) >= BULK_INDEX_MIN:
            # Started first: the index child is forked before any thread of this batch runs.
            indexer = indexing.bulk_indexer()
            if indexer is not None:
                stack.enter_context(indexer)
        # A single file gets a fresh child of its own; a batch shares long-lived children, whose
        # start-up would otherwise cost more than parsing a typical file.
        sandbox_pool = (extraction.WorkerPool(workers, memory_mb=memory_mb, max_tasks=CHILD_MAX_FILES)
                        if len(items) > 1 else None)
        if sandbox_pool is not None:
            stack.callback(sandbox_pool.close)
        # More threads than children: a thread spends most of a small file in fsync (of the blob
        # and its folder), and a thread that waits for a free child holds nothing.
        threads = stack.enter_context(ThreadPoolExecutor(max_workers=STORE_THREADS_PER_CHILD * workers))
        for position, (path, metadata, filename) in enumerate(items):
            accepted = _accept(Path(path), metadata, filename, lookups=lookups)
            if isinstance(accepted, IngestOutcome):
                outcomes[position] = accepted
                if on_progress:
                    on_progress(accepted)
            else:
                pending.append((position, threads.submit(store_and_extract, accepted)))
            if pending and pending[0][1].done():
                record_finished(block=False)
            while len(pending) > window:
                pending[0][1].result()  # wait for the oldest file's extraction
                record_finished(block=False)
        record_finished(block=True)
    if unindexed or indexer is not None:
        indexing.flush_index_queue()
    if indexer is not None:
        # The import's segments are merged by the worker, not while the operator waits.
        indexing.index_merge_queue()
    return [o for o in outcomes if o is not None]


#: Files recorded in one database transaction by a batch: a commit per file cost more than
#: the file's rows (and SQLite's write lock is taken once per group, not per file).
RECORD_GROUP = 32
#: Threads storing files per extraction child (see ``ingest_files``).
STORE_THREADS_PER_CHILD = 3
#: Files an extraction child of a batch reads before it is replaced: its start-up and parser
#: imports cost about a second of CPU, which every 200 files was a tenth of a text import.
CHILD_MAX_FILES = 1000
#: Batches at least this large index in a child process when the caller allows it.
BULK_INDEX_MIN = 200


class _Lookups:
    """Vocabulary entries, municipalities and projects of one batch, looked up once each.

    Thousands of manifest rows name the same few topics and places; a query each cost more
    than the rest of a file's rows. Places made in a transaction that was rolled back are
    forgotten with ``forget_places``.
    """

    def __init__(self) -> None:
        self._vocabulary: dict[tuple[str, str], object] = {}
        self._municipalities: dict[tuple, object] = {}
        self._projects: dict[tuple, object] = {}

    def vocabulary(self, vocabulary: str, slug: str):
        key = (vocabulary, slug)
        entry = self._vocabulary.get(key)
        if entry is None:
            entry = self._vocabulary[key] = vocabulary_get(vocabulary, slug)
        return entry

    def municipality(self, metadata: DocumentMetadata):
        key = (metadata.municipality, metadata.population, metadata.size_class, metadata.state, metadata.district)
        found = self._municipalities.get(key)
        if found is None:
            found = self._municipalities[key] = municipality_get_or_create(
                metadata.municipality,
                population=metadata.population,
                size_class=metadata.size_class,
                state=metadata.state,
                district=metadata.district,
            )
        return found

    def project(self, metadata: DocumentMetadata, municipality):
        key = (metadata.project, id(municipality), metadata.project_year, metadata.contact)
        found = self._projects.get(key)
        if found is None:
            found = self._projects[key] = project_get_or_create(
                metadata.project, municipality, year_finished=metadata.project_year, contact=metadata.contact
            )
        return found

    def forget_places(self) -> None:
        self._municipalities.clear()
        self._projects.clear()


def _accept(path: Path, metadata: DocumentMetadata, filename: str | None,
            lookups: _Lookups | None = None) -> _Accepted | IngestOutcome:
    """Refuse what must not be stored: bad metadata, unreadable, empty, too large, wrong format."""
    source = str(path)
    filename = clean_filename(filename or path.name)
    try:
        validate_metadata(metadata, lookup=lookups.vocabulary if lookups else vocabulary_get)
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


def _new_document(processed: _Processed, *, uploader: User | None, publish: bool, lookups: _Lookups) -> Document:
    """The document of a stored file, added to the session (not flushed)."""
    item, result = processed.accepted, processed.result
    metadata = item.metadata
    municipality = lookups.municipality(metadata) if metadata.municipality else None
    project = None
    if metadata.project_id is not None:
        project = db.session.get(Project, metadata.project_id)
    elif metadata.project:
        project = lookups.project(metadata, municipality)
    now = utcnow()
    document = Document(
        title=_title_for(metadata, result, item.filename),
        description=metadata.description or None,
        year=metadata.year,
        contact=metadata.contact or None,
        status=STATUS_PUBLISHED if publish else STATUS_SUBMITTED,
        published_at=now if publish else None,
        uploader=uploader,
        topics=[lookups.vocabulary("topic", slug) for slug in dict.fromkeys(metadata.topics)],
    )
    _refer(document, "document_type", lookups.vocabulary("type", metadata.type) if metadata.type else None)
    _refer(document, "license", lookups.vocabulary("license", metadata.license) if metadata.license else None)
    _refer(document, "municipality", municipality)
    _refer(document, "project", project)
    document.versions.append(_file_version(processed, number=1, uploader=uploader))
    db.session.add(document)
    return document


def _refer(document: Document, relation: str, target) -> None:
    """Point ``document`` at ``target`` by its key when it has one.

    A cached entry is expired by every commit; setting the relationship made the flush reload
    it (a SELECT per reference and file), setting the key column does not.
    """
    if target is None:
        return
    identity = sa_inspect(target).identity
    if identity is not None:
        column = Document.__mapper__.relationships[relation].local_columns
        setattr(document, next(iter(column)).key, identity[0])
    else:
        setattr(document, relation, target)


def _record_group(
    group: list[_Processed],
    *,
    uploader: User | None,
    publish: bool,
    before_commit: BeforeCommit | None,
    lookups: _Lookups,
) -> list[IngestOutcome]:
    """Record several stored files in one transaction; one outcome each, in order.

    Should anything fail, the transaction is rolled back and each file is recorded again in a
    transaction of its own, so that one bad file costs only itself, as before.
    """
    if len(group) == 1:
        return [_record(group[0], uploader=uploader, publish=publish, before_commit=before_commit, lookups=lookups)]
    try:
        known = _stored_versions({processed.sha256 for processed in group})
        outcomes: list[IngestOutcome | None] = [None] * len(group)
        made: dict[str, tuple[int, Document]] = {}  # by hash: the first position with it, its document
        for position, processed in enumerate(group):
            if processed.sha256 in known:
                outcomes[position] = _duplicate(processed.accepted.source, *known[processed.sha256])
            elif processed.sha256 not in made:
                made[processed.sha256] = (position, _new_document(processed, uploader=uploader, publish=publish,
                                                                  lookups=lookups))
        db.session.flush()
        made_jobs: list = []
        for position, processed in enumerate(group):
            if outcomes[position] is not None:
                continue
            source, result = processed.accepted.source, processed.result
            first, document = made[processed.sha256]
            if first != position:
                # The same bytes twice in one group: the later file is the duplicate of the first.
                outcomes[position] = _duplicate(source, (document.id, document.title), result.status)
                continue
            if before_commit is not None:
                before_commit(document, source)
            indexing.queue_document(document.id)
            made_jobs.extend(_version_jobs(document.versions[-1]))
            outcomes[position] = IngestOutcome(source, OUTCOME_INGESTED, result.message, document_id=document.id,
                                               extraction_status=result.status)
        db.session.flush()
        job_ids = [job.id for job in made_jobs]
        db.session.commit()
    except Exception:
        db.session.rollback()
        lookups.forget_places()
        current_app.logger.warning("Recording a group of %d files failed; recording them one by one", len(group),
                                   exc_info=True)
        return [_record(processed, uploader=uploader, publish=publish, before_commit=before_commit, lookups=lookups)
                for processed in group]
    # The batch keeps its rows unexpired (see ``ingest_files``); the new ones are not needed
    # again, and expiring drops their texts at once rather than at the next garbage collection.
    for _first, document in made.values():
        for version in document.versions:
            db.session.expire(version)
        db.session.expire(document)
    jobs.job_dispatch(job_ids)
    return outcomes  # type: ignore[return-value]


def _stored_versions(hashes: set[str]) -> dict[str, tuple]:
    """For each of ``hashes`` already stored: the document (id, title) and the version's extraction status."""
    found: dict[str, tuple] = {}
    rows = db.session.execute(
        select(FileVersion.sha256, FileVersion.extraction_status, Document.id, Document.title)
        .join(Document, FileVersion.document_id == Document.id)
        .where(FileVersion.sha256.in_(hashes))
        .order_by(FileVersion.id)
    )
    for sha256, extraction_status, document_id, title in rows:
        found.setdefault(sha256, ((document_id, title), extraction_status))
    return found


def _duplicate(source: str, document: tuple[int, str], extraction_status: str | None) -> IngestOutcome:
    document_id, title = document
    return IngestOutcome(source, OUTCOME_DUPLICATE, Message("ingest.duplicate", {"id": document_id, "title": title}),
                         document_id=document_id, extraction_status=extraction_status)


def _record(
    processed: _Processed,
    *,
    uploader: User | None,
    publish: bool,
    before_commit: BeforeCommit | None = None,
    lookups: _Lookups | None = None,
) -> IngestOutcome:
    item, result = processed.accepted, processed.result
    lookups = lookups or _Lookups()
    try:
        duplicate = _duplicate_outcome(item.source, processed.sha256)
        if duplicate is not None:
            return duplicate
        document = _new_document(processed, uploader=uploader, publish=publish, lookups=lookups)
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
        lookups.forget_places()
        return IngestOutcome(item.source, OUTCOME_FAILED, exc.message)
    except Exception as exc:  # the batch goes on; the stored blob stays for a retry
        db.session.rollback()
        lookups.forget_places()
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
    made = _version_jobs(version)
    if not made:
        return []
    db.session.flush()
    return [job.id for job in made]


def _version_jobs(version: FileVersion) -> list:
    """``queue_version_jobs`` without the flush that gives the jobs their ids."""
    from .convert import conversion_queue
    from .ocr import ocr_queue
    from .previews import preview_queue

    return [job for job in (ocr_queue(version) or conversion_queue(version), preview_queue(version))
            if job is not None]


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
