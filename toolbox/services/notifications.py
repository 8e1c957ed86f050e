"""Mails of the review workflow: new submissions to the editors, decisions to the contributor,
new versions to the followers of a document.

Each editor (and admin) chooses on /account whether a new submission is mailed at once, in a
daily digest, or not at all. The digest keeps, per editor, the time up to which submissions
were reported, committed together with the digest's mail: a digest run that dies half-way
leaves the editors it did not reach for the next run and mails nobody twice. An editor who
submits a document is not told about it, nor is a contributor told of their own decision.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..i18n import DEFAULT_TIMEZONE
from ..models import (
    NOTIFY_DAILY,
    NOTIFY_IMMEDIATE,
    ROLE_ADMIN,
    ROLE_EDITOR,
    STATUS_PUBLISHED,
    STATUS_SUBMITTED,
    Document,
    PendingChange,
    User,
    utcnow,
)
from ..urls import absolute_url
from .follow import followers_of
from .mail import mail_queue, mails_dispatch

LOCAL_TZ = ZoneInfo(DEFAULT_TIMEZONE)


def _editors(preference: str) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role.in_((ROLE_EDITOR, ROLE_ADMIN)), User.active.is_(True), User.notify_submissions == preference)
        .order_by(User.id)))


def _item(document: Document, endpoint: str = "admin.document_detail") -> dict:
    return {"title": document.title, "link": absolute_url(endpoint, document_id=document.id),
            "uploader": (document.uploader.name or document.uploader.email) if document.uploader else None}


def submissions_notify(document_ids: list[int], uploader: User | None) -> None:
    """Tell the editors who want it at once about newly submitted documents (one mail per upload)."""
    documents = [document for document in (db.session.get(Document, i) for i in dict.fromkeys(document_ids))
                 if document is not None and document.status == STATUS_SUBMITTED]
    if not documents:
        return
    items = [_item(document) for document in documents]
    for editor in _editors(NOTIFY_IMMEDIATE):
        if uploader is not None and editor.id == uploader.id:
            continue
        mail_queue("submission_new", editor.email, editor.language, name=editor.name, items=items,
                   uploader=items[0]["uploader"], queue_link=absolute_url("admin.review_queue"),
                   settings_link=absolute_url("auth.account"))
    db.session.commit()
    mails_dispatch()


def _digest_due(editor: User, now: datetime) -> bool:
    """True once a day, at the first run after the digest hour (Europe/Berlin)."""
    hour = int(current_app.config.get("TOOLBOX_DIGEST_HOUR") or 0)
    local = now.astimezone(LOCAL_TZ)
    today = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if local < today:
        return False
    return editor.digest_sent_until is None or editor.digest_sent_until < today


def submission_digests_send(now: datetime | None = None) -> int:
    """The daily digests that are due; returns how many mails were queued.

    A digest lists the documents submitted since the last one that still wait for review at
    sending time; with none, no mail is sent, but the day counts as done.
    """
    now = now or utcnow()
    queued = 0
    for editor in _editors(NOTIFY_DAILY):
        if not _digest_due(editor, now):
            continue
        since = editor.digest_sent_until or now - timedelta(days=1)
        documents = list(db.session.scalars(select(Document).where(
            Document.status == STATUS_SUBMITTED, Document.created_at > since, Document.created_at <= now,
            (Document.uploader_id.is_(None)) | (Document.uploader_id != editor.id))
            .order_by(Document.created_at, Document.id)))
        if documents:
            mail_queue("submission_digest", editor.email, editor.language, name=editor.name,
                       items=[_item(document) for document in documents],
                       queue_link=absolute_url("admin.review_queue"), settings_link=absolute_url("auth.account"))
            queued += 1
        editor.digest_sent_until = now
        db.session.commit()
        mails_dispatch()
    return queued


def _contributor_to_tell(document: Document, actor: User) -> User | None:
    uploader = document.uploader
    if uploader is None or not uploader.active or uploader.id == actor.id:
        return None
    return uploader


def decision_notify(document: Document, actor: User) -> None:
    """Queue the mail telling the contributor that ``document`` was published or rejected.

    Called inside the decision's transaction, before its commit; the caller dispatches.
    """
    contributor = _contributor_to_tell(document, actor)
    if contributor is None:
        return
    if document.status == STATUS_SUBMITTED:
        return
    kind = "document_rejected" if document.rejection_reason else "document_published"
    mail_queue(kind, contributor.email, contributor.language, name=contributor.name, title=document.title,
               reason=document.rejection_reason, link=absolute_url("public.document_detail", document_id=document.id),
               edit_link=absolute_url("contribute.my_documents"))


def change_decision_notify(change: PendingChange, document: Document, actor: User, *, accepted: bool) -> None:
    """Queue the mail telling who proposed a change of a published document how it was decided.

    Called inside the decision's transaction, before its commit; the caller dispatches.
    """
    proposer = db.session.get(User, change.submitted_by_id) if change.submitted_by_id else None
    if proposer is None or not proposer.active or proposer.id == actor.id:
        return
    mail_queue("change_accepted" if accepted else "change_rejected", proposer.email, proposer.language,
               name=proposer.name, title=document.title, reason=change.rejection_reason,
               link=absolute_url("public.document_detail", document_id=document.id),
               edit_link=absolute_url("contribute.my_documents"))


def new_version_notify(document: Document, actor: User | None, *, told: tuple[int | None, ...] = ()) -> int:
    """Queue a mail to each follower of ``document`` that a new version of it is public; returns
    how many were queued.

    Called inside the transaction that makes the version public, before its commit; the caller
    dispatches. Whoever made it public (``actor``) is not told, nor the accounts in ``told``,
    which hear of it by another mail (the contributor whose change was accepted).
    """
    if document.status != STATUS_PUBLISHED or document.current_version is None:
        return 0
    skip = {actor.id if actor is not None else None, *told}
    version = document.current_version
    queued = 0
    for follower in followers_of(document):
        if follower.id in skip:
            continue
        mail_queue("document_new_version", follower.email, follower.language, name=follower.name,
                   title=document.title, number=version.number, filename=version.original_filename,
                   link=absolute_url("public.document_detail", document_id=document.id),
                   following_link=absolute_url("follow.following"))
        queued += 1
    return queued
