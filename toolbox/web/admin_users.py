"""Administration of accounts and the audit log, under /admin (admins only)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..extensions import db
from ..models import ROLE_ADMIN, ROLES, AuditEntry, User
from ..permissions import role_required
from ..services import account_mail
from ..services import users as user_service
from ..services.audit import audit_details
from ..urls import invitation_url
from .actions import button_action
from .document_forms import ActionForm

# Every page here is for admins; visitors are sent to the login page.
bp = role_required(ROLE_ADMIN)(Blueprint("admin_users", __name__, url_prefix="/admin"))

AUDIT_PER_PAGE = 50
LOCAL_TZ = ZoneInfo("Europe/Berlin")

#: German names of the audit actions this module and its colleagues write; unknown ones show raw.
ACTION_LABELS = {
    "login": _l("Anmeldung"),
    "login_failed": _l("Fehlgeschlagene Anmeldung"),
    "logout": _l("Abmeldung"),
    "user_create": _l("Konto angelegt"),
    "invite": _l("Einladungslink erzeugt"),
    "invite_used": _l("Einladung angenommen"),
    "role_change": _l("Rolle geändert"),
    "user_deactivate": _l("Konto deaktiviert"),
    "user_reactivate": _l("Konto reaktiviert"),
    "password_change": _l("Passwort geändert"),
    "password_reset_request": _l("Neues Passwort angefordert"),
    "password_reset": _l("Passwort über Link neu gesetzt"),
    "email_change_request": _l("Änderung der E-Mail-Adresse angefragt"),
    "email_change": _l("E-Mail-Adresse geändert"),
    "api_token_create": _l("API-Schlüssel erzeugt"),
    "api_token_revoke": _l("API-Schlüssel widerrufen"),
    "trash.empty": _l("Papierkorb geleert"),
    "reuse.approve": _l("Nachnutzung freigegeben"),
    "reuse.reject": _l("Nachnutzung abgelehnt oder zurückgenommen"),
}

#: Other modules name their actions "<object>.<verb>" (document.publish, topic.merge, …).
OBJECT_LABELS = {
    "document": _l("Dokument"), "topic": _l("Themenfeld"), "type": _l("Dokumenttyp"),
    "size_class": _l("Größenklasse"), "license": _l("Lizenz"), "municipality": _l("Kommune"),
    "project": _l("Projekt"), "user": _l("Konto"), "feedback": _l("Rückmeldung"), "synonym": _l("Synonyme"),
}
VERB_LABELS = {
    "upload": _l("hochgeladen"), "version_add": _l("neue Version"), "update": _l("bearbeitet"),
    "publish": _l("veröffentlicht"), "reject": _l("abgelehnt"), "withdraw": _l("zurückgezogen"),
    "trash": _l("in den Papierkorb"), "restore": _l("wiederhergestellt"), "create": _l("angelegt"),
    "rename": _l("umbenannt"), "reorder": _l("neu sortiert"), "activate": _l("aktiviert"),
    "deactivate": _l("deaktiviert"), "merge": _l("zusammengeführt"), "status": _l("Status gesetzt"),
    "delete": _l("gelöscht"),
}


def action_label(action: str) -> str:
    """The German name of an audit action; unknown ones are shown as they are stored."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    subject, _sep, verb = action.partition(".")
    if verb and subject in OBJECT_LABELS:
        return f"{OBJECT_LABELS[subject]} {VERB_LABELS.get(verb, verb)}"
    return action


def object_label(object_type: str) -> str:
    """The name of an audited object's type in the page's language ("document" → "Dokument")."""
    return str(OBJECT_LABELS.get(object_type, object_type))


def _role_choices():
    return [(role, str(user_service.ROLE_LABELS[role])) for role in ROLES]


class InviteForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie die E-Mail-Adresse ein.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang.")),
    ])
    name = StringField(_l("Name (optional)"), validators=[
        Optional(), Length(max=200, message=_l("Der Name ist zu lang."))])
    role = SelectField(_l("Rolle"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Rolle"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


def _actor() -> User:
    return current_user._get_current_object()


def _user_or_404(user_id: int) -> User:
    user = user_service.user_get(user_id)
    if user is None:
        abort(404)
    return user


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _users_page(invite_form: InviteForm, status: int = 200):
    users = user_service.users_list()
    return make_response(render_template(
        "admin/users.html",
        users=users,
        invite_form=invite_form,
        role_forms={u.id: RoleForm(prefix=f"u{u.id}", role=u.role) for u in users},
        action_form=ActionForm(),
        role_labels=user_service.ROLE_LABELS,
        roles=ROLES,
    ), status)


@bp.get("/users")
def users():
    """List the accounts with the invitation form."""
    return _users_page(InviteForm())


@bp.post("/users")
def user_invite():
    """Create an account and show its one-time invitation link."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, token = user_service.user_invite(form.email.data, form.role.data, form.name.data, actor=_actor())
        except user_service.AccountError as error:
            target = getattr(form, error.field, None) if error.field else None
            (target or form.email).errors.append(error.message)
        else:
            return _invitation_page(user, token)
    return _users_page(form, 400)


@bp.post("/users/<int:user_id>/invite")
def user_reinvite(user_id: int):
    """Make a new one-time link with which the user sets a (new) password."""
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        token = user_service.invitation_create(user, actor=_actor())
    except user_service.AccountError as error:
        flash(error.message, "error")
        return redirect(url_for("admin_users.users"))
    return _invitation_page(user, token)


def _invitation_page(user: User, token: str):
    account_mail.invitation_mail(user, token, actor=_actor())
    # Rendered directly, never flashed: the session cookie is signed, not encrypted.
    days = user_service.invitation_days()
    return _no_store(make_response(render_template(
        "admin/users_invited.html", user=user, link=invitation_url(token), days=days,
        role_labels=user_service.ROLE_LABELS)))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    """Change a user's role."""
    user = _user_or_404(user_id)
    form = RoleForm(prefix=f"u{user.id}")
    return button_action(lambda: user_service.user_set_role(user, form.role.data, actor=_actor()),
                         lambda _result: _("Die Rolle von %(email)s ist jetzt „%(role)s“.", email=user.email,
                                           role=user_service.ROLE_LABELS[user.role]),
                         url_for("admin_users.users"), form=form, invalid=_("Bitte wählen Sie eine gültige Rolle."))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    """Lock an account; its open sessions end at once."""
    user = _user_or_404(user_id)
    return button_action(lambda: user_service.user_deactivate(user, actor=_actor()),
                         _("%(email)s ist deaktiviert; offene Sitzungen sind beendet.", email=user.email),
                         url_for("admin_users.users"))


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int):
    """Unlock an account."""
    user = _user_or_404(user_id)
    return button_action(lambda: user_service.user_reactivate(user, actor=_actor()),
                         _("%(email)s ist wieder aktiv.", email=user.email), url_for("admin_users.users"))


# --- audit log -------------------------------------------------------------------------------


def _parse_day(raw: str | None, errors: list[str], label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(label)s: „%(raw)s“ ist kein Datum (JJJJ-MM-TT).", label=label, raw=raw))
        return None


def _local_midnight(day: date) -> datetime:
    # In UTC: SQLite stores the digits of the datetime and would drop any other offset.
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


@bp.get("/audit")
def audit():
    """Show the audit log, filterable by action, user, object type and date range."""
    args = request.args
    errors: list[str] = []
    query = select(AuditEntry)
    action = args.get("action") or ""
    if action:
        query = query.where(AuditEntry.action == action)
    object_type = args.get("object_type") or ""
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    user_filter = args.get("user") or ""
    if user_filter == "none":
        query = query.where(AuditEntry.user_id.is_(None))
    elif user_filter.isdigit():
        query = query.where(AuditEntry.user_id == int(user_filter))
    elif user_filter:
        errors.append(_("Unbekannte Person im Filter."))
    day_from = _parse_day(args.get("from"), errors, _("Von"))
    day_to = _parse_day(args.get("to"), errors, _("Bis"))
    if day_from:
        query = query.where(AuditEntry.at >= _local_midnight(day_from))
    if day_to:
        # The end day is included: everything before the following local midnight.
        query = query.where(AuditEntry.at < _local_midnight(day_to + timedelta(days=1)))
    page = args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    pagination = db.paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
                             page=page, per_page=AUDIT_PER_PAGE, error_out=False)
    actions = sorted(set(db.session.scalars(select(AuditEntry.action).distinct())) | set(ACTION_LABELS))
    object_types = sorted(t for t in db.session.scalars(select(AuditEntry.object_type).distinct()) if t)
    filters = {key: args.get(key, "") for key in ("action", "object_type", "user", "from", "to")}
    return render_template(
        "admin/audit.html",
        pagination=pagination,
        entries=pagination.items,
        actions=actions,
        action_label=action_label,
        object_label=object_label,
        audit_details=audit_details,
        object_types=object_types,
        users=user_service.users_list(),
        filters=filters,
        errors=errors,
        page_args={k: v for k, v in filters.items() if v},
    )


#: The three states of a report, as the inbox shows them.
FEEDBACK_STATUS_LABELS = {"open": _l("offen"), "answered": _l("beantwortet"), "done": _l("erledigt")}


class FeedbackStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[], validate_choice=True,
                         validators=[DataRequired(_l("Bitte wählen Sie einen Status."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(value, str(label)) for value, label in FEEDBACK_STATUS_LABELS.items()]


@bp.get("/feedback")
def feedback():
    """Show the feedback sent through the accessibility statement, with its status."""
    from ..services.feedback import feedback_list

    entries = feedback_list(current_user)
    return render_template(
        "admin/feedback.html", entries=entries, status_labels=FEEDBACK_STATUS_LABELS,
        status_forms={e.id: FeedbackStatusForm(prefix=f"f{e.id}", formdata=None, status=e.status) for e in entries},
        open_count=sum(1 for e in entries if e.status == "open"),
    )


@bp.post("/feedback/<int:feedback_id>/status")
def feedback_status(feedback_id: int):
    """Mark a report as open, answered or done."""
    from ..services.feedback import FeedbackNotFound, feedback_set_status

    form = FeedbackStatusForm(prefix=f"f{feedback_id}")
    back = url_for(".feedback") + f"#feedback-{feedback_id}"
    try:
        return button_action(
            lambda: feedback_set_status(current_user._get_current_object(), feedback_id, form.status.data),
            lambda entry: _("Rückmeldung vom %(date)s: %(status)s.", date=format_datetime(entry.received_at, "short"),
                            status=FEEDBACK_STATUS_LABELS[entry.status]),
            back, form=form, invalid=_("Bitte wählen Sie einen Status."))
    except FeedbackNotFound:
        abort(404)
