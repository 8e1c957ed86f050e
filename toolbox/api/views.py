"""JSON API v1: read-only for visitors."""
from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_babel import get_locale

from ..models import Document
from ..services.documents import document_get_visible
from ..services.vocabularies import vocabulary_entries

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _locale() -> str:
    return str(get_locale() or "de")


def document_json(document: Document) -> dict:
    """The API's view of a document; also used by the search endpoint for its hits."""
    locale = _locale()
    version = document.current_version
    size_class = document.size_class
    return {
        "id": document.id,
        "title": document.title,
        "description": document.description or "",
        "topics": [{"value": t.slug, "label": t.label(locale)} for t in document.topics],
        "type": _entry(document.document_type, locale),
        "size_class": _entry(size_class, locale),
        "municipality": document.municipality.name if document.municipality else None,
        "project": document.project.name if document.project else None,
        "year": document.year,
        "format": version.format if version else None,
        "license": _entry(document.license, locale),
        "status": document.status,
        "contact": document.contact,
        "download_count": document.download_count,
        "published_at": document.published_at.isoformat() if document.published_at else None,
        "file": None if version is None else {
            "filename": version.original_filename,
            "media_type": version.media_type,
            "size": version.size,
            "page_count": version.page_count,
            "sha256": version.sha256,
            "extraction_status": version.extraction_status,
            "version": version.number,
        },
        "url": url_for("public.document_detail", document_id=document.id, _external=True),
        "download_url": url_for("public.document_download", document_id=document.id, _external=True),
    }


def _entry(entry, locale: str) -> dict | None:
    if entry is None:
        return None
    return {"value": entry.slug, "label": entry.label(locale)}


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
