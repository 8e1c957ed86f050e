"""Saved searches as alerts: save from /search, confirm by mail, unsubscribe, /account/alerts."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Length

from ..error_responses import render_error
from ..models import ALERT_DAILY, ALERT_FREQUENCIES, ROLE_CONTRIBUTOR
from ..permissions import role_required
from ..security import csrf, limiter
from ..services import alerts as alert_service
from ..services import search_view

bp = Blueprint("alerts", __name__)

#: A visitor's requests per address typed: a mailbox gets at most this many confirmation mails.
DEFAULT_ALERT_RATE_LIMIT = "3 per hour"
#: Per client address: one client cannot make the toolbox mail many addresses.
DEFAULT_ALERT_IP_RATE_LIMIT = "20 per hour"


def alert_limit() -> str:
    return current_app.config.get("TOOLBOX_ALERT_RATE_LIMIT") or DEFAULT_ALERT_RATE_LIMIT


def alert_ip_limit() -> str:
    return current_app.config.get("TOOLBOX_ALERT_IP_RATE_LIMIT") or DEFAULT_ALERT_IP_RATE_LIMIT


def alert_limit_key() -> str:
    return "alert|" + (request.form.get("email") or "").strip().lower()[:254]


def _member() -> bool:
    return bool(current_user.is_authenticated)


def _frequency_choices() -> list[tuple[str, str]]:
    return [(value, _(alert_service.FREQUENCY_LABELS[value])) for value in ALERT_FREQUENCIES]


class FrequencyForm(FlaskForm):
    frequency = SelectField(_l("Wie oft?"), choices=[], default=ALERT_DAILY, validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency.choices = _frequency_choices()


class VisitorAlertForm(FrequencyForm):
    email = EmailField(_l("Ihre E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang.")),
    ])


def _locale() -> str:
    return str(get_locale() or "de")


def _new_page(form, params: list, status: int = 200):
    pairs = [(key, value) for key, value in params]
    return make_response(render_template(
        "alerts/new.html", form=form, params=pairs, criteria=alert_service.alert_criteria(params, _locale()),
        search_url=search_view.build_url(url_for("search.results"), pairs)), status)


@bp.route("/alerts/new", methods=["GET", "POST"])
@limiter.limit(alert_limit, key_func=alert_limit_key, methods=["POST"], exempt_when=_member)
@limiter.limit(alert_ip_limit, methods=["POST"], exempt_when=_member)
def new():
    """Save the search of the parameters as an alert: to the account, or by double opt-in."""
    source = request.form if request.method == "POST" else request.args
    params = alert_service.alert_params(MultiDict(source))
    form = FrequencyForm() if _member() else VisitorAlertForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _new_page(form, params, 400 if request.method == "POST" else 200)
    search_url = search_view.build_url(url_for("search.results"), [(k, v) for k, v in params])
    try:
        if _member():
            _alert, created = alert_service.alert_create(current_user._get_current_object(), MultiDict(params),
                                                         form.frequency.data)
        else:
            email = alert_service.alert_request(form.email.data, MultiDict(params), form.frequency.data, _locale())
    except alert_service.AlertError as error:
        target = getattr(form, error.field, None) if error.field else None
        if target is None:
            flash(error.message, "error")
            return _new_page(form, params, error.status)
        target.errors.append(error.message)
        return _new_page(form, params, error.status)
    if _member():
        flash(_("Die Suche ist gespeichert. Neue Treffer erhalten Sie per E-Mail; Ihre Benachrichtigungen "
                "verwalten Sie unter „Meine Benachrichtigungen“.") if created else
              _("Diese Suche war schon gespeichert; die Häufigkeit ist aktualisiert."), "success")
        return redirect(search_url)
    return render_template("alerts/requested.html", email=email, hours=alert_service.CONFIRM_VALID.total_seconds() // 3600,
                           search_url=search_url)


@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm a visitor's alert. Opening the link only asks; the button confirms, so a mail
    scanner that fetches links in advance confirms nothing."""
    try:
        pending = alert_service.alert_pending(token)
    except alert_service.AlertLinkError as error:
        return _link_invalid(error)
    form = FlaskForm()
    criteria = alert_service.alert_criteria(pending.params, _locale())
    if form.validate_on_submit():
        try:
            alert = alert_service.alert_confirm(token)
        except alert_service.AlertLinkError as error:
            return _link_invalid(error)
        return _no_store(make_response(render_template(
            "alerts/confirmed.html", alert=alert, criteria=criteria,
            unsubscribe_url=url_for("alerts.unsubscribe", token=alert.unsubscribe_token))))
    return _no_store(make_response(render_template("alerts/confirm.html", form=form, alert=pending,
                                                   criteria=criteria)))


