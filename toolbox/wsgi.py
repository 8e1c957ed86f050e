"""The WSGI entry point for a production server:
``gunicorn -c python:toolbox.gunicorn_conf -w 4 toolbox.wsgi:app``.

With that configuration gunicorn imports this module once in its master process (preload),
so the start-up work below happens once and the workers inherit the warmed search caches;
without it each worker imports this module and does the same work for itself. Several
workers are safe: SQLite runs in WAL mode with a busy timeout (or use PostgreSQL through
``TOOLBOX_DATABASE_URL``), the index has one OS-level writer lock across processes, and each
worker starts its own extraction children.
"""
from __future__ import annotations

from . import create_app
from .services.startup import freeze_start_up_objects, repair_on_start, warm_search, warm_templates

app = create_app()
# A server that starts after a crash first undoes what the killed process left behind (temporary
# files, an abandoned index build, index updates still queued); each step takes the lock it
# needs, so workers starting together are safe. Migrations stay an explicit ``toolbox`` step.
repair_on_start(app)
warm_search(app)
warm_templates(app)
# Last: what start-up made lives as long as the process, and the collector need not walk it.
freeze_start_up_objects()
