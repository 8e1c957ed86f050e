"""The two personal lists of an account: followed documents and the Merkliste."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from ..models import ROLE_CONTRIBUTOR
from ..permissions import role_required
from ..services import follow as lists
from ..services.zip_export import ZipExportError
from .auth import safe_next
from .errors import wants_json

bp = role_required(ROLE_CONTRIBUTOR)(Blueprint("follow", __name__))


class ListButtonForm(FlaskForm):
    """A list button: the CSRF token and the page to return to."""

    next = HiddenField()


def _user():
    return current_user._get_current_object()


def _back(document_id: int, form: ListButtonForm):
    return redirect(safe_next(form.next.data) or url_for("public.document_detail", document_id=document_id))


def _change(document_id: int, action, done: str, unchanged: str):
    """Run a list button's ``action`` and go back to the page the button was on."""
    form = ListButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = action(_user(), document_id)
    except lists.DocumentNotFound:
        abort(404)
    except lists.ListError as error:
        flash(error.message, "error")
        return _back(document_id, form)
    flash(done if changed else unchanged, "success")
    return _back(document_id, form)


# --- the buttons' state on document pages and result lists ----------------------------------


@bp.app_template_global("followed")
def followed(document_id: int) -> bool:
    """True when the logged-in account follows the document (one query per page)."""
    if "followed_ids" not in g:
        g.followed_ids = lists.followed_ids(_user()) if current_user.is_authenticated else set()
    return document_id in g.followed_ids


@bp.app_template_global("bookmarked")
def bookmarked(document_id: int) -> bool:
    """True when the document is on the logged-in account's Merkliste (one query per page)."""
    if "bookmarked_ids" not in g:
        g.bookmarked_ids = lists.bookmarked_ids(_user()) if current_user.is_authenticated else set()
    return document_id in g.bookmarked_ids


# --- following -------------------------------------------------------------------------------


@bp.get("/account/following")
def following():
    """List the documents the account follows."""
    return render_template("account/following.html", documents=lists.follows_of(_user()),
                           hidden=lists.follows_hidden(_user()), form=ListButtonForm(formdata=None))


@bp.post("/account/following/<int:document_id>")
def follow(document_id: int):
    """Follow a published document."""
    return _change(document_id, lists.document_follow,
                   _("Sie folgen jetzt diesem Dokument. Über eine neue Version werden Sie per E-Mail informiert."),
                   _("Sie folgen diesem Dokument bereits."))


@bp.post("/account/following/<int:document_id>/delete")
def unfollow(document_id: int):
    """Stop following a document."""
    return _change(document_id, lists.document_unfollow, _("Sie folgen diesem Dokument nicht mehr."),
                   _("Sie folgen diesem Dokument nicht."))


# --- Merkliste -------------------------------------------------------------------------------


def _bookmarks_page(zip_error: str | None = None, status: int = 200) -> Response:
    user = _user()
    return make_response(render_template(
        "account/merkliste.html", documents=lists.bookmarks_of(user), hidden=lists.bookmarks_hidden(user),
        form=ListButtonForm(formdata=None), zip_error=zip_error), status)


@bp.get("/account/merkliste")
def bookmarks():
    """Show the Merkliste with its ZIP download."""
    return _bookmarks_page()


@bp.post("/account/merkliste/<int:document_id>")
def bookmark_add(document_id: int):
    """Put a published document on the Merkliste."""
    return _change(document_id, lists.bookmark_add, _("Das Dokument steht jetzt auf Ihrer Merkliste."),
                   _("Das Dokument steht bereits auf Ihrer Merkliste."))


@bp.post("/account/merkliste/<int:document_id>/delete")
def bookmark_remove(document_id: int):
    """Take a document off the Merkliste."""
    return _change(document_id, lists.bookmark_remove, _("Das Dokument ist nicht mehr auf Ihrer Merkliste."),
                   _("Das Dokument stand nicht auf Ihrer Merkliste."))


@bp.get("/account/merkliste.zip")
def bookmarks_zip():
    """Stream the Merkliste as one ZIP, or explain on the page why not."""
    try:
        plan, stream = lists.bookmarks_zip(_user())
    except ZipExportError as error:
        if wants_json():
            return make_response({"error": {"status": error.status, "message": error.message, **error.details}},
                                 error.status)
        return _bookmarks_page(error.message, error.status)
    response = Response(stream, mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{plan.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
