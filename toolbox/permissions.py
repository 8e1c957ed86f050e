"""Who may do what: roles are ranked, each includes the rights of those below it."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Blueprint, Flask
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


def require(user: User | None, role: str) -> None:
    """The one check of services and views: raise ``PermissionDenied`` unless ``user`` has ``role``."""
    if not has_role(user, role):
        raise PermissionDenied(role)


#: Blueprint name -> the role every view of that blueprint needs (``role_required`` on a blueprint).
_BLUEPRINT_ROLES: dict[str, str] = {}


def role_required(role: str) -> Callable:
    """Guard a view, or every view of a blueprint (those added later too), with ``role``.

    Visitors are sent to the login page; logged-in users without the role get 403 (the
    application's handler for ``PermissionDenied``). The role is recorded, so that
    ``required_role`` can show that every route that is not public says whom it is for.
    """

    def guard():
        if not current_user.is_authenticated:
            from .extensions import login_manager

            return login_manager.unauthorized()
        require(current_user, role)
        return None

    def decorator(target):
        if isinstance(target, Blueprint):
            target.before_request(guard)
            _BLUEPRINT_ROLES[target.name] = role
            return target

        @wraps(target)
        def wrapped(*args, **kwargs):
            return guard() or target(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


def required_role(app: Flask, endpoint: str) -> str | None:
    """The highest role the guards of ``endpoint`` (its blueprint's and its own) ask for."""
    roles = [getattr(app.view_functions.get(endpoint), "required_role", None)]
    blueprint, _dot, _name = endpoint.rpartition(".")
    roles.append(_BLUEPRINT_ROLES.get(blueprint))
    declared = [role for role in roles if role]
    return max(declared, key=ROLE_RANK.__getitem__) if declared else None


class PermissionDenied(Exception):
    """A service refused an action for the acting user; views turn it into 403."""
