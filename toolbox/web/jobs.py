"""Background jobs on the pages: the state beside a document, the queue at /admin/jobs, and the
searchable PDF that text recognition made of a scan."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, render_template
from flask_babel import format_timedelta
from flask_babel import gettext as _

from ..extract.accessibility import findings, is_accessible
from ..i18n import N_
from ..models import ROLE_EDITOR, Document, FileVersion, utcnow
from ..permissions import role_required
from ..services.documents import document_get_visible
from ..services.jobs import KIND_LABELS, jobs_overview, latest_jobs
from ..services.convert import conversion_notice
from ..services.downloads import stored_file_download
from ..services.ocr import ocr_notice, searchable_file
from ..services.previews import thumbnail_file
from ..message_render import render
from .files import send_download

bp = Blueprint("jobs", __name__)


@bp.get("/admin/jobs")
@role_required(ROLE_EDITOR)
def queue_page():
    """The queue for editors: state, attempts, last error and age of every recent job."""
    return render_template("admin/jobs.html", jobs=jobs_overview(), kind_labels=KIND_LABELS)


@bp.get("/documents/<int:document_id>/searchable")
def searchable_download(document_id: int):
    """The OCR'd PDF of the current version: the scan with a text layer, for search in a viewer."""
    document = document_get_visible(document_id)
    version = document.current_version if document is not None else None
    searchable = searchable_file(version) if version is not None else None
    stem = version.original_filename.rsplit(".", 1)[0] if version is not None else ""
    label = _("durchsuchbar")
    download = stored_file_download(searchable, "application/pdf", filename=f"{stem} ({label}).pdf")
    if download is None:
        abort(404)
    return send_download(download)


@bp.get("/documents/<int:document_id>/thumbnail.png")
def thumbnail(document_id: int):
    """The first page of the current version as a small image (only for documents one may see)."""
    document = document_get_visible(document_id)
    thumbnail_stored = thumbnail_file(document.current_version) if document is not None else None
    download = stored_file_download(thumbnail_stored, "image/png", max_age=3600)
    if download is None:
        abort(404)
    return send_download(download, nosniff=False)


def has_thumbnail(document: Document | None) -> bool:
    return document is not None and thumbnail_file(document.current_version) is not None


def accessibility_findings(version) -> list[str]:
    """What keeps the download from being accessible, in the page's language. ``version`` is a
    stored version or the values of a waiting one (a dict), as the review shows both."""
    if version is None:
        return []
    read = version.get if isinstance(version, dict) else lambda name: getattr(version, name, None)
    return [render(message) for message in findings(read("properties"), read("format") or "")]


def accessible(version: FileVersion | None) -> bool:
    return version is not None and is_accessible(version.properties, version.format)


def job_notice(document: Document | None) -> str:
    """The state of the newest job of ``document``, in the page's language; empty when none to say."""
    if document is None:
        return ""
    cache = g.setdefault("_latest_jobs", {})
    if document.id not in cache:
        cache[document.id] = latest_jobs([document.id]).get(document.id)
    version, job = document.current_version, cache.get(document.id)
    return render(ocr_notice(version, job) or conversion_notice(version, job))


def has_searchable(version: FileVersion | None) -> bool:
    return version is not None and searchable_file(version) is not None


#: German names of the job states (translated on the page).
STATE_LABELS = {
    "queued": N_("wartet"),
    "running": N_("läuft"),
    "done": N_("erledigt"),
    "failed": N_("fehlgeschlagen"),
}


def job_state_label(state: str) -> str:
    return _(STATE_LABELS[state]) if state in STATE_LABELS else state


def age(moment) -> str:
    """How long ago, in the page's language ("5 Minuten")."""
    return format_timedelta(utcnow() - moment, granularity="second") if moment else ""


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["job_state_label"] = job_state_label
    app.jinja_env.filters["age"] = age
    app.jinja_env.globals["job_notice"] = job_notice
    app.jinja_env.globals["has_searchable"] = has_searchable
    app.jinja_env.globals["has_thumbnail"] = has_thumbnail
    app.jinja_env.globals["accessibility_findings"] = accessibility_findings
    app.jinja_env.globals["accessible"] = accessible
