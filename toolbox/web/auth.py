"""Log in and out; accept an invitation; the own account: password and API token."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..models import NOTIFY_CHOICES, NOTIFY_DAILY, NOTIFY_IMMEDIATE, NOTIFY_OFF, ROLE_CONTRIBUTOR
from ..permissions import is_editor, role_required
from ..security import (
    limiter,
    login_failed,
    login_ip_limit,
    login_limit,
    login_limit_key,
    reset_ip_limit,
    reset_limit,
    reset_limit_key,
)
from ..services import account_mail
from ..services import users as user_service

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang.")),
    ])
    password = PasswordField(_l("Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie Ihr Passwort ein.")),
        Length(max=user_service.PASSWORD_MAX_LENGTH, message=_l("Das Passwort ist zu lang.")),
    ])
    next = HiddenField()


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: no open redirect via ``next``."""
    if not target or len(target) > 2000:
        return None
    # Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.example"
    # and "/\t/evil.example" would leave the site.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, key_func=login_limit_key, methods=["POST"], deduct_when=login_failed)
@limiter.limit(login_ip_limit, methods=["POST"], deduct_when=login_failed)
def login():
    """Show the login form and log the user in."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data) or url_for("public.index"))
    if form.validate_on_submit():
        attempt = user_service.user_authenticate_detailed(form.email.data, form.password.data)
        if attempt.user is not None:
            login_user(attempt.user)
            user_service.user_record_login(attempt.user)
            flash(_("Sie sind angemeldet."), "success")
            return redirect(safe_next(form.next.data) or url_for("public.index"))
        g.login_failed = True
        user_service.login_failed_record(form.email.data, attempt.reason)
        # One message for every reason, so the form does not reveal which addresses exist.
        form.password.errors.append(_("E-Mail-Adresse oder Passwort ist falsch, oder das Konto ist gesperrt."))
    elif request.method == "POST":
        g.login_failed = True
        user_service.login_failed_record(form.email.data or "", "invalid_form")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@role_required(ROLE_CONTRIBUTOR)
def logout():
    """Log the user out."""
    user = current_user._get_current_object()
    logout_user()
    user_service.user_record_logout(user)
    flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("public.index"))


# --- invitation ------------------------------------------------------------------------------


def _new_password_fields():
    return (
        PasswordField(_l("Neues Passwort"), validators=[
            DataRequired(_l("Bitte geben Sie ein Passwort ein.")),
            Length(max=user_service.PASSWORD_MAX_LENGTH, message=_l("Das Passwort ist zu lang.")),
        ]),
        PasswordField(_l("Neues Passwort wiederholen"), validators=[
            DataRequired(_l("Bitte wiederholen Sie das Passwort.")),
            EqualTo("password", message=_l("Die beiden Passwörter stimmen nicht überein.")),
        ]),
    )


class InvitationForm(FlaskForm):
    name = StringField(_l("Name (optional)"), validators=[
        Optional(), Length(max=200, message=_l("Der Name ist zu lang."))])
    password, password_repeat = _new_password_fields()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Aktuelles Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie Ihr aktuelles Passwort ein.")),
        Length(max=user_service.PASSWORD_MAX_LENGTH, message=_l("Das Passwort ist zu lang.")),
    ])
    password, password_repeat = _new_password_fields()


class EmptyForm(FlaskForm):
    """A button-only form: just the CSRF token."""


def _no_store(response):
    # Pages with a secret (invitation link, API token) must not be kept in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _password_hint() -> str:
    return _("Mindestens %(n)d Zeichen. Gut zu merken und schwer zu erraten ist ein Satz aus mehreren "
             "Wörtern, z. B. „Drei Linden vor dem Rathaus in Fulda“.", n=user_service.PASSWORD_MIN_LENGTH)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation_accept(token: str):
    """Let an invited user set their password."""
    try:
        _invitation, user = user_service.invitation_get_valid(token)
    except user_service.InvitationError as error:
        status = 410 if error.reason in ("used", "expired") else 404
        return _no_store(make_response(render_template(
            "auth/invitation_invalid.html", message=error.message, reason=error.reason), status))
    form = InvitationForm()
    if request.method == "GET" and not form.name.data:
        form.name.data = user.name
    if form.validate_on_submit():
        try:
            user = user_service.invitation_accept(token, form.password.data, form.name.data)
        except user_service.PasswordPolicyError as error:
            form.password.errors.append(error.message)
        except user_service.InvitationError as error:
            return _no_store(make_response(render_template(
                "auth/invitation_invalid.html", message=error.message, reason=error.reason), 410))
        else:
            if current_user.is_authenticated:
                logout_user()
            # They just proved they hold the link and chose the password: asking for the address
            # and the password again right away would only test their typing.
            login_user(user)
            user_service.user_record_login(user)
            flash(_("Ihr Passwort ist gesetzt, und Sie sind angemeldet."), "success")
            return redirect(url_for("public.index"))
    return _no_store(make_response(render_template(
        "auth/invitation.html", form=form, user=user, password_hint=_password_hint())))


# --- own account -----------------------------------------------------------------------------


LANGUAGE_CHOICES = [("de", "Deutsch"), ("en", "English")]
NOTIFY_LABELS = {
    NOTIFY_IMMEDIATE: _l("Sofort, eine Nachricht je Einreichung"),
    NOTIFY_DAILY: _l("Einmal täglich als Übersicht"),
    NOTIFY_OFF: _l("Gar nicht"),
}


class MailSettingsForm(FlaskForm):
    language = SelectField(_l("Sprache der E-Mails"), choices=[], validate_choice=True)
    notify_submissions = SelectField(_l("Neue Einreichungen per E-Mail"), choices=[], validate_choice=True)

    def __init__(self, *args, editor: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(LANGUAGE_CHOICES)
        if editor:
            self.notify_submissions.choices = [(value, str(NOTIFY_LABELS[value])) for value in NOTIFY_CHOICES]
        else:  # contributors are not told about submissions: no such choice for them
            del self.notify_submissions


def _account_page(user, *, new_token: str | None = None, settings_form: MailSettingsForm | None = None,
                  status: int = 200):
    settings_form = settings_form or MailSettingsForm(
        formdata=None, editor=is_editor(user), language=user.language, notify_submissions=user.notify_submissions)
    return _no_store(make_response(render_template(
        "auth/account.html", user=user, form=EmptyForm(), role_labels=user_service.ROLE_LABELS,
        new_token=new_token, settings_form=settings_form), status))


@bp.get("/account")
@role_required(ROLE_CONTRIBUTOR)
def account():
    """Show the own account: role, mail settings, password change and API token."""
    return _account_page(current_user)


@bp.post("/account/settings")
@role_required(ROLE_CONTRIBUTOR)
def mail_settings():
    """Save the language of mails and, for editors, how they hear of new submissions."""
    editor = is_editor(current_user)
    form = MailSettingsForm(editor=editor)
    if not form.validate_on_submit():
        return _account_page(current_user, settings_form=form, status=400)
    user_service.user_mail_settings(current_user._get_current_object(), form.language.data,
                                    form.notify_submissions.data if editor else None)
    flash(_("Ihre Einstellungen sind gespeichert."), "success")
    return redirect(url_for("auth.account"))


def _password_change_key() -> str:
    return f"password-change|{current_user.get_id()}"


@bp.route("/account/password", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
# A stolen session must not become a way to guess the current password without limit.
@limiter.limit(login_limit, key_func=_password_change_key, methods=["POST"], deduct_when=login_failed)
def password_change():
    """Change the own password; the current one is required."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        had_token = user.api_token_hash is not None
        try:
            user_service.password_change(user, form.password.data, current_password=form.current_password.data)
        except user_service.AccountError as error:
            if error.field == "current_password":
                g.login_failed = True
            target = form.current_password if error.field == "current_password" else form.password
            target.errors.append(error.message)
        else:
            # The new session token ended every session, this one too; keep this one alive.
            login_user(user)
            flash(_("Ihr Passwort wurde geändert. Andere Sitzungen mit Ihrem Konto sind beendet."), "success")
            if had_token:
                flash(_("Ihr API-Schlüssel wurde widerrufen, weil er mit dem alten Passwort erzeugt wurde. Erzeugen "
                        "Sie bei Bedarf einen neuen."), "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form, password_hint=_password_hint())


@bp.post("/account/token")
@role_required(ROLE_CONTRIBUTOR)
def api_token_create():
    """Create (or replace) the own API token and show it once."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    token = user_service.api_token_create(current_user._get_current_object())
    return _account_page(current_user, new_token=token)


@bp.post("/account/token/revoke")
@role_required(ROLE_CONTRIBUTOR)
def api_token_revoke():
    """Revoke the own API token."""
    form = EmptyForm()
    if form.validate_on_submit():
        user_service.api_token_revoke(current_user._get_current_object())
        flash(_("Der API-Schlüssel wurde widerrufen."), "success")
    return redirect(url_for("auth.account"))


# --- forgotten password ----------------------------------------------------------------------


class PasswordForgotForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang.")),
    ])


class PasswordResetForm(FlaskForm):
    password, password_repeat = _new_password_fields()


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(reset_limit, key_func=reset_limit_key, methods=["POST"])
@limiter.limit(reset_ip_limit, methods=["POST"])
def password_forgot():
    """Ask for a link to set a new password; the answer is the same for every address."""
    form = PasswordForgotForm()
    if form.validate_on_submit():
        try:
            account_mail.password_reset_request(form.email.data)
        except user_service.AccountError as error:
            form.email.errors.append(error.message)
        else:
            return render_template("auth/password_forgot_sent.html", email=user_service.normalise_email(form.email.data))
    status = 400 if request.method == "POST" else 200
    return make_response(render_template("auth/password_forgot.html", form=form), status)


def _link_invalid(error: account_mail.AccountLinkError):
    status = 404 if error.reason == "unknown" else 410
    return _no_store(make_response(render_template("auth/link_invalid.html", message=error.message), status))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(reset_ip_limit, methods=["POST"])
def password_reset(token: str):
    """Set a new password through a mailed link; every session and the API token end."""
    try:
        user = account_mail.password_reset_get(token)
    except account_mail.AccountLinkError as error:
        return _link_invalid(error)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user = account_mail.password_reset_complete(token, form.password.data)
        except user_service.PasswordPolicyError as error:
            form.password.errors.append(error.message)
        except account_mail.AccountLinkError as error:
            return _link_invalid(error)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Ihr neues Passwort ist gesetzt. Alle bisherigen Anmeldungen und ein API-Schlüssel Ihres Kontos "
                    "sind beendet. Bitte melden Sie sich jetzt an."), "success")
            return redirect(url_for("auth.login"))
    return _no_store(make_response(render_template(
        "auth/password_reset.html", form=form, user=user, password_hint=_password_hint()),
        400 if request.method == "POST" else 200))


# --- e-mail address --------------------------------------------------------------------------


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("Neue E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie die neue E-Mail-Adresse ein.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang.")),
    ])
    current_password = PasswordField(_l("Aktuelles Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie Ihr aktuelles Passwort ein.")),
        Length(max=user_service.PASSWORD_MAX_LENGTH, message=_l("Das Passwort ist zu lang.")),
    ])


def _email_change_key() -> str:
    return f"email-change|{current_user.get_id()}"


@bp.route("/account/email", methods=["GET", "POST"])
@role_required(ROLE_CONTRIBUTOR)
@limiter.limit(login_limit, key_func=_email_change_key, methods=["POST"], deduct_when=login_failed)
def email_change():
    """Ask for a new address; it changes once the link mailed to it is opened."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            new_email = account_mail.email_change_request(current_user._get_current_object(), form.email.data,
                                                          form.current_password.data)
        except user_service.AccountError as error:
            if error.field == "current_password":
                g.login_failed = True
            (form.current_password if error.field == "current_password" else form.email).errors.append(error.message)
        else:
            flash(_("Wir haben eine Nachricht an %(email)s geschickt. Ihre Adresse ändert sich, sobald Sie den Link "
                    "darin öffnen; bis dahin bleibt die bisherige gültig.", email=new_email), "success")
            return redirect(url_for("auth.account"))
    return make_response(render_template("auth/email_change.html", form=form),
                         400 if request.method == "POST" else 200)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def email_confirm(token: str):
    """Confirm a new address. Opening the link only asks; the button changes the address, so a mail
    program that fetches links in advance changes nothing."""
    try:
        pending = account_mail.email_change_pending(token)
    except account_mail.AccountLinkError as error:
        return _link_invalid(error)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            account_mail.email_change_confirm(token)
        except account_mail.AccountLinkError as error:
            return _link_invalid(error)
        flash(_("Ihre E-Mail-Adresse ist jetzt %(email)s.", email=pending.new_email), "success")
        return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.login"))
    return _no_store(make_response(render_template("auth/email_confirm.html", form=form, new_email=pending.new_email)))
