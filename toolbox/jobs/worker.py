"""``toolbox worker``: recover what a dead worker left, then run Huey's consumer."""
from __future__ import annotations

import logging

from flask import Flask
from huey.consumer import Consumer

from .queue import queue_for

log = logging.getLogger(__name__)


def consumer_for(app: Flask, threads: int | None = None) -> Consumer:
    """Huey's consumer on the app's queue with ``threads`` worker threads.

    Threads, not processes: every heavy step (OCR, conversion) already runs in a sandboxed
    child process with its own limits, so a worker thread mostly waits, and threads share the
    app, its database pool and the index writer of one process.
    """
    threads = threads or int(app.config.get("TOOLBOX_WORKER_THREADS") or 2)
    # An idle SQLite queue is polled; two seconds at most between polls keeps a new upload's
    # OCR from waiting long, at the cost of one small SELECT per thread and poll.
    return queue_for(app).create_consumer(workers=max(1, threads), worker_type="thread",
                                          check_worker_health=True, max_delay=2.0)


def prepare_worker(app: Flask) -> int:
    """Before consuming: requeue the jobs of dead workers of this host and re-send queued ones.

    Returns how many jobs were put on the queue again.
    """
    from ..services.jobs import jobs_recover

    with app.app_context():
        return jobs_recover()
