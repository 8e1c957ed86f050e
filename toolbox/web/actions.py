"""The buttons of the editorial and contributor pages: check the token, call the service, say
what happened, go back."""
from __future__ import annotations

from typing import Callable, Mapping, TypeVar

from flask import abort, flash, redirect, render_template
from flask_babel import ngettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..services.curation import CurationError
from ..services.review import WorkflowError
from ..services.users import AccountError
from .document_forms import ActionForm

T = TypeVar("T")

#: What a service raises when the action is not possible now; ``str()`` is the German reason.
REFUSALS = (WorkflowError, CurationError, AccountError)


def button_action(run: Callable[[], T], done: str | Callable[[T], str], back: str, *,
                  form: FlaskForm | None = None, invalid: str | None = None) -> Response:
    """Run a button's service call and redirect to ``back`` with a message.

    ``form`` (default: a button without fields) must validate, CSRF token included; if it does
    not, the answer is 400, or with ``invalid`` that message on the page it came from. A
    refusal of the service is shown as an error; otherwise ``done`` (a message, or a function
    of the service's result) as a success.
    """
    if not (form or ActionForm()).validate_on_submit():
        if invalid is None:
            abort(400)
        flash(invalid, "error")
        return redirect(back)
    try:
        result = run()
    except REFUSALS as refusal:
        flash(str(refusal), "error")
    else:
        flash(done(result) if callable(done) else done, "success")
    return redirect(back)


def confirm_page(question: str, impact: list[str], action: str, button: str, back: str, *,
                 hidden: Mapping[str, object] | None = None, admin_nav: bool = True):
    """The step before an action that cannot be undone with one click: what it will change,
    and a button that posts (with the CSRF token and ``hidden``) to ``action``. No JavaScript."""
    return render_template("confirm.html", question=question, impact=impact, action=action, button=button,
                           back=back, hidden=hidden or {}, form=ActionForm(formdata=None), admin_nav=admin_nav)


def documents_moved(count: int, source: str, target: str) -> str:
    """The impact of a merge, in the words of the confirmation page."""
    return ngettext("%(num)d Dokument wird von „%(source)s“ nach „%(target)s“ verschoben.",
                    "%(num)d Dokumente werden von „%(source)s“ nach „%(target)s“ verschoben.",
                    count, source=source, target=target)
