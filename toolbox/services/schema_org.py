"""schema.org metadata of a document page, for search engines.

Search engines read a ``DigitalDocument`` from a JSON-LD data block in the page; it names the
same licence, publisher and file as the DCAT-AP.de catalogue, with addresses from
``TOOLBOX_BASE_URL``. The block is data, not script: the strict CSP (``script-src 'self'``) stays.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..models import Document
from ..urls import absolute_url
from . import dcat_vocabularies as vocab
from .dcat import record_modified


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def document_schema_org(document: Document) -> dict:
    """The page's ``DigitalDocument``; keys without a value are left out."""
    page = absolute_url("public.document_detail", document_id=document.id)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "DigitalDocument",
        "@id": page,
        "url": page,
        "name": document.title,
        "description": (document.description or "").strip() or None,
        "inLanguage": document.language or "de",
        "datePublished": _iso(document.published_at),
        "dateModified": _iso(record_modified(document)),
        "keywords": [topic.label_de for topic in document.topics] or None,
    }
    if document.municipality is not None:
        organisation = {"@type": "GovernmentOrganization", "name": document.municipality.name}
        data["author"] = organisation
        data["publisher"] = organisation
    if document.license is not None:
        data["license"] = document.license.url or vocab.license_uri(document.license.dcat_license)
    if document.project is not None:
        data["isPartOf"] = {"@type": "CreativeWork", "name": document.project.name}
    version = document.current_version
    if version is not None:
        data["encodingFormat"] = version.media_type
        data["contentUrl"] = absolute_url("public.document_download", document_id=document.id)
        data["contentSize"] = f"{version.size} B"
    return {key: value for key, value in data.items() if value is not None}
