"""The seam between the database (the truth) and the search index (derived data).

Services call ``queue_document`` inside the transaction that changes a document and
``flush_index_queue`` after the commit. What happens in between depends on the engine:

* Whoosh (an index beside the database): ``queue_document`` adds an index-queue row to the
  transaction and ``flush_index_queue`` applies the queue after the commit; the rows make a
  crash between the two commits repairable on the next start.
* PostgreSQL (``TOOLBOX_SEARCH_BACKEND=postgresql``, entries in the database itself): there is
  nothing to queue. ``queue_document`` notes the document in the session (``session.info``),
  and just before that session commits, ``_write_entries_before_commit`` flushes it and hands
  the session's own connection to the backend, which writes the entries in the same
  transaction. A rollback drops the note and the entries never existed; a crash needs no repair.
  The hook sits here, not in ``toolbox.search``, because the session is the ORM's: the search
  package only ever gets a connection and reads the documents through its ``DocumentSource``.
"""
from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import JOB_QUEUED, JOB_RUNNING, IndexQueue, Job

#: ``Session.info`` key: ids of documents whose entries the session's transaction writes at commit.
PENDING_ENTRIES = "toolbox.search.pending_entries"


def queue_document(document_id: int) -> None:
    from ..search import current_backend

    if getattr(current_backend(), "transactional", False):
        db.session.info.setdefault(PENDING_ENTRIES, set()).add(document_id)
    else:
        db.session.add(IndexQueue(document_id=document_id))


@event.listens_for(Session, "before_commit")
def _write_entries_before_commit(session: Session) -> None:
    """Write the index entries of the documents this transaction changed, inside it."""
    pending = session.info.get(PENDING_ENTRIES)
    if not pending:
        return
    from ..search import current_backend

    session.flush()
    ids = sorted(session.info.pop(PENDING_ENTRIES, ()))
    current_backend().update_in_transaction(session.connection(), ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_entries_on_rollback(session: Session, previous_transaction) -> None:
    """The transaction's changes are gone, and so are the entries it would have written."""
    if previous_transaction.parent is None:
        session.info.pop(PENDING_ENTRIES, None)


def flush_index_queue() -> int:
    """Bring the index up to date with every queued document; return how many were written.

    Its commit adds a segment and never merges (that could take many seconds, and this runs
    inside requests); when there are segments to merge, a merge job is queued.
    """
    from ..search import apply_index_queue

    applied = apply_index_queue()
    if applied:
        index_merge_queue()
    return applied


def index_merge_queue() -> int | None:
    """Queue an index merge job when the index has segments to merge and none is waiting;
    return its id. Commits the session (call it after the caller's own commit)."""
    from ..search import index_needs_merge
    from .jobs import KIND_INDEX_MERGE, job_create, job_dispatch

    if not index_needs_merge():
        return None
    waiting = db.session.scalar(
        select(Job.id).where(Job.kind == KIND_INDEX_MERGE, Job.state.in_((JOB_QUEUED, JOB_RUNNING))).limit(1))
    if waiting is not None:
        return None
    job = job_create(KIND_INDEX_MERGE, limit_seconds=3600)
    db.session.commit()
    job_dispatch([job.id])
    return job.id


#: Merges one job runs at most: each merges the smallest segments Whoosh's policy picks, and a
#: bulk import may leave several rounds of them.
MERGE_ROUNDS = 8


def index_merge_job(job) -> None:
    """Merge index segments (job handler); the index is derived data, no row changes."""
    from ..search import merge_index

    for _round in range(MERGE_ROUNDS):
        report = merge_index()
        if report is None or not report.merged:
            break


def bulk_indexer():
    """A context manager whose ``add(document_ids)`` indexes committed, queued documents in a
    child process, or None when the search engine has no such path; for ``toolbox ingest``,
    never inside a web request (it forks)."""
    from ..search import bulk_indexer as make

    # The child inherits this process's connection pool; it must open connections of its own.
    return make(after_fork=lambda: db.engine.dispose(close=False))
