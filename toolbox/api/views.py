"""JSON API v1: read-only for visitors."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, request
from flask_babel import get_locale

from ..models import Document
from ..services import search_view
from ..services.documents import document_get_visible
from ..services.vocabularies import vocabulary_entries

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _locale() -> str:
    return str(get_locale() or "de")


def document_json(document: Document) -> dict:
    """The API's view of a document; search hits and the ZIP's metadata.json share its shape."""
    return search_view.document_json(document, _locale())


@bp.get("/documents/<int:document_id>")
def document_detail(document_id: int):
    """Return one published document's metadata."""
    document = document_get_visible(document_id)
    if document is None:
        abort(404)
    return document_json(document)


@bp.get("/vocabularies")
def vocabularies():
    """Return the active entries of every vocabulary with labels in the request's language."""
    locale = _locale()
    return {
        name: [
            {"value": e.slug, "label": e.label(locale), "label_de": e.label_de, "label_en": e.label_en,
             "position": e.position}
            for e in vocabulary_entries(name, active_only=True)
        ]
        for name in ("topic", "type", "size_class", "license")
    }


# --- search (issue 3) -------------------------------------------------------------------------

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"


@bp.get("/search")
def search():
    """Return hits, facets and a spelling suggestion for the search parameters."""
    return search_view.search_json(request.args, locale=_locale())


@bp.get("/suggest")
def suggest():
    """Return completions for the beginning of a search term."""
    return search_view.suggestions_json(request.args)


@bp.get("/openapi.json")
def openapi():
    """Return the hand-written OpenAPI document of this API."""
    return Response(OPENAPI_PATH.read_text(encoding="utf-8"), mimetype="application/json")
