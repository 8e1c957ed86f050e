"""Following documents and the "Merkliste": two personal lists of published documents.

Both hold published documents only: what a visitor may see and download is what an account
can put on a list. A document that stops being public stays on the lists (so it is back when
it is published again) but is shown, mailed about and packed by nobody meanwhile; the lists
read the document's status each time, never a copy of it.

Following means: a new public version of the document is mailed to the follower
(``notifications.new_version_notify``). The Merkliste is a reading list that downloads as one
ZIP through the search's export, with the same manifest and licence notes.
"""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from flask_babel import format_decimal
from flask_babel import gettext as _

from ..extensions import db
from ..models import ROLE_CONTRIBUTOR, STATUS_PUBLISHED, Bookmark, Document, DocumentFollow, User
from ..permissions import require
from .documents import document_get_visible
from .search_view import documents_for_ids, public_query
from .zip_export import ZipLimitExceeded, ZipPlan, ZipSelectionEmpty, zip_download

#: Entries one list may hold: far more than a person reads, few enough that a page shows them all.
MAX_ENTRIES = 1000


class ListError(Exception):
    """A list refuses a change; ``message`` says why, in the reader's language."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class DocumentNotFound(LookupError):
    """No published document with this id: nothing to follow or to note."""


def _published(document_id: int) -> Document:
    document = document_get_visible(document_id)
    if document is None:
        raise DocumentNotFound(document_id)
    return document


def _add(model, user: User, document_id: int) -> bool:
    """Put the published document on ``user``'s list of ``model``; False when it is there already."""
    require(user, ROLE_CONTRIBUTOR)
    document = _published(document_id)
    if _ids(model, user, [document.id]):
        return False
    count = db.session.scalar(select(func.count()).select_from(model).where(model.user_id == user.id))
    if count >= MAX_ENTRIES:
        raise ListError(_("Auf dieser Liste stehen schon %(max)s Dokumente, mehr geht nicht. Bitte entfernen Sie "
                          "zuerst Dokumente, die Sie nicht mehr brauchen.", max=MAX_ENTRIES))
    db.session.add(model(user_id=user.id, document_id=document.id))
    try:
        db.session.commit()
    except IntegrityError:
        # The same click arrived twice at once; the other request has added it.
        db.session.rollback()
        return False
    return True


def _remove(model, user: User, document_id: int) -> bool:
    """Take a document off the list, whatever its status now; False when it was not on it."""
    require(user, ROLE_CONTRIBUTOR)
    row = db.session.scalar(select(model).where(model.user_id == user.id, model.document_id == document_id))
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def _ids(model, user: User | None, document_ids: list[int] | None = None) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    stmt = select(model.document_id).where(model.user_id == user.id)
    if document_ids is not None:
        stmt = stmt.where(model.document_id.in_(document_ids))
    return set(db.session.scalars(stmt))


def _documents(model, user: User) -> list[Document]:
    """The published documents on the list, the latest added first."""
    require(user, ROLE_CONTRIBUTOR)
    ids = list(db.session.scalars(select(model.document_id).where(model.user_id == user.id)
                                  .order_by(model.created_at.desc(), model.id.desc())))
    return documents_for_ids(ids)


def _hidden_count(model, user: User) -> int:
    """How many entries of the list are not public at the moment (withdrawn, in review, deleted)."""
    return db.session.scalar(select(func.count()).select_from(model).join(Document, Document.id == model.document_id)
                             .where(model.user_id == user.id, Document.status != STATUS_PUBLISHED))


# --- following -------------------------------------------------------------------------------


def document_follow(user: User, document_id: int) -> bool:
    """Follow a published document. :raise DocumentNotFound: no such published document."""
    return _add(DocumentFollow, user, document_id)


def document_unfollow(user: User, document_id: int) -> bool:
    return _remove(DocumentFollow, user, document_id)


