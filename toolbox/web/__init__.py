"""HTML pages, one blueprint per area."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import errors, filters, public
    from . import admin_users, auth  # accounts
    from . import search as search_pages
    from . import admin, aliases, contribute  # upload, review and curation

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)  # accounts
    app.register_blueprint(admin_users.bp)  # accounts
    app.register_blueprint(search_pages.bp)
    app.register_blueprint(contribute.bp)  # upload, review and curation
    app.register_blueprint(admin.bp)  # upload, review and curation
    aliases.init_app(app)  # upload, review and curation: merged slugs redirect
    errors.init_app(app)
    filters.init_app(app)

    @app.after_request
    def _no_sniffing(response):
        # Stored files come from strangers; a browser must never guess a more dangerous type.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
