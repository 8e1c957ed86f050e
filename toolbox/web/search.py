"""The search page and the ZIP download of everything it finds."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..services import feeds, search_view, zip_export
from ..security import limiter
from .errors import wants_json
from .usage import request_counts

bp = Blueprint("search", __name__)


def _locale() -> str:
    return str(get_locale() or "de")


def _render_page(status: int = 200, zip_error: str | None = None) -> Response:
    page = search_view.search_page(
        request.args,
        base_url=url_for("search.results"),
        zip_base_url=url_for("search.download_zip"),
        locale=_locale(),
    )
    return make_response(render_template("search.html", page=page, zip_error=zip_error), status)


@bp.get("/search")
def results():
    """Show the hits, facets and filters for the search parameters."""
    return _render_page()


@bp.app_template_global("search_feed_url")
def search_feed_url(params) -> str:
    """The feed of a search page's parameters, in the page's language."""
    return search_view.build_url(url_for("search.feed"), feeds.feed_link_params(params, locale=_locale()))


#: How long feed readers and caches may keep a feed before asking again (with its ETag).
FEED_MAX_AGE = 15 * 60


@bp.get("/search.atom")
def feed():
    """Serve the search as an Atom feed, newest publications first."""
    feed = feeds.search_feed(request.args)
    response = make_response(feed.body)
    response.mimetype = feeds.ATOM_TYPE
    response.set_etag(feed.etag)
    response.last_modified = feed.updated
    # For a logged-in browser security.py makes it no-store, as every page it gets.
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response.make_conditional(request)


def zip_rate_limit() -> str:
    return current_app.config.get("TOOLBOX_ZIP_RATE_LIMIT") or "10 per hour"


def _zip_limit_exempt() -> bool:
    # Accounts are known people; the limit is for scripts that would push documents up the
    # "most downloaded" list or keep the server packing archives.
    return bool(current_user.is_authenticated)


@bp.get("/search/download.zip")
@limiter.limit(zip_rate_limit, exempt_when=_zip_limit_exempt, deduct_when=lambda response: response.status_code == 200)
def download_zip():
    """Stream every document the search returns as one ZIP, or explain why not."""
    query = search_view.public_query(request.args)
    try:
        plan, stream = zip_export.zip_download(query, count=request_counts())
    except zip_export.ZipExportError as exc:
        # 422, not 413: the request itself is small and well-formed; it is the selection it
        # names that the server declines to pack. 413 would also tell clients to send less.
        if wants_json():
            body = {"error": {"status": exc.status, "message": exc.message, **exc.details}}
            return make_response(jsonify(body), exc.status)
        return _render_page(exc.status, zip_error=exc.message)
    response = Response(stream, mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{plan.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
