"""Checks at every start: the index matches the database, no half-written files linger."""
from __future__ import annotations

import logging

from flask import Flask

from ..storage import BlobStore

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
        removed = BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"]).sweep_temporary()
        if removed:
            log.warning("Removed %d temporary files of interrupted uploads", removed)
        search.ensure_index()
        applied = indexing.flush_index_queue()
        if applied:
            log.warning("Applied %d index updates that an interrupted process left queued", applied)
