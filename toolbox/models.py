"""SQLAlchemy models: the single source of truth. The Whoosh index is derived from these."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .message import Message, StoredMessage, stored_message


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TZDateTime(db.TypeDecorator):
    """Timezone-aware datetimes on SQLite too, which otherwise hands back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class MessageColumns:
    """A stored message spread over a code column, a JSON params column and a text column.

    The text column keeps what rows written before messages had codes say (a German sentence),
    shown as it is; a coded message leaves it empty.
    """

    def __init__(self, code: str, params: str, literal: str):
        self.code, self.params, self.literal = code, params, literal

    def __get__(self, row, owner=None):
        if row is None:
            return self
        return stored_message(getattr(row, self.code), getattr(row, self.params), getattr(row, self.literal))

    def __set__(self, row, message: StoredMessage) -> None:
        if isinstance(message, Message):
            data = message.to_dict()
            values = (data["code"], data["params"], "")
        else:
            values = (None, {}, message or "")
        for name, value in zip((self.code, self.params, self.literal), values):
            setattr(row, name, value)


# --- document status -------------------------------------------------------------------------

STATUS_SUBMITTED = "submitted"
STATUS_PUBLISHED = "published"
STATUS_REJECTED = "rejected"
STATUS_WITHDRAWN = "withdrawn"
STATUS_DELETED = "deleted"
DOCUMENT_STATUSES = (STATUS_SUBMITTED, STATUS_PUBLISHED, STATUS_REJECTED, STATUS_WITHDRAWN, STATUS_DELETED)

ROLE_CONTRIBUTOR = "contributor"
ROLE_EDITOR = "editor"
ROLE_ADMIN = "admin"
ROLES = (ROLE_CONTRIBUTOR, ROLE_EDITOR, ROLE_ADMIN)


# --- vocabularies ----------------------------------------------------------------------------


