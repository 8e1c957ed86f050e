"""The outbox: every mail is rendered in its recipient's language, stored, and sent by a job.

A use case that mails someone calls ``mail_queue`` before its commit, so the mail exists exactly
when the change it reports does, and ``mails_dispatch`` after it. A request never waits for a
mail server. The job of kind "mail" sends the stored mail and marks it sent in the transaction
that marks the job done; the job machinery (``toolbox.services.jobs``) claims it once, retries a
failed attempt with a doubling delay and requeues the job of a worker that died.

Each kind has one template, ``templates/mail/<kind>.txt``: its first line is the subject, the
rest the plain text. The HTML part is built from that text (paragraphs, lists, clickable
links), so the two parts cannot say different things.
"""
from __future__ import annotations

import logging
import re
import secrets
import smtplib
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import select

from .. import mail as delivery
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from ..message import Message
from ..models import Job, OutboxMail, utcnow
from .jobs import KIND_MAIL, JobFailed, job_create, job_dispatch_after_commit, jobs_dispatch_pending

log = logging.getLogger(__name__)

SUBJECT_MAX = 300
_URL_RE = re.compile(r"(https?://[^\s<>\"]+)")


def mail_language(language: str | None) -> str:
    return language if language in SUPPORTED_LOCALES else DEFAULT_LOCALE


def mail_render(kind: str, language: str, context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a mail of ``kind`` in ``language``."""
    language = mail_language(language)
    base_url = current_app.config["TOOLBOX_BASE_URL"]
    template = current_app.jinja_env.get_template(f"mail/{kind}.txt")
    with force_locale(language):
        rendered = template.render(**context, language=language, base_url=base_url)
    subject, _sep, text = rendered.strip().partition("\n")
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    text = re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"
    return subject, text, _html(subject, text, language, base_url)


def _html(subject: str, text: str, language: str, base_url: str) -> str:
    """The HTML part: the text's paragraphs, "- " lines as a list, addresses as links."""
    blocks = []
    for paragraph in text.strip().split("\n\n"):
        lines = paragraph.split("\n")
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_linked(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append("<p>" + "<br>\n".join(_linked(line) for line in lines) + "</p>")
    return (f'<!DOCTYPE html>\n<html lang="{language}">\n<head><meta charset="utf-8">'
            f"<title>{escape(subject)}</title></head>\n"
            '<body style="font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #171a2b; '
            'max-width: 40em;">\n'
            f'<h1 style="font-size: 1.25em;">{escape(subject)}</h1>\n' + "\n".join(blocks) + "\n"
            f'<p style="font-size: 0.875em; color: #4a4f6a;">Smart Region Toolbox · '
            f'<a href="{escape(base_url)}">{escape(urlsplit(base_url).netloc)}</a></p>\n</body>\n</html>\n')


def _linked(line: str) -> Markup:
    parts = _URL_RE.split(line)
    out = Markup("")
    for index, part in enumerate(parts):
        out += Markup('<a href="{0}">{0}</a>').format(part) if index % 2 else escape(part)
    return out


def _message_id() -> str:
    host = urlsplit(current_app.config["TOOLBOX_BASE_URL"]).hostname or "localhost"
    return f"<{utcnow():%Y%m%d%H%M%S}.{secrets.token_hex(12)}@{host}>"


def mail_queue(kind: str, recipient: str, language: str | None, *, mail_headers: dict | None = None,
               **context) -> OutboxMail:
    """Render a mail and add it with its sending job to the current transaction.

    The caller commits, then calls ``mails_dispatch``; a rollback drops mail and job together.
    ``mail_headers`` are extra header lines (an alert's List-Unsubscribe), sent as given.
    """
    language = mail_language(language)
    subject, text, html = mail_render(kind, language, context)
    job = job_create(KIND_MAIL, limit_seconds=300,
                     max_attempts=int(current_app.config.get("TOOLBOX_MAIL_MAX_ATTEMPTS") or 8))
    outbox = OutboxMail(kind=kind, recipient=recipient, language=language, subject=subject, body_text=text,
                        body_html=html, message_id=_message_id(), headers=mail_headers or None, job=job)
    db.session.add(outbox)
    job_dispatch_after_commit(job)
    return outbox


def mails_dispatch() -> None:
    """After the commit: put the jobs of the mails queued in this session on the queue.

    A job whose message is lost is sent again at the next worker start.
    """
    jobs_dispatch_pending()


def mail_job(job: Job) -> None:
    """Send the outbox mail of ``job``; marked sent in the job's own commit."""
    outbox = db.session.scalar(select(OutboxMail).where(OutboxMail.job_id == job.id))
    if outbox is None or outbox.sent_at is not None:
        return
    try:
        delivery.deliver(recipient=outbox.recipient, subject=outbox.subject, text=outbox.body_text,
                         html=outbox.body_html, message_id=outbox.message_id, headers=outbox.headers)
    except smtplib.SMTPRecipientsRefused as exc:
        # The server said no to this address for good (5xx): another attempt gets the same answer.
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            detail = "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                               for code, text in exc.recipients.values())
            raise JobFailed(Message("job.mail_refused", {"detail": detail[:500]})) from exc
        raise
    outbox.sent_at = utcnow()
    # The bodies may hold a password-reset or invitation link; a sent mail needs them no more.
    outbox.body_text = outbox.body_html = ""
    log.info("Mail %s (%s) sent to %s via %s", outbox.id, outbox.kind, outbox.recipient,
             delivery.describe(current_app._get_current_object()))
