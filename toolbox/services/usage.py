"""How often documents are viewed and downloaded: counts per document and day, never who.

Nothing about a visitor is stored: no address, no cookie, no User-Agent. A request is either
counted (one more in today's row of the document) or not: known bots, crawlers and scripts
are not, by their User-Agent against the list of the ``crawlerdetect`` package, a port of the
maintained JayBizzle/Crawler-Detect patterns; neither is a request without a User-Agent, which
no browser sends. Counting is one upsert per request (``INSERT … ON CONFLICT DO UPDATE``,
which SQLite and PostgreSQL both have), so it never needs a read first and parallel requests
all count.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawlerdetect import CrawlerDetect
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import DocumentUsageDay

log = logging.getLogger(__name__)

VIEWS = "views"
DOWNLOADS = "downloads"
ZIP_DOWNLOADS = "zip_downloads"
USAGE_KINDS = (VIEWS, DOWNLOADS, ZIP_DOWNLOADS)

_detector = CrawlerDetect()


@lru_cache(maxsize=4096)
def is_known_bot(user_agent: str | None) -> bool:
    """True for a User-Agent that names a bot, crawler or script, or for none at all.

    The pattern search costs about 0.2 ms; the few User-Agents of real traffic repeat, so the
    answers are kept.
    """
    agent = (user_agent or "").strip()
    if not agent:
        return True
    return _detector.is_crawler(agent[:1000])


def usage_today() -> date:
    """The counting day in the toolbox's time zone, so "today" ends at midnight in Germany."""
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Berlin"
    return datetime.now(ZoneInfo(zone)).date()


def _insert():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def usage_add(document_ids: list[int], kind: str) -> None:
    """Add one ``kind`` to today's row of each document, in the caller's transaction.

    Each id counts once, however often the list names it: a ZIP holds a document once.
    """
    if kind not in USAGE_KINDS:
        raise ValueError(f"unknown usage kind {kind!r}")
    ids = sorted(set(document_ids))
    if not ids:
        return
    table = DocumentUsageDay.__table__
    today = usage_today()
    # Sorted ids: two parallel ZIPs of overlapping selections lock the rows in the same order.
    rows = [{"document_id": i, "day": today, **{k: int(k == kind) for k in USAGE_KINDS}} for i in ids]
    insert = _insert()
    stmt = insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.document_id, table.c.day],
                                      set_={kind: table.c[kind] + 1})
    db.session.execute(stmt)


def usage_commit() -> None:
    """Commit a transaction that holds counts only, without waiting for PostgreSQL's disk flush.

    A crash may lose the last fraction of a second of counts, which no one would notice; the
    wait for the write-ahead log's flush was most of what counting added to a request
    (bench/usage.py). SQLite commits as usual.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def document_view_count(document_id: int) -> None:
    """Count one view of a document page, committed on its own.

    A view that cannot be counted (a locked SQLite file, a lost connection) is logged and
    dropped: the visitor gets the page all the same.
    """
    try:
        usage_add([document_id], VIEWS)
        usage_commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("view of document %s not counted", document_id, exc_info=True)


@dataclass(frozen=True)
class UsageTotals:
    views: int = 0
    downloads: int = 0
    zip_downloads: int = 0
    since: date | None = None


def usage_totals(document_ids: list[int]) -> dict[int, UsageTotals]:
    """Each document's views and downloads (single and in ZIPs) over all days counted."""
    if not document_ids:
        return {}
    t = DocumentUsageDay
    stmt = (
        select(t.document_id, func.sum(t.views), func.sum(t.downloads), func.sum(t.zip_downloads), func.min(t.day))
        .where(t.document_id.in_(document_ids))
        .group_by(t.document_id)
    )
    return {
        row[0]: UsageTotals(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0), row[4])
        for row in db.session.execute(stmt)
    }
