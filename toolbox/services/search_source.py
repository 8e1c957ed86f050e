"""The database as the search engine reads it: plain values out of the ORM.

``toolbox.search`` never imports a model; it asks this source (``toolbox.search.backend.
DocumentSource``) for index entries, the index queue, download counts, snippet texts, the
document "more like this" compares, and the synonym list.

What the index is written from is read in a session of its own: the caller's session may hold
pending changes that must be neither committed nor rolled back here, or a long transaction with
an old snapshot. What a search reads while it answers (snippets, download counts, synonyms,
"more like this") comes from the request's own session, as any other read of the page.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..extensions import db
from ..extract.accessibility import is_accessible
from ..extract.running import PROPERTY as RUNNING_LINES
from ..extract.running import without_running_lines
from ..models import Document, FileVersion, IndexQueue, Municipality, Project, SynonymGroup
from ..search import ACCESSIBLE, IndexRecord, SimilarTo, SnippetText
from ..search import SynonymGroup as SynonymValues

_QUEUE_DELETE_CHUNK = 500
#: Above this many ids the download counts are read for every downloaded document instead.
_DOWNLOADS_BY_ID = 500


@contextlib.contextmanager
def _session() -> Iterator[Session]:
    session = Session(db.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def index_record(document: Any) -> IndexRecord:
    """Everything the index holds about one document, from its ORM object."""
    version = document.current_version
    text = (version.text if version is not None else "") or ""
    project = document.project
    municipality = document.municipality or (project.municipality if project else None)
    size_class = municipality.size_class if municipality is not None else None
    year = document.year
    if year is None and project is not None:
        year = project.year_finished
    return IndexRecord(
        id=document.id,
        title=document.title or "",
        description=document.description or "",
        text=text,
        version_key=(f"{version.id}:{version.sha256}:{version.format}:{version.extraction_status}"
                     if version is not None else ""),
        project=project.name if project is not None else "",
        municipality=municipality.name if municipality is not None else "",
        state=(municipality.state or "") if municipality is not None else "",
        project_id=str(project.id) if project is not None else "",
        topics=tuple(topic.slug for topic in document.topics),
        size_class=size_class.slug if size_class is not None else "",
        type=document.document_type.slug if document.document_type is not None else "",
        format=(version.format or "").lower() if version is not None else "",
        license=document.license.slug if document.license is not None else "",
        year=year,
        status=document.status,
        created_at=document.created_at,
        updated_at=document.updated_at,
        published_at=document.published_at,
        downloads=document.download_count or 0,
        accessibility=(ACCESSIBLE if version is not None and is_accessible(version.properties, version.format)
                       else ""),
    )


def _records(session: Session, ids: list[int]) -> dict[int, IndexRecord]:
    stmt = (
        select(Document)
        .where(Document.id.in_(ids))
        .options(
            selectinload(Document.topics),
            selectinload(Document.versions),
            joinedload(Document.document_type),
            joinedload(Document.license),
            joinedload(Document.municipality).joinedload(Municipality.size_class),
            joinedload(Document.project).joinedload(Project.municipality).joinedload(Municipality.size_class),
        )
    )
    # Plain values leave the session; the ORM objects (and their texts) go with it.
    return {document.id: index_record(document) for document in session.scalars(stmt).unique()}


class DatabaseSource:
    """``DocumentSource`` over the application's database (``toolbox.extensions.db``)."""

    def database_key(self) -> str:
        return str(db.engine.url)

    def document_ids(self) -> list[int]:
        with _session() as session:
            return list(session.scalars(select(Document.id).order_by(Document.id)))

    def has_documents(self) -> bool:
        with _session() as session:
            return session.scalar(select(Document.id).limit(1)) is not None

    def records(self, document_ids: Sequence[int]) -> dict[int, IndexRecord]:
        ids = list(document_ids)
        if not ids:
            return {}
        with _session() as session:
            return _records(session, ids)

    def engine(self):
        """The database engine, for a backend that keeps its entries in this database."""
        return db.engine

    def locked_records(self, connection, document_ids: Sequence[int]) -> dict[int, IndexRecord]:
        """The records of the documents as ``connection``'s transaction sees them, their rows
        locked (``FOR UPDATE``) until it ends.

        For a backend that writes its entries in the database's own transactions: whoever writes
        a document's entry holds the document's row, so two writers of one entry (a document's
        change and a rebuild, or two changes of related rows) take turns, and the second reads
        what the first committed; the last entry written is always the newest state.
        """
        ids = sorted(set(document_ids))
        if not ids:
            return {}
        # An ORM session on the caller's connection joins its transaction and never ends it.
        session = Session(bind=connection, expire_on_commit=False)
        try:
            session.execute(select(Document.id).where(Document.id.in_(ids)).order_by(Document.id).with_for_update())
            return _records(session, ids)
        finally:
            session.close()

    def queued(self) -> list[tuple[int, int]]:
        with _session() as session:
            rows = session.execute(select(IndexQueue.id, IndexQueue.document_id).order_by(IndexQueue.id)).all()
        return [(row.id, row.document_id) for row in rows]

    def dequeue(self, row_ids: Sequence[int]) -> None:
        ids = list(row_ids)
        if not ids:
            return
        with _session() as session:
            for start in range(0, len(ids), _QUEUE_DELETE_CHUNK):
                session.execute(delete(IndexQueue).where(IndexQueue.id.in_(ids[start:start + _QUEUE_DELETE_CHUNK])))
            session.commit()

    def download_counts(self, document_ids: Sequence[int]) -> dict[int, int]:
        stmt = select(Document.id, Document.download_count)
        if len(document_ids) <= _DOWNLOADS_BY_ID:
            stmt = stmt.where(Document.id.in_(list(document_ids)))
        else:
            stmt = stmt.where(Document.download_count > 0)
        return {row.id: row.download_count or 0 for row in db.session.execute(stmt)}

    def snippet_texts(self, document_ids: Sequence[int]) -> dict[int, SnippetText]:
        """Each document's description and the text of its current version, in one statement:
        the texts of older versions (megabytes each, possibly) are never read."""
        ids = list(document_ids)
        if not ids:
            return {}
        newest = (select(FileVersion.document_id, func.max(FileVersion.number).label("number"))
                  .where(FileVersion.document_id.in_(ids)).group_by(FileVersion.document_id).subquery())
        current = (select(FileVersion.document_id, FileVersion.text, FileVersion.properties)
                   .join(newest, and_(FileVersion.document_id == newest.c.document_id,
                                      FileVersion.number == newest.c.number))
                   .subquery())
        rows = db.session.execute(
            select(Document.id, Document.description, current.c.text, current.c.properties)
            .outerjoin(current, current.c.document_id == Document.id)
            .where(Document.id.in_(ids)))
        found = {}
        for row in rows:
            # Running headers and footers stay searchable but are no snippet: they would repeat
            # the same line for every page of the document.
            text = without_running_lines(row.text or "", (row.properties or {}).get(RUNNING_LINES)) if row.text else ""
            found[row.id] = SnippetText(text, row.description or "")
        return {document_id: found.get(document_id, SnippetText("", "")) for document_id in ids}

    def similar_to(self, document_id: int) -> SimilarTo | None:
        document = db.session.get(Document, document_id)
        if document is None:
            return None
        version = document.current_version
        text = " ".join([document.title or "", document.description or "", (version.text if version else "")[:50_000]])
        return SimilarTo(
            document_id=document.id,
            text=text,
            topics=frozenset(topic.slug for topic in document.topics),
            type=document.document_type.slug if document.document_type is not None else None,
        )

    def synonym_stamp(self) -> tuple:
        return tuple(db.session.execute(select(
            func.count(SynonymGroup.id), func.max(SynonymGroup.id), func.max(SynonymGroup.updated_at))).one())

    def synonym_groups(self) -> list[SynonymValues]:
        rows = db.session.execute(select(SynonymGroup.terms, SynonymGroup.one_way)).all()
        return [SynonymValues(tuple(row.terms or ()), bool(row.one_way)) for row in rows]
