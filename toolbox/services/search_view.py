"""What the search page, the JSON API and the ZIP export need from a search.

The search core (``toolbox.search``) answers with document ids, scores, highlights and facet
counts keyed by slugs. This module turns that into things a page can show: the Document rows
in hit order (one query), facet options with labels from the vocabularies, the active filters
as removable chips, a pagination model, and the URLs that keep every other parameter.
"""
from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from .. import search
from ..metrics import timed_search
from ..extensions import db
from ..i18n import N_
from ..models import (
    STATUS_PUBLISHED,
    VOCABULARY_MODELS,
    Document,
    DocumentType,
    FileVersion,
    License,
    Municipality,
    Project,
    SizeClass,
    Topic,
    document_topics,
)
from ..urls import absolute_url

log = logging.getLogger(__name__)

#: Filters that take several values; several values of one filter combine with OR.
MULTI_FILTERS = ("topic", "size_class", "type", "format", "license", "municipality", "state", "project",
                 "accessibility")
#: Facets in the order the page shows them: what a document is about, then where it comes from.
FACET_KEYS = ("topic", "type", "state", "municipality", "size_class", "project", "format", "accessibility",
              "license", "year")
VOCABULARY_FACETS = ("topic", "size_class", "type", "license")
#: Facets whose values are names, compared without case and umlaut spelling (as the search does).
NAME_FACETS = ("municipality", "state")
SORTS = ("relevance", "newest", "title", "downloads")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Far beyond any real result list; it only stops a crafted page number from asking the index
# to collect billions of hits.
MAX_PAGE = 10_000

#: The keys of a hit in the API, as DESIGN.md lists them.
API_HIT_KEYS = ("id", "title", "description", "topics", "type", "size_class", "municipality",
                "project", "year", "format", "license")

Params = list[tuple[str, str]]


# --- the query --------------------------------------------------------------------------------


def public_query(args: Mapping) -> search.SearchQuery:
    """Parse request parameters into a query over published documents only.

    Whatever the parameters say, visitors see published documents; paging is kept within
    sane bounds so that no parameter can make the index collect an absurd number of hits.
    """
    query = search.SearchQuery.from_params(args)
    per_page = query.per_page if isinstance(query.per_page, int) else DEFAULT_PER_PAGE
    page = query.page if isinstance(query.page, int) else 1
    # Without words there is nothing to rank by: "relevance" would silently mean newest.
    sort = query.sort if query.q or query.sort != "relevance" else "newest"
    return dataclasses.replace(
        query,
        sort=sort,
        statuses=(STATUS_PUBLISHED,),
        per_page=min(max(per_page, 1), MAX_PER_PAGE),
        page=min(max(page, 1), MAX_PAGE),
    )


def query_params(query, *, page: bool = True) -> Params:
    """The canonical URL parameters of ``query``; defaults are left out."""
    params: Params = []
    if query.q:
        params.append(("q", query.q))
    for key in MULTI_FILTERS:
        for value in getattr(query, key, ()):
            params.append((key, str(value)))
    if query.year_from is not None:
        params.append(("year_from", str(query.year_from)))
    if query.year_to is not None:
        params.append(("year_to", str(query.year_to)))
    if query.sort and query.sort != search.default_sort(query.q or ""):
        params.append(("sort", query.sort))
    if page and query.page and query.page != 1:
        params.append(("page", str(query.page)))
    if query.per_page and query.per_page != DEFAULT_PER_PAGE:
        params.append(("per_page", str(query.per_page)))
    if getattr(query, "literal", False) and query.q:
        params.append(("literal", "1"))
    return params


