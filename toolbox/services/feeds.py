"""Atom feeds of searches: ``/search.atom`` takes the parameters of ``/search``.

A feed is a search that a feed reader repeats: the same words and filters, always the newest
publications first, whatever ``sort`` or ``page`` the address carries. Without words and
filters it is the feed "Neu veröffentlicht" of the whole toolbox. Only published documents
appear (``public_query``), and every address in it comes from ``TOOLBOX_BASE_URL``: a feed is
read far from the site, by programs that cannot resolve relative links reliably.

The feed's text (title, categories) is German unless the address asks for English with
``lang=en``; it never follows a cookie or Accept-Language, so one address always gives one
feed and caches may share it.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import search
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from ..models import STATUS_PUBLISHED, Document
from ..urls import absolute_url
from .search_view import (
    build_url,
    documents_for_ids,
    filter_chips,
    label_maps,
    public_query,
    query_params,
)

#: Entries per feed: the newest publications; a reader that polls keeps the older ones itself.
FEED_ENTRIES = 50
#: Parameters of a search address that do not change which documents a feed lists.
IGNORED_PARAMS = ("sort", "page", "per_page")
ATOM_TYPE = "application/atom+xml"
# A fixed moment for a feed of an empty toolbox, so that its validators do not change by the second.
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Feed:
    """The serialised feed and what the HTTP caching headers need."""

    body: bytes
    updated: datetime
    etag: str


class _Entry(FeedEntry):
    """feedgen 1.0.0 writes an entry's links without rel, type and length (it reads them back
    from the element it has just created), which would make the download an alternate page;
    the links are written again from what was set."""

    def atom_entry(self, extensions=True):
        entry = super().atom_entry(extensions)
        for written in entry.findall("link"):
            entry.remove(written)
        for link in self.link() or []:
            etree.SubElement(entry, "link", {key: str(link[key]) for key in ("href", "rel", "type", "length")
                                             if link.get(key)})
        return entry


def feed_locale(args: Mapping) -> str:
    """The feed's language: ``lang`` of the address when supported, German otherwise."""
    chosen = args.get("lang") if hasattr(args, "get") else None
    return chosen if chosen in SUPPORTED_LOCALES else DEFAULT_LOCALE


def feed_link_params(params, *, locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """The parameters of the feed of a search given by its URL parameters (``SearchPage.params``):
    without order and paging, with the language when it is not German."""
    kept = [pair for pair in params if pair[0] not in IGNORED_PARAMS and pair[0] != "lang"]
    return kept + ([("lang", locale)] if locale != DEFAULT_LOCALE else [])


def feed_url(params, *, locale: str = DEFAULT_LOCALE) -> str:
    """The absolute address of the feed of a search (see ``feed_link_params``)."""
    return build_url(absolute_url("search.feed"), feed_link_params(params, locale=locale))


def entry_updated(document: Document) -> datetime:
    """When an entry last changed for a reader: its publication, or a later new version."""
    moments = [document.published_at or document.created_at]
    version = document.current_version
    if version is not None and version.uploaded_at is not None:
        moments.append(version.uploaded_at)
    return max(moments)


def _newest_publication() -> datetime:
    latest = db.session.scalar(select(func.max(Document.published_at)).where(Document.status == STATUS_PUBLISHED))
    return latest or _EPOCH


def search_feed(args: Mapping) -> Feed:
    """The Atom feed of the search ``args``: its newest published documents, newest first."""
    locale = feed_locale(args)
    query = dataclasses.replace(public_query(args), sort="newest", page=1, per_page=FEED_ENTRIES)
    results = search.search(query)
    documents = documents_for_ids([hit.document_id for hit in results.hits], statuses=query.statuses)
    with force_locale(locale):
        return _render(query, documents, locale)


def _title(query, locale: str) -> str:
    chips = filter_chips(query, label_maps(locale), base_url="", locale=locale)
    filters = ", ".join(chip.label for chip in chips)
    if query.q and filters:
        return _("Suche nach „%(q)s“ (%(filters)s)", q=query.q, filters=filters)
    if query.q:
        return _("Suche nach „%(q)s“", q=query.q)
    if filters:
        return _("Neu veröffentlicht: %(filters)s", filters=filters)
    return _("Neu veröffentlicht")


def _render(query, documents: list[Document], locale: str) -> Feed:
    params = [pair for pair in query_params(query, page=False) if pair[0] not in IGNORED_PARAMS]
    self_url = feed_url(params, locale=locale)
    page_params = params + ([("lang", locale)] if locale != DEFAULT_LOCALE else [])
    updated = max((entry_updated(document) for document in documents), default=None) or _newest_publication()

    generator = FeedGenerator()
    generator.id(self_url)
    generator.title(f"{_title(query, locale)} – Smart Region Toolbox")
    generator.subtitle(_("Muster und Beispieldokumente aus kommunalen Digitalisierungsprojekten, "
                         "die neuesten Veröffentlichungen zuerst."))
    generator.link(href=self_url, rel="self", type=ATOM_TYPE)
    generator.link(href=build_url(absolute_url("search.results"), page_params), rel="alternate", type="text/html")
    generator.author({"name": "Smart Region Toolbox", "uri": absolute_url("public.index")})
    generator.language(locale)
    generator.icon(absolute_url("public.favicon"))
    generator.generator("Smart Region Toolbox")
    generator.updated(updated)
    for document in documents:
        _entry(generator, document, locale)
    body = generator.atom_str(pretty=True)
    return Feed(body=body, updated=updated, etag=hashlib.sha256(body).hexdigest()[:32])


def _entry(generator: FeedGenerator, document: Document, locale: str) -> None:
    link = absolute_url("public.document_detail", document_id=document.id)
    entry = generator.add_entry(_Entry(), order="append")
    entry.id(link)
    entry.title(document.title)
    entry.link(href=link, rel="alternate", type="text/html")
    version = document.current_version
    if version is not None:
        entry.link(href=absolute_url("public.document_download", document_id=document.id), rel="enclosure",
                   type=version.media_type, length=str(version.size))
    entry.published(document.published_at or document.created_at)
    entry.updated(entry_updated(document))
    entry.summary(_summary(document, locale))
    entry.author({"name": document.municipality.name if document.municipality else "Smart Region Toolbox"})
    for topic in document.topics:
        entry.category(term=topic.slug, label=topic.label(locale))
    if document.license is not None:
        entry.rights(document.license.label(locale))


def _summary(document: Document, locale: str) -> str:
    """The description, or else what kind of document it is and where it comes from."""
    if document.description:
        return document.description
    parts = [document.document_type.label(locale) if document.document_type else None,
             document.municipality.name if document.municipality else None,
             str(document.year) if document.year else None]
    return " · ".join(part for part in parts if part) or document.title
