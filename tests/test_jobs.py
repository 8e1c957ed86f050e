"""Background jobs on Huey: the real consumer on SQLite and on Redis, retries, recovery, the pages.

The job kind every test uses is the real one, text recognition of a scan; tests that let it run
skip with a message where Tesseract or Ghostscript are missing.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from toolbox.extensions import db
from toolbox.message_render import render
from toolbox.models import AuditEntry, FileVersion, Job, utcnow

from conftest import _port_open, german, make_user
from job_helpers import job_of, requires_ocr, running_consumer, wait_for_jobs, write_scan

SCAN_TEXT = [
    "Beschluss über die Einführung eines Bürgerportals in der Gemeinde Hünfeld.",
    "Die Gemeindevertretung beauftragt den Gemeindevorstand mit der Ausschreibung.",
]


def _ingest_scan(app, tmp_path, name="beschluss.png", fmt="png", pages=1, **kwargs):
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    path = write_scan(tmp_path / name, SCAN_TEXT, fmt=fmt, pages=pages, seed=name)
    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title=kwargs.get("title", "Gescannter Beschluss")),
                              filename=name, publish=True)
    assert outcome.status == "ingested", outcome.message
    return outcome.document_id, path


def _search_ids(app, query: str) -> list[int]:
    from toolbox import search
    from toolbox.search import SearchQuery

    with app.app_context():
        return [hit.document_id for hit in search.search(SearchQuery(q=query)).hits]


def _queue_config(app_config, tmp_path, queue_url=None):
    config = {**app_config, "JOB_RETRY_SECONDS": 0.2}
    if queue_url:
        config["QUEUE_URL"] = queue_url
        config["QUEUE_NAME"] = f"test-{uuid.uuid4().hex}"
    return config


@pytest.fixture
def redis_queue():
    if not _port_open(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379; the Redis queue tests are skipped")
    return "redis://127.0.0.1:6379/15"


def _scan_becomes_searchable(app, client, tmp_path):
    """Upload answers at once with the job queued; the real consumer recognises the text; the
    original stays byte for byte; the search finds the scan by a word only its pixels hold."""
    started = time.monotonic()
    document_id, path = _ingest_scan(app, tmp_path)
    assert time.monotonic() - started < 10  # no OCR in the upload itself
    with app.app_context():
        job = db.session.scalar(db.select(Job).where(Job.kind == "ocr"))
        assert (job.kind, job.state, job.document_id) == ("ocr", "queued", document_id)
    assert _search_ids(app, "Bürgerportals") == []
    assert "Texterkennung wartet auf den Start" in client.get(f"/documents/{document_id}").get_data(as_text=True)

    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "ocr")
    assert (job.state, job.attempts, job.last_error) == ("done", 1, "")
    assert _search_ids(app, "Bürgerportals") == [document_id]
    assert _search_ids(app, "Gemeindevorstand") == [document_id]
    with app.app_context():
        version = db.session.scalar(db.select(FileVersion).where(FileVersion.document_id == document_id))
        assert version.extraction_status == "ok"
        assert render(version.extraction) == "Text durch Texterkennung (OCR) gewonnen (1 Seite)."
        stored = Path(app.config["TOOLBOX_DOCUMENTS_DIR"]) / version.sha256[:2] / version.sha256[2:4] / version.sha256
        assert stored.read_bytes() == path.read_bytes()
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == version.sha256
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Texterkennung" in page and "wartet" not in page
    with client.get(f"/documents/{document_id}/searchable") as download:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
        assert download.data != path.read_bytes()


@requires_ocr
def test_a_scan_becomes_searchable_through_the_sqlite_queue(app_config, tmp_path, monkeypatch):
    from toolbox import create_app

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app(_queue_config(app_config, tmp_path))
    assert (tmp_path / "instance").is_dir()
    _scan_becomes_searchable(app, app.test_client(), tmp_path)
    assert (tmp_path / "instance" / "queue.sqlite3").is_file()  # the default queue needs no server


@requires_ocr
@pytest.mark.redis
def test_a_scan_becomes_searchable_through_the_redis_queue(app_config, tmp_path, monkeypatch, redis_queue):
    from toolbox import create_app

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app(_queue_config(app_config, tmp_path, redis_queue))
    _scan_becomes_searchable(app, app.test_client(), tmp_path)
    assert not (tmp_path / "instance" / "queue.sqlite3").exists()


@requires_ocr
def test_a_message_delivered_twice_runs_the_job_once(app, tmp_path):
    """Huey may deliver a message again (a re-send at a worker's start, two workers): the claim in
    our table lets the work run once."""
    from toolbox.jobs import send

    _ingest_scan(app, tmp_path)
    with app.app_context():
        job_id = db.session.scalar(db.select(Job.id).where(Job.kind == "ocr"))
    assert send(app, job_id) and send(app, job_id)
    with running_consumer(app, threads=2):
        job = job_of(wait_for_jobs(app), "ocr")
        time.sleep(3)  # the duplicate messages are consumed too
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.state, job.attempts) == ("done", 1)


@requires_ocr
def test_a_job_that_keeps_failing_stops_after_its_attempts_visibly_and_writes_nothing(app_config, tmp_path,
                                                                                   monkeypatch):
    """The folder for derived files cannot be made (a file is in the way): every attempt fails;
    after three the job is failed, the document says so, the audit log has it, and no text, index
    entry or derived file was written."""
    from toolbox import create_app

    blocked = tmp_path / "derived-blocked"
    blocked.write_text("kein Ordner")
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app({**_queue_config(app_config, tmp_path), "DERIVED_DIR": str(blocked)})
    document_id, _path = _ingest_scan(app, tmp_path)
    with running_consumer(app):
        job = job_of(wait_for_jobs(app, states=("failed",)), "ocr")
    assert (job.state, job.attempts, job.max_attempts) == ("failed", 3, 3)
    assert "NotADirectoryError" in job.last_error or "FileExistsError" in job.last_error
    with app.app_context():
        version = db.session.scalar(db.select(FileVersion).where(FileVersion.document_id == document_id))
        assert (version.extraction_status, version.text) == ("empty", "")
        assert "ocr" not in version.properties
        audits = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "job.failed"))
        (audit,) = [entry for entry in audits if entry.details["kind"] == "ocr"]
        assert audit.object_id == document_id and audit.details["attempts"] == 3
        assert german(audit.message) == f"Texterkennung fehlgeschlagen nach 3 Versuchen: Dokument {document_id}"
    assert _search_ids(app, "Bürgerportals") == []
    assert blocked.read_text() == "kein Ordner"
    page = app.test_client().get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Texterkennung fehlgeschlagen nach 3 Versuchen: OSError" in page or \
        "Texterkennung fehlgeschlagen nach 3 Versuchen: NotADirectoryError" in page


def test_check_reports_a_stuck_job_and_repair_queues_it_again(app, runner, make_doc):
    """A job running (or waiting) longer than its limit is reported by `toolbox check`;
    `--repair` queues it again with a fresh age and sends it."""
    from toolbox.services.jobs import job_create

    document_id = make_doc(title="Irgendein Dokument")
    with app.app_context():
        job = job_create("ocr", document_id=document_id, limit_seconds=60)
        job.state, job.attempts, job.worker = "running", 1, "anderer-rechner:4242:1"
        job.changed_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        job_id = job.id
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1, result.output
    assert "Hängende Aufträge: 1" in result.output and f"Auftrag {job_id} (ocr, Dokument {document_id}): läuft" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert "Hängende Aufträge: 1 (erneut eingereiht)" in repaired.output, repaired.output
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == "queued" and (utcnow() - job.changed_at).total_seconds() < 60
    again = runner.invoke(args=["check"])
    assert "Hängende Aufträge: 0" in again.output and again.exit_code == 0, again.output


def test_the_queue_page_shows_state_attempts_error_and_age_to_editors_only(app, client, auth, make_doc):
    from toolbox.services.jobs import job_create

    document_id = make_doc(title="Scan der Satzung")
    with app.app_context():
        job = job_create("ocr", document_id=document_id)
        job.state, job.attempts, job.last_error = "failed", 3, "OSError: Datenträger voll"
        job.created_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    make_user(app, "redaktion@example.org", role="editor")
    make_user(app, "beitrag@example.org", role="contributor")
    auth.login("beitrag@example.org")
    assert client.get("/admin/jobs").status_code == 403
    auth.logout()
    auth.login("redaktion@example.org")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Scan der Satzung" in page and "fehlgeschlagen" in page and "3 / 3" in page
    assert "OSError: Datenträger voll" in page and "5 Minuten" in page


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _start_worker(app_config, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "TOOLBOX_SECRET_KEY": "test-secret-key",
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"],
        "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
        "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"],
        "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "TOOLBOX_WORKER_THREADS": "1",
    }
    with open(tmp_path / "worker.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-c", "from toolbox.cli import main; main()", "worker"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_state(app, job_id: int, state: str, timeout: float = 120.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge_all()
        if job.state == state:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not {state} after {timeout} s")


@requires_ocr
@pytest.mark.slow
def test_a_worker_killed_with_sigkill_mid_job_runs_it_again_after_restart(app_config, tmp_path, monkeypatch):
    """`toolbox worker` is killed with SIGKILL while it recognises a four-page TIFF. The job stays
    "running" with nothing written; the next worker start queues it again, it runs to the end
    once, and no temporary file of the killed run is left."""
    from toolbox import create_app

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app(app_config)
    document_id, _path = _ingest_scan(app, tmp_path, name="akte.tiff", fmt="tiff", pages=4)
    with app.app_context():
        job_id = db.session.scalar(db.select(Job.id).where(Job.kind == "ocr"))

    worker = _start_worker(app_config, tmp_path)
    try:
        _wait_for_state(app, job_id, "running")
        time.sleep(1.0)  # OCR under way in the sandboxed child
        orphans = _children(worker.pid)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
    with app.app_context():
        job = db.session.get(Job, job_id)
        version = db.session.scalar(db.select(FileVersion).where(FileVersion.document_id == document_id))
        assert (job.state, job.attempts, version.text, version.extraction_status) == ("running", 1, "", "empty")
    # The orphaned child runs on until its limits end it, as it would on a server.
    deadline = time.monotonic() + 120
    while any(Path(f"/proc/{pid}").exists() for pid in orphans) and time.monotonic() < deadline:
        time.sleep(0.2)

    worker = _start_worker(app_config, tmp_path)
    try:
        job = _wait_for_state(app, job_id, "done", timeout=180)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=60)
    assert (job.attempts, job.last_error) == (2, "")
    assert _search_ids(app, "Gemeindevorstand") == [document_id]
    derived = tmp_path / "derived"
    assert list((derived / "tmp").iterdir()) == []
    assert [p.name.split(".", 1)[1] for p in derived.glob("*/*.pdf")] == ["ocr.pdf"]
    with app.app_context():
        version = db.session.scalar(db.select(FileVersion).where(FileVersion.document_id == document_id))
        assert render(version.extraction) == "Text durch Texterkennung (OCR) gewonnen (4 Seiten)."
