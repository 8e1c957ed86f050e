"""The editors' dashboard: how many documents in which state, what is used, what failed."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..message import StoredMessage, stored_message
from ..models import (
    DOCUMENT_STATUSES,
    ROLE_EDITOR,
    STATUS_DELETED,
    STATUS_PUBLISHED,
    Document,
    FileVersion,
    Municipality,
    SizeClass,
    Topic,
    User,
    document_topics,
)
from ..permissions import require


@dataclass
class CountRow:
    key: str
    label: str
    count: int


@dataclass
class ExtractionFailure:
    document_id: int
    title: str
    status: str
    filename: str
    extraction_status: str
    message: StoredMessage


@dataclass
class Dashboard:
    by_status: list[CountRow] = field(default_factory=list)
    by_topic: list[CountRow] = field(default_factory=list)
    by_size_class: list[CountRow] = field(default_factory=list)
    downloads_total: int = 0
    top_downloads: list[Document] = field(default_factory=list)
    extraction_failures: list[ExtractionFailure] = field(default_factory=list)
    documents_total: int = 0


def dashboard_stats(user: User, *, top: int = 10, failures_limit: int = 200) -> Dashboard:
    """Counts for the dashboard. Topic and size-class counts are over published documents,
    which is what visitors see; documents in the trash count nowhere but in their status."""
    require(user, ROLE_EDITOR)
    from .review import status_label

    board = Dashboard()
    status_counts = dict(db.session.execute(select(Document.status, func.count()).group_by(Document.status)).all())
    board.by_status = [CountRow(s, status_label(s), int(status_counts.get(s, 0))) for s in DOCUMENT_STATUSES]
    board.documents_total = sum(status_counts.values())

    topic_counts = dict(db.session.execute(
        select(document_topics.c.topic_id, func.count())
        .join(Document, Document.id == document_topics.c.document_id)
        .where(Document.status == STATUS_PUBLISHED)
        .group_by(document_topics.c.topic_id)
    ).all())
    topics = db.session.scalars(select(Topic).order_by(Topic.position, Topic.id))
    board.by_topic = [CountRow(t.slug, t.label_de, int(topic_counts.get(t.id, 0))) for t in topics]

    size_counts = dict(db.session.execute(
        select(Municipality.size_class_id, func.count(Document.id))
        .join(Document, Document.municipality_id == Municipality.id)
        .where(Document.status == STATUS_PUBLISHED)
        .group_by(Municipality.size_class_id)
    ).all())
    size_classes = db.session.scalars(select(SizeClass).order_by(SizeClass.position, SizeClass.id))
    board.by_size_class = [CountRow(s.slug, s.label_de, int(size_counts.get(s.id, 0))) for s in size_classes]
    without = db.session.scalar(
        select(func.count(Document.id)).outerjoin(Municipality, Document.municipality_id == Municipality.id)
        .where(Document.status == STATUS_PUBLISHED, Municipality.size_class_id.is_(None))
    ) or 0
    if without:
        board.by_size_class.append(CountRow("", "Ohne Größenklasse", int(without)))

    board.downloads_total = int(db.session.scalar(select(func.coalesce(func.sum(Document.download_count), 0))) or 0)
    board.top_downloads = list(db.session.scalars(
        select(Document).where(Document.download_count > 0, Document.status != STATUS_DELETED)
        .order_by(Document.download_count.desc(), Document.id).limit(top)
    ))
    board.extraction_failures = extraction_failures(limit=failures_limit)
    return board


def extraction_failures(*, limit: int = 200) -> list[ExtractionFailure]:
    """Documents whose current version could not be read (status other than ``ok``)."""
    current = (
        select(FileVersion.document_id, func.max(FileVersion.number).label("number"))
        .group_by(FileVersion.document_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Document.id, Document.title, Document.status, FileVersion.original_filename,
               FileVersion.extraction_status, FileVersion.extraction_code, FileVersion.extraction_params,
               FileVersion.extraction_message)
        .join(current, current.c.document_id == Document.id)
        .join(FileVersion, (FileVersion.document_id == Document.id) & (FileVersion.number == current.c.number))
        .where(FileVersion.extraction_status != "ok", Document.status != STATUS_DELETED)
        .order_by(Document.id.desc())
        .limit(limit)
    )
    return [ExtractionFailure(*row[:5], stored_message(*row[5:])) for row in rows]
