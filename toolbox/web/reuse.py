""""Wir nutzen das nach": the public report form, its place on the document page, the editors' queue."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..models import ROLE_EDITOR
from ..permissions import role_required
from ..security import limiter
from ..services.documents import document_get_visible
from ..services.review import WorkflowError
from ..services import reuse
from .actions import button_action
from .document_forms import ActionForm

bp = Blueprint("reuse", __name__)

#: Something@something.tld: enough to catch a typo; whether it exists only a mail could tell.
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ReuseReportForm(FlaskForm):
    municipality = StringField(
        _l("Kommune"),
        validators=[DataRequired(_l("Bitte nennen Sie die Kommune, die das Dokument nachnutzt.")),
                    Length(max=reuse.NAME_MAX, message=_l("Höchstens 200 Zeichen."))])
    note = TextAreaField(
        _l("Wie nutzen Sie das Dokument? (optional)"),
        validators=[Optional(), Length(max=reuse.NOTE_MAX, message=_l("Höchstens 1.000 Zeichen."))])
    contact_email = EmailField(
        _l("E-Mail-Adresse für Rückfragen (optional)"),
        validators=[Optional(), Length(max=reuse.EMAIL_MAX, message=_l("Höchstens 254 Zeichen.")),
                    Regexp(_EMAIL, message=_l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. "
                                              "name@kommune.de."))])


class ReuseApproveForm(FlaskForm):
    municipality = StringField(_l("Kommune"), validators=[Optional(), Length(max=reuse.NAME_MAX)])


def reuse_rate_limit() -> str:
    return current_app.config.get("TOOLBOX_REUSE_RATE_LIMIT") or "10 per hour"


@bp.app_template_global()
def approved_reuses(document):
    """The approved reuses of ``document`` for its page."""
    return reuse.reuse_approved(document)


@bp.app_template_global()
def reuse_reports_waiting() -> int:
    return reuse.reuse_waiting()


@bp.route("/documents/<int:document_id>/reuse", methods=["GET", "POST"])
@limiter.limit(reuse_rate_limit, methods=["POST"])
def report(document_id: int):
    """Take a report that a municipality reuses a published document; anyone may send one.

    A page of its own rather than a form on the document page: the CSRF token needs a session
    cookie, which the document page then does not set for every visitor.
    """
    document = document_get_visible(document_id)
    if document is None:
        abort(404)
    form = ReuseReportForm()
    if form.validate_on_submit():
        try:
            reuse.reuse_report_submit(document, form.municipality.data, form.note.data, form.contact_email.data)
        except WorkflowError as refusal:
            form.municipality.errors.append(str(refusal))
        else:
            flash(_("Vielen Dank! Die Redaktion prüft Ihre Meldung; nach der Freigabe erscheint sie auf dieser "
                    "Seite."), "success")
            return redirect(url_for("public.document_detail", document_id=document.id))
    status = 400 if form.errors else 200
    return render_template("documents/reuse_form.html", document=document, form=form,
                           municipality_names=reuse.reuse_municipality_names()), status


@bp.get("/admin/reuse")
@role_required(ROLE_EDITOR)
def queue():
    """Show the reuse reports that wait for a decision, and the latest approved ones."""
    user = current_user._get_current_object()
    waiting = reuse.reuse_queue(user)
    return render_template(
        "admin/reuse.html", waiting=waiting, approved=reuse.reuse_recently_approved(user),
        approve_forms={r.id: ReuseApproveForm(prefix=f"r{r.id}", formdata=None, municipality=r.municipality_name)
                       for r in waiting},
        action_form=ActionForm(),
    )


@bp.post("/admin/reuse/<int:report_id>/approve")
@role_required(ROLE_EDITOR)
def approve(report_id: int):
    """Publish a reuse report on its document's page."""
    form = ReuseApproveForm(prefix=f"r{report_id}")
    try:
        return button_action(
            lambda: reuse.reuse_report_approve(current_user._get_current_object(), report_id,
                                               form.municipality.data),
            lambda r: _("Nachnutzung durch %(municipality)s freigegeben.", municipality=r.municipality_name),
            url_for(".queue"), form=form, invalid=_("Der Name der Kommune ist zu lang (höchstens 200 Zeichen)."))
    except reuse.ReuseReportNotFound:
        abort(404)


@bp.post("/admin/reuse/<int:report_id>/reject")
@role_required(ROLE_EDITOR)
def reject(report_id: int):
    """Decline a reuse report, or take back an approved one; its contact address is deleted."""
    try:
        return button_action(
            lambda: reuse.reuse_report_reject(current_user._get_current_object(), report_id),
            lambda r: _("Meldung der Nachnutzung durch %(municipality)s abgelehnt; die Kontaktangabe ist gelöscht.",
                        municipality=r.municipality_name),
            url_for(".queue"))
    except reuse.ReuseReportNotFound:
        abort(404)
