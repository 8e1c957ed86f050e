"""gunicorn settings for the toolbox: ``gunicorn -c python:toolbox.gunicorn_conf -w 4 toolbox.wsgi:app``.

Preloading runs ``toolbox.wsgi`` (start-up repair, search cache warming) once in the master;
the forked workers then share the decoded posting lists instead of each decoding them again
while visitors wait. What a fork must not share is dropped in each worker: database
connections and open index files (``services.startup.after_fork``).
"""
from __future__ import annotations

import os

preload_app = True


def post_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    from toolbox.services.startup import after_fork
    from toolbox.wsgi import app

    after_fork(app)


def child_exit(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    """Multi-process metrics (``PROMETHEUS_MULTIPROC_DIR``): forget a dead worker's live gauges."""
    from toolbox.metrics import mark_process_dead

    mark_process_dead(worker.pid)

# Threads let a worker answer a search while another of its requests waits for the extraction
# child, the index writer lock or a disk flush; with one request per worker, searches queued
# behind uploads (bench/load.py). Everything the requests share is thread-safe: the searcher
# pool and search caches lock, the database session is per thread, the writer lock is per
# open file.
worker_class = "gthread"
threads = 4

# TOOLBOX_LOG_FORMAT=json: gunicorn's own lines (start, worker boot, timeouts) as JSON too, so
# that a log collector reads one format from the whole process.
if os.environ.get("TOOLBOX_LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "toolbox.request_log.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
