"""Legal pages the operator fills in, the accessibility feedback form and the Leichte-Sprache page.

The operator's texts are HTML fragments in the instance folder, ``<instance>/legal/<name>.html``
(German) and optionally ``<name>.en.html`` (English); a missing file shows the default, which
says plainly what the operator still has to fill in. The folder is the operator's, so the HTML is
trusted as it is.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..i18n import current_locale_name
from ..security import limiter
from ..services.feedback import feedback_submit

bp = Blueprint("legal", __name__)

#: page name -> (file stem in the instance folder, page title)
LEGAL_PAGES = {
    "imprint": ("impressum", _l("Impressum")),
    "privacy": ("datenschutz", _l("Datenschutzerklärung")),
    "accessibility": ("barrierefreiheit", _l("Erklärung zur Barrierefreiheit")),
}


class OperatorText:
    """A legal text: the operator's file, or the default template that asks for it."""

    def __init__(self, html: Markup | None, lang: str, configured: bool) -> None:
        self.html = html
        self.lang = lang
        self.configured = configured


def operator_text(stem: str) -> OperatorText:
    """The operator's text in the page's language, else in German, else None (use the default)."""
    folder = Path(current_app.instance_path) / "legal"
    locale = current_locale_name()
    candidates = [(folder / f"{stem}.{locale}.html", locale)] if locale != "de" else []
    candidates.append((folder / f"{stem}.html", "de"))
    for path, lang in candidates:
        if path.is_file():
            return OperatorText(Markup(path.read_text(encoding="utf-8")), lang, True)
    return OperatorText(None, locale, False)


class FeedbackForm(FlaskForm):
    page = StringField(_l("Auf welcher Seite? (optional)"), validators=[Optional(), Length(max=500)])
    message = TextAreaField(
        _l("Was funktioniert nicht?"),
        validators=[DataRequired(_l("Bitte beschreiben Sie die Barriere.")),
                    Length(max=5000, message=_l("Höchstens 5.000 Zeichen."))])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-Mail-Adresse für eine Antwort (optional)"),
        validators=[Optional(), Length(max=254)])


class StatementFacts:
    """What the accessibility statement must name (contact, date of the last check), taken from
    the settings, and which of them the operator has not set yet."""

    def __init__(self, config) -> None:
        self.contact = (config.get("TOOLBOX_ACCESSIBILITY_CONTACT") or "").strip() or None
        self.reviewed = config.get("TOOLBOX_ACCESSIBILITY_REVIEWED") or None
        self.missing = [label for value, label in (
            (self.contact, _("Kontakt (Einstellung TOOLBOX_ACCESSIBILITY_CONTACT)")),
            (self.reviewed, _("Stand (Einstellung TOOLBOX_ACCESSIBILITY_REVIEWED)")),
        ) if not value]


def _legal_page(name: str, **context):
    stem, title = LEGAL_PAGES[name]
    return render_template(f"legal/{stem}.html", title=title, stem=stem, text=operator_text(stem), **context)


@bp.get("/impressum")
def imprint():
    """Show the imprint (Impressum)."""
    return _legal_page("imprint")


@bp.get("/datenschutz")
def privacy():
    """Show the privacy statement."""
    return _legal_page("privacy")


#: Anyone may write without an account; the limit keeps a script from filling the table.
FEEDBACK_LIMIT = "10 per hour"


@bp.route("/barrierefreiheit", methods=["GET", "POST"])
@limiter.limit(FEEDBACK_LIMIT, methods=["POST"])
def accessibility():
    """Show the accessibility statement and take feedback on barriers."""
    form = FeedbackForm()
    if request.method == "GET" and request.args.get("page"):
        form.page.data = request.args.get("page", "")[:500]
    if form.validate_on_submit():
        feedback_submit(form.message.data, page=form.page.data, name=form.name.data, email=form.email.data,
                        locale=current_locale_name())
        flash(_("Vielen Dank! Ihre Rückmeldung ist angekommen."), "success")
        return redirect(url_for("legal.accessibility"))
    status = 400 if form.errors else 200
    return _legal_page("accessibility", form=form, facts=StatementFacts(current_app.config)), status


@bp.get("/leichte-sprache")
def easy_language():
    """Explain the site in Leichte Sprache."""
    return render_template("legal/leichte_sprache.html")
