"""Log in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from ..security import limiter, login_failed, login_ip_limit, login_limit, login_limit_key
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
@login_required
def logout():
    """Log the user out."""
    user = current_user._get_current_object()
    logout_user()
    user_service.user_record_logout(user)
    flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("public.index"))
