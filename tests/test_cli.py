"""The ``toolbox`` command line: ingest, demo and start-up behaviour."""
from __future__ import annotations

import pytest

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from toolbox.extensions import db
from toolbox.models import Document

from conftest import write_docx

TOOLBOX = Path(sys.executable).parent / "toolbox"


def _command_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``toolbox`` command with its own instance folder, files and index."""
    env = dict(os.environ)
    env.update({
        "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "TOOLBOX_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "TOOLBOX_INDEX_DIR": str(tmp_path / "index"),
        "TOOLBOX_SECRET_KEY": "x" * 32,
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
    })
    env.pop("TOOLBOX_DATABASE_URL", None)
    return env


def _toolbox(env: dict[str, str], *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """The installed ``toolbox`` command, as an operator runs it."""
    return subprocess.run([str(TOOLBOX), *args], env=env, capture_output=True, text=True, timeout=timeout)


def _inbox(tmp_path: Path) -> Path:
    """A folder of its own: tmp_path also holds the test app's database and index."""
    folder = tmp_path / "eingang"
    folder.mkdir(exist_ok=True)
    return folder


def test_ingest_folder_with_options_and_summary(app, runner, tmp_path):
    """Files of a folder are ingested with the options' metadata and a summary is printed."""
    folder = tmp_path / "eingang"
    (folder / "unter").mkdir(parents=True)
    write_docx(folder / "Leitfaden.docx", ["Leitfaden für digitale Bürgerbeteiligung"])
    (folder / "unter" / "Notiz.txt").write_text("Checkliste Barrierefreiheit", encoding="utf-8")
    result = runner.invoke(args=[
        "ingest", str(folder), "--topic", "buergerbeteiligung-open-government", "--type", "leitfaden-checkliste",
        "--municipality", "Stadt Bad Hersfeld", "--population", "30000", "--year", "2024",
        "--license", "cc-by-4.0", "--publish",
    ])
    assert result.exit_code == 0, result.output
    assert "Importiert: 2" in result.output
    assert "Fehlgeschlagen: 0" in result.output
    with app.app_context():
        documents = db.session.scalars(select(Document)).all()
        assert len(documents) == 2
        assert all(d.status == "published" for d in documents)
        assert all(d.municipality.size_class.slug == "mittelstadt" for d in documents)
        assert all([t.slug for t in d.topics] == ["buergerbeteiligung-open-government"] for d in documents)


