"""Changes to published documents that wait for an editor.

A published document was vetted by an editor; a contributor must not be able to swap its file
or rewrite its metadata behind that vetting. So a contributor's new version or metadata edit of
a *published* document becomes a ``PendingChange``: the public pages, the API, downloads, the
ZIP and the search index keep showing the published state (they read only the document and its
versions), and an editor accepts or rejects the change from the review queue.

Editors' own edits apply at once: they are the ones who would accept them. Changes to a
document that is not public (submitted, rejected, withdrawn) apply at once too, because nothing
of it is public and it passes the review as a whole before it is.

When a document with a waiting change stops being public (withdrawn by its contributor,
rejected as a whole by an editor) the change becomes part of it: it is reviewed with the
document when it is submitted again. In the trash a change keeps waiting, so that a restore is
exact.
"""
from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..message import Message
from ..models import (
    CHANGE_PENDING,
    CHANGE_REJECTED,
    ROLE_EDITOR,
    STATUS_PUBLISHED,
    Document,
    FileVersion,
    PendingChange,
    Project,
    User,
    utcnow,
)
from ..permissions import is_editor, require
from ..storage import blob_store
from . import indexing, jobs
from .audit import audit_record
from .ingest import (
    OUTCOME_INGESTED,
    DocumentMetadata,
    IngestOutcome,
    MetadataError,
    file_version_prepare,
    queue_version_jobs,
)
from .mail import mails_dispatch
from .notifications import change_decision_notify, new_version_notify
from .review import (
    REJECTION_REASON_MAX,
    changed_fields,
    WorkflowError,
    document_metadata,
    document_snapshot,
    metadata_assign,
)
from .vocabularies import UnknownSlugError, vocabulary_get

# The columns of a FileVersion that a waiting file carries; the rest is set on acceptance.
_FILE_COLUMNS = ("sha256", "original_filename", "media_type", "format", "size", "page_count", "text",
                 "extraction_status", "extraction_message", "extraction_code", "extraction_params", "properties",
                 "metadata_stripped", "privacy_report")


def change_needs_review(user: User, document: Document) -> bool:
    """True when ``user``'s change of ``document`` must wait for an editor."""
    return document.status == STATUS_PUBLISHED and not is_editor(user)


# --- submitting ------------------------------------------------------------------------------


def change_submit_metadata(user: User, document: Document, edit: DocumentMetadata, title: str) -> dict[str, list]:
    """Propose ``edit`` as the document's metadata; return the diff to the published metadata.

    The caller (``review.document_update``) has checked the permission and validated ``edit``.
    Proposing the published metadata again takes back a waiting metadata change.
    """
    proposed = {**asdict(edit), "title": title}
    diff = _diff(document, proposed)
    change = document.pending_change
    waiting_metadata = change is not None and change.waiting and change.proposed_metadata is not None
    if not diff and not waiting_metadata:
        return {}
    change = _open_change(user, document)
    change.proposed_metadata = proposed if diff else None
    audit_record("document.change_submit", user=user, object_type="document", object_id=document.id,
                 summary=Message("audit.document.change_submit",
                                 {"title": document.title, "fields": changed_fields(diff) or "–"}),
                 details={"changes": diff})
    if change.proposed_metadata is None and change.proposed_file is None:
        db.session.delete(change)
    db.session.commit()
    return diff


def change_submit_file(
    user: User, document: Document, path: str | os.PathLike, filename: str, *, stripped: bool, report: dict
) -> IngestOutcome:
    """Store and extract the file as the document's waiting new version.

    The bytes go into the blob store now (the editor downloads them from there); they become a
    version only when an editor accepts. A file already waiting is replaced.
    """
    prepared = file_version_prepare(path, filename=filename, uploader=user)
    if isinstance(prepared, IngestOutcome):
        return prepared
    version, source = prepared
    version.metadata_stripped = stripped
    version.privacy_report = report
    change = _open_change(user, document)
    replaced = change.file_sha256 if change.file_sha256 != version.sha256 else None
    change.proposed_file = {name: getattr(version, name) for name in _FILE_COLUMNS}
    change.file_sha256 = version.sha256
    audit_record("document.change_submit", user=user, object_type="document", object_id=document.id,
                 summary=Message("audit.document.change_submit_file", {"title": document.title, "filename": filename}),
                 details={"filename": filename, "sha256": version.sha256, "size": version.size,
                          "metadata_stripped": stripped})
    db.session.commit()
    if replaced:
        _blob_release(replaced)
    return IngestOutcome(source, OUTCOME_INGESTED, version.extraction, document_id=document.id,
                         extraction_status=version.extraction_status)


