"""The seam between the database (the truth) and the search index (derived data).

Services call ``queue_document`` inside the transaction that changes a document and
``flush_index_queue`` after the commit; the queue rows make a crash between the two commits
repairable on the next start.
"""
from __future__ import annotations

from ..extensions import db
from ..models import IndexQueue


def queue_document(document_id: int) -> None:
    db.session.add(IndexQueue(document_id=document_id))


def flush_index_queue() -> int:
    """Bring the index up to date with every queued document; return how many were written."""
    from ..search import apply_index_queue

    return apply_index_queue()


def bulk_indexer():
    """A context manager whose ``add(document_ids)`` indexes committed documents in a child
    process; for ``toolbox ingest``, never inside a web request (it forks)."""
    from ..search import BulkIndexer

    return BulkIndexer()