def search_back_url(value: str | None, *, base_url: str) -> str | None:
    """The search a document page was opened from, if ``value`` names one on this site.

    Only a path equal to ``base_url`` passes (no scheme, host, backslash or control
    character, so never an address elsewhere), and the parameters are rebuilt from what a
    search understands: the link can only ever lead back to a search page.
    """
    if not value or len(value) > 4000 or "\\" in value or any(ord(char) < 32 for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path != base_url:
        return None
    query = public_query(MultiDict(parse_qsl(parts.query, keep_blank_values=False)))
    return build_url(base_url, query_params(query))


def build_url(base: str, params: Iterable[tuple[str, str]]) -> str:
    params = list(params)
    return f"{base}?{urlencode(params)}" if params else base


def _without(params: Params, *keys: str, pair: tuple[str, str] | None = None) -> Params:
    """``params`` less every pair with one of ``keys``, less ``pair``, and back on page 1."""
    return [p for p in params if p[0] not in keys and p != pair and p[0] != "page"]


# --- labels -----------------------------------------------------------------------------------


def label_maps(locale: str = "de") -> dict[str, dict[str, str]]:
    """Slug → label for each vocabulary in its curated order, inactive entries included (old
    documents use them), and project id → project name.

    Plain rows, not ORM objects: every search answer needs these, and loading the vocabularies
    as entities cost more than the statements themselves."""
    english = locale.startswith("en")
    labels = {}
    for name in VOCABULARY_FACETS:
        model = VOCABULARY_MODELS[name]
        rows = db.session.execute(select(model.slug, model.label_en if english else model.label_de)
                                  .order_by(model.position, model.id))
        labels[name] = {slug: label for slug, label in rows}
    labels["project"] = {str(project_id): name for project_id, name in db.session.execute(select(Project.id, Project.name))}
    return labels


#: Names of the file formats in the format facet (German, translated on the page); a format not
#: named here is shown by its code in capitals ("PDF", "CSV").
FORMAT_LABELS = {
    "docx": N_("Word (DOCX)"),
    "doc": N_("Word 97–2003 (DOC)"),
    "odt": N_("OpenDocument-Text (ODT)"),
    "rtf": N_("Rich Text (RTF)"),
    "xlsx": N_("Excel (XLSX)"),
    "xls": N_("Excel 97–2003 (XLS)"),
    "ods": N_("OpenDocument-Tabelle (ODS)"),
    "pptx": N_("PowerPoint (PPTX)"),
    "ppt": N_("PowerPoint 97–2003 (PPT)"),
    "odp": N_("OpenDocument-Präsentation (ODP)"),
    "encrypted-office": N_("Office-Datei mit Passwort"),
}


#: The accessibility facet's value: the download passed the checks BITV 2.0 asks that a parser can
#: make (a tagged PDF with language and title; a text document with real headings).
ACCESSIBILITY_LABELS = {"barrierearm": N_("Barrierearm (geprüft)")}


def value_label(key: str, value: str, labels: Mapping[str, Mapping[str, str]]) -> str:
    if key in labels:
        return labels[key].get(value, value)
    if key == "format":
        return _(FORMAT_LABELS[value]) if value in FORMAT_LABELS else value.upper()
    if key == "accessibility":
        return _(ACCESSIBILITY_LABELS[value]) if value in ACCESSIBILITY_LABELS else value
    return str(value)


# --- documents --------------------------------------------------------------------------------


def documents_for_ids(ids: list[int], *, statuses: Iterable[str] = (STATUS_PUBLISHED,)) -> list[Document]:
    """Load the documents for ``ids`` in one query, in the order of ``ids``.

    Ids the index still knows but the database no longer shows (or not with these statuses)
    are dropped, so a stale index entry can never show a withdrawn document.
    """
    if not ids:
        return []
    stmt = (
        select(Document)
        .where(Document.id.in_(ids), Document.status.in_(tuple(statuses)))
        .options(
            # The extracted text can be megabytes per version; no result list needs it.
            selectinload(Document.versions).defer(FileVersion.text),
            selectinload(Document.topics),
            joinedload(Document.document_type),
            joinedload(Document.license),
            joinedload(Document.project),
            joinedload(Document.municipality).joinedload(Municipality.size_class),
        )
    )
    by_id = {document.id: document for document in db.session.scalars(stmt).unique()}
    return [by_id[i] for i in ids if i in by_id]


def hit_summaries(ids: list[int], labels: Mapping[str, Mapping[str, str]], *,
                  statuses: Iterable[str] = (STATUS_PUBLISHED,)) -> list[dict]:
    """The API's fields of the hits ``ids`` (``API_HIT_KEYS``, the URLs), in the order of ``ids``,
    as ``document_json`` gives them; ids not (or no longer) visible with ``statuses`` are dropped.

    Two plain statements (the document row with its names and current format, then its topics)
    with the labels of ``label_maps``: the ORM objects of ``documents_for_ids``, with five
    relationships and every version, cost more than the rest of an answer besides the search
    (20 hits: 3 ms on SQLite and 6.5 ms on PostgreSQL against about 1 ms).
    """
    if not ids:
        return []
    current = (select(FileVersion.document_id, func.max(FileVersion.number).label("number"))
               .where(FileVersion.document_id.in_(ids)).group_by(FileVersion.document_id).subquery())
    rows = db.session.execute(
        select(Document.id, Document.title, Document.description, Document.year, DocumentType.slug,
               License.slug, SizeClass.slug, Municipality.name, Project.name, FileVersion.format)
        .outerjoin(DocumentType, DocumentType.id == Document.document_type_id)
        .outerjoin(License, License.id == Document.license_id)
        .outerjoin(Project, Project.id == Document.project_id)
        .outerjoin(Municipality, Municipality.id == Document.municipality_id)
        .outerjoin(SizeClass, SizeClass.id == Municipality.size_class_id)
        .outerjoin(current, current.c.document_id == Document.id)
        .outerjoin(FileVersion, (FileVersion.document_id == Document.id) & (FileVersion.number == current.c.number))
        .where(Document.id.in_(ids), Document.status.in_(tuple(statuses)))
    ).all()
    topics: dict[int, list[str]] = {}
    for document_id, slug in db.session.execute(
            select(document_topics.c.document_id, Topic.slug).join(Topic, Topic.id == document_topics.c.topic_id)
            .where(document_topics.c.document_id.in_([row[0] for row in rows]))
            .order_by(Topic.position, Topic.id)):
        topics.setdefault(document_id, []).append(slug)

    def entry(vocabulary: str, slug: str | None) -> dict | None:
        return None if slug is None else {"value": slug, "label": labels[vocabulary].get(slug, slug)}

    by_id = {}
    for document_id, title, description, year, type_slug, license_slug, size_slug, municipality, project, fmt in rows:
        by_id[document_id] = {
            "id": document_id,
            "title": title,
            "description": description or "",
            "topics": [entry("topic", slug) for slug in topics.get(document_id, [])],
            "type": entry("type", type_slug),
            "size_class": entry("size_class", size_slug),
            "municipality": municipality,
            "project": project,
            "year": year,
            "format": fmt,
            "license": entry("license", license_slug),
            "url": absolute_url("public.document_detail", document_id=document_id),
            "download_url": absolute_url("public.document_download", document_id=document_id),
        }
    return [by_id[i] for i in ids if i in by_id]


def similar_documents(document: Document, *, limit: int = 5, exclude: Iterable[int] = ()) -> list[Document]:
    """Published documents like ``document`` ("more like this"), best first."""
    skip = {document.id, *exclude}
    try:
        ids = search.more_like_this(document.id, limit=limit + len(skip))
    except Exception:
        # The index is derived data: a broken or rebuilding index must not take the
        # document page down with it; the page simply shows no similar documents.
        log.exception("more_like_this failed for document %s", document.id)
        return []
    return documents_for_ids([i for i in ids if i not in skip])[:limit]


# --- the page model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    #: For link-style facets (year): where a click goes (select, or deselect when selected).
    url: str | None = None


#: Open-ended facets (every municipality, every project) show this many options, then "more".
FACET_SHORTLIST = 8
OPEN_ENDED_FACETS = ("municipality", "state", "project")


@dataclass(frozen=True)
class FacetGroup:
    key: str
    options: list[FacetOption]

    @property
    def has_selection(self) -> bool:
        return any(option.selected for option in self.options)

    @property
    def shortlist(self) -> list[FacetOption]:
        """The options shown at once: all of a vocabulary, the most frequent of an open-ended
        facet; a selected option always, so that it can be unticked where it is seen."""
        if self.key not in OPEN_ENDED_FACETS or len(self.options) <= FACET_SHORTLIST + 2:
            return self.options
        return [o for i, o in enumerate(self.options) if i < FACET_SHORTLIST or o.selected]

    @property
    def more(self) -> list[FacetOption]:
        shown = {id(o) for o in self.shortlist}
        return [o for o in self.options if id(o) not in shown]


@dataclass(frozen=True)
class FilterChip:
    key: str
    value: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None stands for a gap ("…")
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    page: int
    pages: int
    previous_url: str | None
    next_url: str | None
    links: list[PageLink]

    @property
    def needed(self) -> bool:
        return self.pages > 1


@dataclass
class ResultItem:
    document: Document
    highlights: str
    score: float


@dataclass
class SearchPage:
    query: object
    params: Params
    total: int
    items: list[ResultItem]
    facets: list[FacetGroup]
    chips: list[FilterChip]
    pagination: Pagination
    suggestion: str | None
    suggestion_url: str | None
    widened: bool
    clear_url: str
    zip_url: str
    zip_max_documents: int
    #: The sort actually applied: browsing without words lists the newest first.
    sort: str = "newest"
    #: The same filters without the words, for an empty result ("widen the search").
    without_words_url: str | None = None
    #: This very result page, for the hits' "Zurück zu den Ergebnissen".
    url: str = ""
    extra: dict = field(default_factory=dict)
    #: The corrected words whose hits are shown, the words as typed, and their literal search.
    corrected_query: str | None = None
    typed_query: str | None = None
    literal_url: str | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.chips)

    @property
    def zip_allowed(self) -> bool:
        return 0 < self.total <= self.zip_max_documents

    @property
    def sort_options(self) -> tuple[str, ...]:
        """The sorts that mean something here: relevance only when there are words."""
        return SORTS if self.query.q else tuple(s for s in SORTS if s != "relevance")


