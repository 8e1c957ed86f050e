"""Saved searches with alerts: what a search finds newly published, mailed daily or weekly.

An account saves a search from ``/search`` and manages it at ``/account/alerts``; a visitor
without an account asks for one with an address, which only counts once the link mailed to it
is opened (double opt-in; ``confirmed_at`` records when). Requests not confirmed within
``CONFIRM_VALID`` are deleted by a periodic job, and unsubscribing (one click, RFC 8058) deletes
the alert and, when nothing else uses it, every trace of the address.

A digest lists the documents published since the alert's last run that match the saved search
*at sending time*: the status is read from the database then (only published documents), the
words and filters are matched by the search index then. No match, no mail. Each alert is one
transaction: it claims its run by moving its high-water mark ``sent_until`` with a conditional
UPDATE, and writes the outbox mail and one ``AlertItem`` per document with it. A run that dies
leaves the alerts it did not finish due for the next hourly run, and the items rule out that an
alert mails a document twice, even where runs overlap.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from .. import search
from ..extensions import db
from ..i18n import DEFAULT_TIMEZONE, N_
from ..models import (
    ALERT_DAILY,
    ALERT_FREQUENCIES,
    ALERT_WEEKLY,
    STATUS_PUBLISHED,
    Alert,
    AlertItem,
    Document,
    FileVersion,
    Municipality,
    OutboxMail,
    User,
    utcnow,
)
from ..urls import absolute_url
from . import search_view
from . import users as user_service
from .mail import mail_language, mail_queue, mails_dispatch

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo(DEFAULT_TIMEZONE)
#: How long a visitor's request waits for its confirmation before it is deleted.
CONFIRM_VALID = timedelta(hours=48)
#: A digest lists at most this many documents and links to the search for the rest.
ITEMS_MAX = 50
#: Documents published this long before the last run are looked at again: one published just
#: before a run may have reached the index only after it. The items keep them from coming twice.
INDEX_GRACE = timedelta(hours=1)
#: Weekly digests go out on Mondays (``datetime.weekday``).
WEEKLY_WEEKDAY = 0
#: Alerts per account and per visitor address: enough for real use, a bound for abuse.
ALERTS_MAX = 50
#: Parameters a saved search keeps: the words and the filters, not the page or its sort.
SAVED_KEYS = ("q", *search_view.MULTI_FILTERS, "year_from", "year_to")
MAIL_KINDS = ("alert_confirm", "alert_digest")

FREQUENCY_LABELS = {ALERT_DAILY: N_("täglich"), ALERT_WEEKLY: N_("wöchentlich (montags)")}


class AlertError(ValueError):
    """An alert cannot be saved or changed as asked; ``message`` is the German text."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class AlertLinkError(AlertError):
    """A confirmation link is unknown, used or expired (``status`` 404 or 410)."""


def _msg(text: str, **variables) -> str:
    return user_service._msg(text, **variables)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(moment: datetime | None) -> datetime:
    """``moment`` (default: now) in UTC: SQLite compares the stored times as text, so every time
    written or compared must carry the same offset."""
    return (moment or utcnow()).astimezone(timezone.utc)


# --- the saved search ------------------------------------------------------------------------


def alert_params(args: Mapping) -> list[list[str]]:
    """The search of ``args`` as the pairs an alert keeps, in canonical order."""
    query = search_view.public_query(args)
    return [[key, value] for key, value in search_view.query_params(query, page=False) if key in SAVED_KEYS]


def _query(params: Iterable) -> search.SearchQuery:
    """The saved search as a query over published documents, its words taken as saved: a typo
    correction depends on what the index holds that day, an alert must not drift with it."""
    query = search_view.public_query(MultiDict([(str(k), str(v)) for k, v in params]))
    return dataclasses.replace(query, literal=True, page=1)


@dataclass(frozen=True)
class Criterion:
    """One part of a saved search as the reader sees it: ``key`` names the filter (``q`` the
    words), ``label`` is its value in the reader's language."""

    key: str
    label: str


def alert_criteria(params: Iterable, locale: str = "de") -> list[Criterion]:
    """The words and filters of a saved search, labelled in ``locale``."""
    with force_locale(mail_language(locale)):
        labels = search_view.label_maps(mail_language(locale))
        return [Criterion(key, value if key in ("q", "year_from", "year_to")
                          else search_view.value_label(key, value, labels))
                for key, value in params]


def alert_search_url(params: Iterable) -> str:
    """The saved search on the search page, newest first."""
    pairs = [(str(k), str(v)) for k, v in params] + [("sort", "newest")]
    return search_view.build_url(absolute_url("search.results"), pairs)