class VocabularyMixin:
    """Shared shape of the four curated vocabularies: a stable slug and two labels."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    label_de: Mapped[str] = mapped_column(String(200), nullable=False)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Labels, licence URI and theme are part of each document's DCAT-AP.de record, so their last
    # change is part of its dct:modified. Empty for entries not changed since this was recorded.
    updated_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)

    def label(self, locale: str = "de") -> str:
        return self.label_en if locale.startswith("en") else self.label_de

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug}>"


class Topic(VocabularyMixin, db.Model):
    __tablename__ = "topics"
    vocabulary = "topic"

    # The EU data theme (code such as "TRAN") the DCAT-AP.de catalogue gives documents of this
    # topic; admins keep the mapping, a topic without one adds no theme.
    data_theme: Mapped[Optional[str]] = mapped_column(String(10))


class DocumentType(VocabularyMixin, db.Model):
    __tablename__ = "document_types"
    vocabulary = "type"


class SizeClass(VocabularyMixin, db.Model):
    __tablename__ = "size_classes"
    vocabulary = "size_class"

    # Population bounds, lower inclusive and upper exclusive; both empty for classes such as
    # Landkreis that an editor assigns by hand.
    min_population: Mapped[Optional[int]] = mapped_column(Integer)
    max_population: Mapped[Optional[int]] = mapped_column(Integer)


class License(VocabularyMixin, db.Model):
    __tablename__ = "licenses"
    vocabulary = "license"

    url: Mapped[Optional[str]] = mapped_column(String(500))
    attribution_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    notice_de: Mapped[Optional[str]] = mapped_column(Text)
    notice_en: Mapped[Optional[str]] = mapped_column(Text)
    # The licence's URI in the dcat-ap.de licence list, which GovData requires; admins keep it.
    # A document whose licence has none stays out of the DCAT-AP.de catalogue.
    dcat_license: Mapped[Optional[str]] = mapped_column(String(200))


VOCABULARY_MODELS = {
    "topic": Topic,
    "type": DocumentType,
    "size_class": SizeClass,
    "license": License,
}


class SlugAlias(db.Model):
    """An old slug that redirects to the entry it was merged into, so old links keep working."""

    __tablename__ = "slug_aliases"
    __table_args__ = (UniqueConstraint("vocabulary", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), nullable=False)
    slug: Mapped[str] = mapped_column(String(200), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)


# --- places and projects ---------------------------------------------------------------------


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    # Amtlicher Gemeindeschlüssel: Land, Regierungsbezirk, Kreis, Gemeinde (8 digits).
    ags: Mapped[Optional[str]] = mapped_column(String(8))
    # Amtlicher Regionalschlüssel: the same with the Gemeindeverband between Kreis and Gemeinde
    # (12 digits). Only it names the place in the DCAT-AP.de catalogue; a Landkreis has one too.
    ars: Mapped[Optional[str]] = mapped_column(String(12))
    district: Mapped[Optional[str]] = mapped_column(String(200))
    state: Mapped[Optional[str]] = mapped_column(String(100))
    population: Mapped[Optional[int]] = mapped_column(Integer)
    size_class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("size_classes.id"))
    # True when an editor set the class by hand (districts, associations); otherwise it
    # follows the population.
    size_class_manual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Name, keys and size class are part of its documents' DCAT-AP.de records (dct:modified).
    updated_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)

    size_class: Mapped[Optional[SizeClass]] = relationship()

    def __repr__(self) -> str:
        return f"<Municipality {self.name}>"


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("name", "municipality_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipalities.id"))
    year_finished: Mapped[Optional[int]] = mapped_column(Integer)
    description: Mapped[Optional[str]] = mapped_column(Text)
    contact: Mapped[Optional[str]] = mapped_column(String(300))
    link: Mapped[Optional[str]] = mapped_column(String(500))
    # Name, contact and link are part of its documents' DCAT-AP.de records (dct:modified).
    updated_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)

    municipality: Mapped[Optional[Municipality]] = relationship()

    def __repr__(self) -> str:
        return f"<Project {self.name}>"


# --- users -----------------------------------------------------------------------------------


NOTIFY_IMMEDIATE = "immediate"
NOTIFY_DAILY = "daily"
NOTIFY_OFF = "off"
NOTIFY_CHOICES = (NOTIFY_IMMEDIATE, NOTIFY_DAILY, NOTIFY_OFF)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[Optional[str]] = mapped_column(String(200))
    password_hash: Mapped[Optional[str]] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=ROLE_CONTRIBUTOR)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Rotated on deactivation and password change so that open sessions end at once.
    session_token: Mapped[Optional[str]] = mapped_column(String(64))
    api_token_hash: Mapped[Optional[str]] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    # The language mails to this account are written in ("de" or "en"), chosen on /account.
    language: Mapped[str] = mapped_column(String(5), nullable=False, default="de", server_default="de")
    # Editors: new submissions by mail at once, in a daily digest, or not at all (NOTIFY_*).
    notify_submissions: Mapped[str] = mapped_column(String(10), nullable=False, default=NOTIFY_IMMEDIATE,
                                                    server_default=NOTIFY_IMMEDIATE)
    # Submissions up to this time are in a digest already; committed with the digest's mail.
    digest_sent_until: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    # --- Flask-Login (accounts): the loader never hands out an inactive account ---
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        # The session stores id and session token: rotating the token ends every open session.
        return f"{self.id}:{self.session_token or ''}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False)
    used_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)


TOKEN_PASSWORD_RESET = "password_reset"
TOKEN_EMAIL_CHANGE = "email_change"


class AccountToken(db.Model):
    """A single-use link mailed to an account holder: a password reset or an address change.

    Only the SHA-256 of the token is kept, as for invitations; ``new_email`` is the address an
    e-mail change waits to confirm.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    new_email: Mapped[Optional[str]] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False)
    used_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    user: Mapped[User] = relationship()


# --- documents -------------------------------------------------------------------------------

