"""Accounts by mail: invitations, "Passwort vergessen", confirmed changes of the e-mail address.

Links are 256 random bits of which only the SHA-256 is stored (as for invitations), used once
(claimed with a conditional UPDATE, so two tabs cannot both use one link) and short-lived.

A reset request is answered before anyone looks the address up: the request only queues a job
with the address typed, and the worker decides whether an account exists and mails it. So the
page says the same and takes the same time for known and unknown addresses by construction,
not by padding the response.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..i18n import N_
from ..message import Message
from ..models import TOKEN_EMAIL_CHANGE, TOKEN_PASSWORD_RESET, AccountToken, Job, User
from ..urls import absolute_url, invitation_url
from . import users
from .audit import audit_record
from .jobs import KIND_PASSWORD_RESET, job_create, job_dispatch
from .mail import mail_queue, mails_dispatch

RESET_VALID = timedelta(hours=1)
EMAIL_CHANGE_VALID = timedelta(hours=24)


class AccountLinkError(users.AccountError):
    """A mailed link is unknown, used or expired; ``reason`` says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _token_hash(token: str) -> str:
    return users._token_hash(token)


def _new_token(user: User, purpose: str, valid: timedelta, new_email: str | None = None) -> str:
    """A fresh link for ``user``; earlier unused links of the same purpose stop working."""
    moment = users.now()
    db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=moment))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_token_hash(token),
                                new_email=new_email, created_at=moment, expires_at=moment + valid))
    return token


def _valid_token(token: str, purpose: str) -> AccountToken:
    row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _token_hash(token or ""),
                                                       AccountToken.purpose == purpose))
    if row is None:
        raise AccountLinkError(users._msg(N_("Dieser Link ist ungültig. Bitte prüfen Sie, ob er vollständig "
                                             "kopiert wurde.")), "unknown")
    if row.used_at is not None:
        raise AccountLinkError(users._msg(N_("Dieser Link wurde bereits verwendet oder durch einen neueren "
                                             "ersetzt.")), "used")
    if row.expires_at <= users.now():
        raise AccountLinkError(users._msg(N_("Dieser Link ist abgelaufen. Bitte fordern Sie einen neuen an.")), "expired")
    if not row.user.active:
        raise AccountLinkError(users._msg(N_("Das Konto zu diesem Link ist nicht (mehr) aktiv.")), "used")
    return row


def _claim(row: AccountToken) -> None:
    claimed = db.session.execute(update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
                                 .values(used_at=users.now())).rowcount
    if claimed != 1:
        db.session.rollback()
        raise AccountLinkError(users._msg(N_("Dieser Link wurde bereits verwendet.")), "used")


# --- invitations -----------------------------------------------------------------------------


def invitation_mail(user: User, token: str, *, actor: User | None = None, base: str | None = None) -> None:
    """Mail the invitation link to ``user``; the admin's page (or ``toolbox create-user``) shows
    the link as well. ``base`` is the address the link points to (default: TOOLBOX_BASE_URL)."""
    mail_queue("invitation", user.email, user.language, name=user.name, link=invitation_url(token, base=base),
               role=users.ROLE_LABELS.get(user.role, user.role), days=users.invitation_days(),
               inviter=(actor.name or actor.email) if actor else None)
    db.session.commit()
    mails_dispatch()


# --- forgotten password ----------------------------------------------------------------------


def password_reset_request(email: str) -> None:
    """Queue the lookup and the mail for ``email``; the same work whether an account exists or not.

    :raise AccountError: the address is not an address at all (said alike for every address).
    """
    email = users.normalise_email(email)
    users.email_check(email)
    job = job_create(KIND_PASSWORD_RESET, limit_seconds=300, params={"email": email})
    db.session.commit()
    job_dispatch([job.id])


