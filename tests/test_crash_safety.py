"""Crash safety: ``kill -9`` during an upload, an extraction or an index commit loses nothing.

A real child process (tests/crash_driver.py) ingests one file completely, then a second one,
and kills itself with SIGKILL at a chosen point. The restart is the real ``toolbox check``
command, whose start-up runs the migrations and the start-up repair. Afterwards no
half-written file is visible, every database row finds its intact file, the index matches the
database, the check finds no problem and the document ingested before the crash is intact.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from toolbox import create_app, search
from toolbox.extensions import db
from toolbox.models import Document, FileVersion, IndexQueue
from toolbox.search import SearchQuery
from toolbox.services.database import prepare_database
from toolbox.services.startup import repair_on_start
from toolbox.storage import BlobStore

DRIVER = Path(__file__).with_name("crash_driver.py")
TOOLBOX = Path(sys.executable).parent / "toolbox"

BEFORE_TEXT = "Vorher gespeichert: Leitfaden Straßenbeleuchtung mit LoRaWAN-Sensoren.\n"
CRASH_TEXT = "Beim Absturz: Konzept Quartierswärme Nahwärmenetz Bürgerenergie.\n"
CRASH_SHA = hashlib.sha256(CRASH_TEXT.encode()).hexdigest()

#: Crash point → whether the crashed document's database commit was done before the kill.
COMMITTED = {
    "temp_written": False,
    "blob_stored": False,
    "extracting": False,
    "db_committed": True,
    "index_segment": True,
    "index_toc": True,
    "index_rebuild": True,
}


@pytest.fixture
def environment(app_config, tmp_path) -> dict[str, str]:
    """The driver's and the command's environment: a real SQLite file, blob and index folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update({
        "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"],
        "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
        "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"],
        "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "TOOLBOX_SECRET_KEY": "x" * 32,
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "TOOLBOX_EXTRACT_TIMEOUT": "30",
        "PYTHONPATH": str(DRIVER.parent),
    })
    return env


