"""``toolbox check``: database, stored files and search index agree, and ``--repair`` is safe."""
from __future__ import annotations

import fcntl
import io
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, select, update

from toolbox import search
from toolbox.extensions import db
from toolbox.models import AuditEntry, Document, FileVersion, IndexQueue
from toolbox.search import SearchQuery
from toolbox.services.consistency import consistency_check
from toolbox.services.dashboard import extraction_failures
from toolbox.storage import BlobStore

from conftest import german


def _store(app) -> BlobStore:
    return BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"])


def _sha(app, document_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(FileVersion.sha256).where(FileVersion.document_id == document_id))


def _version(app, document_id: int) -> FileVersion:
    with app.app_context():
        version = db.session.scalar(select(FileVersion).where(FileVersion.document_id == document_id))
        db.session.expunge(version)
        return version


def _backdate(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_healthy_repository_has_no_problems(app, runner, make_doc):
    """Files, database and index of freshly ingested documents agree: exit 0, every count 0."""
    for n in range(3):
        make_doc(title=f"Gesund {n}", text=f"Wärmeplanung Ortsteil {n}")
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "Datei fehlt im Speicher: 0" in result.output
    assert "Im Suchindex veraltet: 0" in result.output
    assert "Keine Probleme gefunden" in result.output


def test_a_missing_file_is_marked_for_editors_and_never_deleted(app, runner, make_doc):
    """A version whose bytes are gone is reported, marked with a reason editors see on the
    dashboard and in the audit log, and stays a problem (exit 1) until the bytes are back."""
    keep = make_doc(title="Bleibt", text="Unversehrt")
    lost = make_doc(title="Verloren", text="Glasfaserausbau im Landkreis")
    sha = _sha(app, lost)
    blob = _store(app).path_for(sha)
    saved = blob.read_bytes()
    blob.unlink()

    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "Datei fehlt im Speicher: 1" in result.output
    assert f"Dokument {lost} „Verloren“, Version 1" in result.output
    assert "toolbox check --repair" in result.output
    assert _version(app, lost).extraction_status != "file_missing"  # a plain check changes nothing

    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 1, "lost bytes cannot be repaired"
    assert "jetzt markiert" in result.output
    assert "Verbleibende Probleme: 1" in result.output  # the mark itself is applied to the index at once
    version = _version(app, lost)
    assert version.extraction_status == "file_missing"
    assert sha in german(version.extraction) and "Sicherung" in german(version.extraction)
    with app.app_context():
        assert db.session.get(Document, lost) is not None
        assert [f.document_id for f in extraction_failures()] == [lost]
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == lost)).all()
        assert "check.file_missing" in actions
        assert search.check_index().ok  # the mark is in the index too

    # A second repair neither marks again nor writes another audit entry.
    assert runner.invoke(args=["check", "--repair"]).exit_code == 1
    with app.app_context():
        marks = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "check.file_missing")).all()
        assert len(marks) == 1

    # The bytes come back from a backup: the repair lifts the mark and all is well again.
    blob.write_bytes(saved)
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    version = _version(app, lost)
    assert version.extraction_status == "ok"
    assert "before_file_mark" not in version.properties
    assert runner.invoke(args=["check"]).exit_code == 0
    assert _version(app, keep).extraction_status == "ok"


def test_corrupt_bytes_are_moved_to_quarantine_and_the_version_marked(app, make_doc):
    """Bytes that no longer hash to their name are never served again: the repair moves them to
    quarantine/corrupt (kept for inspection) and marks the version."""
    document_id = make_doc(title="Beschädigt", text="Radverkehrskonzept")
    sha = _sha(app, document_id)
    store = _store(app)
    store.path_for(sha).write_bytes(b"Bitfehler")
    with app.app_context():
        report = consistency_check()
        assert [(f.kind, f.repaired) for f in report.findings] == [("blob_corrupt", False)]
        report = consistency_check(repair=True)
        assert [f.kind for f in report.remaining] == ["blob_corrupt"]
    assert not store.path_for(sha).exists()
    assert (store.root / "quarantine" / "corrupt" / sha).read_bytes() == b"Bitfehler"
    assert _version(app, document_id).extraction_status == "file_corrupt"