def password_reset_job(job: Job) -> None:
    """Worker side of a reset request: mail a link, in the account's language, if the address has
    an active account."""
    params = job.params or {}
    # The address typed by a stranger is kept no longer than needed.
    job.params = None
    user = users.user_by_email(params.get("email") or "")
    if user is None or not user.active:
        return
    token = _new_token(user, TOKEN_PASSWORD_RESET, RESET_VALID)
    audit_record("password_reset_request", user=None, object_type="user", object_id=user.id,
                 summary=Message("audit.password_reset_request", {"email": user.email}))
    mail_queue("password_reset", user.email, user.language, name=user.name,
               link=absolute_url("auth.password_reset", token=token), minutes=int(RESET_VALID.total_seconds() // 60))


def password_reset_get(token: str) -> User:
    """The account of an open reset link. :raise AccountLinkError: unknown, used or expired."""
    return _valid_token(token, TOKEN_PASSWORD_RESET).user


def password_reset_complete(token: str, password: str) -> User:
    """Set the password through a reset link, which is then used up; every session and the API
    token of the account end (``users.password_change``).

    :raise AccountLinkError: the link is not (or no longer) valid.
    :raise PasswordPolicyError: the password is too weak; the link stays usable.
    """
    row = _valid_token(token, TOKEN_PASSWORD_RESET)
    user = row.user
    users.password_check(password, email=user.email)
    _claim(row)
    audit_record("password_reset", user=user, object_type="user", object_id=user.id,
                 summary=Message("audit.password_reset", {"email": user.email}))
    users.password_change(user, password, actor=user)  # commits
    return user


# --- e-mail address --------------------------------------------------------------------------


def email_change_request(user: User, new_email: str, password: str) -> str:
    """Mail a confirmation link to ``new_email``; the address changes only when it is opened.

    Returns the normalised new address. An address that belongs to another account gets a note
    instead of a link, and the page says the same, so the form does not reveal other accounts.

    :raise AccountError: wrong password, invalid or unchanged address.
    """
    if not users.password_verify(user, password or ""):
        raise users.AccountError(users._msg(N_("Das aktuelle Passwort ist falsch.")), "current_password")
    new_email = users.normalise_email(new_email)
    users.email_check(new_email)
    if new_email == users.normalise_email(user.email):
        raise users.AccountError(users._msg(N_("Das ist bereits Ihre E-Mail-Adresse.")), "email")
    holder = users.user_by_email(new_email)
    if holder is not None:
        # In the language of the account that holds the address: it is theirs.
        mail_queue("email_change_taken", new_email, holder.language)
    else:
        token = _new_token(user, TOKEN_EMAIL_CHANGE, EMAIL_CHANGE_VALID, new_email=new_email)
        mail_queue("email_change_confirm", new_email, user.language, name=user.name,
                   link=absolute_url("auth.email_confirm", token=token),
                   hours=int(EMAIL_CHANGE_VALID.total_seconds() // 3600))
    audit_record("email_change_request", user=user, object_type="user", object_id=user.id,
                 summary=Message("audit.email_change_request", {"email": user.email, "new": new_email}))
    db.session.commit()
    mails_dispatch()
    return new_email


def email_change_pending(token: str) -> AccountToken:
    """The open change of a confirmation link. :raise AccountLinkError: unknown, used or expired."""
    return _valid_token(token, TOKEN_EMAIL_CHANGE)


def email_change_confirm(token: str) -> User:
    """Change the address to the confirmed one and tell the old address about it.

    :raise AccountLinkError: the link is not valid, or the address was taken meanwhile.
    """
    row = _valid_token(token, TOKEN_EMAIL_CHANGE)
    user = row.user
    new_email = row.new_email or ""
    if users.user_by_email(new_email) is not None:
        raise AccountLinkError(users._msg(N_("Die Adresse %(email)s gehört inzwischen zu einem anderen Konto."),
                                          email=new_email), "taken")
    _claim(row)
    old_email = user.email
    user.email = new_email
    audit_record("email_change", user=user, object_type="user", object_id=user.id,
                 summary=Message("audit.email_change", {"email": old_email, "new": new_email}),
                 details={"from": old_email, "to": new_email})
    mail_queue("email_change_notice", old_email, user.language, name=user.name, new_email=new_email,
               reset_link=absolute_url("auth.password_forgot"))
    db.session.commit()
    mails_dispatch()
    return user