def facet_groups(results, query, labels: Mapping[str, Mapping[str, str]], *, base_url: str) -> list[FacetGroup]:
    """Facet options with labels, selected values first kept visible even with no hits."""
    params = query_params(query)
    groups = []
    for key in FACET_KEYS:
        raw = list((results.facets or {}).get(key, []))
        if key == "year":
            groups.append(FacetGroup(key, _year_options(raw, query, params, base_url)))
            continue
        selected = {str(v) for v in getattr(query, key, ())}
        by_value: dict[str, FacetOption] = {}
        for facet_value in raw:
            value = str(facet_value.value)
            is_selected = value in selected or bool(getattr(facet_value, "selected", False))
            # An option that would return nothing is noise unless it is part of the query.
            if facet_value.count <= 0 and not is_selected:
                continue
            by_value[value] = FacetOption(value, value_label(key, value, labels), int(facet_value.count), is_selected)
        shown = {search.name_key(v) for v in by_value} if key in NAME_FACETS else set(by_value)
        for value in selected:
            if (search.name_key(value) if key in NAME_FACETS else value) not in shown:
                by_value[value] = FacetOption(value, value_label(key, value, labels), 0, True)
        groups.append(FacetGroup(key, _ordered(key, list(by_value.values()), labels)))
    return groups


