"""Is this server able to serve? The readiness checks of ``/readyz`` and the queue's depth.

Each check touches what a request would need, cheaply: one query on the database, the live
search index opened and its schema read, the blob store writable, the job queue asked for its length.
A failed check is named with the exception's class; its text (which may carry a host name or a
path) goes to the log only, because load balancers and monitoring are not always private.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import current_app
from sqlalchemy import func, select, text

from ..extensions import db
from ..models import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    problem: str | None = None  # the exception's class, or a short code


def _database() -> None:
    db.session.execute(text("SELECT 1")).scalar_one()


class CheckFailed(RuntimeError):
    """A check that knows what is wrong in a word that is safe to show (``missing``)."""


def _search() -> None:
    from .. import search

    state = search.index_state()
    if state != "ok":
        raise CheckFailed(state)


def _storage() -> None:
    """The backend's own cheap check: the folder can be made and written (a new installation
    has none until the first upload; a missing mount is the failure), or one HEAD on the bucket."""
    from ..storage import blob_store

    blob_store().ping()


def _queue() -> None:
    from ..jobs import queue_for

    queue_for(current_app._get_current_object()).pending_count()


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "search": _search,
    "storage": _storage,
    "queue": _queue,
}


def readiness() -> list[CheckResult]:
    """Run every check, each on its own, and tell which failed (needs an app context)."""
    results = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the kind is enough for the body
            log.warning("Readiness check %s failed: %r", name, exc)
            if name == "database":
                db.session.rollback()
            problem = str(exc) if isinstance(exc, CheckFailed) else type(exc).__name__
            results.append(CheckResult(name, False, problem))
        else:
            results.append(CheckResult(name, True))
    return results


def job_counts() -> dict[tuple[str, str], int]:
    """Jobs per (kind, state), from the jobs table: the truth whatever the queue holds."""
    rows = db.session.execute(select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state))
    return {(kind, state): count for kind, state, count in rows}


def queue_messages() -> int | None:
    """Messages waiting in the queue itself (Redis or SQLite); None when it cannot be asked."""
    from ..jobs import queue_for

    try:
        return int(queue_for(current_app._get_current_object()).pending_count())
    except Exception as exc:  # the scrape goes on without this one value
        log.warning("Could not read the queue length: %r", exc)
        return None
