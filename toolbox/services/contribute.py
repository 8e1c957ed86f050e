"""Contributions: upload with a privacy preview, new versions of a document.

An upload takes two steps so that it works without JavaScript: ``upload_stage`` checks the
files and keeps them in a staging folder *outside* the blob store, together with what each
file reveals about its authors; ``upload_submit`` then stores them with their metadata,
optionally after removing those properties. Nothing reaches the blob store before the
contributor has seen the preview, so "remove the properties" really means the original bytes
are never kept.

The staging folder is ``staging/`` in the instance folder. With a bucket
(``TOOLBOX_STORAGE_URL=s3://…``) several application servers may share the work and the second
step may reach another server than the first, so the staged files and their manifest go to the
bucket's ``staging/<token>/`` instead (``storage.upload_staging``) and are fetched back by
whichever server takes the second step; the local folder only holds them while a step runs.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

from flask import current_app
from sqlalchemy import select

from .. import extract as extraction
from ..extensions import db
from ..extract import sandbox, zipguard
from ..extract.messages import EMPTY_FILE
from ..i18n import N_
from ..message import Message, StoredMessage, dump_message, load_message
from ..models import ROLE_CONTRIBUTOR, Document, FileVersion, User
from ..permissions import PermissionDenied, can_edit_document, require
from ..storage import upload_staging
from . import indexing
from .audit import audit_record
from .documents import document_visible_to
from .ingest import (
    OUTCOME_DUPLICATE,
    OUTCOME_FAILED,
    OUTCOME_INGESTED,
    DocumentMetadata,
    IngestOutcome,
    MetadataError,
    clean_filename,
    file_version_ingest,
    ingest_files,
    validate_metadata,
)
from .metadata_strip import report_is_empty
from .mail import mails_dispatch
from .notifications import new_version_notify, submissions_notify
from .vocabularies import UnknownSlugError

logger = logging.getLogger(__name__)

#: Staged uploads nobody submitted are removed after this many seconds.
STAGING_MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_CHUNK = 1024 * 1024

GDPR_HINT = N_(
    "Diese Angaben sind personenbezogene Daten (Art. 4 DSGVO) von Ihnen oder Ihren Kolleginnen "
    "und Kollegen. Sie werden mit der Datei veröffentlicht und können von allen heruntergeladen "
    "werden. Entfernen Sie sie, wenn die Personen der Veröffentlichung nicht zugestimmt haben."
)


class UploadError(ValueError):
    """An upload that cannot be accepted; ``messages`` say why (``Message``s, or German texts
    such as a metadata error's) and name the files.

    ``field`` names the form field the messages belong to; ``status`` is the HTTP status an API
    answers with (413 too large, 415 format not accepted, 400 anything else).
    """

    def __init__(self, messages: list[StoredMessage] | StoredMessage, field: str = "files", status: int = 400):
        self.messages = list(messages) if isinstance(messages, list) else [messages]
        self.field = field
        self.status = status
        super().__init__(*self.messages)


class StagingNotFound(LookupError):
    """No staged upload under this token for this user (expired, submitted or someone else's)."""


@dataclass
class StagedFile:
    key: str
    filename: str
    format: str
    media_type: str
    size: int
    sha256: str
    report: dict = field(default_factory=dict)
    duplicate_of: int | None = None
    #: What the accessibility check found (extract/accessibility.py), None where it says nothing.
    accessibility: dict | None = None

    @property
    def reveals_something(self) -> bool:
        return not report_is_empty(self.report)


@dataclass
class Staging:
    token: str
    uploader_id: int
    created: float
    files: list[StagedFile]
    refused: list[dict] = field(default_factory=list)
    # Set when the files are a new version of this document rather than new documents.
    document_id: int | None = None

    @property
    def reveals_something(self) -> bool:
        return any(f.reveals_something for f in self.files)


@dataclass
class UploadResult:
    """One submitted file: what happened and the document it belongs to."""

    filename: str
    status: str  # ingested | duplicate | failed
    message: StoredMessage
    document_id: int | None = None
    extraction_status: str | None = None
    # True when the file waits for an editor as a change of a published document.
    pending: bool = False


def file_refused(filename: str, reason: StoredMessage) -> Message:
    """``reason`` with the name of the file it is about."""
    return Message("upload.file_refused", {"filename": filename, "reason": reason})


# --- step 1: stage ---------------------------------------------------------------------------


def upload_stage(user: User, uploads: Iterable[tuple[BinaryIO, str]], *, shared: bool = True) -> Staging:
    """Check the uploaded files by content and size and stage the acceptable ones.

    ``shared=False`` keeps them on this server even with a bucket: for the callers that take
    the second step in the same request (the API, scripts).

    :raise PermissionDenied: the user may not contribute.
    :raise UploadError: no file was acceptable; the messages say why for each file.
    """
    require(user, ROLE_CONTRIBUTOR)
    staging_sweep()
    token = secrets.token_urlsafe(24)
    folder = _staging_root() / token
    folder.mkdir(parents=True)
    staging = Staging(token=token, uploader_id=user.id, created=time.time(), files=[])
    try:
        for position, (stream, filename) in enumerate(uploads):
            filename = clean_filename(filename)
            try:
                staged = _stage_one(folder, str(position), stream, filename)
            except UploadError as exc:
                # One reason per file: _stage_one refuses with a single message.
                staging.refused.append({"filename": filename, "message": dump_message(exc.messages[0]),
                                        "status": exc.status})
                continue
            staging.files.append(staged)
        if not staging.files:
            messages = [file_refused(r["filename"], load_message(r["message"])) for r in staging.refused] or [
                Message("upload.no_file")
            ]
            statuses = {r["status"] for r in staging.refused}
            raise UploadError(messages, status=statuses.pop() if len(statuses) == 1 else 400)
        _write_manifest(staging)
        if shared:
            _share(staging, files=True)
    except BaseException:
        _staging_remove(token, shared=shared)
        raise
    return staging


def _stage_one(folder: Path, key: str, stream: BinaryIO, filename: str) -> StagedFile:
    import hashlib

    limit_mb = int(current_app.config["TOOLBOX_MAX_UPLOAD_MB"])
    limit = limit_mb * 1024 * 1024
    path = folder / f"{key}.bin"
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink()
                raise UploadError(Message("upload.too_large", {"mb": limit_mb}), status=413)
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        path.unlink()
        raise UploadError(EMPTY_FILE)
    detected = extraction.detect_type(path, filename)
    if not detected.supported:
        path.unlink()
        raise UploadError(detected.message or Message("upload.unsupported"), status=415)
    sha256 = digest.hexdigest()
    return StagedFile(
        key=key,
        filename=filename,
        format=detected.format,
        media_type=detected.media_type,
        size=size,
        sha256=sha256,
        report=_privacy_report(path, detected.format),
        duplicate_of=_document_with_bytes(sha256),
        accessibility=_accessibility_facts(path, detected.format),
    )


def _accessibility_facts(path: Path, file_format: str) -> dict | None:
    """Checked at the upload step, so the contributor reads "nicht getaggt" while the source
    file is still open and an accessible export costs a minute, not a new version later."""
    if file_format not in ("pdf", "docx", "odt"):
        return None
    if file_format != "pdf" and zipguard.check_file(str(path)):
        return None  # refused by the guard: the extraction reports why
    outcome = sandbox.run(
        "toolbox.extract.accessibility:inspect_file",
        [str(path), file_format],
        timeout=float(current_app.config["TOOLBOX_EXTRACT_TIMEOUT"]),
        memory_mb=int(current_app.config["TOOLBOX_EXTRACT_MEMORY_MB"]),
    )
    return outcome.value if outcome.kind == "ok" and isinstance(outcome.value, dict) else None


def _privacy_report(path: Path, file_format: str) -> dict:
    if file_format not in ("docx", "pdf"):
        return {}
    outcome = sandbox.run(
        "toolbox.services.metadata_strip:sandboxed_report",
        [str(path), file_format],
        timeout=float(current_app.config["TOOLBOX_EXTRACT_TIMEOUT"]),
        memory_mb=int(current_app.config["TOOLBOX_EXTRACT_MEMORY_MB"]),
    )
    if outcome.kind == "ok" and isinstance(outcome.value, dict):
        return outcome.value
    return {"error": outcome.kind}


def stored_privacy_report(version: FileVersion) -> dict:
    """What a stored version reveals about people, for the review: the report kept when it was
    contributed, or, for versions stored without one (command line, older rows), read from its
    bytes now."""
    if version.privacy_report is not None:
        return version.privacy_report
    from ..storage import blob_store

    try:
        with blob_store().local_path(version.sha256) as path:
            return _privacy_report(path, version.format)
    except FileNotFoundError:
        return {"error": "missing"}


def _document_with_bytes(sha256: str) -> int | None:
    return db.session.scalar(
        select(FileVersion.document_id).where(FileVersion.sha256 == sha256).order_by(FileVersion.id).limit(1)
    )


# --- step 2: submit --------------------------------------------------------------------------


def upload_get(user: User, token: str, *, document_id: int | None = None) -> Staging:
    """Return the user's staged upload of new documents, or of a new version of ``document_id``.

    :raise StagingNotFound: unknown, expired, another user's token, or staged for another purpose.
    """
    require(user, ROLE_CONTRIBUTOR)
    staging = _read_manifest(token)
    if staging is None or staging.uploader_id != user.id or staging.document_id != document_id:
        raise StagingNotFound(token)
    return staging


def upload_discard(user: User, token: str) -> None:
    """Throw a staged upload away."""
    upload_get(user, token)
    _staging_remove(token)


def upload_submit(
    user: User,
    token: str,
    metadata: DocumentMetadata,
    *,
    titles: dict[str, str] | None = None,
    strip_metadata: bool = False,
    overrides: dict[str, dict] | None = None,
) -> list[UploadResult]:
    """Store the staged files as submitted documents with ``metadata``.

    ``titles`` maps a staged file's key to its title (the metadata's title is the fallback);
    ``overrides`` maps a key to the fields that file describes differently (description,
    topics, type, licence), so a DSFA and a Beschlussvorlage can be sent together.
    With ``strip_metadata`` the files' personal properties are removed first and only the
    cleaned copy is stored. A file whose bytes are already stored links to that document.

    :raise UploadError: metadata or stripping failed; nothing was stored.
    """
    staging = upload_get(user, token)
    try:
        validate_metadata(metadata)
    except (UnknownSlugError, MetadataError) as exc:
        raise UploadError(exc.message, field="metadata") from exc
    overrides = overrides or {}
    for own in overrides.values():
        try:
            validate_metadata(DocumentMetadata(**{**asdict(metadata), **own}))
        except (UnknownSlugError, MetadataError) as exc:
            raise UploadError(exc.message, field="metadata") from exc
    from .curation import municipality_name_current

    metadata = DocumentMetadata(**{**asdict(metadata), "municipality": municipality_name_current(metadata.municipality)})
    paths = _staged_paths(staging)
    stripped: set[str] = set()
    if strip_metadata:
        stripped = _strip_staged(staging, paths)
    titles = titles or {}
    items = []
    by_source: dict[str, StagedFile] = {}
    for staged in staging.files:
        title = (titles.get(staged.key) or "").strip() or metadata.title
        file_metadata = DocumentMetadata(**{**asdict(metadata), **overrides.get(staged.key, {}), "title": title})
        items.append((paths[staged.key], file_metadata, staged.filename))
        by_source[str(paths[staged.key])] = staged

    def record(document: Document, source: str) -> None:
        staged = by_source[source]
        version = document.current_version
        version.metadata_stripped = staged.key in stripped
        version.privacy_report = staged.report
        audit_record(
            "document.upload",
            user=user,
            object_type="document",
            object_id=document.id,
            summary=Message("audit.document.upload", {"title": document.title, "filename": staged.filename}),
            details={"filename": staged.filename, "sha256": version.sha256, "size": version.size,
                     "metadata_stripped": version.metadata_stripped},
        )

    outcomes = ingest_files(items, uploader=user, before_commit=record)
    _staging_remove(token)
    submissions_notify([o.document_id for o in outcomes if o.status == OUTCOME_INGESTED and o.document_id], user)
    return [_result(by_source[o.source].filename, o, user) for o in outcomes]


def _strip_staged(staging: Staging, paths: dict[str, Path]) -> set[str]:
    """Replace each staged file by its cleaned copy; the original is deleted at once."""
    stripped: set[str] = set()
    errors: list[StoredMessage] = []
    cleaned: dict[str, Path] = {}
    for staged in staging.files:
        if staged.format not in ("docx", "pdf"):
            continue
        source = paths[staged.key]
        target = source.with_suffix(".clean")
        outcome = sandbox.run(
            "toolbox.services.metadata_strip:sandboxed_strip",
            [str(source), str(target), staged.format],
            timeout=float(current_app.config["TOOLBOX_EXTRACT_TIMEOUT"]),
            memory_mb=int(current_app.config["TOOLBOX_EXTRACT_MEMORY_MB"]),
        )
        value = outcome.value if outcome.kind == "ok" and isinstance(outcome.value, dict) else None
        if value is None or value.get("error") or not target.is_file():
            reason = load_message((value or {}).get("error")) or Message("upload.strip_failed")
            errors.append(file_refused(staged.filename, reason))
            target.unlink(missing_ok=True)
            continue
        cleaned[staged.key] = target
    if errors:
        for target in cleaned.values():
            target.unlink(missing_ok=True)
        errors.append(Message("upload.strip_advice"))
        raise UploadError(errors, field="strip_metadata")
    for key, target in cleaned.items():
        target.replace(paths[key])
        stripped.add(key)
    for staged in staging.files:
        if staged.key in stripped:
            # The editor reviews what the stored copy reveals, not what the original did.
            staged.report = _privacy_report(paths[staged.key], staged.format)
    return stripped


def _result(filename: str, outcome: IngestOutcome, user: User) -> UploadResult:
    if outcome.status == OUTCOME_DUPLICATE and document_visible_to(user, outcome.document_id) is None:
        # Another contributor's unpublished document: its id and title are not the uploader's to know.
        return UploadResult(filename, outcome.status, Message("upload.duplicate_hidden"))
    return UploadResult(filename, outcome.status, outcome.message, outcome.document_id, outcome.extraction_status)


def document_upload(
    user: User,
    stream: BinaryIO,
    filename: str,
    metadata: DocumentMetadata,
    *,
    strip_metadata: bool = False,
) -> UploadResult:
    """Stage and submit one file in a single call (the JSON API has no preview step)."""
    require(user, ROLE_CONTRIBUTOR)
    try:
        validate_metadata(metadata)
    except (UnknownSlugError, MetadataError) as exc:
        raise UploadError(exc.message, field="metadata") from exc
    staging = upload_stage(user, [(stream, filename)], shared=False)
    try:
        return upload_submit(user, staging.token, metadata, strip_metadata=strip_metadata)[0]
    finally:
        _staging_remove(staging.token, shared=False)


# --- new version -----------------------------------------------------------------------------


def document_version_stage(user: User, document: Document, stream: BinaryIO, filename: str, *,
                           shared: bool = True) -> Staging:
    """Check and stage a new version of ``document``: the same privacy preview as a first upload.

    :raise PermissionDenied: the user may not edit this document.
    :raise UploadError: the file was refused (size, format, or bytes already stored).
    """
    if not can_edit_document(user, document):
        raise PermissionDenied("document_version_add")
    staging = upload_stage(user, [(stream, filename)], shared=shared)
    duplicate_of = staging.files[0].duplicate_of
    if duplicate_of is not None:
        _staging_remove(staging.token)
        _refuse_duplicate(user, document, duplicate_of)
    staging.document_id = document.id
    _write_manifest(staging)
    if shared:
        _share(staging, files=False)
    return staging


def document_version_submit(
    user: User, document: Document, token: str, *, strip_metadata: bool = False
) -> UploadResult:
    """Store the staged file as ``document``'s new version, optionally without its personal data.

    Every older version stays downloadable. A contributor's new version of a published document
    waits for an editor (``pending_changes``; ``UploadResult.pending``) and the published file
    stays what the public gets; otherwise it becomes the current version at once.

    :raise PermissionDenied: the user may not edit this document.
    :raise StagingNotFound: no staged version of this document under ``token``.
    :raise UploadError: the file was refused (duplicate, stripping failed, storing failed).
    """
    from .pending_changes import change_needs_review, change_submit_file

    if not can_edit_document(user, document):
        raise PermissionDenied("document_version_add")
    staging = upload_get(user, token, document_id=document.id)
    staged = staging.files[0]
    path = _staged_paths(staging)[staged.key]
    stripped = bool(_strip_staged(staging, {staged.key: path})) if strip_metadata else False
    pending = change_needs_review(user, document)
    try:
        if pending:
            outcome = change_submit_file(user, document, path, staged.filename, stripped=stripped,
                                         report=staged.report)
        else:
            outcome = _version_add_now(user, document, path, staged, stripped)
    finally:
        _staging_remove(staging.token)
    if outcome.status == OUTCOME_DUPLICATE:
        _refuse_duplicate(user, document, outcome.document_id)
    if outcome.status == OUTCOME_FAILED:
        raise UploadError(outcome.message)
    result = _result(staged.filename, outcome, user)
    result.pending = pending
    return result


def _refuse_duplicate(user: User, document: Document, holder_id: int | None) -> None:
    """Refuse a version whose bytes are stored already, naming the holder only to those who may see it."""
    if holder_id == document.id:
        raise UploadError(Message("upload.already_a_version"))
    if document_visible_to(user, holder_id) is None:
        raise UploadError(Message("upload.duplicate_hidden"))
    raise UploadError(Message("upload.duplicate_of", {"number": holder_id}))


def _version_add_now(user: User, document: Document, path: Path, staged: StagedFile, stripped: bool) -> IngestOutcome:
    previous = document.current_version

    def record(version: FileVersion) -> None:
        version.metadata_stripped = stripped
        version.privacy_report = staged.report
        audit_record(
            "document.version_add",
            user=user,
            object_type="document",
            object_id=document.id,
            summary=Message("audit.document.version_add", {"number": version.number, "title": document.title,
                                                           "filename": staged.filename}),
            details={"filename": staged.filename, "number": version.number, "sha256": version.sha256,
                     "previous_sha256": previous.sha256 if previous else None,
                     "metadata_stripped": stripped},
        )
        # Of a published document, the new version is public at once: its followers hear of it.
        new_version_notify(document, user)

    outcome = file_version_ingest(document, path, filename=staged.filename, uploader=user, before_commit=record)
    mails_dispatch()
    return outcome


def document_version_add(
    user: User, document: Document, stream: BinaryIO, filename: str, *, strip_metadata: bool = False
) -> UploadResult:
    """Stage and submit a new version in one call (scripts; the page shows the preview between)."""
    staging = document_version_stage(user, document, stream, filename, shared=False)
    try:
        return document_version_submit(user, document, staging.token, strip_metadata=strip_metadata)
    finally:
        _staging_remove(staging.token, shared=False)


# --- staging folder --------------------------------------------------------------------------


def _staging_root() -> Path:
    # In the instance folder, never in the blob store: staged bytes may be discarded or
    # replaced by a cleaned copy, and the blob store only ever holds what was submitted.
    return Path(current_app.instance_path) / "staging"


def _write_manifest(staging: Staging) -> None:
    data = asdict(staging)
    path = _staging_root() / staging.token / "manifest.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _share(staging: Staging, *, files: bool) -> None:
    """With a bucket: put the staged upload there (files first, the manifest last, so a manifest
    never names a file that is missing) and keep nothing of it on this server."""
    shared = upload_staging()
    if shared is None:
        return
    folder = _staging_root() / staging.token
    if files:
        for staged in staging.files:
            shared.put(staging.token, f"{staged.key}.bin", folder / f"{staged.key}.bin")
    shared.put(staging.token, "manifest.json", folder / "manifest.json")
    shutil.rmtree(folder, ignore_errors=True)


def _staged_paths(staging: Staging) -> dict[str, Path]:
    """The staged files on this server's disk: where the first step left them, or fetched from
    the bucket when it ran on another server."""
    folder = _staging_root() / staging.token
    paths = {f.key: folder / f"{f.key}.bin" for f in staging.files}
    shared = upload_staging()
    missing = [key for key, path in paths.items() if not path.is_file()]
    if missing and shared is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for key in missing:
            if not shared.fetch(staging.token, f"{key}.bin", paths[key]):
                raise StagingNotFound(staging.token)
    return paths


def _staging_remove(token: str, *, shared: bool | None = None) -> None:
    """Remove a staged upload from this server and, when it was put in the bucket, from there.

    ``shared`` None: a manifest in the local folder means the upload never went to the bucket
    (``_share`` leaves none behind, a server fetching the files for the second step fetches no
    manifest), so the API's one-call upload costs the bucket no listing."""
    folder = _staging_root() / token
    if shared is None:
        shared = not (folder / "manifest.json").is_file()
    shutil.rmtree(folder, ignore_errors=True)
    store = upload_staging()
    if store is not None and shared:
        store.discard(token)


def _read_manifest(token: str) -> Staging | None:
    if not _TOKEN.match(token or ""):
        return None
    path = _staging_root() / token / "manifest.json"
    shared = upload_staging()
    try:
        if path.is_file() or shared is None:
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            raw = shared.read(token, "manifest.json")
            if raw is None:
                return None
            data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None
    if time.time() - float(data.get("created", 0)) > STAGING_MAX_AGE:
        return None
    files = [StagedFile(**f) for f in data.pop("files", [])]
    return Staging(files=files, **data)


#: With a bucket, one process lists its staged uploads at most this often (seconds).
SHARED_SWEEP_INTERVAL = 600.0
_shared_swept: dict[str, float] = {}


def staging_sweep(max_age: float = STAGING_MAX_AGE, *, shared_interval: float = SHARED_SWEEP_INTERVAL) -> int:
    """Remove staged uploads older than ``max_age`` seconds; return how many.

    The bucket's staged uploads are listed at most every ``shared_interval`` seconds by one
    process (a listing per upload would cost more than the leftovers of a day)."""
    removed = _staging_sweep_shared(max_age, shared_interval)
    root = _staging_root()
    if not root.is_dir():
        return removed
    cutoff = time.time() - max_age
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _staging_sweep_shared(max_age: float, interval: float) -> int:
    shared = upload_staging()
    if shared is None:
        return 0
    now = time.monotonic()
    where = shared.describe()
    if now - _shared_swept.get(where, -interval) < interval:
        return 0
    _shared_swept[where] = now
    try:
        return shared.sweep(max_age)
    except OSError:
        # Leftovers wait for the next sweep; an upload must not fail because of them.
        logger.exception("Could not sweep the staged uploads in %s", where)
        return 0


__all__ = [
    "GDPR_HINT",
    "OUTCOME_DUPLICATE",
    "OUTCOME_FAILED",
    "OUTCOME_INGESTED",
    "StagedFile",
    "Staging",
    "StagingNotFound",
    "UploadError",
    "UploadResult",
    "document_upload",
    "document_version_add",
    "document_version_stage",
    "document_version_submit",
    "staging_sweep",
    "stored_privacy_report",
    "upload_discard",
    "upload_get",
    "upload_stage",
    "upload_submit",
]
