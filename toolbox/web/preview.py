"""The preview of a document before download: its text by page, sheet or slide as plain HTML, and,
where PDF.js is vendored and the browser runs scripts, the pages themselves.

A preview shows what the download would give, so it asks what a download asks: a published
document for everybody, an unpublished one only for its uploader and the editors (who may
download it from their own pages). Neither page counts as a download.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template, url_for
from flask_login import current_user

from ..models import STATUS_PUBLISHED
from ..permissions import is_editor
from ..services.documents import document_visible_to
from ..services.text_preview import paragraphs, text_preview
from ..services.downloads import viewer_download
from ..services.previews import viewer_pdf
from .files import send_download

bp = Blueprint("preview", __name__)

#: What the viewer loads, relative to ``static/`` (copied there by `make`, see the Makefile).
PDFJS_FILES = ("vendor/pdfjs/pdf.min.mjs", "vendor/pdfjs/pdf.worker.min.mjs")


def pdfjs_installed(static_dir: Path) -> bool:
    return all((static_dir / name).is_file() for name in PDFJS_FILES)


def _visible(document_id: int):
    document = document_visible_to(current_user, document_id)
    if document is None or document.current_version is None:
        abort(404)
    return document


@bp.get("/documents/<int:document_id>/preview")
def document_preview(document_id: int):
    """Show the text of the current version by page, sheet or slide."""
    document = _visible(document_id)
    version = document.current_version
    pdf = viewer_pdf(version) if current_app.config["TOOLBOX_PDFJS_ACTIVE"] else None
    public = document.status == STATUS_PUBLISHED
    if public:
        back_url = url_for("public.document_detail", document_id=document.id)
    elif is_editor(current_user):
        back_url = url_for("admin.document_detail", document_id=document.id)
    else:
        back_url = url_for("contribute.document_edit", document_id=document.id)
    return render_template("preview.html", document=document, version=version, preview=text_preview(version),
                           paragraphs=paragraphs, viewer=pdf is not None, public=public, back_url=back_url)


@bp.get("/documents/<int:document_id>/view.pdf")
def document_view_pdf(document_id: int):
    """The PDF the viewer draws: the original or, for a scan, its searchable version."""
    document = _visible(document_id)
    download = viewer_download(document.current_version)
    if download is None:
        abort(404)
    response = send_download(download)
    # Opened on its own, the PDF is shown by the browser's viewer with no script of the file run.
    # (What a logged-in user gets, an unpublished document's PDF included, is no-store: security.py.)
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["TOOLBOX_PDFJS_ACTIVE"] = bool(app.config.get("TOOLBOX_PDFJS", True)) and pdfjs_installed(
        Path(app.static_folder or ""))
