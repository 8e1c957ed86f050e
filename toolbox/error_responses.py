"""Error answers for pages, the JSON API and the security hooks alike: a German page or a JSON
body, never a traceback.

It sits below ``web`` and ``api`` so that both, and ``security``, render errors the same way
without importing each other's blueprints.
"""
from __future__ import annotations

from flask import Response, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _

from .i18n import N_

MESSAGES = {
    400: N_("Die Anfrage ist ungültig."),
    401: N_("Bitte melden Sie sich an."),
    403: N_("Sie haben keine Berechtigung für diese Seite."),
    404: N_("Diese Seite oder dieses Dokument gibt es nicht (mehr)."),
    405: N_("Diese Aktion ist hier nicht möglich."),
    413: N_("Die Datei ist zu groß."),
    429: N_("Zu viele Anfragen. Bitte warten Sie einen Moment."),
    500: N_("Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später erneut."),
    503: N_("Die Dateiablage ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."),
}

TITLES = {
    400: N_("Ungültige Anfrage"),
    401: N_("Anmeldung erforderlich"),
    403: N_("Zugriff verweigert"),
    404: N_("Nicht gefunden"),
    405: N_("Nicht erlaubt"),
    413: N_("Datei zu groß"),
    429: N_("Zu viele Anfragen"),
    500: N_("Interner Fehler"),
    503: N_("Vorübergehend nicht verfügbar"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def json_error(status: int, message: str, **extra) -> Response:
    """The API's error body: ``{"error": {"status", "message", ...}}``."""
    return make_response(jsonify({"error": {"status": status, "message": message, **extra}}), status)


def render_error(status: int, message: str | None = None) -> Response:
    message = message or _(MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        return json_error(status, message)
    title = _(TITLES.get(status, TITLES[500]))
    return make_response(render_template("error.html", status=status, title=title, message=message), status)


def too_large_message() -> str:
    """Name the limit a 413 hit: the size of an upload, or the size of a form around it.

    Werkzeug raises the same error for a body above ``MAX_CONTENT_LENGTH`` and for a form with
    too many parts or too long a field; only an upload that is too big as a whole is about the
    file.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if request.mimetype == "multipart/form-data" and (length is None or (limit is not None and length > limit)):
        return _("Die Datei ist zu groß. Erlaubt sind höchstens %(mb)s MB.",
                 mb=current_app.config["TOOLBOX_MAX_UPLOAD_MB"])
    return _("Das Formular ist zu umfangreich: zu viele Felder oder zu lange Eingaben. Bitte kürzen Sie Ihre "
             "Angaben.")
