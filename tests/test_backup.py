"""``toolbox backup DIR`` / ``toolbox restore DIR``: database and files, portable across databases."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from toolbox import create_app, search
from toolbox.extensions import db
from toolbox.models import Document, Topic, User
from toolbox.search import SearchQuery
from toolbox.services import curation, review
from toolbox.services.users import user_authenticate_detailed
from toolbox.storage import BlobStore

from conftest import DEFAULT_PASSWORD, make_document, make_user, skip_on_postgres

QUERIES = ["Glasfaser", "Wärmeplanung", "Mobilität", "Leitfaden", ""]


@pytest.fixture
def fresh(template_database, tmp_path, monkeypatch):
    """A second, empty repository (own database file, blob store and index) to restore into."""
    folder = tmp_path / "ziel"
    folder.mkdir()
    database = folder / "toolbox.sqlite3"
    shutil.copyfile(template_database, database)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
    application = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key", "DATABASE_URL": f"sqlite:///{database}",
        "DOCUMENTS_DIR": str(folder / "documents"), "INDEX_DIR": str(folder / "index"), "EXTRACT_TIMEOUT": 30.0,
    })
    with application.app_context():
        search.ensure_index()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _build_repository(app, make_doc) -> None:
    """Several documents in several states, users, a curated vocabulary and audit entries."""
    editor_id = make_user(app, "redaktion@example.org", role="editor", name="Redaktion Hessen")
    make_user(app, "projekt@example.org", role="contributor", name="Jörg Müßig")
    make_doc(title="Glasfaserausbau Landkreis", text="Glasfaser für jedes Dorf", topics=["infrastruktur-netze-iot"],
             municipality="Landkreis Fulda", size_class="landkreis", year=2023, license="cc-by-4.0")
    make_doc(title="Kommunale Wärmeplanung", text="Wärmeplanung und Nahwärme", fmt="docx",
             municipality="Stadt Marburg", population=77000, project="Wärmewende Marburg")
    make_doc(title="Mobilitätskonzept", text="Mobilität im ländlichen Raum, Leitfaden", publish=False)
    rejected = make_doc(title="Zurückgewiesen", text="Leitfaden ohne Lizenz", publish=False)
    with app.app_context():
        editor = db.session.get(User, editor_id)
        review.document_reject(editor, db.session.get(Document, rejected), "Bitte eine Lizenz angeben.")
        topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "energie-klimaschutz"))
        curation.vocabulary_entry_rename(editor, "topic", topic.id, "Energie, Wärme & Klimaschutz", "Energy & heat")
        db.session.commit()
        # A reported reuse and the day's usage counts (a table with a DATE column).
        from toolbox.services.reuse import reuse_report_submit
        from toolbox.services.usage import VIEWS, usage_add

        glasfaser = db.session.scalar(sa.select(Document).where(Document.title == "Glasfaserausbau Landkreis"))
        reuse_report_submit(glasfaser, "Vogelsbergkreis", "übernommen", "it@vogelsbergkreis.example")
        usage_add([glasfaser.id], VIEWS)
        db.session.commit()


def _tables(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as the models read them."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))]
        db.session.remove()
        return tables


def _search_results(app) -> dict[str, list[int]]:
    with app.app_context():
        return {q: [hit.document_id for hit in search.search(SearchQuery(q=q, statuses=())).hits] for q in QUERIES}


def _blobs(app) -> dict[str, bytes]:
    store = BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"])
    return {sha256: path.read_bytes() for sha256, path in store.iter_blobs()}


def test_round_trip_restores_every_table_file_and_search_result(app, make_doc, fresh, tmp_path):
    """A restored repository equals the original: all tables row for row, the stored files byte
    for byte, the same search results from a rebuilt index, and users can log in as before."""
    _build_repository(app, make_doc)
    backup = tmp_path / "sicherung"
    result = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert "4 Dateien" in result.output
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert {t["name"]: t["rows"] for t in manifest["tables"]}["documents"] == 4
    assert not any(p.name.startswith(("gen-", "CURRENT")) for p in backup.rglob("*")), "no index in a backup"

    result = fresh.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Suchindex neu aufgebaut: 4 Dokumente" in result.output

    original = _tables(app)
    assert all(original[name] for name in ("users", "audit_log", "documents", "file_versions", "document_topics",
                                           "reuse_reports", "document_usage_days"))
    assert _tables(fresh) == original
    assert _blobs(fresh) == _blobs(app)
    assert _search_results(fresh) == _search_results(app)
    assert _search_results(fresh)["Glasfaser"]
    with fresh.app_context():
        assert user_authenticate_detailed("redaktion@example.org", DEFAULT_PASSWORD).user is not None
        assert fresh.test_cli_runner().invoke(args=["check"]).exit_code == 0
        # New rows continue after the restored ids.
        new_id = make_user(fresh, "neu@example.org")
        assert new_id > max(row[0] for row in _tables(app)["users"])


def test_restore_refuses_a_repository_with_content_unless_forced(app, make_doc, fresh, tmp_path):
    """Restoring over someone's work needs --force; the files it replaces go to quarantine, and
    tables that are not the repository's stay."""
    make_doc(title="Gesichert", text="Bürgerhaushalt")
    backup = tmp_path / "sicherung"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    make_document(fresh, title="Schon da", text="Vorhandene Arbeit im Ziel")
    with fresh.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE fremd (id INTEGER PRIMARY KEY, wert TEXT)"))
        conn.execute(sa.text("INSERT INTO fremd (wert) VALUES ('gehört einer anderen Anwendung')"))
    result = fresh.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 1
    assert "nicht leer" in result.output and "--force" in result.output
    with fresh.app_context():
        assert db.session.scalar(sa.select(Document.title)) == "Schon da"

    result = fresh.test_cli_runner().invoke(args=["restore", str(backup), "--force"])
    assert result.exit_code == 0, result.output
    assert "in Quarantäne: 1" in result.output
    with fresh.app_context():
        assert list(db.session.scalars(sa.select(Document.title))) == ["Gesichert"]
        # Tables of something else sharing the database are not the restore's to drop.
        assert db.session.execute(sa.text("SELECT wert FROM fremd")).scalar() == "gehört einer anderen Anwendung"
    quarantined = list((Path(fresh.config["TOOLBOX_DOCUMENTS_DIR"]) / "quarantine").rglob("*"))
    assert any(b"Vorhandene Arbeit" in p.read_bytes() for p in quarantined if p.is_file())


