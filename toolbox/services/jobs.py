"""Background jobs: make them, run them once each, retry a bounded number of times, recover.

A job row is added in the transaction of the change that asks for it (an upload) and sent to the
queue after the commit. Running a job first claims it with one conditional UPDATE (queued →
running, attempts + 1), so a message delivered twice — after a re-send, by two workers — runs
the work once; the handler's changes and the job's "done" are committed in one transaction, so a
worker killed in between leaves the job "running" with nothing written, and the next start of a
worker on that host (or ``toolbox check --repair`` from anywhere) queues it again. The attempt
counted at the claim bounds the retries even for a job that kills its worker every time.
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Callable, Iterable

from flask import current_app
from sqlalchemy import func, select, update

from ..extensions import db
from ..i18n import N_
from ..message import Message, StoredMessage, dump_message
from ..models import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, Job, utcnow
from . import indexing
from .audit import audit_record

log = logging.getLogger(__name__)

KIND_OCR = "ocr"
KIND_CONVERT = "convert"
KIND_PREVIEW = "preview"
KIND_MAIL = "mail"
KIND_PASSWORD_RESET = "password_reset"
KIND_INDEX_MERGE = "index_merge"

#: kind → "module:function" of the handler; imported when a job of that kind runs.
#: A handler gets the claimed Job, changes rows in the session (never commits) and raises
#: ``JobFailed`` for an outcome no retry can change, any other exception for one it may.
HANDLERS: dict[str, str] = {
    KIND_OCR: "toolbox.services.ocr:ocr_job",
    KIND_CONVERT: "toolbox.services.convert:convert_job",
    KIND_PREVIEW: "toolbox.services.previews:preview_job",
    KIND_MAIL: "toolbox.services.mail:mail_job",
    KIND_PASSWORD_RESET: "toolbox.services.account_mail:password_reset_job",
    KIND_INDEX_MERGE: "toolbox.services.indexing:index_merge_job",
}

#: German names of the kinds for the pages (translated there).
KIND_LABELS: dict[str, str] = {KIND_OCR: N_("Texterkennung"), KIND_CONVERT: N_("Umwandlung mit LibreOffice"),
                               KIND_PREVIEW: N_("Vorschaubild"), KIND_MAIL: N_("E-Mail-Versand"),
                               KIND_PASSWORD_RESET: N_("Passwort-Anfrage"),
                               KIND_INDEX_MERGE: N_("Suchindex zusammenführen")}

#: Kinds whose retries wait twice as long each time (a mail server down for an hour is common,
#: and hammering it every half minute helps nobody); the others wait attempts × the base delay.
EXPONENTIAL_BACKOFF = frozenset({KIND_MAIL})
#: The longest wait between two attempts of a job with exponential back-off.
BACKOFF_MAX_SECONDS = 3600.0

ERROR_MAX_CHARS = 2000


class JobFailed(Exception):
    """The job cannot succeed however often it is tried; ``message`` says why."""

    def __init__(self, message: Message):
        super().__init__(message.code)
        self.message = message


def job_create(kind: str, *, document_id: int | None = None, file_version_id: int | None = None,
               limit_seconds: int = 600, max_attempts: int | None = None, params: dict | None = None) -> Job:
    """Add a queued job to the current transaction; send it with ``job_dispatch`` after the commit."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    attempts = max_attempts or int(current_app.config.get("TOOLBOX_JOB_MAX_ATTEMPTS") or 3)
    job = Job(kind=kind, document_id=document_id, file_version_id=file_version_id, state=JOB_QUEUED,
              attempts=0, max_attempts=max(1, attempts), limit_seconds=max(60, int(limit_seconds)), error=None,
              params=params)
    db.session.add(job)
    return job


_PENDING = "toolbox_pending_jobs"


def job_dispatch_after_commit(job: Job) -> None:
    """Remember ``job`` to be sent by ``jobs_dispatch_pending`` once its transaction is committed.

    For jobs made deep inside a use case (a mail among other changes), where the code that
    commits does not hold the job; a job run by the worker that makes new jobs (a password reset
    request that queues its mail) has them sent after its own commit.
    """
    db.session.info.setdefault(_PENDING, []).append(job)