def _open_change(user: User, document: Document) -> PendingChange:
    """The document's waiting change, or a fresh one (a rejected change is replaced)."""
    change = document.pending_change
    if change is None:
        change = PendingChange(document=document)
        db.session.add(change)
    elif not change.waiting:
        change.proposed_metadata = None
        change.proposed_file = None
        change.file_sha256 = None
    change.status = CHANGE_PENDING
    change.rejection_reason = None
    change.decided_by_id = None
    change.decided_at = None
    change.submitted_by_id = user.id
    change.submitted_at = utcnow()
    return change


# --- deciding --------------------------------------------------------------------------------


def changes_waiting(user: User) -> list[PendingChange]:
    """Waiting changes of published documents, oldest first: the second part of the review queue."""
    require(user, ROLE_EDITOR)
    stmt = (
        select(PendingChange)
        .join(Document, Document.id == PendingChange.document_id)
        .where(PendingChange.status == CHANGE_PENDING, Document.status == STATUS_PUBLISHED)
        .order_by(PendingChange.submitted_at, PendingChange.id)
    )
    return list(db.session.scalars(stmt))


def change_accept(user: User, document: Document) -> dict[str, Any]:
    """Make the waiting change public: new metadata, the new file as the current version."""
    require(user, ROLE_EDITOR)
    change = _waiting(document)
    details = _apply(document, change)
    change_decision_notify(change, document, user, accepted=True)
    if "version" in details:
        # The proposer is told by the mail above already.
        new_version_notify(document, user, told=(change.submitted_by_id,))
    audit_record("document.change_accept", user=user, object_type="document", object_id=document.id,
                 summary=Message("audit.document.change_accept", {"title": document.title}), details=details)
    indexing.queue_document(document.id)
    job_ids = _version_jobs(document, details)
    db.session.commit()
    jobs.job_dispatch(job_ids)
    mails_dispatch()
    indexing.flush_index_queue()
    return details


def _version_jobs(document: Document, details: dict[str, Any]) -> list[int]:
    """The background work (OCR) the accepted file needs now that it is a version."""
    if "version" not in details:
        return []
    db.session.flush()
    return queue_version_jobs(document.current_version)


def change_reject(user: User, document: Document, reason: str) -> None:
    """Refuse the waiting change with a reason the contributor sees; the published state stays."""
    require(user, ROLE_EDITOR)
    change = _waiting(document)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Bitte geben Sie einen Grund für die Ablehnung an.", field="reason")
    if len(reason) > REJECTION_REASON_MAX:
        raise WorkflowError(f"Der Grund ist länger als {REJECTION_REASON_MAX} Zeichen.", field="reason")
    released = change.file_sha256
    details = {"reason": reason, "changes": _diff(document, change.proposed_metadata) if change.proposed_metadata
               else {}, "filename": (change.proposed_file or {}).get("original_filename")}
    change.status = CHANGE_REJECTED
    change.rejection_reason = reason
    change.decided_by_id = user.id
    change.decided_at = utcnow()
    change.proposed_metadata = None
    change.proposed_file = None
    change.file_sha256 = None
    change_decision_notify(change, document, user, accepted=False)
    audit_record("document.change_reject", user=user, object_type="document", object_id=document.id,
                 summary=Message("audit.document.change_reject", {"title": document.title}), details=details)
    db.session.commit()
    mails_dispatch()
    if released:
        _blob_release(released)


def change_merge_on_unpublish(document: Document) -> tuple[dict[str, Any], list[int]]:
    """Fold a waiting change into a document that stops being public; return what was applied
    (for the audit entry) and the background jobs to send after the commit.

    Called by withdraw and reject inside their transaction: from now on the document is
    reviewed as a whole before it is public again, so the change needs no review of its own.
    """
    change = document.pending_change
    if change is None:
        return {}, []
    if not change.waiting:
        db.session.delete(change)
        return {}, []
    details = _apply(document, change)
    return {"pending_change": True, **details}, _version_jobs(document, details)


def _waiting(document: Document) -> PendingChange:
    change = document.pending_change
    if change is None or not change.waiting:
        raise WorkflowError("Für dieses Dokument wartet keine Änderung.")
    return change


