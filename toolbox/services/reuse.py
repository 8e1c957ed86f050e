""""Wir nutzen das nach": reports that a municipality reuses a document, and their review.

Anyone may report, logged in or not; nothing is public before an editor approves it. The
contact address is for the editors' questions only: no page but the editors' queue shows it,
and rejecting a report deletes it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..extensions import db
from ..message import Message
from ..models import (
    REUSE_APPROVED,
    REUSE_PENDING,
    REUSE_REJECTED,
    ROLE_EDITOR,
    STATUS_PUBLISHED,
    Document,
    Municipality,
    Project,
    ReuseReport,
    User,
    utcnow,
)
from ..permissions import require
from .audit import audit_record
from .review import WorkflowError

NAME_MAX = 200
NOTE_MAX = 1000
EMAIL_MAX = 254


class ReuseReportNotFound(LookupError):
    """No reuse report with this id."""


def _clean_name(name: str | None) -> str:
    return " ".join((name or "").split())


def _known_municipality(name: str) -> Municipality | None:
    """The municipality of that name, ignoring case, or the one a merged-away name went into."""
    from .curation import municipality_name_current

    current = municipality_name_current(name) or name
    return db.session.scalar(
        select(Municipality).where(func.lower(Municipality.name) == current.lower()).order_by(Municipality.id)
        .limit(1))


def reuse_report_submit(document: Document, municipality_name: str, note: str = "",
                        contact_email: str | None = None) -> ReuseReport:
    """Store a report for a published document; it waits for an editor. Anyone may send one."""
    if document.status != STATUS_PUBLISHED:
        raise WorkflowError(_("Nachnutzungen können nur für veröffentlichte Dokumente gemeldet werden."))
    name = _clean_name(municipality_name)[:NAME_MAX]
    if not name:
        raise WorkflowError(_("Bitte nennen Sie die Kommune."), field="municipality")
    municipality = _known_municipality(name)
    report = ReuseReport(
        document=document,
        municipality=municipality,
        municipality_name=municipality.name if municipality else name,
        note=(note or "").strip()[:NOTE_MAX],
        contact_email=(contact_email or "").strip()[:EMAIL_MAX] or None,
        status=REUSE_PENDING,
    )
    db.session.add(report)
    db.session.commit()
    return report


def reuse_approved(document: Document) -> list[ReuseReport]:
    """The approved reuses of a document, the earliest first: what its page shows."""
    stmt = (select(ReuseReport).where(ReuseReport.document_id == document.id, ReuseReport.status == REUSE_APPROVED)
            .order_by(ReuseReport.decided_at, ReuseReport.id))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class ReuseCounts:
    approved: int = 0
    pending: int = 0


def reuse_counts(document_ids: list[int]) -> dict[int, ReuseCounts]:
    """Approved and waiting reports per document (rejected ones do not count)."""
    if not document_ids:
        return {}
    stmt = (select(ReuseReport.document_id, ReuseReport.status, func.count())
            .where(ReuseReport.document_id.in_(document_ids),
                   ReuseReport.status.in_((REUSE_APPROVED, REUSE_PENDING)))
            .group_by(ReuseReport.document_id, ReuseReport.status))
    counts: dict[int, dict[str, int]] = {}
    for document_id, status, n in db.session.execute(stmt):
        counts.setdefault(document_id, {})[status] = int(n)
    return {i: ReuseCounts(c.get(REUSE_APPROVED, 0), c.get(REUSE_PENDING, 0)) for i, c in counts.items()}


def reuse_municipality_names() -> list[str]:
    """The names the report form suggests: municipalities already public through a published
    document (directly or through its project) or an approved reuse. One known only from an
    unpublished upload is not offered: that may be news its contributor waits to publish."""
    published = Document.status == STATUS_PUBLISHED
    ids = select(Document.municipality_id).where(published)
    via_project = select(Project.municipality_id).join(Document, Document.project_id == Project.id).where(published)
    via_reuse = (select(ReuseReport.municipality_id).join(Document, Document.id == ReuseReport.document_id)
                 .where(ReuseReport.status == REUSE_APPROVED, published))
    stmt = select(Municipality.name).where(or_(Municipality.id.in_(ids), Municipality.id.in_(via_project),
                                               Municipality.id.in_(via_reuse)))
    return sorted(db.session.scalars(stmt), key=_sort_key)


def _sort_key(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()


def reuse_queue(user: User) -> list[ReuseReport]:
    """The reports waiting for a decision, the oldest first; for editors."""
    require(user, ROLE_EDITOR)
    stmt = (select(ReuseReport).where(ReuseReport.status == REUSE_PENDING)
            .order_by(ReuseReport.received_at, ReuseReport.id))
    return list(db.session.scalars(stmt))


def reuse_recently_approved(user: User, limit: int = 50) -> list[ReuseReport]:
    """The latest approved reports, so that an editor can take one back; for editors."""
    require(user, ROLE_EDITOR)
    stmt = (select(ReuseReport).where(ReuseReport.status == REUSE_APPROVED)
            .order_by(ReuseReport.decided_at.desc(), ReuseReport.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def reuse_waiting() -> int:
    """How many reports wait, for the editors' navigation."""
    return int(db.session.scalar(select(func.count()).select_from(ReuseReport)
                                 .where(ReuseReport.status == REUSE_PENDING)) or 0)


def _report(report_id: int) -> ReuseReport:
    report = db.session.get(ReuseReport, report_id)
    if report is None:
        raise ReuseReportNotFound(report_id)
    return report


def reuse_report_approve(user: User, report_id: int, municipality_name: str | None = None) -> ReuseReport:
    """Publish a waiting report on the document's page; for editors.

    The editor may correct the municipality's name first; a name the toolbox does not know yet
    becomes a municipality, as a name given at upload does.
    """
    require(user, ROLE_EDITOR)
    report = _report(report_id)
    if report.status != REUSE_PENDING:
        raise WorkflowError(_("Über diese Meldung wurde bereits entschieden."))
    name = _clean_name(municipality_name)[:NAME_MAX] or report.municipality_name
    if report.municipality is None or report.municipality.name != name:
        from .places import municipality_get_or_create

        report.municipality = _known_municipality(name) or municipality_get_or_create(name)
    report.municipality_name = report.municipality.name
    report.status = REUSE_APPROVED
    report.decided_at = utcnow()
    report.decided_by = user
    audit_record("reuse.approve", user=user, object_type="document", object_id=report.document_id,
                 summary=Message("audit.reuse.approve", {"municipality": report.municipality_name,
                                                          "title": report.document.title}))
    db.session.commit()
    return report


def reuse_report_reject(user: User, report_id: int) -> ReuseReport:
    """Decline a waiting report, or take back an approved one; for editors.

    The contact address is deleted with the decision: it was given for questions about this
    report only. The report stays, without it, so that the log can say what was declined.
    """
    require(user, ROLE_EDITOR)
    report = _report(report_id)
    if report.status == REUSE_REJECTED:
        raise WorkflowError(_("Über diese Meldung wurde bereits entschieden."))
    was_public = report.status == REUSE_APPROVED
    report.status = REUSE_REJECTED
    report.contact_email = None
    report.decided_at = utcnow()
    report.decided_by = user
    audit_record("reuse.reject", user=user, object_type="document", object_id=report.document_id,
                 summary=Message("audit.reuse.withdraw" if was_public else "audit.reuse.reject",
                                 {"municipality": report.municipality_name, "title": report.document.title}))
    db.session.commit()
    return report