document_topics = Table(
    "document_topics",
    db.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id"), primary_key=True),
)


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text)
    document_type_id: Mapped[Optional[int]] = mapped_column(ForeignKey("document_types.id"))
    project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("projects.id"))
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipalities.id"))
    license_id: Mapped[Optional[int]] = mapped_column(ForeignKey("licenses.id"))
    language: Mapped[str] = mapped_column(String(10), nullable=False, default="de")
    year: Mapped[Optional[int]] = mapped_column(Integer)
    contact: Mapped[Optional[str]] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=STATUS_SUBMITTED, index=True)
    # The status a document had before it went to the trash, so that restore is exact.
    status_before_delete: Mapped[Optional[str]] = mapped_column(String(20))
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    uploader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    download_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    document_type: Mapped[Optional[DocumentType]] = relationship()
    project: Mapped[Optional[Project]] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()
    license: Mapped[Optional[License]] = relationship()
    uploader: Mapped[Optional[User]] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=document_topics, order_by="Topic.position")
    versions: Mapped[list["FileVersion"]] = relationship(
        back_populates="document", order_by="FileVersion.number", cascade="all, delete-orphan"
    )
    pending_change: Mapped[Optional["PendingChange"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", uselist=False
    )

    @property
    def current_version(self) -> Optional["FileVersion"]:
        return self.versions[-1] if self.versions else None

    @property
    def size_class(self) -> Optional[SizeClass]:
        return self.municipality.size_class if self.municipality else None

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.title!r} {self.status}>"


