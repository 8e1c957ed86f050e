"""HTML pages, one blueprint per area."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest id or version number a URL may name: PostgreSQL's INTEGER. A larger number
#: cannot name a row, and handing it to the database fails (SQLite cannot even bind a number
#: beyond 64 bits) instead of finding nothing.
MAX_URL_INT = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only numbers a database column can hold; larger ones are 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_URL_INT,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    from . import ops

    # Before security.init_app wraps the app in ProxyFix: the operations layer then sees the
    # client's address, and answers probes ahead of the host check and the session.
    ops.init_app(app)  # /healthz, /readyz, /metrics, request ids, JSON logs
    # Before any blueprint adds its rules: a rule takes its converter when it is added.
    app.url_map.converters["int"] = BoundedIntegerConverter
    from . import admin, admin_users, aliases, auth, catalog, contribute, crawlers, design, errors, filters, form_errors, legal, public
    from . import follow
    from . import search as search_pages

    blueprints = (public.bp, search_pages.bp, auth.bp, contribute.bp, admin.bp, admin_users.bp, legal.bp,
                  catalog.bp, crawlers.bp, follow.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    aliases.init_app(app)  # merged vocabulary slugs and municipality names redirect
    errors.init_app(app)
    filters.init_app(app)
    form_errors.init_app(app)
    design.init_app(app)  # KERN UX stylesheets when installed, else our own
    from ..extract.detect import UPLOAD_EXTENSIONS

    app.jinja_env.globals["upload_accept"] = ",".join(UPLOAD_EXTENSIONS)
    from . import jobs

    jobs.init_app(app)  # job states beside documents, /admin/jobs, searchable PDFs of scans
    from . import preview

    preview.init_app(app)  # text preview and PDF viewer before download
    from . import alerts

    app.register_blueprint(alerts.bp)  # saved searches mailed as daily or weekly digests
    from . import reuse

    app.register_blueprint(reuse.bp)  # "Wir nutzen das nach" and its editorial queue
