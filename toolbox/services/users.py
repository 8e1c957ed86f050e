"""Accounts: creation, passwords, authentication, roles, invitations and API tokens.

Passwords are hashed with Argon2id (argon2-cffi, RFC 9106 low-memory profile: 64 MiB, t=3, p=4).
Argon2id is memory-hard, so a leaked database is expensive to attack on GPUs, and it is the
first choice of the OWASP password-storage guidance; ``check_needs_rehash`` lets us raise the
parameters later and upgrade hashes at the next login.

Invitation links and API tokens are 256 random bits; only their SHA-256 is stored, so a copy of
the database holds no usable link or token. A random token looked up by its hash cannot be
forged, and single use and expiry need server state anyway, which a signature alone lacks.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context, has_request_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..message import Message
from ..models import ROLE_ADMIN, ROLES, Invitation, User
from .audit import audit_record

PASSWORD_MIN_LENGTH = 12
# Argon2 hashes any length, but a megabyte of "password" per request would be a cheap DoS.
PASSWORD_MAX_LENGTH = 256
DEFAULT_INVITATION_DAYS = 7
API_TOKEN_PREFIX = "tbx_"

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"

# Deliberately simple: one @, no spaces, a dot in the domain. Real validation is the invitation.
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")

_HASHER = PasswordHasher()
# The same algorithm with the least work, for the test suite alone (TESTING and
# PASSWORD_HASH_FAST together): a full hash and check cost about three seconds on a busy CI
# machine, and the suite logs in hundreds of times. tests/test_users.py checks the real profile.
_FAST_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Verifying against this keeps a login for an unknown address as slow as one for a known one,
# so the response time does not reveal which addresses have accounts. Made on first use: a hash
# costs about a second, which every CLI command and worker process paid at import.
_dummy_hashes: dict[int, str] = {}


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("TESTING") and current_app.config.get("TOOLBOX_PASSWORD_HASH_FAST"):
        return _FAST_TEST_HASHER
    return _HASHER


class AccountError(ValueError):
    """A request about an account cannot be fulfilled; ``str()`` is the German message."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field

    def __str__(self) -> str:
        return self.message


class PasswordPolicyError(AccountError):
    """The password does not meet the policy."""


class InvitationError(AccountError):
    """The invitation link is unknown, used or expired; ``reason`` says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def role_message(role: str) -> Message:
    """A role as a message, so an audit entry names it in the reader's language."""
    return Message(f"role.{role}")


ROLE_LABELS = {
    "contributor": _l("Projektleitung"),
    "editor": _l("Redaktion"),
    "admin": _l("Administration"),
}


def _msg(text: str, **variables) -> str:
    """Translate in a request (the user's locale); the CLI has no locale and gets German."""
    if has_request_context():
        return gettext(text, **variables)
    return text % variables if variables else text


def _clock() -> datetime:
    """The current time; tests replace ``users.now`` to move the clock."""
    return datetime.now(timezone.utc)


now: Callable[[], datetime] = _clock


# --- passwords -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _normalise(password: str) -> str:
    # The same password typed on a Mac and on Windows may differ in Unicode form (ä vs a + ¨).
    return unicodedata.normalize("NFKC", password)


