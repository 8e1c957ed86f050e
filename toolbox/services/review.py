"""The review workflow: submitted → published | rejected; withdrawn; trash and restore; edits.

Every use case checks the acting user's permission first, writes an audit entry and queues
the document for the index in the same transaction, commits, and then brings the index up to
date — the database stays the truth if the index update fails.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    ROLE_ADMIN,
    ROLE_CONTRIBUTOR,
    ROLE_EDITOR,
    STATUS_DELETED,
    STATUS_PUBLISHED,
    STATUS_REJECTED,
    STATUS_SUBMITTED,
    STATUS_WITHDRAWN,
    Document,
    Project,
    User,
    utcnow,
)
from ..i18n import N_
from ..message import Message
from ..permissions import PermissionDenied, can_edit_document, is_editor, require
from ..storage import blob_store
from . import indexing
from .audit import audit_record
from .mail import mails_dispatch
from .notifications import decision_notify
from .ingest import DocumentMetadata, MetadataError, validate_metadata
from .places import municipality_get_or_create, project_get_or_create
from .vocabularies import UnknownSlugError, vocabulary_get

# German source texts; templates translate them with ``_(status_label(...))``, N_ only marks them
# for extraction into the catalogue.
STATUS_LABELS = {
    STATUS_SUBMITTED: N_("In Prüfung"),
    STATUS_PUBLISHED: N_("Veröffentlicht"),
    STATUS_REJECTED: N_("Abgelehnt"),
    STATUS_WITHDRAWN: N_("Zurückgezogen"),
    STATUS_DELETED: N_("Im Papierkorb"),
}

REJECTION_REASON_MAX = 2000


class WorkflowError(ValueError):
    """A step the document's status does not allow, or a missing input; German message."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


# --- reading ---------------------------------------------------------------------------------


def review_queue(user: User) -> list[Document]:
    """Submitted documents, oldest first: what the editors have to look at next."""
    require(user, ROLE_EDITOR)
    stmt = select(Document).where(Document.status == STATUS_SUBMITTED).order_by(Document.created_at, Document.id)
    return list(db.session.scalars(stmt))


def review_queue_count(user: User) -> int:
    """How many submitted documents wait for an editor; the editors' navigation shows it."""
    require(user, ROLE_EDITOR)
    return db.session.scalar(select(func.count()).select_from(Document).where(Document.status == STATUS_SUBMITTED))


