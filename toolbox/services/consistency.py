"""The full consistency check behind ``toolbox check``: database, blob store and search index.

The database is the truth. Every file version must find its bytes in the blob store under its
SHA-256; the blob store holds nothing else for long (a stray blob is the leftover of an upload
that died between storing the file and the database commit); the index matches the database.

``--repair`` fixes only what can be fixed without losing anything: it removes temporary files
of dead writers, moves stray and damaged blobs into ``quarantine/`` (never deletes them),
deletes derived files (previews, recognised text) whose original no version holds any more,
applies the index queue and rewrites drifted index entries. Bytes that are gone cannot be made
again: such a version is marked (extraction status ``file_missing`` / ``file_corrupt`` with a
message), so editors see it on the dashboard; the document itself is never deleted, and the
mark is lifted again by a later repair once the bytes are back (restored from a backup).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from sqlalchemy import select

from .. import search
from ..extensions import db
from ..message import Message, stored_message
from ..models import DOCUMENT_STATUSES, STATUS_PUBLISHED, Document, FileVersion, IndexQueue, PendingChange, utcnow
from ..derived import derived_store
from ..storage import BlobBackend, blob_store
from . import indexing
from .audit import audit_record
from .pending_changes import blob_in_use

Progress = Callable[[int, int], None]

TEMP_LEFTOVER = "temp_leftover"
BLOB_MISSING = "blob_missing"
BLOB_CORRUPT = "blob_corrupt"
BLOB_STRAY = "blob_stray"
DERIVED_ORPHANED = "derived_orphaned"
DOCUMENT_WITHOUT_VERSION = "document_without_version"
DOCUMENT_BAD_STATUS = "document_bad_status"
QUEUE_PENDING = "queue_pending"
INDEX_MISSING = "index_missing"
INDEX_STALE = "index_stale"
INDEX_ORPHANED = "index_orphaned"

#: German labels for the report, in the order it lists the kinds.
KIND_LABELS = {
    TEMP_LEFTOVER: "Reste abgebrochener Schreibvorgänge",
    BLOB_MISSING: "Datei fehlt im Speicher",
    BLOB_CORRUPT: "Datei beschädigt (Prüfsumme oder Größe falsch)",
    BLOB_STRAY: "Datei ohne Datenbankeintrag",
    DERIVED_ORPHANED: "Abgeleitete Datei ohne Original (Vorschau, Texterkennung, PDF-Fassung)",
    DOCUMENT_WITHOUT_VERSION: "Dokument ohne Datei",
    DOCUMENT_BAD_STATUS: "Dokument mit ungültigem Status",
    QUEUE_PENDING: "Offene Index-Aufträge",
    INDEX_MISSING: "Im Suchindex fehlend",
    INDEX_STALE: "Im Suchindex veraltet",
    INDEX_ORPHANED: "Im Suchindex verwaist",
}

#: Extraction statuses that mark a version whose bytes are lost; the dashboard lists them.
MARK_MISSING = "file_missing"
MARK_CORRUPT = "file_corrupt"
_MARKS = {BLOB_MISSING: MARK_MISSING, BLOB_CORRUPT: MARK_CORRUPT}
#: Message codes written over the extraction message of a version whose file is gone or damaged.
_MARK_MESSAGES = {MARK_MISSING: "check.file_missing", MARK_CORRUPT: "check.file_corrupt"}
#: Key in ``FileVersion.properties`` that keeps the extraction result a mark replaced.
_MARK_KEY = "before_file_mark"

#: A stray blob younger than this may belong to an upload whose extraction is still running.
STRAY_GRACE_SECONDS = 3600.0
#: A queue row younger than this is being applied by the process that wrote it.
QUEUE_GRACE_SECONDS = 60.0


@dataclass
class Finding:
    kind: str
    subject: str
    repaired: bool = False
    note: str = ""


@dataclass
class ConsistencyReport:
    findings: list[Finding] = field(default_factory=list)
    #: Facts that are no problem (yet), e.g. files of uploads that may still be running.
    notes: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> list[Finding]:
        return [f for f in self.findings if not f.repaired]

    @property
    def ok(self) -> bool:
        return not self.remaining

    def counts(self) -> list[tuple[str, int, int]]:
        """``(kind, found, repaired)`` for every kind, in report order."""
        found = Counter(f.kind for f in self.findings)
        repaired = Counter(f.kind for f in self.findings if f.repaired)
        return [(kind, found[kind], repaired[kind]) for kind in KIND_LABELS]


def consistency_check(*, repair: bool = False, progress: Progress | None = None,
                      stray_grace_seconds: float = STRAY_GRACE_SECONDS) -> ConsistencyReport:
    """Check database, blob store and index against each other; with ``repair`` fix what is safe.

    ``progress(done, total)`` follows the hashing of the stored files, the long part.
    """
    report = ConsistencyReport()
    store = blob_store()
    _check_temporary(store, report, repair)
    _check_versions(store, report, repair, progress)
    _check_stray(store, report, repair, stray_grace_seconds)
    _check_derived(report, repair, stray_grace_seconds)
    _check_documents(report)
    _check_queue(report, repair)
    _check_index(report, repair)
    return report


# --- blob store ------------------------------------------------------------------------------


def _check_temporary(store: BlobBackend, report: ConsistencyReport, repair: bool) -> None:
    abandoned = store.abandoned_temporary_files()
    for leftover in abandoned:
        finding = Finding(TEMP_LEFTOVER, str(leftover))
        if repair:
            store.remove_temporary(leftover)
            finding.repaired = True
        report.findings.append(finding)
    running = len(store.temporary_files()) - len(abandoned)
    if running > 0:
        report.notes.append(f"Laufende Schreibvorgänge: {running} (nicht geprüft)")


@dataclass(frozen=True)
class _Version:
    id: int
    document_id: int
    number: int
    sha256: str
    size: int
    extraction_status: str
    title: str

    def subject(self) -> str:
        return f"Dokument {self.document_id} „{self.title}“, Version {self.number} ({self.sha256[:12]}…)"


def _check_versions(store: BlobBackend, report: ConsistencyReport, repair: bool, progress: Progress | None) -> None:
    rows = db.session.execute(
        select(FileVersion.id, FileVersion.document_id, FileVersion.number, FileVersion.sha256, FileVersion.size,
               FileVersion.extraction_status, Document.title)
        .join(Document, Document.id == FileVersion.document_id)
        .order_by(FileVersion.document_id, FileVersion.number)
    ).all()
    db.session.rollback()
    versions = [_Version(*row) for row in rows]
    by_sha: dict[str, list[_Version]] = {}
    for version in versions:
        by_sha.setdefault(version.sha256, []).append(version)
    total = len(by_sha)
    if progress:
        progress(0, total)
    damaged: dict[str, str] = {}
    for done, (sha256, holders) in enumerate(by_sha.items(), start=1):
        state = _blob_state(store, sha256, {v.size for v in holders})
        if state is not None:
            damaged[sha256] = state
        elif repair:
            _lift_marks(holders)
        if progress:
            progress(done, total)
    if not damaged:
        return
    # A purge may have removed a version and its file while this check ran: only versions that
    # still exist count.
    still_there = set(db.session.scalars(select(FileVersion.id).where(FileVersion.sha256.in_(list(damaged)))))
    db.session.rollback()
    for sha256, kind in damaged.items():
        holders = [v for v in by_sha[sha256] if v.id in still_there]
        if not holders:
            continue
        if repair and kind == BLOB_CORRUPT and store.exists(sha256):
            # Wrong bytes under a valid name would be served to downloaders.
            store.quarantine(sha256, "corrupt")
        for version in holders:
            marked = version.extraction_status in _MARKS.values()
            note = "markiert" if marked else ""
            if repair and not marked:
                _mark(version, kind)
                note = "jetzt markiert; die Datei muss neu hochgeladen oder wiederhergestellt werden"
            # The lost bytes stay a problem until someone brings them back.
            report.findings.append(Finding(kind, version.subject(), note=note))


def _blob_state(store: BlobBackend, sha256: str, sizes: set[int]) -> str | None:
    """None when the blob is intact, else BLOB_MISSING or BLOB_CORRUPT."""
    try:
        stat = store.stat(sha256)
    except ValueError:
        return BLOB_MISSING
    if stat is None:
        return BLOB_MISSING
    if stat.size not in sizes or not store.verify(sha256):
        return BLOB_CORRUPT
    return None


def _mark(version: _Version, kind: str) -> None:
    row = db.session.get(FileVersion, version.id)
    if row is None:
        return
    mark = _MARKS[kind]
    properties = dict(row.properties or {})
    properties.setdefault(_MARK_KEY, {"status": row.extraction_status, "message": row.extraction_message,
                                      "code": row.extraction_code, "params": row.extraction_params})
    row.properties = properties
    row.extraction_status = mark
    row.extraction = Message(_MARK_MESSAGES[mark], {"sha": version.sha256})
    indexing.queue_document(version.document_id)
    audit_record(f"check.{mark}", object_type="document", object_id=version.document_id,
                 summary=Message(f"audit.check.{mark}", {"number": version.number}),
                 details={"version": version.number, "sha256": version.sha256})
    db.session.commit()


def _lift_marks(holders: list[_Version]) -> None:
    """Give back the extraction result of versions whose bytes are intact again."""
    changed = False
    for version in holders:
        if version.extraction_status not in _MARKS.values():
            continue
        row = db.session.get(FileVersion, version.id)
        before = dict((row.properties or {}).get(_MARK_KEY) or {})
        properties = {k: v for k, v in (row.properties or {}).items() if k != _MARK_KEY}
        row.properties = properties
        row.extraction_status = before.get("status") or "ok"
        row.extraction = stored_message(before.get("code"), before.get("params"), before.get("message"))
        indexing.queue_document(version.document_id)
        audit_record("check.file_restored", object_type="document", object_id=version.document_id,
                     summary=Message("audit.check.file_restored", {"number": version.number}),
                     details={"version": version.number, "sha256": version.sha256})
        changed = True
    if changed:
        db.session.commit()


def _check_stray(store: BlobBackend, report: ConsistencyReport, repair: bool, grace_seconds: float) -> None:
    # A new file waiting for an editor is no stray: it becomes a version when accepted.
    known = _known_originals()
    cutoff = time.time() - grace_seconds
    recent = 0
    for blob in store.list_blobs():
        sha256 = blob.sha256
        if sha256 in known:
            continue
        if blob.modified >= cutoff:
            recent += 1
            continue
        # The database may have got its version (or waiting change) since the listing above.
        if blob_in_use(sha256):
            db.session.rollback()
            continue
        finding = Finding(BLOB_STRAY, blob.location)
        if repair:
            try:
                finding.note = f"in Quarantäne: {store.quarantine(sha256, 'stray')}"
                finding.repaired = True
            except FileNotFoundError:
                finding.repaired = True
        report.findings.append(finding)
    if recent:
        minutes = round(grace_seconds / 60)
        report.notes.append(f"Neue Dateien ohne Datenbankeintrag (jünger als {minutes} min, "
                            f"vermutlich laufende Uploads): {recent}")


def _check_derived(report: ConsistencyReport, repair: bool, grace_seconds: float) -> None:
    """Derived files (thumbnails, recognised text, PDF versions) whose original no version and no
    waiting change holds any more: leftovers of a purge that died halfway. They are made from an
    original that is gone, so ``--repair`` deletes them; a young one may belong to an upload
    still on its way, as with stray blobs."""
    known = _known_originals()
    store = derived_store()
    cutoff = time.time() - grace_seconds
    for info in store.list_files():
        if info.sha256 in known or info.modified >= cutoff:
            continue
        if blob_in_use(info.sha256):
            db.session.rollback()
            continue
        finding = Finding(DERIVED_ORPHANED, info.location)
        if repair:
            store.delete(info.sha256, info.kind)
            finding.repaired = True
            finding.note = "gelöscht"
        report.findings.append(finding)


def _known_originals() -> set[str]:
    """The SHA-256 of every version's file and of every file waiting for an editor."""
    known = set(db.session.scalars(select(FileVersion.sha256).distinct()))
    known |= set(db.session.scalars(select(PendingChange.file_sha256).where(PendingChange.file_sha256.is_not(None))))
    db.session.rollback()
    return known