def _ordered(key: str, options: list[FacetOption], labels: Mapping[str, Mapping[str, str]]) -> list[FacetOption]:
    if key in VOCABULARY_FACETS:
        # The curated vocabulary order, so options never jump around between searches.
        position = {slug: i for i, slug in enumerate(labels[key])}
        return sorted(options, key=lambda o: (position.get(o.value, len(position)), o.label))
    return sorted(options, key=lambda o: (-o.count, o.label.casefold(), o.value))


def _year_options(raw, query, params: Params, base_url: str) -> list[FacetOption]:
    """Years as links: one click narrows to that year, a second click removes the range."""
    chosen = query.year_from if query.year_from is not None and query.year_from == query.year_to else None
    base = _without(params, "year_from", "year_to")
    options = {}
    for facet_value in raw:
        value = str(facet_value.value)
        if facet_value.count <= 0 and value != str(chosen):
            continue
        options[value] = int(facet_value.count)
    if chosen is not None:
        options.setdefault(str(chosen), 0)
    result = []
    for value, count in sorted(options.items(), key=lambda item: item[0], reverse=True):
        selected = value == str(chosen)
        url = build_url(base_url, base if selected else base + [("year_from", value), ("year_to", value)])
        result.append(FacetOption(value, value, count, selected, url))
    return result