def test_ingest_exits_non_zero_when_a_file_failed(app, runner, tmp_path):
    """One unreadable file makes the command fail after ingesting the rest."""
    tmp_path = _inbox(tmp_path)
    (tmp_path / "gut.txt").write_text("Wärmeplanung", encoding="utf-8")
    (tmp_path / "kaputt.pdf").write_bytes(b"\x00\x01\x02 kein PDF " * 100)
    result = runner.invoke(args=["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert "Importiert: 1" in result.output
    assert "Fehlgeschlagen: 1" in result.output
    # The refusal is stored as a code; the summary renders it in German, the CLI's language.
    assert ("kaputt.pdf: Das Dateiformat wurde nicht erkannt und wird nicht unterstützt. Unterstützt werden "
            "PDF, Word (DOCX, DOC), OpenDocument (ODT, ODS, ODP)") in result.output


def test_duplicates_are_listed(app, runner, tmp_path):
    """A second ingest of the same file reports it as duplicate and exits 0."""
    tmp_path = _inbox(tmp_path)
    (tmp_path / "a.txt").write_text("Schul-WLAN Ausschreibung", encoding="utf-8")
    assert runner.invoke(args=["ingest", str(tmp_path)]).exit_code == 0
    result = runner.invoke(args=["ingest", str(tmp_path)])
    assert result.exit_code == 0
    assert "Duplikate: 1" in result.output
    assert "a.txt: Bereits vorhanden als Dokument 1: „a“." in result.output


def test_unknown_slug_is_a_usage_error_naming_valid_ones(app, runner, tmp_path):
    """An unknown --topic stops before any file is touched and lists the valid slugs."""
    tmp_path = _inbox(tmp_path)
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(args=["ingest", str(tmp_path), "--topic", "weltraum"])
    assert result.exit_code == 2
    assert "weltraum" in result.output
    assert "energie-klimaschutz" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_manifest_metadata_is_applied(app, runner, tmp_path):
    """A CSV manifest sets per-file title and topics."""
    tmp_path = _inbox(tmp_path)
    (tmp_path / "x.txt").write_text("Hochwasser-Frühwarnsystem mit Pegelsensoren", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "path,title,topics,size_class,municipality\n"
        "x.txt,Konzept Hochwasser-Frühwarnung,umwelt-wasser;bevoelkerungsschutz,landkreis,Landkreis Fulda\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["ingest", str(tmp_path), "--manifest", str(tmp_path / "manifest.csv")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.title == "Konzept Hochwasser-Frühwarnung"
        assert {t.slug for t in document.topics} == {"umwelt-wasser", "bevoelkerungsschutz"}
        assert document.municipality.size_class.slug == "landkreis"


def test_toolbox_command_migrates_a_new_database(tmp_path):
    """The installed ``toolbox`` command creates and seeds a fresh database on start-up."""
    env = _command_env(tmp_path)
    (tmp_path / "a.txt").write_text("Digitaler Zwilling", encoding="utf-8")
    result = _toolbox(env, "ingest", str(tmp_path / "a.txt"), "--publish")
    assert result.returncode == 0, result.stderr
    assert "Importiert: 1" in result.stdout
    assert (tmp_path / "instance" / "toolbox.sqlite3").is_file()


def test_python_dash_m_toolbox_is_the_same_command(tmp_path):
    """``python -m toolbox`` works where only the interpreter is on the PATH."""
    result = subprocess.run([sys.executable, "-m", "toolbox", "--help"], env=_command_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "check-index" in result.stdout and "ingest" in result.stdout

def test_start_up_notes_go_to_the_log_and_only_repairs_to_the_terminal(tmp_path):
    """Catching up queued index updates is routine and goes to ``instance/toolbox.log``; a
    repair (files of an interrupted upload removed) is still reported on the terminal."""
    env = _command_env(tmp_path)
    (tmp_path / "a.txt").write_text("Digitaler Zwilling", encoding="utf-8")
    assert _toolbox(env, "ingest", str(tmp_path / "a.txt"), "--publish").returncode == 0
    with contextlib.closing(sqlite3.connect(tmp_path / "instance" / "toolbox.sqlite3")) as connection, connection:
        # What another process leaves when the index writer lock was busy.
        connection.execute("INSERT INTO index_queue (document_id, queued_at) VALUES (1, '2026-01-01 00:00:00')")

    quiet = _toolbox(env, "check-index")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert "Index und Datenbank stimmen überein." in quiet.stdout
    assert "Applied 1 queued index updates" in (tmp_path / "instance" / "toolbox.log").read_text(encoding="utf-8")

    leftover = tmp_path / "documents" / "tmp" / "upload-abgebrochen"
    leftover.write_bytes(b"halb geschrieben")
    repaired = _toolbox(env, "check-index")
    assert repaired.returncode == 0, repaired.stderr
    assert "Removed 1 temporary files of interrupted uploads" in repaired.stderr
    assert not leftover.exists()


@pytest.mark.slow  # two real `toolbox demo` processes over the whole demo corpus
def test_demo_loads_the_corpus_once_into_an_empty_repository(tmp_path):
    """``toolbox demo --if-empty``, as ``make run`` calls it, loads the demo corpus published into
    a fresh instance; run again it adds nothing and says so. Each demo document names its type
    and licence as the repository's vocabularies label them."""
    from toolbox.demo import DEMO_DOCUMENTS

    env = _command_env(tmp_path)
    first = _toolbox(env, "demo", "--if-empty", timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Importiert: {len(DEMO_DOCUMENTS)} " in first.stdout
    assert "Fehlgeschlagen: 0" in first.stdout
    database = tmp_path / "instance" / "toolbox.sqlite3"
    query = ("SELECT d.status, t.label_de, l.label_de, v.text FROM documents d "
             "JOIN document_types t ON t.id = d.document_type_id JOIN licenses l ON l.id = d.license_id "
             "JOIN file_versions v ON v.document_id = d.id")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        documents = connection.execute(query).fetchall()
    assert len(documents) == len(DEMO_DOCUMENTS)
    assert {status for status, *_ in documents} == {"published"}
    for _status, type_label, license_label, text in documents:
        if text:  # the scans have none
            flowing = " ".join(text.split())
            assert type_label in flowing and f"Lizenz: {license_label}" in flowing, (type_label, license_label)

    second = _toolbox(env, "demo", "--if-empty", timeout=600)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "Das Repository enthält bereits Dokumente; das Demo-Korpus wird nicht geladen."
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == len(DEMO_DOCUMENTS)


def test_toolbox_refuses_to_start_without_secret_key(tmp_path):
    """Outside debug the command stops with a clear message when the secret key is missing."""
    env = {k: v for k, v in os.environ.items() if k not in ("TOOLBOX_SECRET_KEY", "TOOLBOX_DEBUG")}
    env["TOOLBOX_INSTANCE_DIR"] = str(tmp_path)
    result = subprocess.run([str(TOOLBOX), "check-index"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "TOOLBOX_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_progress_bar_shows_on_a_terminal(tmp_path):
    """On a terminal, ``toolbox ingest`` draws a progress bar with the file count."""
    import pty

    env = _command_env(tmp_path) | {"COLUMNS": "120"}
    folder = _inbox(tmp_path)
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"Mitfahrbank Ortsteil {n}", encoding="utf-8")
    primary, secondary = pty.openpty()
    try:
        result = subprocess.run([str(TOOLBOX), "ingest", str(folder)], env=env, stdout=subprocess.PIPE,
                                stderr=secondary, text=True, timeout=120)
        os.close(secondary)
        terminal = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        os.close(primary)
    assert result.returncode == 0, terminal.decode(errors="replace")
    assert "Importiert: 3" in result.stdout
    assert "Importiere" in terminal.decode() and "3/3" in terminal.decode()


def test_check_draws_a_progress_bar_on_a_terminal(app, app_config, make_doc, tmp_path):
    """``toolbox check`` shows its progress over the stored files on a terminal, like ingest."""
    import pty

    for n in range(2):
        make_doc(title=f"Mülleimer {n}", text=f"Smarte Mülleimer Quartier {n}")
    env = dict(os.environ)
    env.update({
        "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"],
        "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
        "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"],
        "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "TOOLBOX_SECRET_KEY": "x" * 32,
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "COLUMNS": "120",
    })
    primary, secondary = pty.openpty()
    try:
        result = subprocess.run([str(TOOLBOX), "check"], env=env, stdout=subprocess.PIPE, stderr=secondary,
                                text=True, timeout=120)
        os.close(secondary)
        terminal = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        os.close(primary)
    assert result.returncode == 0, terminal.decode(errors="replace")
    assert "Keine Probleme gefunden" in result.stdout
    assert "Prüfe Dateien" in terminal.decode() and "2/2" in terminal.decode()
    assert "Prüfe Dateien" not in result.stdout