# --- database --------------------------------------------------------------------------------


def _check_documents(report: ConsistencyReport) -> None:
    without = db.session.execute(
        select(Document.id, Document.title)
        .where(~select(FileVersion.id).where(FileVersion.document_id == Document.id).exists())
        .order_by(Document.id)
    ).all()
    for document_id, title in without:
        report.findings.append(Finding(DOCUMENT_WITHOUT_VERSION, f"Dokument {document_id} „{title}“"))
    bad = db.session.execute(
        select(Document.id, Document.title, Document.status, Document.published_at)
        .order_by(Document.id)
    ).all()
    db.session.rollback()
    for document_id, title, status, published_at in bad:
        reason = None
        if status not in DOCUMENT_STATUSES:
            reason = f"unbekannter Status {status!r}"
        elif status == STATUS_PUBLISHED and published_at is None:
            reason = "veröffentlicht ohne Veröffentlichungsdatum"
        if reason:
            report.findings.append(Finding(DOCUMENT_BAD_STATUS, f"Dokument {document_id} „{title}“: {reason}"))


# --- search index ----------------------------------------------------------------------------


def _check_queue(report: ConsistencyReport, repair: bool) -> None:
    cutoff = utcnow() - timedelta(seconds=QUEUE_GRACE_SECONDS)

    def waiting() -> list[int]:
        ids = list(db.session.scalars(
            select(IndexQueue.document_id).where(IndexQueue.queued_at < cutoff).order_by(IndexQueue.id)))
        db.session.rollback()
        return list(dict.fromkeys(ids))

    pending = waiting()
    left = set(pending)
    if repair:
        # Young rows too: the marks set above are queued, and the index check below should
        # see them applied rather than report them as drift.
        indexing.flush_index_queue()
        left = set(waiting())
    for document_id in pending:
        report.findings.append(Finding(QUEUE_PENDING, f"Dokument {document_id}", repaired=document_id not in left))


def _check_index(report: ConsistencyReport, repair: bool) -> None:
    drift = search.check_index(repair=repair)
    for kind, ids in ((INDEX_MISSING, drift.missing), (INDEX_STALE, drift.stale), (INDEX_ORPHANED, drift.orphaned)):
        for document_id in ids:
            note = "Index neu aufgebaut" if drift.rebuilt else ""
            report.findings.append(Finding(kind, f"Dokument {document_id}", repaired=drift.repaired, note=note))