def _frequency_check(frequency: str) -> str:
    if frequency not in ALERT_FREQUENCIES:
        raise AlertError(_msg(N_("Bitte wählen Sie, wie oft Sie benachrichtigt werden möchten: täglich oder "
                              "wöchentlich.")), "frequency")
    return frequency


def _new_alert(params: list, frequency: str, **columns) -> Alert:
    return Alert(params=params, frequency=frequency, unsubscribe_token=secrets.token_urlsafe(32),
                 created_at=utcnow(), **columns)


# --- accounts --------------------------------------------------------------------------------


def alert_create(user: User, args: Mapping, frequency: str) -> tuple[Alert, bool]:
    """Save the search of ``args`` for ``user``; returns the alert and whether it is new.

    Saving a search the account has saved already changes only its frequency.
    """
    _frequency_check(frequency)
    params = alert_params(args)
    for alert in db.session.scalars(select(Alert).where(Alert.user_id == user.id)):
        if alert.params == params:
            alert.frequency = frequency
            db.session.commit()
            return alert, False
    if db.session.scalar(select(func.count(Alert.id)).where(Alert.user_id == user.id)) >= ALERTS_MAX:
        raise AlertError(_msg(N_("Sie haben bereits %(max)d Benachrichtigungen. Bitte löschen Sie zuerst eine, die Sie "
                              "nicht mehr brauchen."), max=ALERTS_MAX), status=409)
    alert = _new_alert(params, frequency, user_id=user.id, language=user.language)
    # An account has shown its address already: the alert counts from now.
    alert.confirmed_at = alert.sent_until = alert.created_at
    db.session.add(alert)
    db.session.commit()
    return alert, True


def alerts_of(user: User) -> list[Alert]:
    return list(db.session.scalars(select(Alert).where(Alert.user_id == user.id).order_by(Alert.id)))