def test_stray_blobs_are_quarantined_only_when_old_enough(app, runner, make_doc):
    """A file without a database row is quarantined (not deleted) once it is older than an upload
    can take; a young one may belong to a running upload and is only mentioned."""
    make_doc(title="Normal", text="Bürgerhaushalt")
    store = _store(app)
    old = store.put_stream(io.BytesIO(b"Rest eines abgebrochenen Uploads"))
    young = store.put_stream(io.BytesIO(b"Upload, dessen Textauszug noch laeuft"))
    _backdate(old.path, 2 * 3600)

    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "Datei ohne Datenbankeintrag: 1" in result.output
    assert old.sha256 in result.output and young.sha256 not in result.output
    assert "vermutlich laufende Uploads): 1" in result.output

    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    assert (store.root / "quarantine" / "stray" / old.sha256).read_bytes() == b"Rest eines abgebrochenen Uploads"
    assert not old.path.exists()
    assert young.path.exists()


def test_temporary_files_of_dead_writers_go_and_running_ones_stay(app, runner):
    """A temporary file nobody holds is the leftover of a killed write; one whose writer still
    holds its lock is neither reported nor touched."""
    store = _store(app)
    tmp = store.root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    dead = tmp / "upload-dead"
    dead.write_bytes(b"halb geschrieben")
    running = tmp / "upload-running"
    running.write_bytes(b"wird noch geschrieben")
    with running.open("rb") as writing:
        fcntl.flock(writing.fileno(), fcntl.LOCK_EX)
        result = runner.invoke(args=["check"])
        assert result.exit_code == 1
        assert "Reste abgebrochener Schreibvorgänge: 1" in result.output
        assert "upload-dead" in result.output and "upload-running" not in result.output
        assert "Laufende Schreibvorgänge: 1" in result.output
        result = runner.invoke(args=["check", "--repair"])
        assert result.exit_code == 0, result.output
    assert not dead.exists()
    assert running.exists()


def test_index_drift_and_forgotten_queue_entries_are_repaired(app, runner, make_doc):
    """Stale, missing and orphaned index entries and queue rows a crash left are reported per
    document and fixed by --repair, after which search finds the current state."""
    stale, queued, gone = (make_doc(title=f"Index {n}", text=f"Lärmaktionsplan {n}") for n in range(3))
    with app.app_context():
        db.session.execute(update(Document).where(Document.id == stale).values(title="Heimlich geändert"))
        db.session.execute(update(Document).where(Document.id == queued).values(title="Wartet auf den Index"))
        db.session.add(IndexQueue(document_id=queued, queued_at=datetime.now(timezone.utc) - timedelta(minutes=10)))
        db.session.execute(delete(Document).where(Document.id == gone))
        db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "Offene Index-Aufträge: 1" in result.output
    assert "Im Suchindex veraltet: 2" in result.output
    assert "Im Suchindex verwaist: 1" in result.output

    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "Offene Index-Aufträge: 1 (behoben: 1)" in result.output
    with app.app_context():
        assert db.session.scalar(select(IndexQueue.id)) is None
        assert [hit.document_id for hit in search.search(SearchQuery(q="Heimlich")).hits] == [stale]
        assert [hit.document_id for hit in search.search(SearchQuery(q="Index")).hits] == [queued]
    assert runner.invoke(args=["check"]).exit_code == 0


def test_a_document_without_a_file_is_reported_and_kept(app, runner, make_doc):
    """Database invariants are checked too; what only a person can decide stays a problem."""
    document_id = make_doc(title="Ohne Datei", text="Leer")
    with app.app_context():
        db.session.execute(delete(FileVersion).where(FileVersion.document_id == document_id))
        db.session.commit()
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 1
    assert "Dokument ohne Datei: 1" in result.output
    assert f"Dokument {document_id} „Ohne Datei“" in result.output
    with app.app_context():
        assert db.session.get(Document, document_id) is not None


def test_check_and_repair_on_postgresql(pg_app):
    """The check's queries and repairs work on PostgreSQL as on SQLite."""
    from conftest import make_document

    document = make_document(pg_app, title="Auf PostgreSQL", text="Parkraummanagement")
    with pg_app.app_context():
        assert consistency_check().ok
        sha = db.session.scalar(select(FileVersion.sha256).where(FileVersion.document_id == document.id))
        _store(pg_app).path_for(sha).unlink()
        report = consistency_check(repair=True)
        assert [(f.kind, f.note.startswith("jetzt markiert")) for f in report.findings] == [("blob_missing", True)]
        assert db.session.scalar(select(FileVersion.extraction_status)) == "file_missing"
        assert search.check_index().ok
