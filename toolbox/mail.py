"""Mail delivery through Flask-Mailman: SMTP from ``TOOLBOX_MAIL_URL``, else ``.eml`` files.

``TOOLBOX_MAIL_URL`` names the server in one setting, as the queue and the database do:
``smtp://user:password@host:587?starttls=1`` (STARTTLS), ``smtps://user:password@host:465``
(TLS from the first byte), ``smtp://host:25`` (no login). User and password may be
percent-encoded. Without it, each mail is written to ``instance/mail/`` as an ``.eml`` file and
logged in one line, so a development set-up (``make run``) needs no mail server and every
mail can still be opened in a mail program.

This module only delivers; what is sent, when and to whom is ``toolbox.services.mail``.
"""
from __future__ import annotations

import logging
import os
import tempfile
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

from .config import ConfigError

log = logging.getLogger(__name__)

mail = Mail()

#: Seconds an SMTP connection may hang before the attempt counts as failed (and is retried).
DEFAULT_SMTP_TIMEOUT = 30.0
_TRUE = {"1", "true", "yes", "on"}


def mail_settings(url: str | None) -> dict[str, object]:
    """Flask-Mailman's settings for ``url``; a ConfigError says what is wrong with it."""
    if not url:
        return {"MAIL_BACKEND": EmlBackend}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"TOOLBOX_MAIL_URL: expected smtp://user:password@host:587?starttls=1 or "
                          f"smtps://user:password@host:465, not {parts.scheme or 'an address without scheme'}://…")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise ConfigError(f"TOOLBOX_MAIL_URL: unknown parameter(s) {', '.join(sorted(unknown))}; "
                          "known are starttls=1 and timeout=SECONDS.")
    starttls = query.get("starttls", "").lower() in _TRUE
    if parts.scheme == "smtps" and starttls:
        raise ConfigError("TOOLBOX_MAIL_URL: smtps:// is TLS from the start; starttls=1 belongs to smtp://.")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        timeout = float(query.get("timeout") or DEFAULT_SMTP_TIMEOUT)
    except ValueError as exc:
        raise ConfigError(f"TOOLBOX_MAIL_URL: {exc}") from exc
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": parts.hostname,
        "MAIL_PORT": port,
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_TLS": starttls,
        "MAIL_USE_SSL": parts.scheme == "smtps",
        "MAIL_TIMEOUT": timeout,
    }


def describe(app: Flask) -> str:
    """Where mail goes, without the password: for the worker's start line and the logs."""
    url = app.config.get("TOOLBOX_MAIL_URL") or ""
    if not url:
        return f".eml files in {mail_folder(app)}"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


def sender(app: Flask) -> str:
    """``TOOLBOX_MAIL_FROM``, or a no-reply address at the base URL's host."""
    configured = app.config.get("TOOLBOX_MAIL_FROM")
    if configured:
        return str(configured)
    host = urlsplit(app.config["TOOLBOX_BASE_URL"]).hostname or "localhost"
    if "." not in host:  # "localhost": an address without a dot in its domain is refused by some servers
        host = "localhost.localdomain"
    return f"Smart Region Toolbox <noreply@{host}>"


def init_app(app: Flask) -> None:
    settings = mail_settings(app.config.get("TOOLBOX_MAIL_URL"))
    from_address = sender(app)
    if "@" not in parseaddr(from_address)[1]:
        raise ConfigError(f"TOOLBOX_MAIL_FROM={from_address!r} is not an e-mail address.")
    settings["MAIL_DEFAULT_SENDER"] = from_address
    # Explicit, so that testing does not switch Flask-Mailman to its in-memory backend.
    app.config.update(settings)
    mail.init_app(app)


def mail_folder(app: Flask) -> Path:
    return Path(app.instance_path) / "mail"


def deliver(*, recipient: str, subject: str, text: str, html: str, message_id: str, headers: dict | None = None) -> None:
    """Send one mail now; raises what the SMTP library raises (the job decides about retries)."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient],
                                     headers={"Message-ID": message_id, **(headers or {})})
    if html:
        message.attach_alternative(html, "text/html")
    with mail.get_connection() as connection:
        connection.send_messages([message])


class EmlBackend(BaseEmailBackend):
    """Each mail as ``instance/mail/<Message-ID>.eml``, written to a temporary name and renamed.

    Named after the Message-ID, so a mail written again (a job run twice) replaces its file
    instead of making a second one.
    """

    def send_messages(self, email_messages) -> int:
        folder = mail_folder(current_app)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            data = message.message().as_bytes()
            message_id = str(message.extra_headers.get("Message-ID", "")).strip("<>") or os.urandom(8).hex()
            name = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in message_id) + ".eml"
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, folder / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            log.info("Mail to %s written to %s: %s", ", ".join(message.to), folder / name, message.subject)
        return len(email_messages)