def _link_invalid(error: alert_service.AlertError):
    return _no_store(make_response(render_template("alerts/link_invalid.html", message=error.message),
                                   error.status))


def _no_store(response):
    # The page names an address and holds a token: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """End an alert. A POST does it at once, without login or CSRF token: the one-click
    unsubscribe of RFC 8058 that mail programs send (the token is the authorisation); a GET
    only shows the button, so a link scanner unsubscribes nobody."""
    if request.method == "POST":
        removed = alert_service.alert_unsubscribe(token)
        return _no_store(make_response(render_template("alerts/unsubscribed.html", removed=removed)))
    alert = alert_service.alert_by_unsubscribe_token(token)
    if alert is None:
        return _no_store(make_response(render_template("alerts/unsubscribed.html", removed=False), 404))
    return _no_store(make_response(render_template(
        "alerts/unsubscribe.html", alert=alert, criteria=alert_service.alert_criteria(alert.params, _locale()))))


# --- the own alerts --------------------------------------------------------------------------


@bp.get("/account/alerts")
@role_required(ROLE_CONTRIBUTOR)
def account_alerts():
    """List the own alerts with their frequency; change or delete each."""
    rows = []
    for alert in alert_service.alerts_of(current_user._get_current_object()):
        pairs = [(key, value) for key, value in alert.params]
        rows.append({"alert": alert, "criteria": alert_service.alert_criteria(alert.params, _locale()),
                     "search_url": search_view.build_url(url_for("search.results"), pairs),
                     "form": FrequencyForm(formdata=None, frequency=alert.frequency, prefix=f"a{alert.id}")})
    return render_template("alerts/account.html", rows=rows, delete_form=FlaskForm())


@bp.post("/account/alerts/<int:alert_id>")
@role_required(ROLE_CONTRIBUTOR)
def frequency_set(alert_id: int):
    """Change how often an own alert is sent."""
    form = FrequencyForm(prefix=f"a{alert_id}")
    if not form.validate_on_submit():
        flash(_("Bitte wählen Sie, wie oft Sie benachrichtigt werden möchten: täglich oder wöchentlich."), "error")
        return redirect(url_for("alerts.account_alerts"), 303)
    try:
        alert_service.alert_frequency_set(current_user._get_current_object(), alert_id, form.frequency.data)
    except alert_service.AlertError as error:
        return _error_page(error)
    flash(_("Die Häufigkeit ist gespeichert."), "success")
    return redirect(url_for("alerts.account_alerts"), 303)


@bp.post("/account/alerts/<int:alert_id>/delete")
@role_required(ROLE_CONTRIBUTOR)
def delete(alert_id: int):
    """Delete an own alert."""
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            alert_service.alert_delete(current_user._get_current_object(), alert_id)
        except alert_service.AlertError as error:
            return _error_page(error)
        flash(_("Die Benachrichtigung ist gelöscht."), "success")
    return redirect(url_for("alerts.account_alerts"), 303)


def _error_page(error: alert_service.AlertError):
    return render_error(error.status, error.message)