def password_check(password: str | None, *, email: str | None = None) -> None:
    """Raise ``PasswordPolicyError`` with a German message when ``password`` is too weak."""
    password = _normalise(password or "")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordPolicyError(
            _msg("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=PASSWORD_MIN_LENGTH), "password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordPolicyError(
            _msg("Das Passwort darf höchstens %(n)d Zeichen lang sein.", n=PASSWORD_MAX_LENGTH), "password")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        raise PasswordPolicyError(
            _msg("Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes, "
               "z. B. einen Satz aus mehreren Wörtern."), "password")
    if email:
        local = email.split("@", 1)[0].lower()
        if lowered == email.lower() or (len(local) >= 4 and local in lowered):
            raise PasswordPolicyError(
                _msg("Das Passwort darf Ihre E-Mail-Adresse nicht enthalten."), "password")


def password_hash(password: str) -> str:
    return _hasher().hash(_normalise(password))


def password_verify(user: User, password: str) -> bool:
    """True when ``password`` matches; upgrades an outdated hash in the current transaction."""
    if not user.password_hash:
        _dummy_verify(password)
        return False
    try:
        _hasher().verify(user.password_hash, _normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hash(password)
    return True


def _dummy_verify(password: str) -> None:
    hasher = _hasher()
    dummy = _dummy_hashes.get(id(hasher))
    if dummy is None:
        dummy = _dummy_hashes[id(hasher)] = hasher.hash("dummy-password-for-timing")
    try:
        hasher.verify(dummy, _normalise(password or ""))
    except VerificationError:
        pass


# --- users -----------------------------------------------------------------------------------


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def email_check(email: str) -> None:
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise AccountError(_msg("Bitte geben Sie eine gültige E-Mail-Adresse ein."), "email")


def role_check(role: str) -> None:
    if role not in ROLES:
        raise AccountError(
            _msg("Unbekannte Rolle „%(role)s“. Möglich sind: %(roles)s.", role=role, roles=", ".join(ROLES)), "role")


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def new_session_token() -> str:
    return secrets.token_hex(16)


def user_create(email: str, role: str, password: str | None = None, name: str | None = None, *,
                actor: User | None = None) -> User:
    """Create and commit an account; without ``password`` it cannot log in until invited.

    :raise AccountError: invalid e-mail address or role, address taken, or a weak password.
    """
    _require_admin(actor)
    email = normalise_email(email)
    email_check(email)
    role_check(role)
    if user_by_email(email) is not None:
        raise AccountError(_msg("Es gibt bereits ein Konto für %(email)s.", email=email), "email")
    if password is not None:
        password_check(password, email=email)
    user = User(
        email=email,
        name=(name or "").strip() or None,
        role=role,
        active=True,
        password_hash=password_hash(password) if password is not None else None,
        session_token=new_session_token(),
    )
    db.session.add(user)
    db.session.flush()
    audit_record("user_create", user=actor, object_type="user", object_id=user.id,
                 summary=Message("audit.user_create", {"email": email, "role": role_message(role)}),
                 details={"email": email, "role": role})
    db.session.commit()
    return user


def user_get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def users_list() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of ``user_authenticate_detailed``: the user, or why the login failed."""

    user: User | None
    reason: str | None  # unknown_email, no_password, inactive, wrong_password


def user_authenticate_detailed(email: str, password: str) -> LoginAttempt:
    email = normalise_email(email)
    user = user_by_email(email) if email else None
    if user is None:
        _dummy_verify(password)
        return LoginAttempt(None, "unknown_email")
    if not password_verify(user, password or ""):
        return LoginAttempt(None, "no_password" if not user.password_hash else "wrong_password")
    if not user.active:
        return LoginAttempt(None, "inactive")
    return LoginAttempt(user, None)


def password_change(user: User, new_password: str, *, current_password: str | None = None,
                    actor: User | None = None) -> None:
    """Set a new password, end all other sessions of ``user`` and revoke its API token.

    With ``current_password`` the old password must match (the user changes it themselves).
    """
    if current_password is not None and not password_verify(user, current_password):
        raise AccountError(_msg("Das aktuelle Passwort ist falsch."), "current_password")
    password_check(new_password, email=user.email)
    user.password_hash = password_hash(new_password)
    user.session_token = new_session_token()
    audit_record("password_change", user=actor or user, object_type="user", object_id=user.id,
                 summary=Message("audit.password_change", {"email": user.email}))
    _api_token_drop(user, actor=actor or user)
    db.session.commit()


def user_mail_settings(user: User, language: str, notify_submissions: str | None = None) -> None:
    """Save the language of the account's mails and (editors) how new submissions are announced.

    Choosing the daily digest starts it from now: submissions before were announced already.
    """
    from ..i18n import N_
    from ..models import NOTIFY_CHOICES, NOTIFY_DAILY

    if language not in ("de", "en"):
        raise AccountError(_msg(N_("Unbekannte Sprache.")), "language")
    user.language = language
    if notify_submissions is not None:
        if notify_submissions not in NOTIFY_CHOICES:
            raise AccountError(_msg(N_("Unbekannte Einstellung.")), "notify_submissions")
        if notify_submissions == NOTIFY_DAILY and user.notify_submissions != NOTIFY_DAILY:
            user.digest_sent_until = now()
        user.notify_submissions = notify_submissions
    db.session.commit()


def _require_admin(actor: User | None) -> None:
    """Account administration is for admins; ``actor=None`` is the operator at the command line."""
    from ..permissions import require

    if actor is not None:
        require(actor, ROLE_ADMIN)


def _active_admin_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == ROLE_ADMIN, User.active.is_(True))) or 0


def _is_self(actor: User | None, user: User) -> bool:
    """An admin acting on their own account would lock themself out of this very page."""
    return actor is not None and actor.id == user.id


def _guard_last_admin(user: User) -> None:
    if user.role == ROLE_ADMIN and user.active and _active_admin_count() <= 1:
        raise AccountError(_msg("%(email)s ist das letzte aktive Administrationskonto; es muss mindestens "
                              "eines bleiben.", email=user.email))


def user_deactivate(user: User, *, actor: User | None = None) -> None:
    """Lock the account and end its open sessions at once; neither the last admin nor oneself."""
    _require_admin(actor)
    if not user.active:
        return
    _guard_last_admin(user)
    if _is_self(actor, user):
        raise AccountError(_msg("Sie können Ihr eigenes Konto nicht deaktivieren."))
    user.active = False
    user.session_token = new_session_token()
    user.api_token_hash = None
    audit_record("user_deactivate", user=actor, object_type="user", object_id=user.id,
                 summary=Message("audit.user_deactivate", {"email": user.email}))
    db.session.commit()


def user_reactivate(user: User, *, actor: User | None = None) -> None:
    _require_admin(actor)
    if user.active:
        return
    user.active = True
    user.session_token = new_session_token()
    audit_record("user_reactivate", user=actor, object_type="user", object_id=user.id,
                 summary=Message("audit.user_reactivate", {"email": user.email}))
    db.session.commit()


def user_set_role(user: User, role: str, *, actor: User | None = None) -> None:
    """Change the role; the last active admin cannot be demoted, and no admin can demote themself."""
    _require_admin(actor)
    role_check(role)
    if role == user.role:
        return
    if role != ROLE_ADMIN:
        _guard_last_admin(user)
        if _is_self(actor, user):
            raise AccountError(_msg("Sie können Ihre eigene Administrationsrolle nicht entfernen; darum muss "
                                    "eine andere Administratorin oder ein anderer Administrator sich kümmern."))
    old = user.role
    user.role = role
    # No session rotation needed: the role is read from the database on every request.
    audit_record("role_change", user=actor, object_type="user", object_id=user.id,
                 summary=Message("audit.role_change", {"email": user.email, "old": role_message(old),
                                                          "new": role_message(role)}),
                 details={"from": old, "to": role})
    db.session.commit()


def user_record_login(user: User) -> None:
    user.last_login_at = now()
    audit_record("login", user=user, object_type="user", object_id=user.id, summary=Message("audit.login", {"email": user.email}))
    db.session.commit()


def user_record_logout(user: User) -> None:
    """Audit the logout and end the session for good.

    The session cookie is signed, not stored: a copy taken before the logout (shared PC,
    proxy log) would stay valid without a new session token. This ends the account's other
    sessions too, as a password change does.
    """
    user.session_token = new_session_token()
    audit_record("logout", user=user, object_type="user", object_id=user.id, summary=Message("audit.logout", {"email": user.email}))
    db.session.commit()


def login_failed_record(email: str, reason: str | None) -> None:
    """Audit a failed login with the address tried (never the password)."""
    email = normalise_email(email)[:254]
    user = user_by_email(email) if email else None
    audit_record("login_failed", user=None, object_type="user", object_id=user.id if user else None,
                 summary=Message("audit.login_failed_because", {
                     "email": email or Message("audit.no_email"),
                     "reason": Message(f"login_failed.{reason or 'invalid_form'}")}),
                 details={"email": email, "reason": reason or "invalid_form"})
    db.session.commit()


# --- invitations -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_days() -> int:
    if has_app_context():
        return int(current_app.config.get("TOOLBOX_INVITATION_DAYS") or DEFAULT_INVITATION_DAYS)
    return DEFAULT_INVITATION_DAYS


def invitation_create(user: User, *, actor: User | None = None, valid_for: timedelta | None = None) -> str:
    """Make a one-time link token for ``user`` to set a password; returns the token (shown once).

    Earlier unused invitations of the same address stop working.
    """
    _require_admin(actor)
    if not user.active:
        raise AccountError(_msg("Das Konto %(email)s ist deaktiviert.", email=user.email))
    moment = now()
    for old in db.session.scalars(select(Invitation).where(
            Invitation.email == user.email, Invitation.used_at.is_(None))):
        old.used_at = moment
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=user.email,
        role=user.role,
        token_hash=_token_hash(token),
        created_by_id=actor.id if actor else None,
        created_at=moment,
        expires_at=moment + (valid_for or timedelta(days=invitation_days())),
    )
    db.session.add(invitation)
    db.session.flush()
    audit_record("invite", user=actor, object_type="user", object_id=user.id,
                 summary=Message("audit.invite_until", {"email": user.email, "role": role_message(user.role),
                                                        "expires_at": invitation.expires_at}),
                 details={"email": user.email, "role": user.role, "expires_at": invitation.expires_at.isoformat()})
    db.session.commit()
    return token


def user_invite(email: str, role: str, name: str | None = None, *, actor: User | None = None) -> tuple[User, str]:
    """Create an account without password and an invitation link for it; returns both."""
    user = user_create(email, role, name=name, actor=actor)
    return user, invitation_create(user, actor=actor)


def invitation_get_valid(token: str) -> tuple[Invitation, User]:
    """The open invitation for ``token`` and its account.

    :raise InvitationError: with reason ``unknown``, ``used`` or ``expired``.
    """
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token or "")))
    if invitation is None:
        raise InvitationError(_msg("Dieser Einladungslink ist ungültig. Bitte prüfen Sie, ob er vollständig "
                                 "kopiert wurde, oder bitten Sie die Administration um einen neuen."), "unknown")
    if invitation.used_at is not None:
        raise InvitationError(_msg("Dieser Einladungslink wurde bereits verwendet oder durch einen neueren "
                                 "ersetzt. Bitte melden Sie sich an oder bitten Sie die Administration "
                                 "um einen neuen Link."), "used")
    if invitation.expires_at <= now():
        raise InvitationError(_msg("Dieser Einladungslink ist abgelaufen. Bitte bitten Sie die Administration "
                                 "um einen neuen Link."), "expired")
    user = user_by_email(invitation.email)
    if user is None or not user.active:
        raise InvitationError(_msg("Das Konto zu dieser Einladung ist nicht (mehr) aktiv."), "used")
    return invitation, user


def invitation_accept(token: str, password: str, name: str | None = None) -> User:
    """Set the password through an invitation link, which is then used up."""
    invitation, user = invitation_get_valid(token)
    password_check(password, email=user.email)
    # Claim the invitation with a conditional update so that two simultaneous submissions of
    # the same link cannot both succeed.
    claimed = db.session.execute(
        db.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise InvitationError(_msg("Dieser Einladungslink wurde bereits verwendet."), "used")
    user.password_hash = password_hash(password)
    user.session_token = new_session_token()
    if name and name.strip():
        user.name = name.strip()
    audit_record("invite_used", user=user, object_type="user", object_id=user.id,
                 summary=Message("audit.invite_used", {"email": user.email}))
    # A new link resets a forgotten or stolen password: the token made with the old one goes too.
    _api_token_drop(user, actor=user)
    db.session.commit()
    return user


# --- API tokens ------------------------------------------------------------------------------


def api_token_create(user: User) -> str:
    """Give ``user`` a new API token (replacing the old one); returns it — shown only once."""
    if not user.active:
        raise AccountError(_msg("Nur aktive Konten können einen API-Schlüssel erhalten."))
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    replaced = user.api_token_hash is not None
    user.api_token_hash = _token_hash(token)
    audit_record("api_token_create", user=user, object_type="user", object_id=user.id,
                 summary=Message("audit.api_token_replace" if replaced else "audit.api_token_create",
                                 {"email": user.email}))
    db.session.commit()
    return token


def api_token_revoke(user: User) -> None:
    """Revoke every API token of ``user`` (an account holds at most one)."""
    if _api_token_drop(user, actor=user):
        db.session.commit()


def _api_token_drop(user: User, *, actor: User) -> bool:
    """Forget the token in the current transaction, audited; False when there was none.

    A token outlives sessions on purpose (scripts run unattended, so a logout leaves it), but
    not the password it was made under: who changes or resets a password suspects it is known.
    """
    if user.api_token_hash is None:
        return False
    user.api_token_hash = None
    audit_record("api_token_revoke", user=actor, object_type="user", object_id=user.id,
                 summary=Message("audit.api_token_revoke", {"email": user.email}))
    return True


def user_for_api_token(token: str | None) -> User | None:
    """The active account that owns this API token, or None (unknown, revoked, deactivated)."""
    if not token or not token.startswith(API_TOKEN_PREFIX) or len(token) > 200:
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == _token_hash(token)))
    if user is None or not user.active:
        return None
    return user