def _own_alert(user: User, alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.user_id != user.id:
        raise AlertError(_msg(N_("Diese Benachrichtigung gibt es nicht (mehr).")), status=404)
    return alert


def alert_frequency_set(user: User, alert_id: int, frequency: str) -> Alert:
    alert = _own_alert(user, alert_id)
    alert.frequency = _frequency_check(frequency)
    db.session.commit()
    return alert


def alert_delete(user: User, alert_id: int) -> None:
    db.session.delete(_own_alert(user, alert_id))
    db.session.commit()


# --- visitors: double opt-in -----------------------------------------------------------------


def alert_request(email: str, args: Mapping, frequency: str, language: str | None) -> str:
    """Store a visitor's unconfirmed alert and mail the confirmation link; returns the address.

    Nothing is sent to the address but that one mail until it is confirmed. Whether the address
    has alerts already is not told, neither here nor by the page.

    :raise AlertError: the address is not an address, or the frequency is unknown.
    """
    _frequency_check(frequency)
    email = user_service.normalise_email(email)
    try:
        user_service.email_check(email)
    except user_service.AccountError as error:
        raise AlertError(error.message, "email") from error
    params = alert_params(args)
    language = mail_language(language)
    if db.session.scalar(select(func.count(Alert.id)).where(Alert.email == email)) >= ALERTS_MAX:
        # Answered like any request, so the page does not tell how many alerts an address has.
        log.info("Alert request for an address with %d alerts or more not stored", ALERTS_MAX)
        return email
    token = secrets.token_urlsafe(32)
    alert = _new_alert(params, frequency, email=email, language=language, confirm_token_hash=_hash(token))
    db.session.add(alert)
    mail_queue("alert_confirm", email, language, link=absolute_url("alerts.confirm", token=token),
               hours=int(CONFIRM_VALID.total_seconds() // 3600), criteria=alert_criteria(params, language),
               frequency=frequency, search_link=alert_search_url(params))
    db.session.commit()
    mails_dispatch()
    return email


def alert_pending(token: str) -> Alert:
    """The unconfirmed alert of a confirmation link. :raise AlertLinkError: unknown or expired."""
    alert = db.session.scalar(select(Alert).where(Alert.confirm_token_hash == _hash(token or "")))
    if alert is None:
        raise AlertLinkError(_msg(N_("Dieser Link ist ungültig oder wurde bereits verwendet. Eine bestätigte "
                                  "Benachrichtigung erkennen Sie an der ersten Übersicht, die Sie erhalten.")), status=404)
    if alert.created_at + CONFIRM_VALID <= utcnow():
        raise AlertLinkError(_msg(N_("Dieser Link ist abgelaufen; die Anfrage wurde gelöscht. Bitte speichern Sie die "
                                  "Suche noch einmal.")), status=410)
    return alert


def alert_confirm(token: str) -> Alert:
    """Confirm a visitor's alert; the confirmation time is recorded and the link used up.

    Confirming a search the address has already confirmed keeps that alert (with the new
    frequency) and drops the request, so the address gets one digest per search.
    """
    alert = alert_pending(token)
    moment = utcnow()
    claimed = db.session.execute(
        update(Alert).where(Alert.id == alert.id, Alert.confirmed_at.is_(None))
        .values(confirmed_at=moment, sent_until=moment, confirm_token_hash=None)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise AlertLinkError(_msg(N_("Diese Benachrichtigung ist bereits bestätigt.")), status=410)
    db.session.refresh(alert)
    twin = _twin(alert)
    if twin is not None:
        twin.frequency = alert.frequency
        db.session.delete(alert)
        alert = twin
    db.session.commit()
    return alert


def _twin(alert: Alert) -> Alert | None:
    """An older confirmed alert of the same address and search (JSON is compared in Python:
    PostgreSQL cannot compare ``json`` values)."""
    for other in db.session.scalars(select(Alert).where(Alert.email == alert.email, Alert.id != alert.id,
                                                        Alert.confirmed_at.is_not(None))):
        if other.params == alert.params:
            return other
    return None


def alert_requests_expire(now: datetime | None = None) -> int:
    """Delete the visitors' requests not confirmed within ``CONFIRM_VALID``, with their address."""
    cutoff = _utc(now) - CONFIRM_VALID
    expired = list(db.session.scalars(select(Alert).where(Alert.confirmed_at.is_(None), Alert.created_at <= cutoff)))
    for alert in expired:
        email = alert.email
        db.session.delete(alert)
        db.session.flush()
        if email:
            _forget_address(email)
    db.session.commit()
    if expired:
        log.info("%d unconfirmed alert request(s) older than %s deleted", len(expired), CONFIRM_VALID)
    return len(expired)


def _forget_address(email: str) -> None:
    """Remove ``email`` from the mail outbox once no alert and no account uses it any more.

    Its unsent alert mails are dropped (their jobs then find nothing to send); sent ones keep
    kind and time, but no longer the address.
    """
    if db.session.scalar(select(func.count(Alert.id)).where(Alert.email == email)):
        return
    if user_service.user_by_email(email) is not None:
        return
    db.session.execute(delete(OutboxMail).where(OutboxMail.recipient == email, OutboxMail.sent_at.is_(None),
                                                OutboxMail.kind.in_(MAIL_KINDS)))
    db.session.execute(update(OutboxMail).where(OutboxMail.recipient == email).values(recipient=""))


# --- unsubscribe -----------------------------------------------------------------------------


def alert_by_unsubscribe_token(token: str) -> Alert | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Alert).where(Alert.unsubscribe_token == token))


def alert_unsubscribe(token: str) -> bool:
    """End the alert of an unsubscribe link; a visitor's address goes with it.

    Returns False when there is no such alert (any more): unsubscribing twice is no error.
    """
    alert = alert_by_unsubscribe_token(token)
    if alert is None:
        return False
    email = alert.email
    db.session.delete(alert)
    db.session.flush()
    if email:
        _forget_address(email)
    db.session.commit()
    return True


def alert_unsubscribe_headers(alert: Alert) -> dict[str, str]:
    """List-Unsubscribe with the one-click POST of RFC 8058 (no login, no CSRF token needed)."""
    return {"List-Unsubscribe": f"<{absolute_url('alerts.unsubscribe', token=alert.unsubscribe_token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- digests ---------------------------------------------------------------------------------


def _slot(frequency: str, now: datetime) -> datetime:
    """The latest moment at or before ``now`` a digest of ``frequency`` was due (German time)."""
    hour = int(current_app.config.get("TOOLBOX_DIGEST_HOUR") or 0)
    local = now.astimezone(LOCAL_TZ)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    if frequency == ALERT_WEEKLY:
        slot -= timedelta(days=(slot.weekday() - WEEKLY_WEEKDAY) % 7)
    return slot


def alert_due(alert: Alert, now: datetime) -> bool:
    return alert.confirmed_at is not None and (alert.sent_until is None or alert.sent_until < _slot(alert.frequency, now))


def _recipient(alert: Alert) -> tuple[str, str, str | None] | None:
    """Address, language and name the digest goes to; None for an account that is inactive."""
    if alert.user_id is None:
        return (alert.email, alert.language, None) if alert.email else None
    user = alert.user
    if user is None or not user.active:
        return None
    return user.email, user.language, user.name


def _new_documents(alert: Alert, since: datetime, now: datetime) -> list[Document]:
    already = select(AlertItem.document_id).where(AlertItem.alert_id == alert.id)
    return list(db.session.scalars(
        select(Document)
        .where(Document.status == STATUS_PUBLISHED, Document.published_at > since, Document.published_at <= now,
               Document.id.not_in(already))
        .options(selectinload(Document.versions).defer(FileVersion.text), selectinload(Document.topics),
                 joinedload(Document.document_type), joinedload(Document.license), joinedload(Document.project),
                 joinedload(Document.municipality).joinedload(Municipality.size_class))
        .order_by(Document.published_at.desc(), Document.id.desc())))


def _matching(query: search.SearchQuery, documents: list[Document]) -> list[Document]:
    """``documents`` that the search finds, in their order.

    Where no document has all the words, the search page shows documents with some of them; an
    alert keeps to all of them and finds nothing then.
    """
    if not documents:
        return []
    found = set(search.matching_document_ids(query))
    matched = [document for document in documents if document.id in found]
    # A single word cannot be widened: spare that search.
    if matched and len(query.q.split()) > 1 and search.search(dataclasses.replace(query, per_page=1)).widened:
        return []
    return matched


def _reasons(document: Document, query: search.SearchQuery, language: str) -> list[Criterion]:
    """Why ``document`` is in the digest: the filter values it meets, and the words."""
    reasons: list[Criterion] = []
    reasons += [Criterion("topic", topic.label(language)) for topic in document.topics if topic.slug in query.topic]
    for key, entry in (("size_class", document.size_class), ("type", document.document_type),
                       ("license", document.license)):
        if entry is not None and entry.slug in getattr(query, key):
            reasons.append(Criterion(key, entry.label(language)))
    version = document.current_version
    if query.format and version is not None:
        reasons.append(Criterion("format", search_view.value_label("format", version.format, {})))
    if query.municipality and document.municipality is not None:
        reasons.append(Criterion("municipality", document.municipality.name))
    if query.state and document.municipality is not None and document.municipality.state:
        reasons.append(Criterion("state", document.municipality.state))
    if query.project and document.project is not None:
        reasons.append(Criterion("project", document.project.name))
    if query.accessibility:
        reasons.append(Criterion("accessibility", search_view.value_label("accessibility", "barrierearm", {})))
    if (query.year_from is not None or query.year_to is not None) and document.year:
        reasons.append(Criterion("year", str(document.year)))
    if query.q:
        reasons.append(Criterion("q", query.q))
    return reasons or [Criterion("all", "")]


def _digest_item(document: Document, query: search.SearchQuery, language: str) -> dict:
    return {"title": document.title, "link": absolute_url("public.document_detail", document_id=document.id),
            "municipality": document.municipality.name if document.municipality else None,
            "reasons": _reasons(document, query, language)}


def _alert_digest(alert: Alert, now: datetime) -> bool:
    """Run one alert's digest in one transaction; True when a mail was queued."""
    if not alert_due(alert, now):
        return False
    recipient = _recipient(alert)
    if recipient is None:
        return False
    previous = alert.sent_until
    # The claim: a second run that got here too (another worker) finds the mark moved and stops.
    claimed = db.session.execute(
        update(Alert).where(Alert.id == alert.id,
                            Alert.sent_until.is_(None) if previous is None else Alert.sent_until == previous)
        .values(sent_until=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    since = max(previous - INDEX_GRACE, alert.confirmed_at) if previous is not None else alert.confirmed_at
    query = _query(alert.params)
    documents = _matching(query, _new_documents(alert, since, now))
    if documents:
        email, language, name = recipient
        with force_locale(language):
            items = [_digest_item(document, query, language) for document in documents]
        outbox = mail_queue(
            "alert_digest", email, language, mail_headers=alert_unsubscribe_headers(alert), name=name,
            items=items[:ITEMS_MAX], more=max(0, len(items) - ITEMS_MAX), count=len(items),
            criteria=alert_criteria(alert.params, language), frequency=alert.frequency,
            search_link=alert_search_url(alert.params),
            manage_link=absolute_url("alerts.account_alerts") if alert.user_id else None,
            unsubscribe_link=absolute_url("alerts.unsubscribe", token=alert.unsubscribe_token))
        db.session.flush()
        db.session.add_all(AlertItem(alert_id=alert.id, document_id=document.id, outbox_id=outbox.id, sent_at=now)
                           for document in documents)
        alert.last_mail_at = now
    db.session.commit()
    mails_dispatch()
    return bool(documents)


def alert_digests_send(now: datetime | None = None) -> int:
    """Every digest that is due; returns how many mails were queued.

    An alert whose run fails is logged and left due (its transaction rolled back); the others go on.
    """
    now = _utc(now)
    ids = list(db.session.scalars(select(Alert.id).where(Alert.confirmed_at.is_not(None)).order_by(Alert.id)))
    queued = 0
    for alert_id in ids:
        alert = db.session.get(Alert, alert_id)
        if alert is None:
            continue
        try:
            queued += _alert_digest(alert, now)
        except Exception:
            db.session.rollback()
            log.exception("Digest of alert %s failed; it stays due for the next run", alert_id)
    return queued
