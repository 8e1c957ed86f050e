"""Feedback on barriers, sent through the accessibility statement's form."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import ROLE_ADMIN, AccessibilityFeedback, User
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