@pytest.mark.parametrize("damage", ["table", "blob", "manifest", "unfinished"])
def test_restore_refuses_a_damaged_backup_and_changes_nothing(damage, app, make_doc, fresh, tmp_path):
    """A backup whose checksums or manifest do not match is refused with a clear message before
    anything in the target is touched."""
    make_doc(title="Original", text="Lärmaktionsplan")
    backup = tmp_path / "sicherung"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    if damage == "table":
        with (backup / "database" / "documents.jsonl").open("a", encoding="utf-8") as stream:
            stream.write("{}\n")
        expected = "Prüfsumme von database/documents.jsonl stimmt nicht"
    elif damage == "blob":
        blob = next(p for p in (backup / "blobs").rglob("*") if p.is_file())
        blob.write_bytes(b"vertauscht")
        expected = "Prüfsumme stimmt nicht"
    elif damage == "manifest":
        (backup / "manifest.json").write_text("{kaputt", encoding="utf-8")
        expected = "nicht lesbar"
    else:
        (backup / "manifest.json").unlink()
        expected = "unvollständige Sicherung"
    before = _tables(fresh)
    result = fresh.test_cli_runner().invoke(args=["restore", str(backup), "--force"])
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output
    assert _tables(fresh) == before


def test_backup_refuses_a_folder_with_content(app, runner, tmp_path):
    """A backup never mixes with or overwrites other files."""
    target = tmp_path / "belegt"
    target.mkdir()
    (target / "alt.txt").write_text("alte Sicherung", encoding="utf-8")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "nicht leer" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["alt.txt"]


def test_backup_of_a_live_database_is_one_snapshot(app, make_doc, tmp_path, monkeypatch):
    """A change committed by another connection while the backup runs is not in it: every table
    is read from one snapshot."""
    from toolbox.services import backup as backup_service

    make_user(app)  # users are written before documents: the change comes between two tables
    make_doc(title="Vorher", text="Schnappschuss")
    real_encode = backup_service._encode
    written = []

    def write_meanwhile(value):
        # Another connection changes a document while the backup is writing rows.
        if not written:
            other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
            with other.begin() as conn:
                conn.execute(sa.text("UPDATE documents SET title = 'Während der Sicherung geändert'"))
            other.dispose()
            written.append(True)
        return real_encode(value)

    monkeypatch.setattr(backup_service, "_encode", write_meanwhile)
    with app.app_context():
        backup_service.backup_create(tmp_path / "sicherung")
    assert written
    with (tmp_path / "sicherung" / "database" / "documents.jsonl").open(encoding="utf-8") as stream:
        rows = [json.loads(line) for line in stream]
    assert [row["title"] for row in rows] == ["Vorher"]


@skip_on_postgres("the SQLite side of the round trip is the app of the first run")
def test_round_trip_across_sqlite_and_postgresql(app, make_doc, pg_app, tmp_path, monkeypatch):
    """The same backup restores into PostgreSQL, and PostgreSQL's backup back into SQLite, with
    every table, file and search result unchanged."""
    _build_repository(app, make_doc)
    first = tmp_path / "von-sqlite"
    assert app.test_cli_runner().invoke(args=["backup", str(first)]).exit_code == 0
    result = pg_app.test_cli_runner().invoke(args=["restore", str(first), "--force"])
    assert result.exit_code == 0, result.output
    assert _tables(pg_app) == _tables(app)
    assert _search_results(pg_app) == _search_results(app)
    new_id = make_user(pg_app, "nach-restore@example.org")
    assert new_id > max(row[0] for row in _tables(app)["users"])

    second = tmp_path / "von-postgresql"
    assert pg_app.test_cli_runner().invoke(args=["backup", str(second)]).exit_code == 0
    back = app.test_cli_runner().invoke(args=["restore", str(second), "--force"])
    assert back.exit_code == 0, back.output
    assert _tables(app) == _tables(pg_app)
    assert _blobs(app) == _blobs(pg_app)
    assert _search_results(app) == _search_results(pg_app)


