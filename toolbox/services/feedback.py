"""Feedback on barriers, sent through the accessibility statement's form."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..message import Message
from .audit import audit_record
from ..models import FEEDBACK_STATUSES, ROLE_ADMIN, AccessibilityFeedback, User, utcnow
from ..permissions import require


def feedback_submit(message: str, *, page: str = "", name: str | None = None, email: str | None = None,
                    locale: str = "de") -> AccessibilityFeedback:
    """Store a report; anyone may send one, logged in or not."""
    entry = AccessibilityFeedback(
        message=message.strip(), page=(page or "").strip()[:500], name=(name or "").strip() or None,
        email=(email or "").strip() or None, locale=locale,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def feedback_list(user: User) -> list[AccessibilityFeedback]:
    """All reports, newest first; for admins only."""
    require(user, ROLE_ADMIN)
    return list(db.session.scalars(select(AccessibilityFeedback).order_by(AccessibilityFeedback.received_at.desc(),
                                                                          AccessibilityFeedback.id.desc())))


class FeedbackNotFound(LookupError):
    """No report with this id."""


def feedback_set_status(user: User, entry_id: int, status: str) -> AccessibilityFeedback:
    """Record that a report is open, answered or done, when, and by whom; for admins only.

    The inbox promises an answer within a month, so the status says which reports still wait."""
    require(user, ROLE_ADMIN)
    if status not in FEEDBACK_STATUSES:
        raise ValueError(f"unknown feedback status {status!r}")
    entry = db.session.get(AccessibilityFeedback, entry_id)
    if entry is None:
        raise FeedbackNotFound(entry_id)
    if entry.status != status:
        audit_record("feedback.status", user=user, object_type="feedback", object_id=entry.id,
                     summary=Message("audit.feedback.status", {
                         "received": entry.received_at, "old": Message(f"feedback_status.{entry.status}"),
                         "new": Message(f"feedback_status.{status}")}))
        entry.status = status
        entry.status_changed_at = utcnow()
        entry.handled_by = user
        db.session.commit()
    return entry
