"""Pages for contributors: upload with privacy preview, own documents, edit, new version, withdraw."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..models import ROLE_CONTRIBUTOR, STATUS_PUBLISHED, STATUS_REJECTED
from ..permissions import is_editor, role_required
from ..services import contribute as contributions
from ..services import review
from ..services import places
from ..services.documents import document_visible_to, file_version_get
from ..services import downloads
from ..services.pending_changes import change_form_metadata, change_needs_review
from ..message import load_message
from ..message_render import render
from .actions import button_action, confirm_page
from .document_forms import (
    ActionForm,
    DocumentEditForm,
    UploadDetailsForm,
    UploadFilesForm,
    VersionDetailsForm,
    VersionForm,
)
from .errors import render_error, too_large_message
from .files import send_download

bp = Blueprint("contribute", __name__)


def _user():
    return current_user._get_current_object()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """Show the form again with the size message next to the file field."""
    message = too_large_message()
    if request.endpoint == "contribute.upload":
        form = UploadFilesForm(formdata=None)
        form.files.errors = [message]
        return render_template("contribute/upload.html", form=form, limit_mb=_limit_mb()), 413
    return render_error(413, message)


def _limit_mb() -> int:
    from flask import current_app

    return int(current_app.config["TOOLBOX_MAX_UPLOAD_MB"])


# --- upload ----------------------------------------------------------------------------------


@bp.route("/upload", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
def upload():
    """Take the files of a new upload; the next step shows what they reveal."""
    form = UploadFilesForm()
    if form.validate_on_submit():
        try:
            staging = contributions.upload_stage(_user(), [(f.stream, f.filename) for f in form.files.data])
        except contributions.UploadError as exc:
            form.files.errors = list(form.files.errors) + [render(m) for m in exc.messages]
        else:
            # The refused files are named on the next page, from the stored upload, for as long as
            # it is filled in.
            return redirect(url_for(".upload_details", token=staging.token))
    status = 400 if form.errors else 200
    return render_template("contribute/upload.html", form=form, limit_mb=_limit_mb()), status


@bp.route("/upload/<token>", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
def upload_details(token: str):
    """Show what the staged files reveal and take their metadata."""
    try:
        staging = contributions.upload_get(_user(), token)
    except contributions.StagingNotFound:
        flash(_("Dieser Upload ist abgelaufen oder wurde schon abgeschickt. Bitte laden Sie die Dateien neu hoch."),
              "error")
        return redirect(url_for(".upload"))
    form = UploadDetailsForm()
    form.fill_choices(places.projects_offered(_user()))
    if request.method == "GET":
        for staged in staging.files:
            form.titles.append_entry(_suggested_title(staged.filename))
        # Removing is the default once something was found: keeping colleagues' names is the
        # choice that needs a decision, not the other way round.
        form.strip_metadata.data = staging.reveals_something
    while len(form.titles.entries) < len(staging.files):
        form.titles.append_entry("")
    form.name_titles([staged.filename for staged in staging.files])
    form_error = None
    if form.validate_on_submit():
        titles = {staged.key: form.titles.entries[i].data for i, staged in enumerate(staging.files)}
        try:
            results = contributions.upload_submit(
                _user(), token, form.metadata(), titles=titles, strip_metadata=form.strip_metadata.data,
                overrides=form.file_overrides([staged.key for staged in staging.files]),
            )
        except contributions.UploadError as exc:
            if exc.field == "strip_metadata":
                form.strip_metadata.errors = list(form.strip_metadata.errors) + [render(m) for m in exc.messages]
            else:
                form_error = " ".join(render(m) for m in exc.messages)
        else:
            _flash_results(results)
            return redirect(url_for(".my_documents"))
    status = 400 if (form.errors or form_error) and request.method == "POST" else 200
    return render_template(
        "contribute/upload_details.html",
        form=form,
        staging=staging,
        entries=list(zip(staging.files, form.titles.entries)),
        extras=form.files_extra.entries,
        refused=[(r["filename"], load_message(r["message"])) for r in staging.refused],
        duplicates={f.key: _duplicate_info(f.duplicate_of) for f in staging.files if f.duplicate_of},
        gdpr_hint=contributions.GDPR_HINT,
        form_error=form_error,
        discard_form=ActionForm(),
        municipality_names=_municipality_names(),
    ), status


def _municipality_names() -> list[str]:
    return [m.name for m in places.municipalities_offered(_user())]


@bp.post("/upload/<token>/discard")
@role_required(ROLE_CONTRIBUTOR)
def upload_discard(token: str):
    """Throw the staged files away."""
    if ActionForm().validate_on_submit():
        try:
            contributions.upload_discard(_user(), token)
        except contributions.StagingNotFound:
            pass
        flash(_("Der Upload wurde verworfen; es wurde nichts gespeichert."), "info")
    return redirect(url_for(".upload"))


def _suggested_title(filename: str) -> str:
    stem = Path(filename).stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split())[:500]


def _duplicate_info(document_id: int | None) -> dict:
    """What the uploader may learn about the document that already holds these bytes: its
    title and page when they may see it, nothing otherwise."""
    document = document_visible_to(_user(), document_id)
    if document is None:
        return {}
    public = document.status == STATUS_PUBLISHED
    return {
        "id": document.id,
        "title": document.title,
        "url": url_for("public.document_detail" if public else ".document_edit", document_id=document.id),
    }


def _flash_results(results: list[contributions.UploadResult]) -> None:
    for result in results:
        if result.status == contributions.OUTCOME_INGESTED:
            note = ("" if result.extraction_status == "ok"
                    else " " + _("Hinweis: %(message)s", message=render(result.message)))
            flash(_("„%(filename)s“ wurde eingereicht und wird von der Redaktion geprüft.", filename=result.filename)
                  + note, "success")
        elif result.status == contributions.OUTCOME_DUPLICATE:
            info = _duplicate_info(result.document_id)
            if info:
                message = _("„%(filename)s“ ist bereits vorhanden als „%(title)s“ (Dokument %(id)s) und wurde "
                            "nicht noch einmal gespeichert.", filename=result.filename, title=info["title"],
                            id=info["id"])
            else:
                message = _("„%(filename)s“ ist bereits vorhanden und wurde nicht noch einmal gespeichert.",
                            filename=result.filename)
            flash(message, "info")
        else:
            flash(_("„%(filename)s“ konnte nicht gespeichert werden: %(reason)s", filename=result.filename,
                    reason=render(result.message)), "error")


# --- own documents ---------------------------------------------------------------------------


@bp.get("/my/documents")
@role_required(ROLE_CONTRIBUTOR)
def my_documents():
    """List the user's uploads with their review status, any rejection reason and their use."""
    from ..services.follow import followers_count
    from ..services.reuse import reuse_counts
    from ..services.usage import usage_totals

    documents = review.documents_of(_user())
    ids = [document.id for document in documents]
    return render_template(
        "contribute/my_documents.html",
        documents=documents,
        usage=usage_totals(ids),
        reuses=reuse_counts(ids),
        followers=followers_count(ids),
        status_label=review.status_label,
        action_form=ActionForm(),
        STATUS_PUBLISHED=STATUS_PUBLISHED,
        STATUS_REJECTED=STATUS_REJECTED,
    )


