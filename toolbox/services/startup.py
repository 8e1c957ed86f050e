"""Checks at every start: the index matches the database, no half-written files linger."""
from __future__ import annotations

from flask import Flask

from ..storage import BlobStore


def repair_on_start(app: Flask) -> None:
    """Rebuild a missing or corrupt index and apply index updates a crash left behind."""
    from .. import search
    from . import indexing

    with app.app_context():
        BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"]).sweep_temporary()
        search.ensure_index()
        indexing.flush_index_queue()