def filter_chips(query, labels: Mapping[str, Mapping[str, str]], *, base_url: str, locale: str = "de") -> list[FilterChip]:
    """One chip per active filter value; each links to the same search without it."""
    params = query_params(query)
    chips = []
    for key in MULTI_FILTERS:
        for value in getattr(query, key, ()):
            value = str(value)
            chips.append(FilterChip(key, value, value_label(key, value, labels),
                                    build_url(base_url, _without(params, pair=(key, value)))))
    year_from, year_to = query.year_from, query.year_to
    if year_from is not None and year_from == year_to:
        chips.append(FilterChip("year", str(year_from), _("Jahr %(year)s", year=year_from),
                                build_url(base_url, _without(params, "year_from", "year_to"))))
    else:
        if year_from is not None:
            chips.append(FilterChip("year_from", str(year_from), _("ab %(year)s", year=year_from),
                                    build_url(base_url, _without(params, "year_from"))))
        if year_to is not None:
            chips.append(FilterChip("year_to", str(year_to), _("bis %(year)s", year=year_to),
                                    build_url(base_url, _without(params, "year_to"))))
    return chips


def pagination(total: int, query, *, base_url: str, window: int = 2) -> Pagination:
    """Pages 1 and last, the current page with ``window`` neighbours, gaps in between."""
    per_page = max(1, query.per_page)
    pages = max(1, math.ceil(total / per_page))
    page = query.page
    params = [p for p in query_params(query) if p[0] != "page"]

    def url_for_page(number: int) -> str:
        return build_url(base_url, params + ([("page", str(number))] if number > 1 else []))

    wanted = {1, pages, *range(page - window, page + window + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= pages)
    links: list[PageLink] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append(PageLink(None, None))
        links.append(PageLink(number, url_for_page(number), number == page))
        previous = number
    return Pagination(
        page=page,
        pages=pages,
        previous_url=url_for_page(min(page - 1, pages)) if page > 1 else None,
        next_url=url_for_page(page + 1) if page < pages else None,
        links=links,
    )


def search_page(args: Mapping, *, base_url: str, zip_base_url: str, locale: str = "de") -> SearchPage:
    """Run the search for ``args`` and build everything the result page shows."""
    query = public_query(args)
    with timed_search("page"):
        results = search.search(query)
    labels = label_maps(locale)
    documents = documents_for_ids([hit.document_id for hit in results.hits], statuses=query.statuses)
    by_id = {document.id: document for document in documents}
    items = [ResultItem(by_id[hit.document_id], hit.highlights or "", hit.score)
             for hit in results.hits if hit.document_id in by_id]
    params = query_params(query)
    suggestion = results.suggestion or None
    suggestion_url = None
    if suggestion:
        suggestion_url = build_url(base_url, [("q", suggestion)] + [p for p in _without(params, "q", "literal")])
    literal_url = None
    if results.corrected_from:
        literal_url = build_url(base_url, [p for p in _without(params, "page", "literal")] + [("literal", "1")])
    return SearchPage(
        query=query,
        params=params,
        total=results.total,
        items=items,
        facets=facet_groups(results, query, labels, base_url=base_url),
        chips=filter_chips(query, labels, base_url=base_url, locale=locale),
        pagination=pagination(results.total, query, base_url=base_url),
        suggestion=suggestion,
        suggestion_url=suggestion_url,
        widened=bool(results.widened),
        corrected_query=results.query_used if results.corrected_from else None,
        typed_query=results.corrected_from,
        literal_url=literal_url,
        clear_url=build_url(base_url, [("q", query.q)] if query.q else []),
        sort=results.sort,
        url=build_url(base_url, params),
        without_words_url=build_url(base_url, _without(params, "q")) if query.q else None,
        zip_url=build_url(zip_base_url, [p for p in params if p[0] not in ("page", "per_page")]),
        zip_max_documents=int(current_app.config["TOOLBOX_ZIP_MAX_DOCUMENTS"]),
    )


# --- JSON -------------------------------------------------------------------------------------


def _entry_json(entry, locale: str) -> dict | None:
    if entry is None:
        return None
    return {"value": entry.slug, "label": entry.label(locale)}


def document_json(document: Document, locale: str = "de") -> dict:
    """The API's view of a document; search hits, the ZIP's metadata.json and the API share it.

    Needs a request context for the absolute URLs.
    """
    version = document.current_version
    return {
        "id": document.id,
        "title": document.title,
        "description": document.description or "",
        "topics": [{"value": t.slug, "label": t.label(locale)} for t in document.topics],
        "type": _entry_json(document.document_type, locale),
        "size_class": _entry_json(document.size_class, locale),
        "municipality": document.municipality.name if document.municipality else None,
        "project": document.project.name if document.project else None,
        "year": document.year,
        "format": version.format if version else None,
        "license": _entry_json(document.license, locale),
        "language": document.language,
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
        "url": absolute_url("public.document_detail", document_id=document.id),
        "download_url": absolute_url("public.document_download", document_id=document.id),
    }


def search_json(args: Mapping, *, locale: str = "de") -> dict:
    """The body of ``GET /api/v1/search``."""
    query = public_query(args)
    with timed_search("api"):
        results = search.search(query)
    labels = label_maps(locale)
    highlights = {hit.document_id: hit.highlights or "" for hit in results.hits}
    hits = []
    for summary in hit_summaries(list(highlights), labels, statuses=query.statuses):
        item = {key: summary[key] for key in API_HIT_KEYS}
        item["highlights"] = highlights[summary["id"]]
        item["url"] = summary["url"]
        item["download_url"] = summary["download_url"]
        hits.append(item)
    groups = facet_groups(results, query, labels, base_url="")
    return {
        "total": results.total,
        "page": query.page,
        "per_page": query.per_page,
        "hits": hits,
        "facets": {
            group.key: [{"value": o.value, "label": o.label, "count": o.count, "selected": o.selected}
                        for o in group.options]
            for group in groups
        },
        "suggestion": results.suggestion or None,
        "widened": bool(results.widened),
        "corrected": {"query": results.query_used, "typed": results.corrected_from} if results.corrected_from else None,
    }


def suggestions_json(args: Mapping) -> dict:
    """The body of ``GET /api/v1/suggest``: completions for what the user has typed so far."""
    prefix = str(args.get("q", "") or "")[:100].strip()
    try:
        limit = int(args.get("limit", 8))
    except (TypeError, ValueError):
        limit = 8
    limit = min(max(limit, 1), 20)
    return {"query": prefix, "suggestions": search.suggest(prefix, limit=limit) if prefix else []}