def documents_of(user: User) -> list[Document]:
    """The user's own uploads, except those an editor moved to the trash, newest first."""
    require(user, ROLE_CONTRIBUTOR)
    stmt = (
        select(Document)
        .where(Document.uploader_id == user.id, Document.status != STATUS_DELETED)
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    return list(db.session.scalars(stmt))


def document_for_edit(user: User, document_id: int) -> Document | None:
    """The document if ``user`` may edit it, else None (so that others' documents stay hidden).

    Documents in the trash are editable by editors only.
    """
    document = db.session.get(Document, document_id)
    if document is None or not can_edit_document(user, document):
        return None
    if document.status == STATUS_DELETED and not is_editor(user):
        return None
    return document


def documents_list(user: User, status: str | None = None, *, limit: int = 500) -> list[Document]:
    """Every document (editors), optionally of one status, newest change first."""
    require(user, ROLE_EDITOR)
    stmt = select(Document).order_by(Document.updated_at.desc(), Document.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Document.status == status)
    return list(db.session.scalars(stmt))


def trash_list(user: User) -> list[Document]:
    require(user, ROLE_EDITOR)
    stmt = select(Document).where(Document.status == STATUS_DELETED).order_by(Document.updated_at.desc())
    return list(db.session.scalars(stmt))


# --- status changes --------------------------------------------------------------------------


def document_publish(user: User, document: Document) -> None:
    """Make a submitted (or earlier rejected) document visible to everyone."""
    require(user, ROLE_EDITOR)
    _require_status(document, (STATUS_SUBMITTED, STATUS_REJECTED), "veröffentlicht")
    previous = document.status
    document.status = STATUS_PUBLISHED
    document.rejection_reason = None
    document.published_at = document.published_at or utcnow()
    decision_notify(document, user)
    _commit(user, document, "document.publish", _titled("audit.document.publish", document),
            {"status": [previous, STATUS_PUBLISHED]})


def document_reject(user: User, document: Document, reason: str) -> None:
    """Reject a submitted or published document; the contributor sees the reason."""
    require(user, ROLE_EDITOR)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Bitte geben Sie einen Grund für die Ablehnung an.", field="reason")
    if len(reason) > REJECTION_REASON_MAX:
        raise WorkflowError(f"Der Grund ist länger als {REJECTION_REASON_MAX} Zeichen.", field="reason")
    _require_status(document, (STATUS_SUBMITTED, STATUS_PUBLISHED), "abgelehnt")
    previous = document.status
    document.status = STATUS_REJECTED
    document.rejection_reason = reason
    merged, job_ids = _merge_waiting_change(document)
    decision_notify(document, user)
    _commit(user, document, "document.reject", _titled("audit.document.reject", document),
            {"status": [previous, STATUS_REJECTED], "reason": reason, **merged}, job_ids)


def document_withdraw(user: User, document: Document) -> None:
    """The contributor takes a document back; it disappears from the public pages."""
    if not can_edit_document(user, document):
        raise PermissionDenied("document_withdraw")
    _require_status(document, (STATUS_SUBMITTED, STATUS_PUBLISHED, STATUS_REJECTED), "zurückgezogen")
    previous = document.status
    document.status = STATUS_WITHDRAWN
    merged, job_ids = _merge_waiting_change(document)
    _commit(user, document, "document.withdraw", _titled("audit.document.withdraw", document),
            {"status": [previous, STATUS_WITHDRAWN], **merged}, job_ids)


def document_resubmit(user: User, document: Document) -> None:
    """Send a withdrawn or rejected document back to the review queue, as it is now."""
    if not can_edit_document(user, document):
        raise PermissionDenied("document_resubmit")
    _require_status(document, (STATUS_WITHDRAWN, STATUS_REJECTED), "erneut eingereicht")
    previous = document.status
    details: dict = {"status": [previous, STATUS_SUBMITTED]}
    if document.rejection_reason:
        details["rejection_reason"] = document.rejection_reason
    document.status = STATUS_SUBMITTED
    document.rejection_reason = None
    _commit(user, document, "document.resubmit", _titled("audit.document.resubmit", document), details)


def document_trash(user: User, document: Document) -> None:
    """Move a document to the trash, remembering its status for an exact restore."""
    require(user, ROLE_EDITOR)
    if document.status == STATUS_DELETED:
        raise WorkflowError("Das Dokument liegt bereits im Papierkorb.")
    previous = document.status
    document.status_before_delete = previous
    document.status = STATUS_DELETED
    _commit(user, document, "document.trash", _titled("audit.document.trash", document),
            {"status": [previous, STATUS_DELETED]})


def document_restore(user: User, document: Document) -> None:
    """Take a document out of the trash with the status it had before."""
    require(user, ROLE_EDITOR)
    if document.status != STATUS_DELETED:
        raise WorkflowError("Das Dokument liegt nicht im Papierkorb.")
    restored = document.status_before_delete or STATUS_SUBMITTED
    document.status = restored
    document.status_before_delete = None
    _commit(user, document, "document.restore", _titled("audit.document.restore", document),
            {"status": [STATUS_DELETED, restored]})


def trash_empty(user: User) -> int:
    """Delete every document in the trash for good, and the stored files no one else uses.

    Only admins may do this; it is the one way anything is ever deleted. Returns the number of
    documents deleted.
    """
    require(user, ROLE_ADMIN)
    documents = list(db.session.scalars(select(Document).where(Document.status == STATUS_DELETED)))
    if not documents:
        return 0
    hashes = {version.sha256 for document in documents for version in document.versions}
    hashes |= {d.pending_change.file_sha256 for d in documents if d.pending_change and d.pending_change.file_sha256}
    listed = [{"id": d.id, "title": d.title, "files": [v.sha256 for v in d.versions]} for d in documents]
    for document in documents:
        indexing.queue_document(document.id)
        db.session.delete(document)
    audit_record("trash.empty", user=user, summary=Message("audit.trash.empty", {"count": len(documents)}),
                 details={"documents": listed})
    db.session.commit()
    # Files go only after the commit: a failed commit must leave every file in place. Bytes
    # shared with a surviving version (a duplicate linked elsewhere) stay.
    from .pending_changes import blob_in_use

    store = blob_store()
    for sha256 in hashes:
        if not blob_in_use(sha256):
            store.delete(sha256)
    indexing.flush_index_queue()
    return len(documents)


# --- metadata edit ---------------------------------------------------------------------------


def document_update(user: User, document: Document, edit: DocumentMetadata) -> dict[str, list]:
    """Replace the document's metadata with ``edit``; empty fields clear the value.

    An editor's change shows at once. A contributor's change of a published document waits
    for an editor (``pending_changes``) and the public keeps the published metadata until then;
    of any other document it applies at once, and a rejected one goes back to the review queue.
    The audit entry holds the diff (``{field: [old, new]}``), which is also returned.
    """
    if not can_edit_document(user, document):
        raise PermissionDenied("document_update")
    if document.status == STATUS_DELETED and not is_editor(user):
        raise PermissionDenied("document_update")
    title = " ".join((edit.title or "").split())
    if not title:
        raise WorkflowError("Bitte geben Sie einen Titel an.", field="title")
    try:
        validate_metadata(edit)
    except (UnknownSlugError, MetadataError) as exc:
        raise WorkflowError(str(exc)) from exc
    try:
        return _apply_update(user, document, edit, title)
    except Exception:
        db.session.rollback()
        raise


def _apply_update(user: User, document: Document, edit: DocumentMetadata, title: str) -> dict[str, list]:
    if document.status == STATUS_PUBLISHED and not is_editor(user):
        # A published document's metadata change waits for an editor (issue 11.1).
        from .pending_changes import change_submit_metadata

        return change_submit_metadata(user, document, edit, title)
    diff = metadata_assign(document, edit, title)
    if not diff:
        db.session.rollback()
        return {}
    details: dict = {"changes": diff, "status": document.status}
    if document.status == STATUS_REJECTED and not is_editor(user):
        document.status = STATUS_SUBMITTED
        details["resubmitted"] = True
        details["rejection_reason"] = document.rejection_reason
        document.rejection_reason = None
    document.updated_at = utcnow()
    _commit(user, document, "document.update",
            Message("audit.document.update", {"title": document.title, "fields": changed_fields(diff)}), details)
    return diff


def changed_fields(diff: dict) -> list[Message]:
    """The names of a diff's fields; each key of document_snapshot has a "field.<key>" label in
    the message catalogue."""
    return [Message(f"field.{key}") for key in diff]


def metadata_assign(document: Document, edit: DocumentMetadata, title: str) -> dict[str, list]:
    """Set the document's metadata to ``edit`` in the session (no commit); return the diff
    ``{field: [old, new]}``. Municipality and project are found or created here, so callers
    that only propose a change must not call this before it is accepted."""
    before = document_snapshot(document)
    document.title = title
    document.description = (edit.description or "").strip() or None
    document.contact = (edit.contact or "").strip() or None
    document.year = edit.year
    document.document_type = vocabulary_get("type", edit.type) if edit.type else None
    document.license = vocabulary_get("license", edit.license) if edit.license else None
    document.topics = [vocabulary_get("topic", slug) for slug in dict.fromkeys(edit.topics)]
    municipality = None
    if edit.municipality and edit.municipality.strip():
        from .curation import municipality_name_current

        municipality = municipality_get_or_create(
            municipality_name_current(edit.municipality), population=edit.population, size_class=edit.size_class,
            state=edit.state, district=edit.district,
        )
    document.municipality = municipality
    if edit.project_id is not None:
        document.project = db.session.get(Project, edit.project_id)
    elif edit.project and edit.project.strip():
        document.project = project_get_or_create(edit.project, municipality, year_finished=edit.project_year,
                                                 contact=edit.contact)
    else:
        document.project = None
    after = document_snapshot(document)
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def document_snapshot(document: Document) -> dict:
    """The editable metadata as plain values, for diffs in the audit log."""
    return {
        "title": document.title,
        "description": document.description,
        "topics": [t.slug for t in document.topics],
        "type": document.document_type.slug if document.document_type else None,
        "license": document.license.slug if document.license else None,
        "year": document.year,
        "contact": document.contact,
        "municipality": document.municipality.name if document.municipality else None,
        "project": document.project.name if document.project else None,
    }


def document_metadata(document: Document) -> DocumentMetadata:
    """The document's metadata in the shape the edit form and ``document_update`` use."""
    municipality = document.municipality
    return DocumentMetadata(
        title=document.title,
        description=document.description,
        topics=[t.slug for t in document.topics],
        type=document.document_type.slug if document.document_type else None,
        municipality=municipality.name if municipality else None,
        population=municipality.population if municipality else None,
        size_class=(municipality.size_class.slug if municipality and municipality.size_class_manual
                    and municipality.size_class else None),
        project_id=document.project_id,
        year=document.year,
        license=document.license.slug if document.license else None,
        contact=document.contact,
    )


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Document.status, func.count()).group_by(Document.status))
    return {status: count for status, count in rows}


# --- helpers ---------------------------------------------------------------------------------


def _merge_waiting_change(document: Document) -> tuple[dict, list[int]]:
    """A document that stops being public takes its waiting change along (see pending_changes)."""
    from .pending_changes import change_merge_on_unpublish

    return change_merge_on_unpublish(document)


def _require_status(document: Document, allowed: tuple[str, ...], verb: str) -> None:
    if document.status not in allowed:
        raise WorkflowError(
            f"Ein Dokument mit dem Status „{status_label(document.status)}“ kann nicht {verb} werden."
        )


def _titled(code: str, document: Document) -> Message:
    return Message(code, {"title": document.title})


def _commit(user: User, document: Document, action: str, summary: Message, details: dict,
            job_ids: list[int] | None = None) -> None:
    audit_record(action, user=user, object_type="document", object_id=document.id, summary=summary,
                 details=details)
    indexing.queue_document(document.id)
    db.session.commit()
    if job_ids:
        from .jobs import job_dispatch

        job_dispatch(job_ids)
    mails_dispatch()
    indexing.flush_index_queue()
