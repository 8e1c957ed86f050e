"""What search engines and browsers read about the site: sitemaps, robots.txt, OpenSearch.

The sitemap lists the published documents only, in pages (a sitemap file may hold 50 000
addresses; smaller pages keep each response quick), behind an index whose ``lastmod`` tells a
crawler which page changed since its last visit. A document's ``lastmod`` is the last change of
anything its page shows (``dcat.record_modified``: also its municipality, licence, topics …).
Every address comes from ``TOOLBOX_BASE_URL``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from sqlalchemy import func, select

from ..extensions import db
from ..models import STATUS_PUBLISHED, Document
from ..urls import absolute_url
from .dcat import record_modified_sql

#: Documents per sub-sitemap.
SITEMAP_PAGE_SIZE = 5000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

#: Paths no crawler should visit: accounts, uploads, the editors' area, and the ZIP download
#: (each crawl of it would pack and count every document of a search).
# "/documents/*/reuse": the report form of every document page, which crawlers have no use for
# (the wildcard is understood by the big crawlers and RFC 9309).
ROBOTS_DISALLOW = ("/admin/", "/upload", "/my/", "/account", "/login", "/logout", "/invite/",
                   "/search/download.zip", "/documents/*/reuse")


@dataclass(frozen=True)
class SitemapEntry:
    location: str
    modified: datetime | None


def _lastmod(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    stamp = moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return f"<lastmod>{stamp}</lastmod>"


def sitemap_page_count(page_size: int | None = None) -> int:
    page_size = page_size or SITEMAP_PAGE_SIZE
    total = db.session.scalar(select(func.count()).select_from(Document).where(Document.status == STATUS_PUBLISHED))
    return max(1, -(-int(total or 0) // page_size))


def sitemap_index(page_size: int | None = None) -> str:
    """The sitemap index: one entry per page, with the newest change among its documents."""
    page_size = page_size or SITEMAP_PAGE_SIZE
    ranked = (
        select(record_modified_sql().label("updated_at"), func.row_number().over(order_by=Document.id).label("n"))
        .where(Document.status == STATUS_PUBLISHED)
        .subquery()
    )
    page_of = ((ranked.c.n - 1) / page_size).label("page")
    newest = dict(db.session.execute(select(page_of, func.max(ranked.c.updated_at)).group_by(page_of)).all())
    entries = []
    for number in range(1, sitemap_page_count(page_size) + 1):
        modified = newest.get(number - 1)
        if isinstance(modified, str):  # SQLite hands back max() of a timestamp column as text
            modified = datetime.fromisoformat(modified)
        location = escape(absolute_url("crawlers.sitemap_page", number=number))
        entries.append(f"<sitemap><loc>{location}</loc>{_lastmod(modified)}</sitemap>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
            + "\n".join(entries) + "\n</sitemapindex>\n")


def sitemap_page(number: int, page_size: int | None = None) -> str | None:
    """Page ``number`` (from 1) of the published documents' addresses; None past the last page."""
    page_size = page_size or SITEMAP_PAGE_SIZE
    if number < 1 or number > sitemap_page_count(page_size):
        return None
    rows = db.session.execute(
        select(Document.id, record_modified_sql()).where(Document.status == STATUS_PUBLISHED)
        .order_by(Document.id).offset((number - 1) * page_size).limit(page_size)
    ).all()
    entries = [SitemapEntry(absolute_url("public.index"), None)] if number == 1 else []
    entries += [SitemapEntry(absolute_url("public.document_detail", document_id=i), modified) for i, modified in rows]
    urls = [f"<url><loc>{escape(e.location)}</loc>{_lastmod(e.modified)}</url>" for e in entries]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n' + "\n".join(urls) + "\n</urlset>\n"


def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "",
             f"Sitemap: {absolute_url('crawlers.sitemap_index')}", ""]
    return "\n".join(lines)


def opensearch_description(title: str, description: str) -> str:
    """The OpenSearch description browsers read to offer searching the site from the address bar."""
    search_url = escape(absolute_url("search.results")) + "?q={searchTerms}"
    icon = escape(absolute_url("public.favicon"))
    self_url = escape(absolute_url("crawlers.opensearch"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
        # OpenSearch allows at most 16 characters here.
        f"  <ShortName>{escape(title[:16])}</ShortName>\n"
        f"  <Description>{escape(description)}</Description>\n"
        "  <InputEncoding>UTF-8</InputEncoding>\n"
        "  <Language>de-de</Language>\n"
        f'  <Image height="16" width="16" type="image/vnd.microsoft.icon">{icon}</Image>\n'
        f'  <Url type="text/html" method="get" template="{search_url}"/>\n'
        f'  <Url type="application/opensearchdescription+xml" rel="self" template="{self_url}"/>\n'
        "</OpenSearchDescription>\n"
    )
