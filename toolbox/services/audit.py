"""The audit log: who changed what, and when. Entries are added to the caller's transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from ..models import AuditEntry, User


def audit_record(
    action: str,
    *,
    user: User | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction; it is stored when the change is committed.

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
        summary=summary,
        details=details or {},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
