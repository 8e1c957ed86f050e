"""For search engines and browsers: ``/robots.txt``, ``/sitemap.xml`` and the OpenSearch description."""
from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_babel import gettext as _

from ..services import sitemap

bp = Blueprint("crawlers", __name__)


@bp.get("/robots.txt")
def robots():
    """Keep crawlers out of accounts, uploads and the editors' area; point them to the sitemap."""
    return Response(sitemap.robots_txt(), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_index():
    """List the sitemap pages with their last change."""
    return Response(sitemap.sitemap_index(), mimetype="application/xml")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_page(number: int):
    """List one page of published documents."""
    body = sitemap.sitemap_page(number)
    if body is None:
        abort(404)
    return Response(body, mimetype="application/xml")


@bp.get("/opensearch.xml")
def opensearch():
    """Describe the search so that browsers offer it from the address bar."""
    body = sitemap.opensearch_description(_("Smart Region"), _("Smart Region Toolbox durchsuchen"))
    return Response(body, mimetype="application/opensearchdescription+xml")