def followed_ids(user: User | None, document_ids: list[int] | None = None) -> set[int]:
    """The ids (of ``document_ids``, or all) that ``user`` follows; empty for a visitor."""
    return _ids(DocumentFollow, user, document_ids)


def follows_of(user: User) -> list[Document]:
    """The published documents ``user`` follows, the latest followed first."""
    return _documents(DocumentFollow, user)


def follows_hidden(user: User) -> int:
    return _hidden_count(DocumentFollow, user)


def followers_count(document_ids: list[int]) -> dict[int, int]:
    """Document id → number of active accounts that follow it (documents without any left out)."""
    if not document_ids:
        return {}
    rows = db.session.execute(
        select(DocumentFollow.document_id, func.count())
        .join(User, User.id == DocumentFollow.user_id)
        .where(DocumentFollow.document_id.in_(document_ids), User.active.is_(True))
        .group_by(DocumentFollow.document_id))
    return {document_id: count for document_id, count in rows}


def followers_of(document: Document) -> list[User]:
    """The active accounts that follow ``document``, in the order they began to."""
    return list(db.session.scalars(
        select(User).join(DocumentFollow, DocumentFollow.user_id == User.id)
        .where(DocumentFollow.document_id == document.id, User.active.is_(True))
        .order_by(DocumentFollow.created_at, DocumentFollow.id)))


# --- Merkliste -------------------------------------------------------------------------------


def bookmark_add(user: User, document_id: int) -> bool:
    """Note a published document. :raise DocumentNotFound: no such published document.

    :raise ListError: the Merkliste is full.
    """
    return _add(Bookmark, user, document_id)


def bookmark_remove(user: User, document_id: int) -> bool:
    return _remove(Bookmark, user, document_id)


def bookmarked_ids(user: User | None, document_ids: list[int] | None = None) -> set[int]:
    return _ids(Bookmark, user, document_ids)


def bookmarks_of(user: User) -> list[Document]:
    """The published documents on ``user``'s Merkliste, the latest noted first."""
    return _documents(Bookmark, user)


def bookmarks_hidden(user: User) -> int:
    return _hidden_count(Bookmark, user)


def bookmarks_zip(user: User) -> tuple[ZipPlan, Iterator[bytes]]:
    """The Merkliste as one ZIP: its published documents, manifest and licence notes as the
    search's ZIP has them, the same limits, and one download counted per document.

    :raise ZipExportError: nothing to pack, or more than the ZIP limits allow.
    """
    documents = bookmarks_of(user)
    try:
        plan, stream = zip_download(public_query({}), document_ids=[document.id for document in documents])
    except ZipLimitExceeded as exc:
        # The search's message advises filters; a Merkliste is made smaller by hand.
        if "max_documents" in exc.details:
            message = _("Auf Ihrer Merkliste stehen %(count)s Dokumente; als ZIP-Datei lassen sich höchstens "
                        "%(max)s auf einmal herunterladen. Bitte entfernen Sie Dokumente von der Merkliste.",
                        count=format_decimal(exc.details["documents"]), max=format_decimal(exc.details["max_documents"]))
        else:
            message = _("Die Dokumente Ihrer Merkliste sind zusammen %(size)s MB groß; als ZIP-Datei lassen sich "
                        "höchstens %(max)s MB auf einmal herunterladen. Bitte entfernen Sie Dokumente von der "
                        "Merkliste.", size=format_decimal(round(exc.details["total_bytes"] / 1024 / 1024, 1)),
                        max=format_decimal(exc.details["max_bytes"] // 1024 // 1024))
        raise ZipLimitExceeded(message, **exc.details) from exc
    except ZipSelectionEmpty as exc:
        raise ZipSelectionEmpty(_("Auf Ihrer Merkliste steht kein veröffentlichtes Dokument, das sich "
                                  "herunterladen lässt.")) from exc
    plan.filename = plan.filename.replace("-auswahl-", "-merkliste-")
    return plan, stream