def _document_or_404(document_id: int):
    document = review.document_for_edit(_user(), document_id)
    if document is None:
        abort(404)
    return document


@bp.route("/my/documents/<int:document_id>/edit", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
def document_edit(document_id: int):
    """Edit a document's metadata; a contributor's change of a published document waits for an editor."""
    document = _document_or_404(document_id)
    form = DocumentEditForm()
    form.fill_choices(places.projects_offered(_user()), document)
    if request.method == "GET":
        # A waiting change is what the contributor last said; the next edit builds on it.
        metadata = change_form_metadata(document)
        form.title.data = metadata.title
        form.fill_from(metadata)
    form_error = None
    if form.validate_on_submit():
        was_rejected = document.status == STATUS_REJECTED
        needs_review = _needs_review(document)
        try:
            diff = review.document_update(_user(), document, form.metadata(title=form.title.data))
        except review.WorkflowError as exc:
            if exc.field and hasattr(form, exc.field):
                getattr(form, exc.field).errors = list(getattr(form, exc.field).errors) + [str(exc)]
            else:
                form_error = str(exc)
        else:
            if diff and needs_review:
                flash(_("Änderung wartet auf Freigabe: die Redaktion prüft Ihre Änderungen; bis dahin bleiben die "
                        "veröffentlichten Angaben sichtbar."), "success")
            elif not diff:
                flash(_("Es wurde nichts geändert."), "info")
            elif was_rejected and document.status != STATUS_REJECTED:
                flash(_("Die Änderungen sind gespeichert; das Dokument ist wieder zur Prüfung eingereicht."), "success")
            elif document.status == STATUS_PUBLISHED:
                flash(_("Die Änderungen sind gespeichert und sofort sichtbar."), "success")
            else:
                flash(_("Die Änderungen sind gespeichert."), "success")
            return redirect(_back_to(document))
    status = 400 if request.method == "POST" and (form.errors or form_error) else 200
    return render_template(
        "contribute/edit.html", form=form, document=document, form_error=form_error,
        status_label=review.status_label, back_url=_back_to(document), municipality_names=_municipality_names(),
        needs_review=_needs_review(document),
    ), status


def _back_to(document) -> str:
    if document.uploader_id == current_user.id or not is_editor(current_user):
        return url_for(".my_documents")
    return url_for("admin.document_detail", document_id=document.id)


@bp.route("/my/documents/<int:document_id>/version", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
def version_add(document_id: int):
    """Take the file of a new version; the next step shows what it reveals, as for a first upload."""
    document = _document_or_404(document_id)
    form = VersionForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            staging = contributions.document_version_stage(_user(), document, upload.stream, upload.filename)
        except contributions.UploadError as exc:
            form.file.errors = list(form.file.errors) + [render(m) for m in exc.messages]
        else:
            return redirect(url_for(".version_details", document_id=document.id, token=staging.token))
    status = 400 if form.errors else 200
    return render_template("contribute/version.html", form=form, document=document, limit_mb=_limit_mb(),
                           back_url=_back_to(document), needs_review=_needs_review(document)), status


@bp.route("/my/documents/<int:document_id>/version/<token>", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
def version_details(document_id: int, token: str):
    """Show what the new version reveals about people and submit it, with or without that."""
    document = _document_or_404(document_id)
    try:
        staging = contributions.upload_get(_user(), token, document_id=document.id)
    except contributions.StagingNotFound:
        flash(_("Dieser Upload ist abgelaufen oder wurde schon abgeschickt. Bitte laden Sie die Datei neu hoch."),
              "error")
        return redirect(url_for(".version_add", document_id=document.id))
    form = VersionDetailsForm()
    if request.method == "GET":
        form.strip_metadata.data = staging.reveals_something
    form_error = None
    if form.validate_on_submit():
        try:
            result = contributions.document_version_submit(_user(), document, token,
                                                           strip_metadata=form.strip_metadata.data)
        except contributions.UploadError as exc:
            messages = [render(m) for m in exc.messages]
            if exc.field == "strip_metadata":
                form.strip_metadata.errors = list(form.strip_metadata.errors) + messages
            else:
                form_error = " ".join(messages)
        else:
            note = ("" if result.extraction_status == "ok"
                    else " " + _("Hinweis: %(message)s", message=render(result.message)))
            if result.pending:
                message = _("Die neue Version „%(filename)s“ ist eingereicht. Änderung wartet auf Freigabe: bis die "
                            "Redaktion sie freigibt, bleibt die veröffentlichte Fassung sichtbar.",
                            filename=result.filename)
            else:
                message = _("Die neue Version „%(filename)s“ ist gespeichert.", filename=result.filename)
            flash(message + note, "success")
            return redirect(_back_to(document))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "contribute/version_details.html", form=form, document=document, staging=staging,
        staged=staging.files[0], gdpr_hint=contributions.GDPR_HINT, back_url=_back_to(document),
        needs_review=_needs_review(document), form_error=form_error,
    ), status


def _needs_review(document) -> bool:
    return change_needs_review(_user(), document)


@bp.get("/my/documents/<int:document_id>/withdraw")
@role_required(ROLE_CONTRIBUTOR)
def withdraw_confirm(document_id: int):
    """Say what withdrawing does before it is done."""
    document = _document_or_404(document_id)
    if document.status == STATUS_PUBLISHED:
        impact = _("„%(title)s“ ist dann nicht mehr öffentlich sichtbar und wird in der Suche nicht mehr gefunden.",
                   title=document.title)
    else:
        impact = _("Die Redaktion prüft „%(title)s“ dann nicht mehr.", title=document.title)
    return confirm_page(_("„%(title)s“ zurückziehen?", title=document.title), [impact],
                        url_for(".withdraw", document_id=document.id), _("Zurückziehen"), _back_to(document),
                        admin_nav=False)


@bp.post("/my/documents/<int:document_id>/withdraw")
@role_required(ROLE_CONTRIBUTOR)
def withdraw(document_id: int):
    """Take a document back from the review or from publication."""
    document = _document_or_404(document_id)
    if document.status == STATUS_PUBLISHED:
        done = _("„%(title)s“ wurde zurückgezogen und ist nicht mehr öffentlich sichtbar.", title=document.title)
    else:
        # It never was public: say what did change.
        done = _("„%(title)s“ wurde zurückgezogen; die Redaktion prüft es nicht mehr.", title=document.title)
    return button_action(lambda: review.document_withdraw(_user(), document), done, url_for(".my_documents"))


@bp.post("/my/documents/<int:document_id>/resubmit")
@role_required(ROLE_CONTRIBUTOR)
def resubmit(document_id: int):
    """Send a withdrawn or rejected document back to the review."""
    document = _document_or_404(document_id)
    return button_action(lambda: review.document_resubmit(_user(), document),
                         _("„%(title)s“ ist erneut eingereicht und wird von der Redaktion geprüft.",
                           title=document.title),
                         url_for(".my_documents"))


@bp.get("/my/documents/<int:document_id>/versions/<int:number>/download")
@role_required(ROLE_CONTRIBUTOR)
def version_download(document_id: int, number: int):
    """Send one stored version of an own document, whatever its status (not counted)."""
    document = _document_or_404(document_id)
    download = downloads.version_download(file_version_get(document, number))
    if download is None:
        abort(404)
    return send_download(download)