class FileVersion(db.Model):
    __tablename__ = "file_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    original_filename: Mapped[str] = mapped_column(String(255), nullable=False)
    media_type: Mapped[str] = mapped_column(String(200), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    page_count: Mapped[Optional[int]] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    extraction_status: Mapped[str] = mapped_column(String(20), nullable=False)
    extraction_message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    extraction_code: Mapped[Optional[str]] = mapped_column(String(80))
    extraction_params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: What extraction said about the file, as a ``Message`` (or an old row's German text).
    extraction = MessageColumns("extraction_code", "extraction_params", "extraction_message")
    properties: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # True when author, comments and other personal properties were removed before storing.
    metadata_stripped: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # What the stored bytes reveal about people (``metadata_strip.privacy_report``), for the
    # review; None for versions stored before it was kept or without the contribution flow.
    privacy_report: Mapped[Optional[dict]] = mapped_column(JSON)
    uploaded_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    uploader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    document: Mapped[Document] = relationship(back_populates="versions")
    uploader: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<FileVersion {self.document_id}v{self.number} {self.format} {self.extraction_status}>"


class DocumentFollow(db.Model):
    """An account follows a published document: a new public version of it is mailed to them."""

    __tablename__ = "document_follows"
    __table_args__ = (UniqueConstraint("user_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)

    user: Mapped[User] = relationship()
    document: Mapped[Document] = relationship()


class Bookmark(db.Model):
    """A document on an account's "Merkliste", to read later or download with the others as one ZIP."""

    __tablename__ = "bookmarks"
    __table_args__ = (UniqueConstraint("user_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)

    document: Mapped[Document] = relationship()


CHANGE_PENDING = "pending"
CHANGE_REJECTED = "rejected"


class PendingChange(db.Model):
    """A contributor's new metadata and/or new file for a published document, waiting for an editor.

    The public keeps seeing the published metadata and file until an editor accepts: nothing
    here is read by the public pages, the API, downloads, the ZIP or the index. The new file's
    bytes are already in the blob store (content-addressed, never served publicly) and become a
    ``FileVersion`` on acceptance. An accepted change is deleted (the audit log keeps it); a
    rejected one stays with its reason until the contributor submits the next change, so that
    the contributor can read why.
    """

    __tablename__ = "pending_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=CHANGE_PENDING, index=True)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    # The proposed metadata as ``DocumentMetadata`` values (title included), or None when only
    # the file changes. Plain values: no municipality or project is created before acceptance.
    proposed_metadata: Mapped[Optional[dict]] = mapped_column(JSON)
    # The proposed file as the column values of its future ``FileVersion``, or None.
    proposed_file: Mapped[Optional[dict]] = mapped_column(JSON)
    # Kept apart from ``proposed_file`` so that the blob store's users can be found by SQL.
    file_sha256: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    document: Mapped[Document] = relationship(back_populates="pending_change")
    submitted_by: Mapped[Optional[User]] = relationship(foreign_keys=[submitted_by_id])

    @property
    def waiting(self) -> bool:
        return self.status == CHANGE_PENDING

    def __repr__(self) -> str:
        return f"<PendingChange {self.document_id} {self.status}>"


class IndexQueue(db.Model):
    """Outbox of documents whose index entry must be (re)written.

    A row is added in the same transaction as the change it stands for and removed only after
    the index commit, so a crash between the two commits is repaired on the next start.
    """

    __tablename__ = "index_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    queued_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    object_type: Mapped[Optional[str]] = mapped_column(String(40))
    object_id: Mapped[Optional[int]] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    code: Mapped[Optional[str]] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: The entry as a sentence: a ``Message`` (or an old row's German text in ``summary``).
    message = MessageColumns("code", "params", "summary")
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    ip_address: Mapped[Optional[str]] = mapped_column(String(64))

    user: Mapped[Optional[User]] = relationship()


class SynonymGroup(db.Model):
    """Search terms that mean the same (issue 16), curated by editors at ``/admin/synonyms``.

    An ordinary group's terms find each other ("Kita", "Kindertagesstätte"); a one-way group's
    first term also finds the others but not the reverse ("DSFA" → "Datenschutz-
    Folgenabschätzung"). Applied when a query is run, so a change needs no reindex.
    """

    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terms: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    one_way: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Where a seeded group comes from (a citation from the seed file); empty for an editor's own.
    source: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow, onupdate=utcnow)


FEEDBACK_OPEN = "open"
FEEDBACK_ANSWERED = "answered"
FEEDBACK_DONE = "done"
#: open: nobody has written back yet; answered: the sender has an answer (the legal month is
#: kept); done: nothing left to do, e.g. the barrier is fixed or the report needs no answer.
FEEDBACK_STATUSES = (FEEDBACK_OPEN, FEEDBACK_ANSWERED, FEEDBACK_DONE)


class AccessibilityFeedback(db.Model):
    """A barrier reported through the form of the accessibility statement (BITV 2.0 § 7)."""

    __tablename__ = "accessibility_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow, index=True)
    page: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    message: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[Optional[str]] = mapped_column(String(200))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="de")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=FEEDBACK_OPEN,
                                        server_default=FEEDBACK_OPEN, index=True)
    #: when the status was last set, and by whom (None while it is open from the start)
    status_changed_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    handled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    handled_by: Mapped[Optional["User"]] = relationship()


# --- background jobs -------------------------------------------------------------------------

JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_STATES = (JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED)


class Job(db.Model):
    """Work that runs outside the request (OCR, conversions), and the truth about its state.

    The queue library only delivers "run job N"; what a job is, how often it was tried and how
    it ended lives here, in the same database as the documents it changes. So a result and its
    job's "done" are committed together, a message the queue lost is re-sent from this table,
    and the pages can show the state without asking the queue.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    file_version_id: Mapped[Optional[int]] = mapped_column(ForeignKey("file_versions.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=JOB_QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    # How long one attempt may take before `toolbox check` calls the job stuck.
    limit_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=600)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    last_error_code: Mapped[Optional[str]] = mapped_column(String(80))
    last_error_params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: Why the last attempt failed, as a ``Message`` (or an old row's text); empty after success.
    error = MessageColumns("last_error_code", "last_error_params", "last_error")
    # host:pid:start-time of the process running it, so a restarted worker knows a dead one's jobs.
    worker: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    # The last change of state: queued, started, retried, finished.
    changed_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    # What a job needs beyond a document (a password reset request's address); emptied when done.
    params: Mapped[Optional[dict]] = mapped_column(JSON)

    document: Mapped[Optional[Document]] = relationship()

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state} {self.attempts}/{self.max_attempts}>"


class OutboxMail(db.Model):
    """A mail as written, waiting for (or past) its sending by a job of kind "mail".

    The mail is rendered when it is asked for, in the recipient's language, and added in the
    same transaction as the change it reports, so a rolled-back change sends nothing. Its job
    sends it; ``sent_at`` is set in the transaction that marks the job done, so a job that runs
    again after a lost message finds it sent and sends nothing. The Message-ID is fixed here, so
    a mail sent again after a worker died between the server's "250 OK" and the commit carries
    the same ID. The bodies are emptied once sent: they may hold a reset or invitation link.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    language: Mapped[str] = mapped_column(String(5), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    message_id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    # Extra header lines of the mail (an alert digest's List-Unsubscribe), name → value.
    headers: Mapped[Optional[dict]] = mapped_column(JSON)
    job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    job: Mapped[Optional[Job]] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} {self.recipient} sent={self.sent_at is not None}>"


# --- saved searches and alerts ---------------------------------------------------------------

ALERT_DAILY = "daily"
ALERT_WEEKLY = "weekly"
ALERT_FREQUENCIES = (ALERT_DAILY, ALERT_WEEKLY)


class Alert(db.Model):
    """A saved search whose newly published documents are mailed as a daily or weekly digest.

    An account's alert goes to the account's current address in its language; a visitor's alert
    holds the address it was asked for and is only sent once that address confirmed it (double
    opt-in, ``confirmed_at`` is the proof). Of the confirmation link only the SHA-256 is kept;
    the unsubscribe token is kept as it is, because every digest must put it into its
    List-Unsubscribe header, and all it can do is end this one alert.
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[Optional[str]] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(5), nullable=False, default="de")
    #: The search as canonical URL parameters, ``[[name, value], …]`` (no sort or paging).
    params: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    frequency: Mapped[str] = mapped_column(String(10), nullable=False, default=ALERT_DAILY)
    confirm_token_hash: Mapped[Optional[str]] = mapped_column(String(128), unique=True)
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    #: Documents published up to this time have been considered; committed with the digest's mail.
    sent_until: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    last_mail_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    user: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<Alert {self.id} {self.frequency} user={self.user_id} confirmed={self.confirmed_at is not None}>"


class AlertItem(db.Model):
    """A document an alert has mailed, written in the transaction of the digest's outbox mail, so
    that no document is mailed twice by the same alert, whatever run dies where."""

    __tablename__ = "alert_items"
    __table_args__ = (UniqueConstraint("alert_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    outbox_id: Mapped[Optional[int]] = mapped_column(ForeignKey("mail_outbox.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)


# --- reuse and usage (issue 14, section 6) ----------------------------------------------------

REUSE_PENDING = "pending"
REUSE_APPROVED = "approved"
REUSE_REJECTED = "rejected"
REUSE_STATUSES = (REUSE_PENDING, REUSE_APPROVED, REUSE_REJECTED)


class ReuseReport(db.Model):
    """"Wir nutzen das nach": someone says a municipality reuses a document; public once approved.

    Anyone may send one, without an account. The municipality is linked when the name is one the
    toolbox knows; otherwise the typed name waits in ``municipality_name`` until an editor
    approves it (and the municipality is created then). ``contact_email`` is for the editors'
    questions only, never shown publicly, and emptied when the report is rejected.
    """

    __tablename__ = "reuse_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipalities.id", ondelete="SET NULL"))
    municipality_name: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=REUSE_PENDING, index=True)
    received_at: Mapped[datetime] = mapped_column(TZDateTime, nullable=False, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    document: Mapped[Document] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()
    decided_by: Mapped[Optional[User]] = relationship()

    @property
    def municipality_label(self) -> str:
        """The name to show: the linked municipality's current one (an editor may have renamed or
        merged it since), else the name as typed."""
        return self.municipality.name if self.municipality is not None else self.municipality_name

    def __repr__(self) -> str:
        return f"<ReuseReport {self.id} {self.document_id} {self.municipality_name!r} {self.status}>"


class DocumentUsageDay(db.Model):
    """How often a document was viewed and downloaded on one day: counts only, nothing about who.

    One row per document and day, raised by a single upsert per request, so that counting costs
    one statement and the table grows by at most one row per document a day.
    """

    __tablename__ = "document_usage_days"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    downloads: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    zip_downloads: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<DocumentUsageDay {self.document_id} {self.day} {self.views}/{self.downloads}/{self.zip_downloads}>"