def test_a_backup_from_before_a_schema_change_restores_and_is_migrated(app, make_doc, fresh, tmp_path):
    """The restore builds the schema of the backup's revision, loads the rows, then migrates:
    a backup taken by the previous version restores into this one."""
    from alembic.script import ScriptDirectory

    with app.app_context():
        state = app.extensions["migrate"]
        script = ScriptDirectory.from_config(state.migrate.get_config(directory=state.directory))
        head = script.get_revision(script.get_current_head())
        previous = head.down_revision
        with db.engine.connect() as conn:
            before = _columns(conn)
    if not isinstance(previous, str):
        pytest.skip("the schema has a single revision")
    make_doc(title="Aus alter Version", text="Dorfladen mit Selbstbedienung")
    backup = tmp_path / "sicherung"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    # Turn it into the backup the previous version would have written: its revision, without the
    # tables the newest migration adds.
    with fresh.app_context():
        from alembic import command

        config = fresh.extensions["migrate"].migrate.get_config(directory=fresh.extensions["migrate"].directory)
        config.attributes["configure_logger"] = False
        db.session.remove()
        command.downgrade(config, previous)
        with db.engine.connect() as conn:
            older = _columns(conn)
        command.upgrade(config, "head")
    added = set(before) - set(older)
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["alembic_revision"] = previous
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] not in added]
    for table in manifest["tables"]:
        new_columns = before[table["name"]] - older[table["name"]]
        if new_columns:
            path = backup / table["file"]
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            data = "".join(json.dumps({k: v for k, v in row.items() if k not in new_columns}, ensure_ascii=False,
                                      sort_keys=True) + "\n" for row in rows).encode("utf-8")
            path.write_bytes(data)
            table["sha256"] = hashlib.sha256(data).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")

    result = fresh.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert list(db.session.scalars(sa.select(Document.title))) == ["Aus alter Version"]
        with db.engine.connect() as conn:
            assert _columns(conn) == before
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == head.revision
    with fresh.app_context():
        assert len(search.search(SearchQuery(q="Dorfladen")).hits) == 1


def _columns(conn) -> dict[str, set[str]]:
    """The repository's tables and their columns; the PostgreSQL search backend's tables, which
    exist on PostgreSQL only, are left out."""
    inspector = sa.inspect(conn)
    return {name: {column["name"] for column in inspector.get_columns(name)} for name in inspector.get_table_names()
            if name not in search.DATABASE_TABLES}


def test_backup_reports_files_it_could_not_save(app, runner, make_doc, tmp_path):
    """A file the database names but the store lacks is listed and the command fails, so nobody
    mistakes the backup for complete."""
    make_doc(title="Vorhanden", text="Carsharing")
    lost = make_doc(title="Verloren", text="Mitfahrbank")
    with app.app_context():
        sha256 = db.session.get(Document, lost).current_version.sha256
    BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"]).path_for(sha256).unlink()
    result = runner.invoke(args=["backup", str(tmp_path / "sicherung")])
    assert result.exit_code == 1
    assert "1 Dateien" in result.output
    assert "nicht gesichert: 1" in result.output and sha256 in result.output
    manifest = json.loads((tmp_path / "sicherung" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["missing_blobs"] == [sha256]


def test_a_waiting_new_version_is_backed_up_with_its_file(app, fresh, tmp_path):
    """The bytes of a new version that waits for an editor are in the backup, so that the change
    can still be accepted after a restore."""
    import io

    from toolbox.models import PendingChange
    from toolbox.services import contribute as contributions

    from contribute_helpers import contribute, user

    editor = make_user(app, "redaktion@example.org", role="editor")
    owner = make_user(app, "projekt@example.org", role="contributor")
    document_id = contribute(app, owner, publish_as=editor)
    with app.app_context():
        result = contributions.document_version_add(user(owner), db.session.get(Document, document_id),
                                                    io.BytesIO(b"Zweite Fassung, wartet\n"), "zwei.txt")
        assert result.pending
        waiting = db.session.scalar(sa.select(PendingChange.file_sha256))
    backup = tmp_path / "sicherung"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    result = fresh.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert _blobs(fresh)[waiting] == b"Zweite Fassung, wartet\n"
    with fresh.app_context():
        from toolbox.services.pending_changes import change_accept

        change_accept(db.session.get(User, editor), db.session.get(Document, document_id))
        assert db.session.get(Document, document_id).current_version.sha256 == waiting
