"""Checks at every start: the index matches the database, no half-written files linger."""
from __future__ import annotations

import logging

from flask import Flask

from ..storage import blob_store

log = logging.getLogger(__name__)


def repair_on_start(app: Flask) -> None:
    """Undo what a killed process left behind; cheap enough for every start of every process.

    Temporary blob files go only when no writer holds them (a running upload in another
    process keeps its file); a missing or corrupt index is rebuilt, an abandoned rebuild
    removed, and index updates that were committed to the database but not to the index are
    applied from the queue. The expensive checks (hashing every file) are ``toolbox check``'s.
    """
    from .. import search
    from . import indexing

    with app.app_context():
        try:
            removed = blob_store().sweep_temporary()
        except OSError:
            # An unreachable bucket must not keep the app from starting (and answering /readyz).
            log.exception("Could not sweep the temporary uploads of the blob store")
        else:
            if removed:
                log.warning("Removed %d temporary files of interrupted uploads", removed)
        search.ensure_index()
        applied = indexing.flush_index_queue()
        if applied:
            # Routine: another process may have queued them a moment ago, or left them when the
            # writer lock was busy. A note for the log, not a repair to report on the terminal.
            log.info("Applied %d queued index updates", applied)


def warm_search(app: Flask) -> None:
    """Decode the most frequent postings before serving (``TOOLBOX_SEARCH_WARM_POSTINGS``).

    A failure only costs speed: the first queries then decode what they need, as without
    warming, so it is logged and start-up goes on.
    """
    from .. import search

    budget = int(app.config.get("TOOLBOX_SEARCH_WARM_POSTINGS") or 0)
    if budget <= 0:
        return
    try:
        with app.app_context():
            report = search.warm_up(budget)
    except Exception:
        log.exception("Warming the search caches failed; queries will decode postings as they go")
        return
    finally:
        search.release_open_files()
    log.info("Search caches warmed: %d posting lists, %d postings in %.1f s",
             report.terms, report.postings, report.seconds)


def freeze_start_up_objects() -> int:
    """Hand what start-up made (the warmed search caches, the compiled templates) to the
    collector's permanent generation; returns how many objects that is.

    Hundreds of thousands of long-lived objects otherwise sit in the oldest generation, and
    every full collection walks them all: after warming, the first queries of
    ``bench/search.py`` paused for 200 ms. With gunicorn's preload, frozen objects are also
    never written to by the collector, so the pages the workers share copy-on-write stay
    shared (what the ``gc.freeze`` documentation advises before a fork).
    """
    import gc

    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def warm_templates(app: Flask) -> int:
    """Compile every page template before serving; returns how many.

    Jinja compiles a template on its first use in each process, a few tenths of a second for a
    page and the base it extends; with gunicorn's preload this runs once in the master and the
    forked workers inherit the compiled templates, so a fresh worker's first visitor does not
    wait for it. A template that fails to compile is logged and left to its first use.
    """
    env = app.jinja_env
    compiled = 0
    with app.app_context():
        for name in env.list_templates(extensions=("html", "txt")):
            try:
                env.get_template(name)
            except Exception:
                log.exception("Could not compile the template %s", name)
            else:
                compiled += 1
    return compiled


def after_fork(app: Flask) -> None:
    """In a freshly forked server worker: drop what must not be shared with the parent.

    Database connections (SQLAlchemy's advice for fork: dispose without closing, the parent
    still owns them) and open index files; the decoded search caches stay and are shared
    copy-on-write.
    """
    from .. import search
    from ..extensions import db

    from ..s3storage import renew_clients

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
    renew_clients(app)
    search.release_open_files()