def _crash(point: str, env: dict[str, str], tmp_path: Path) -> None:
    before = tmp_path / "vorher.txt"
    before.write_text(BEFORE_TEXT, encoding="utf-8")
    crash = tmp_path / "absturz.txt"
    crash.write_text(CRASH_TEXT, encoding="utf-8")
    result = subprocess.run([sys.executable, str(DRIVER), point, str(before), str(crash)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stdout, result.stderr)
    assert "before=" in result.stdout


def _open(app_config, env: dict[str, str], monkeypatch):
    """The app as a new process would open it, without any start-up repair of its own."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", env["TOOLBOX_INSTANCE_DIR"])
    return create_app(app_config)


def _state_before_restart(app) -> dict:
    """What the kill left on disk and in the database, read before anything repairs it."""
    store = BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"])
    with app.app_context():
        state = {
            "temporary": store.temporary_files(),
            "crash_blob": store.exists(CRASH_SHA),
            "crash_rows": db.session.scalar(select(func.count()).select_from(Document)
                                            .where(Document.title == "Beim Absturz")),
            "queued": db.session.scalar(select(func.count()).select_from(IndexQueue)),
            "builds": _builds(app),
        }
        db.session.remove()
        db.engine.dispose()
    return state


def _builds(app) -> list[Path]:
    """Index folders of rebuilds that never went live."""
    return sorted(Path(app.config["TOOLBOX_INDEX_DIR"]).glob("tmp-*"))


def _found(q: str) -> list[str]:
    return [db.session.get(Document, hit.document_id).title for hit in search.search(SearchQuery(q=q)).hits]


def _assert_consistent(app, committed: bool) -> None:
    store = BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"])
    assert store.temporary_files() == [], "no half-written file may survive the restart"
    assert _builds(app) == [], "no abandoned index build may survive the restart"
    with app.app_context():
        versions = db.session.execute(select(FileVersion.sha256, FileVersion.size)).all()
        for sha256, size in versions:
            assert store.verify(sha256) and store.path_for(sha256).stat().st_size == size
        known = {sha256 for sha256, _size in versions}
        for sha256, _path in store.iter_blobs():
            assert store.verify(sha256), "every stored file hashes to its name"
            assert sha256 in known or (sha256 == CRASH_SHA and not committed)
        titles = sorted(db.session.scalars(select(Document.title)))
        assert titles == (["Beim Absturz", "Vor dem Absturz"] if committed else ["Vor dem Absturz"])
        assert _found("Straßenbeleuchtung") == ["Vor dem Absturz"]
        assert _found("Quartierswärme") == (["Beim Absturz"] if committed else [])
        assert db.session.scalar(select(func.count()).select_from(IndexQueue)) == 0
        assert search.check_index().ok
        db.session.remove()
        db.engine.dispose()


def _restart(app, point: str, env: dict[str, str]) -> str:
    """Start as ``toolbox`` starts (migrations, start-up repair), then run ``toolbox check``.

    One crash point goes through the installed command in a process of its own and one through
    the web server's entry point; the others do the same steps in this process, which saves a
    second a run.
    """
    if point == "index_toc":
        result = subprocess.run([str(TOOLBOX), "check"], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout
    if point == "db_committed":
        # The web server's restart: a gunicorn worker imports toolbox.wsgi.
        started = subprocess.run([sys.executable, "-c", "import toolbox.wsgi"], env=env, capture_output=True,
                                 text=True, timeout=120)
        assert started.returncode == 0, started.stderr
    else:
        prepare_database(app)
        repair_on_start(app)
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("point", list(COMMITTED))
def test_kill_9_leaves_a_consistent_repository(point, app_config, environment, tmp_path, monkeypatch):
    """After a SIGKILL at any point of an ingest, the restart finds database, files and index in
    agreement, with the earlier document intact and the crashed one either complete or absent."""
    _crash(point, environment, tmp_path)
    committed = COMMITTED[point]
    app = _open(app_config, environment, monkeypatch)
    state = _state_before_restart(app)
    # The kill really hit where it was aimed.
    assert state["crash_rows"] == int(committed)
    if point == "temp_written":
        assert len(state["temporary"]) == 1 and not state["crash_blob"]
    if point in ("blob_stored", "extracting"):
        assert state["crash_blob"] and state["temporary"] == []
    if point == "index_rebuild":
        assert len(state["builds"]) == 1 and state["queued"] == 0
    elif committed:
        assert state["queued"] == 1, "the index commit must not have happened"

    output = _restart(app, point, environment)
    assert "Keine Probleme gefunden" in output
    if not committed and state["crash_blob"]:
        assert "vermutlich laufende Uploads): 1" in output
    _assert_consistent(app, committed)
    if point == "extracting":
        _assert_extraction_child_ended(tmp_path)
    if point == "blob_stored":
        _assert_stray_file_is_quarantined_once_old(app)


def _assert_extraction_child_ended(tmp_path: Path) -> None:
    """The sandboxed extraction child of a killed upload ends on its own and leaves no process."""
    pid = int((tmp_path / "instance" / "extraction-child.pid").read_text(encoding="ascii"))
    deadline = time.monotonic() + 20
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _assert_stray_file_is_quarantined_once_old(app) -> None:
    """The file a killed upload stored before its database commit is reachable by nothing; the
    check only mentions it while an upload could still be running, and --repair moves it to
    quarantine once it is older than that."""
    store = BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"])
    an_hour_ago = time.time() - 3700
    os.utime(store.path_for(CRASH_SHA), (an_hour_ago, an_hour_ago))
    result = app.test_cli_runner().invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "Datei ohne Datenbankeintrag: 1 (behoben: 1)" in result.output
    assert not store.exists(CRASH_SHA)
    assert (store.root / "quarantine" / "stray" / CRASH_SHA).read_text(encoding="utf-8") == CRASH_TEXT
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
