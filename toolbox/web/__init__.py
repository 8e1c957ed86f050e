"""HTML pages, one blueprint per area."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import admin, admin_users, aliases, auth, contribute, errors, filters, legal, public
    from . import search as search_pages

    for blueprint in (public.bp, search_pages.bp, auth.bp, contribute.bp, admin.bp, admin_users.bp, legal.bp):
        app.register_blueprint(blueprint)
    aliases.init_app(app)  # merged vocabulary slugs and municipality names redirect
    errors.init_app(app)
    filters.init_app(app)