def _apply(document: Document, change: PendingChange) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if change.proposed_metadata is not None:
        values = dict(change.proposed_metadata)
        title = values.pop("title", None) or document.title
        try:
            details["changes"] = metadata_assign(document, DocumentMetadata(title=title, **values), title)
        except (UnknownSlugError, MetadataError) as exc:
            db.session.rollback()
            raise WorkflowError(str(exc)) from exc
    if change.proposed_file is not None:
        number = max((v.number for v in document.versions), default=0) + 1
        version = change_file(change)
        version.number = number
        document.versions.append(version)
        details.update(version=number, sha256=change.file_sha256,
                       filename=change.proposed_file.get("original_filename"))
    document.updated_at = utcnow()
    document.pending_change = None  # delete-orphan: the audit entry keeps what it was
    return details


# --- showing ---------------------------------------------------------------------------------


def change_file(change: PendingChange) -> FileVersion | None:
    """The waiting file as an unsaved ``FileVersion`` (no number, no document), so that pages and
    download names treat it like any stored version; None when only the metadata changes."""
    if change.proposed_file is None:
        return None
    return FileVersion(**change.proposed_file, uploader_id=change.submitted_by_id, uploaded_at=change.submitted_at)


def change_rows(change: PendingChange, locale: str = "de") -> list[dict[str, str]]:
    """The fields the change alters as ``{field, label, old, new}``, values as people read them."""
    if change.proposed_metadata is None:
        return []
    diff = _diff(change.document, change.proposed_metadata)
    return [{"field": key, "label": Message(f"field.{key}"), "old": _shown(key, old, locale),
             "new": _shown(key, new, locale)} for key, (old, new) in diff.items()]


def change_form_metadata(document: Document) -> DocumentMetadata:
    """What the edit form shows: the waiting proposal if there is one, else the document's metadata."""
    change = document.pending_change
    if change is not None and change.waiting and change.proposed_metadata is not None:
        return DocumentMetadata(**change.proposed_metadata)
    return document_metadata(document)


def _diff(document: Document, proposed: dict) -> dict[str, list]:
    before = document_snapshot(document)
    after = _proposed_snapshot(proposed)
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def _proposed_snapshot(values: dict) -> dict:
    """``document_snapshot`` of a document that had ``values``, without creating any row."""
    from .curation import municipality_name_current

    edit = DocumentMetadata(**values)
    project = None
    if edit.project_id is not None:
        existing = db.session.get(Project, edit.project_id)
        project = existing.name if existing else None
    elif edit.project and edit.project.strip():
        project = " ".join(edit.project.split())
    municipality = municipality_name_current(edit.municipality) if (edit.municipality or "").strip() else None
    return {
        "title": " ".join((edit.title or "").split()),
        "description": (edit.description or "").strip() or None,
        "topics": list(dict.fromkeys(edit.topics)),
        "type": edit.type or None,
        "license": edit.license or None,
        "year": edit.year,
        "contact": (edit.contact or "").strip() or None,
        "municipality": " ".join(municipality.split()) if municipality else None,
        "project": project,
    }


_VOCABULARY_OF = {"topics": "topic", "type": "type", "license": "license"}


def _shown(key: str, value, locale: str) -> str:
    if value in (None, "", []):
        return "–"
    vocabulary = _VOCABULARY_OF.get(key)
    if vocabulary is None:
        return str(value)
    slugs = value if isinstance(value, list) else [value]
    labels = []
    for slug in slugs:
        try:
            labels.append(vocabulary_get(vocabulary, slug).label(locale))
        except UnknownSlugError:
            labels.append(slug)
    return ", ".join(labels)


# --- blobs -----------------------------------------------------------------------------------


def blob_in_use(sha256: str) -> bool:
    """True while a version or a waiting change still needs these bytes."""
    used = db.session.scalar(select(FileVersion.id).where(FileVersion.sha256 == sha256).limit(1))
    if used is None:
        used = db.session.scalar(select(PendingChange.id).where(PendingChange.file_sha256 == sha256).limit(1))
    return used is not None


def _blob_release(sha256: str) -> None:
    """Delete the bytes of a file nobody needs any more (a rejected or replaced waiting file)."""
    if not blob_in_use(sha256):
        blob_store().delete(sha256)
