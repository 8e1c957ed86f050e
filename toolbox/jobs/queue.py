"""The Huey instance of an app: a SQLite file in the instance folder, or Redis.

``TOOLBOX_QUEUE_URL`` empty (the default) keeps the queue in ``instance/queue.sqlite3``, so
development and small installations need no server; ``redis://host:port/db`` puts it on Redis,
which several hosts can share. ``sqlite:////path/to/file`` names another SQLite file.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

from ..config import ConfigError
from ..request_log import current_request_id

log = logging.getLogger(__name__)

_EXTENSION = "toolbox_queue"
#: The one task Huey knows: it hands the job id to the service that runs it.
TASK_NAME = "toolbox.run_job"


def queue_for(app: Flask) -> Huey:
    """The app's queue, built on first use (a web process that never makes a job opens nothing)."""
    huey = app.extensions.get(_EXTENSION)
    if huey is None:
        huey = _build(app)
        app.extensions[_EXTENSION] = huey
    return huey


def describe(app: Flask) -> str:
    """Where the queue lives, for the worker's start line and the README's examples."""
    url = app.config.get("TOOLBOX_QUEUE_URL") or ""
    if not url:
        return f"SQLite {_default_file(app)}"
    if url.startswith(("redis://", "rediss://", "unix://")):
        # The URL may carry a password; the host part is enough to say where the queue is.
        return "Redis " + url.split("@")[-1]
    return f"SQLite {url[len('sqlite:///'):]}"


def _default_file(app: Flask) -> Path:
    return Path(app.instance_path) / "queue.sqlite3"


def _build(app: Flask) -> Huey:
    url = app.config.get("TOOLBOX_QUEUE_URL") or ""
    name = app.config.get("TOOLBOX_QUEUE_NAME") or "toolbox"
    # Results are not kept: the outcome of a job is written to its row in our database.
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        huey: Huey = SqliteHuey(name, filename=str(_default_file(app)), results=False)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url, results=False)
    elif url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        huey = SqliteHuey(name, filename=url[len("sqlite:///"):], results=False)
    else:
        raise ConfigError(f"TOOLBOX_QUEUE_URL={url!r}: expected redis://host:port/db or sqlite:////path/file.")

    @huey.task(name=TASK_NAME)
    def run_job(job_id: int, request_id: str | None = None) -> None:
        from .tasks import run_job as run

        run(app, job_id, request_id=request_id)

    # Hourly: the editors' daily digests fall due at TOOLBOX_DIGEST_HOUR in German time, which
    # an hourly check meets in summer and winter alike; a run that finds nothing due does nothing.
    @huey.periodic_task(crontab(minute="7"), name="toolbox.submission_digests")
    def submission_digests() -> None:
        from .tasks import send_submission_digests

        send_submission_digests(app)

    # Hourly as well: daily and weekly alert digests fall due at TOOLBOX_DIGEST_HOUR; the hourly
    # run also takes up the alerts a dead run left. Another minute than the editors' digest,
    # so the two do not compete for the database.
    @huey.periodic_task(crontab(minute="12"), name="toolbox.alert_digests")
    def alert_digests() -> None:
        from .tasks import send_alert_digests

        send_alert_digests(app)

    # Unconfirmed alert requests (and their addresses) are gone within the hour after 48 hours.
    @huey.periodic_task(crontab(minute="42"), name="toolbox.alert_requests_expire")
    def alert_requests_expire() -> None:
        from .tasks import expire_alert_requests

        expire_alert_requests(app)

    huey.toolbox_run_job = run_job  # type: ignore[attr-defined]
    return huey


def send(app: Flask, job_id: int, *, delay: float | None = None) -> bool:
    """Put "run job N" on the queue; False when the queue cannot be reached.

    A message that cannot be sent is not an error of the request that made the job: the job row
    stays queued, the next worker start sends it again and ``toolbox check`` reports it.
    """
    task = queue_for(app).toolbox_run_job  # type: ignore[attr-defined]
    # The request (or the job, on a retry) that made this job: its log lines in the worker then
    # carry the same id as the request's.
    extra = {"request_id": request_id} if (request_id := current_request_id()) else {}
    try:
        if delay:
            task.schedule(args=(job_id,), kwargs=extra, delay=delay)
        else:
            task(job_id, **extra)
    except Exception:  # Redis down, SQLite file unwritable: logged, repaired from the table
        log.exception("Could not put job %s on the queue (%s)", job_id, describe(app))
        return False
    return True
