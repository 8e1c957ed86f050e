"""Pages every visitor sees: start page, document page, file download."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from ..permissions import can_edit_document
from ..services.schema_org import document_schema_org
from ..services.documents import (
    document_get_visible,
    downloads_count,
    file_version_get,
    most_downloaded,
    newest_published,
    project_documents,
    text_excerpt,
    topic_counts,
)
from ..services.downloads import version_download
from ..services.search_view import search_back_url, similar_documents
from ..services.usage import document_view_count
from .catalog import dataset_response
from .files import send_download
from .usage import request_counts

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """Show the topics with their counts, the newest and the most downloaded documents."""
    return render_template(
        "index.html",
        documents=newest_published(limit=8),
        popular=most_downloaded(limit=5),
        topics=topic_counts(),
    )


@bp.get("/favicon.ico")
def favicon():
    """The site's icon where browsers, feed readers and bookmarks look for it without a link tag."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.get("/documents/<int:document_id>")
def document_detail(document_id: int):
    """Show a published document with its metadata and versions; its dataset for RDF clients."""
    document = document_get_visible(document_id)
    if document is None:
        abort(404)
    rdf = dataset_response(document)
    if rdf is not None:
        return rdf
    others = project_documents(document)
    response = make_response(render_template(
        "document.html",
        document=document,
        version=document.current_version,
        excerpt=text_excerpt(document.current_version),
        project_documents=others,
        similar_documents=similar_documents(document, exclude=[d.id for d in others]),
        back_url=search_back_url(request.args.get("back"), base_url=url_for("search.results")),
        # Only those who may edit the document learn that a change of it is waiting.
        can_edit=can_edit_document(current_user, document),
        structured_data=document_schema_org(document),
    ))
    # Caches must not hand the page to an RDF client, nor the RDF to a browser.
    response.vary.add("Accept")
    # After rendering: the count's commit would otherwise expire what the template reads. Those
    # who may edit the document look at it while working on it; that is no visit.
    if request_counts() and not can_edit_document(current_user, document):
        document_view_count(document.id)
    return response


@bp.get("/documents/<int:document_id>/download")
@bp.get("/documents/<int:document_id>/versions/<int:number>/download")
def document_download(document_id: int, number: int | None = None):
    """Send the stored file under its original name."""
    document = document_get_visible(document_id)
    if document is None:
        abort(404)
    download = version_download(file_version_get(document, number))
    if download is None:
        abort(404)
    if request_counts():
        downloads_count([document.id])
    return send_download(download)