def jobs_dispatch_pending() -> None:
    """After a commit: send the jobs remembered by ``job_dispatch_after_commit``.

    A job of a rolled-back transaction is not in the table: its message is dropped at the claim.
    """
    jobs = db.session.info.pop(_PENDING, [])
    job_dispatch([job.id for job in jobs if job.id is not None])


def job_dispatch(job_ids: Iterable[int]) -> None:
    """Send committed jobs to the queue. A failed send is logged; the row stays queued for recovery."""
    from ..jobs import send

    app = current_app._get_current_object()
    for job_id in job_ids:
        send(app, job_id)


def worker_identity(pid: int | None = None) -> str:
    """host:pid:start time — the start time tells a live process from a later one with the same pid."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def _process_start(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # The command name (field 2) may hold spaces; the fields after its ")" do not.
            return stat.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return "?"


def _worker_dead(worker: str | None) -> bool:
    """True for a worker of this host that no longer runs; other hosts' workers are not judged here."""
    if not worker:
        return True
    host, _sep, rest = worker.partition(":")
    pid_text, _sep, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return started != "?" and _process_start(pid) != started


def job_run(job_id: int) -> None:
    """Run job ``job_id`` if it is still queued; called by the consumer with an app context."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JOB_QUEUED)
        .values(state=JOB_RUNNING, attempts=Job.attempts + 1, worker=worker_identity(), changed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        log.info("Job %s is not queued (done, running elsewhere or gone); message dropped", job_id)
        return
    job = db.session.get(Job, job_id)
    handler = _handler(job.kind)
    try:
        handler(job)
        job.state = JOB_DONE
        job.finished_at = job.changed_at = utcnow()
        job.error = None
        db.session.commit()
        jobs_dispatch_pending()
    except JobFailed as exc:
        db.session.rollback()
        db.session.info.pop(_PENDING, None)
        _give_up(db.session.get(Job, job_id), exc.message)
    except Exception as exc:
        db.session.rollback()
        db.session.info.pop(_PENDING, None)
        log.exception("Job %s (%s) failed in attempt", job_id, job.kind)
        # The library's own words, shown as they are: nothing to translate.
        _retry_or_give_up(db.session.get(Job, job_id), f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS])
    finally:
        indexing.flush_index_queue()


def _handler(kind: str) -> Callable[[Job], None]:
    module, _sep, name = HANDLERS[kind].partition(":")
    return getattr(import_module(module), name)


def _retry_or_give_up(job: Job | None, error: StoredMessage) -> None:
    if job is None:
        return
    if job.attempts >= job.max_attempts:
        _give_up(job, error)
        return
    job.state = JOB_QUEUED
    job.error = error
    job.changed_at = utcnow()
    db.session.commit()
    from ..jobs import send

    send(current_app._get_current_object(), job.id, delay=retry_delay(job) or None)


def retry_delay(job: Job) -> float:
    """Seconds before the next attempt of ``job``, which has failed ``job.attempts`` times."""
    if job.kind in EXPONENTIAL_BACKOFF:
        base = float(current_app.config.get("TOOLBOX_MAIL_RETRY_SECONDS") or 0)
        return min(BACKOFF_MAX_SECONDS, base * 2 ** max(0, job.attempts - 1))
    return float(current_app.config.get("TOOLBOX_JOB_RETRY_SECONDS") or 0) * job.attempts


def _give_up(job: Job | None, error: StoredMessage) -> None:
    """Mark the job failed for good, with an audit entry, in one transaction."""
    if job is None:
        return
    job.state = JOB_FAILED
    job.error = error
    job.finished_at = job.changed_at = utcnow()
    kind = Message(f"job.kind.{job.kind}") if job.kind in KIND_LABELS else job.kind
    params = {"kind": kind, "attempts": job.attempts}
    if job.document_id:
        params["number"] = job.document_id
    audit_record("job.failed", object_type="document" if job.document_id else None, object_id=job.document_id,
                 summary=Message("audit.job.failed" if job.document_id else "audit.job.failed_alone", params),
                 details={"job": job.id, "kind": job.kind, "attempts": job.attempts, "error": dump_message(error)})
    db.session.commit()
    log.error("Job %s (%s) failed for good after %s attempt(s): %s", job.id, job.kind, job.attempts, error)


# --- recovery --------------------------------------------------------------------------------


def jobs_recover() -> int:
    """At a worker's start: requeue the running jobs of dead workers of this host and send every
    queued job again (a duplicate message is dropped at the claim). Returns the jobs sent."""
    orphaned = [job for job in db.session.scalars(select(Job).where(Job.state == JOB_RUNNING))
                if _worker_dead(job.worker)]
    for job in orphaned:
        log.warning("Job %s (%s) was running in %s, which is gone; queued again", job.id, job.kind, job.worker)
    _requeue(orphaned, Message("job.worker_gone"))
    queued = list(db.session.scalars(select(Job.id).where(Job.state == JOB_QUEUED).order_by(Job.id)))
    job_dispatch(queued)
    return len(queued)


def _requeue(jobs: list[Job], reason: Message) -> None:
    """Running jobs back to queued (or failed, when their attempts are used up)."""
    for job in jobs:
        if job.state == JOB_RUNNING and job.attempts >= job.max_attempts:
            _give_up(job, job.error or reason)
            continue
        job.state = JOB_QUEUED
        job.error = job.error or reason
        job.changed_at = utcnow()
    db.session.commit()


@dataclass(frozen=True)
class StuckJob:
    id: int
    kind: str
    state: str
    document_id: int | None
    age_seconds: float
    limit_seconds: int


def jobs_stuck(now=None) -> list[StuckJob]:
    """Queued or running jobs whose state is older than their limit."""
    now = now or utcnow()
    found = []
    for job in db.session.scalars(select(Job).where(Job.state.in_((JOB_QUEUED, JOB_RUNNING))).order_by(Job.id)):
        age = (now - job.changed_at).total_seconds()
        if age > job.limit_seconds:
            found.append(StuckJob(job.id, job.kind, job.state, job.document_id, age, job.limit_seconds))
    return found


def jobs_repair(stuck: list[StuckJob]) -> int:
    """Queue the stuck jobs again and send them; returns how many were sent."""
    jobs = [job for job in (db.session.get(Job, s.id) for s in stuck) if job is not None]
    _requeue(jobs, Message("job.too_long"))
    again = [job.id for job in jobs if job.state == JOB_QUEUED]
    for job_id in again:  # a fresh age, so the next check does not report it at once
        db.session.execute(update(Job).where(Job.id == job_id).values(changed_at=utcnow()))
    db.session.commit()
    job_dispatch(again)
    return len(again)


# --- reading ---------------------------------------------------------------------------------


#: Jobs whose state the pages show beside a document: they decide whether its text is searchable.
TEXT_KINDS = (KIND_OCR, KIND_CONVERT)


def latest_jobs(document_ids: Iterable[int], kinds: Iterable[str] = TEXT_KINDS) -> dict[int, Job]:
    """The newest job of ``kinds`` of each document, for the state shown beside it."""
    ids = list(set(document_ids))
    if not ids:
        return {}
    newest = (select(func.max(Job.id)).where(Job.document_id.in_(ids), Job.kind.in_(tuple(kinds)))
              .group_by(Job.document_id)).scalar_subquery()
    return {job.document_id: job for job in db.session.scalars(select(Job).where(Job.id.in_(newest)))}


def jobs_overview(limit: int = 200) -> list[Job]:
    """The queue for editors: unfinished jobs first (oldest first), then the latest finished."""
    open_jobs = list(db.session.scalars(
        select(Job).where(Job.state.in_((JOB_QUEUED, JOB_RUNNING))).order_by(Job.id).limit(limit)))
    finished = list(db.session.scalars(
        select(Job).where(Job.state.in_((JOB_DONE, JOB_FAILED))).order_by(Job.id.desc()).limit(limit)))
    return open_jobs + finished


def job_age(job: Job, now=None) -> timedelta:
    return (now or utcnow()) - job.created_at
