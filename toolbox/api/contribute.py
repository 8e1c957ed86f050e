"""POST /api/v1/documents: contributors upload with an API token instead of the form.

Authentication is the token alone (``Authorization: Bearer tbx_…``), never the session
cookie, so the endpoint is exempt from CSRF protection: a cross-site form cannot set the
header.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, make_response, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..error_responses import json_error, too_large_message
from ..message_render import render
from ..models import ROLE_CONTRIBUTOR
from ..permissions import PermissionDenied, has_role
from ..services import contribute as contributions
from ..services.ingest import DocumentMetadata
from ..urls import absolute_url
from .views import document_json

bp = Blueprint("api_contribute", __name__, url_prefix="/api/v1")

TEXT_FIELDS = ("title", "description", "type", "municipality", "size_class", "state", "district", "project",
               "license", "contact")
INT_FIELDS = {"population": "Einwohnerzahl", "year": "Jahr", "project_year": "Projektjahr", "project_id": "Projekt"}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    return json_error(413, too_large_message())


@bp.errorhandler(PermissionDenied)
def _denied(error):
    return json_error(403, _("Ihr Konto darf keine Dokumente hochladen."))


def _token_user():
    from ..services.users import user_for_api_token

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_api_token(token.strip())


def _metadata(form) -> DocumentMetadata:
    """Read the metadata fields; raise ValueError with a German message on bad numbers or a
    NUL byte."""
    from ..security import NUL_BYTE_MESSAGE

    if any("\x00" in value for _name, value in form.items(multi=True)):
        # PostgreSQL cannot store a NUL byte; refuse it before it reaches the database.
        raise ValueError(str(NUL_BYTE_MESSAGE))
    values: dict = {name: (form.get(name) or "").strip() or None for name in TEXT_FIELDS}
    for name, label in INT_FIELDS.items():
        raw = (form.get(name) or "").strip()
        if not raw:
            values[name] = None
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise ValueError(_("%(label)s: „%(value)s“ ist keine ganze Zahl.", label=label, value=raw)) from None
    topics = [t.strip() for value in form.getlist("topics") + form.getlist("topic") for t in value.split(",")
              if t.strip()]
    return DocumentMetadata(topics=topics, **values)


@bp.post("/documents")
def document_create():
    """Upload one file with metadata; answer 201 with the new document (submitted for review)."""
    user = _token_user()
    if user is None:
        response = json_error(401, _("Bitte einen gültigen API-Token angeben: Authorization: Bearer <Token>."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="toolbox"'
        return response
    if not has_role(user, ROLE_CONTRIBUTOR):
        return json_error(403, _("Ihr Konto darf keine Dokumente hochladen."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return json_error(400, _("Bitte eine Datei im Feld „file“ mitschicken (multipart/form-data)."), field="file")
    try:
        metadata = _metadata(request.form)
    except ValueError as exc:
        return json_error(400, str(exc))
    strip = (request.form.get("strip_metadata") or "").lower() in ("1", "true", "yes", "ja", "on")
    try:
        result = contributions.document_upload(user, upload.stream, upload.filename, metadata, strip_metadata=strip)
    except contributions.UploadError as exc:
        return json_error(exc.status, " ".join(render(m) for m in exc.messages),
                          field="file" if exc.field == "files" else exc.field)
    if result.status == contributions.OUTCOME_DUPLICATE:
        body = {"duplicate": True, "message": render(result.message)}
        if result.document_id is not None:  # only when the uploader may see that document
            body["document"] = {"id": result.document_id,
                                "url": absolute_url("public.document_detail", document_id=result.document_id)}
        return make_response(jsonify(body), 200)
    if result.status != contributions.OUTCOME_INGESTED:
        return json_error(400, render(result.message))
    from ..extensions import db
    from ..models import Document

    document = db.session.get(Document, result.document_id)
    response = make_response(jsonify(document_json(document)), 201)
    response.headers["Location"] = absolute_url("api.document_detail", document_id=document.id)
    return response


def init_app(app) -> None:
    from .. import extensions

    app.register_blueprint(bp)
    # Token auth only: exempt from the session-cookie CSRF check, wherever CSRFProtect lives.
    for csrf in {id(c): c for c in (getattr(extensions, "csrf", None), app.extensions.get("csrf")) if c}.values():
        csrf.exempt(document_create)
