"""Who may do what: roles are ranked, each includes the rights of those below it."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

from .models import ROLE_ADMIN, ROLE_CONTRIBUTOR, ROLE_EDITOR, Document, User

ROLE_RANK = {ROLE_CONTRIBUTOR: 1, ROLE_EDITOR: 2, ROLE_ADMIN: 3}


def has_role(user: User | None, role: str) -> bool:
    """True when ``user`` is an active account with at least ``role``."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    return ROLE_RANK.get(user.role, 0) >= ROLE_RANK[role]


def is_editor(user: User | None) -> bool:
    return has_role(user, ROLE_EDITOR)


def can_edit_document(user: User | None, document: Document) -> bool:
    """Editors edit every document; contributors only their own."""
    if is_editor(user):
        return True
    return has_role(user, ROLE_CONTRIBUTOR) and document.uploader_id == user.id


def role_required(role: str) -> Callable:
    """Let through users with ``role`` or higher; send visitors to the login page, others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from .extensions import login_manager

                return login_manager.unauthorized()
            if not has_role(current_user, role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


class PermissionDenied(Exception):
    """A service refused an action for the acting user; views turn it into 403."""
