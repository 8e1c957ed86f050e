"""The audit log: who changed what, and when. Entries are added to the caller's transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from ..message import Message, StoredMessage, load_message
from ..models import DOCUMENT_STATUSES, AuditEntry, User


def audit_record(
    action: str,
    *,
    user: User | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    summary: StoredMessage = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction; it is stored when the change is committed.

    ``summary`` is a ``Message`` (code and parameters of a sentence in the catalogue of
    ``toolbox.message_render``), shown in the reader's language; a plain text is shown as it is.
    ``user`` defaults to the logged-in user of the request, if any.
    """
    if user is None and has_request_context():
        from flask_login import current_user

        if current_user.is_authenticated:
            user = current_user._get_current_object()
    entry = AuditEntry(
        action=action,
        user=user,
        object_type=object_type,
        object_id=object_id,
        message=summary,
        details=details or {},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


#: Detail keys whose content the entry's sentence already says (or that only machines need).
_SAID_IN_THE_SENTENCE = frozenset({"email", "role", "from", "to", "expires_at", "slug", "label_de", "label_en",
                                   "source", "target", "filename", "number", "version", "size",
                                   "previous_sha256", "job", "kind", "attempts", "terms", "one_way"})


def audit_details(entry: AuditEntry) -> list[Message]:
    """What an entry's details add to its sentence, each as a sentence of its own.

    The details are stored as data for later checks; the log page shows them through these
    messages so that a reader sees "Status: In Prüfung → Veröffentlicht", not ``['submitted',
    'published']``. A key nobody taught this function is shown with its name rather than hidden.
    """
    said = []
    for key, value in (entry.details or {}).items():
        if key in _SAID_IN_THE_SENTENCE or (key == "reason" and entry.action == "login_failed"):
            continue
        said.extend(_detail(key, value))
    return said


def _detail(key: str, value: Any) -> list[Message]:
    if key == "status":
        if isinstance(value, list) and len(value) == 2:
            return [Message("audit.detail.status_change", {"old": _status(value[0]), "new": _status(value[1])})]
        return [Message("audit.detail.status", {"status": _status(value)})]
    if key == "changes" and isinstance(value, dict):
        return [Message("audit.detail.change", {"field": Message(f"field.{field}"), "old": _shown(old),
                                                "new": _shown(new)})
                for field, (old, new) in value.items()]
    if key in ("reason", "rejection_reason"):
        return [Message(f"audit.detail.{key}", {"reason": value})]
    if key == "error":
        return [Message("audit.detail.error", {"error": load_message(value)})] if value else []
    if key == "sha256":
        return [Message("audit.detail.sha256", {"sha": value})]
    if key in ("metadata_stripped", "resubmitted", "pending_change"):
        return [Message(f"audit.detail.{key}")] if value else []
    if key == "order":
        return [Message("audit.detail.order", {"slugs": list(value)})]
    if key == "documents":
        titles = [d.get("title") for d in value if isinstance(d, dict)]
        if titles:
            return [Message("audit.detail.deleted_documents", {"titles": titles})]
        return [Message("audit.detail.documents", {"ids": [str(d) for d in value]})] if value else []
    return [Message("audit.detail.other", {"key": key, "value": _shown(value)})]


def _status(status: Any) -> Message | str:
    return Message(f"document_status.{status}") if status in DOCUMENT_STATUSES else str(status)


def _shown(value: Any) -> Any:
    """A value as the reader should see it: lists joined, nothing as a dash, numbers as numbers."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return Message("audit.detail.yes" if value else "audit.detail.no")
    if isinstance(value, (int, float)):
        return value
    return str(value)
