"""``toolbox backup DIR`` and ``toolbox restore DIR``: the database and the stored files.

Layout of a backup::

    manifest.json              format, Alembic revision, per table: file, rows, SHA-256;
                               per stored file: SHA-256 and size. Written last, so a backup
                               without it is unfinished.
    database/<table>.jsonl     one JSON object per row, tables in foreign-key order
    blobs/<aa>/<bb>/<sha256>   the stored files, laid out as in the blob store

Why JSON lines and not ``sqlite3``'s backup API or ``pg_dump``: one format restores into either
database, so a repository can move from SQLite to PostgreSQL and back, and needs no client
tools of the server. Values are written by column type (times as ISO 8601 with their offset)
and read back by the column types of the schema they are restored into. The Alembic revision
travels with the data: the restore builds the schema of that revision, loads the rows and then
migrates to the current one, so an old backup still restores after an upgrade.

The rows are read in one read transaction (a snapshot: SQLite in WAL mode, PostgreSQL with
REPEATABLE READ), so a backup of a running repository is consistent. The index is not backed
up: it is derived data and the restore rebuilds it from the database. That holds for the
PostgreSQL search backend too, whose entries are tables in the database (``search.DATABASE_TABLES``,
not models): they are neither written to the backup nor loaded, but dropped, created by the
migrations and filled by the rebuild.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable

import sqlalchemy as sa
from flask import current_app

from .. import search
from ..extensions import db
from ..models import FileVersion, PendingChange
from ..storage import BlobStore, blob_store

FORMAT = "smart-region-toolbox-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1024 * 1024
_INSERT_BATCH = 500

#: Tables whose rows a new repository has without anyone's work: the seeded vocabularies and search
#: synonyms, and the index queue (derived). Rows anywhere else make a restore target "not empty".
_NOT_CONTENT = {"topics", "document_types", "size_classes", "licenses", "synonym_groups", "index_queue"}

Progress = Callable[[int, int], None]


class BackupError(RuntimeError):
    """A backup or restore that must not go on; the message is German and says why."""


@dataclass
class BackupSummary:
    path: Path
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    blobs: int = 0
    blob_bytes: int = 0
    #: Files the database names but the store lacks or holds damaged; left out of the backup.
    missing_blobs: list[str] = field(default_factory=list)


@dataclass
class RestoreSummary:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    blobs: int = 0
    indexed: int = 0
    #: Files that were in the store before a forced restore and are not in the backup.
    #: Where each went: a path, or an s3:// URL with a bucket.
    quarantined: list[Path | str] = field(default_factory=list)


# --- backup ----------------------------------------------------------------------------------


def backup_create(target: str | os.PathLike, *, progress: Progress | None = None) -> BackupSummary:
    """Write a backup of the database and the stored files into the new or empty folder ``target``."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"Das Ziel {target} existiert und ist nicht leer; bitte einen neuen Ordner angeben.")
    try:
        return _write_backup(target, progress)
    except BaseException:
        # Only what this call wrote: the folder was new or empty.
        for part in ("database", "blobs"):
            shutil.rmtree(target / part, ignore_errors=True)
        raise


def _write_backup(target: Path, progress: Progress | None) -> BackupSummary:
    (target / "database").mkdir(parents=True, exist_ok=True)
    tables, revision, hashes = _dump_database(target / "database")
    summary = BackupSummary(path=target, revision=revision, rows={t["name"]: t["rows"] for t in tables})
    blobs = _copy_blobs(target / "blobs", sorted(hashes), summary, progress)
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(),
        "alembic_revision": revision,
        "source_database": db.engine.dialect.name,
        "tables": tables,
        "blobs": blobs,
        "missing_blobs": summary.missing_blobs,
    }
    _write_atomically(target / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return summary


def _dump_database(folder: Path) -> tuple[list[dict], str, set[str]]:
    """Write every table; return the manifest entries, the revision and the files the rows name.

    The files are taken from the same snapshot as the rows, so every version in the backup has
    its file in it (or is reported as missing), whatever is uploaded or purged meanwhile.
    """
    tables = []
    hashes: set[str] = set()
    versions = FileVersion.__table__.name
    # A waiting new version's bytes are in the blob store too, and needed when it is accepted.
    waiting = PendingChange.__table__.name
    db.session.remove()
    with db.engine.connect() as conn:
        _begin_snapshot(conn)
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        for table in db.metadata.sorted_tables:
            path = folder / f"{table.name}.jsonl"
            digest = hashlib.sha256()
            rows = 0
            order = list(table.primary_key.columns) or list(table.columns)
            with path.open("wb") as out:
                for row in conn.execute(sa.select(table).order_by(*order)).mappings():
                    if table.name == versions:
                        hashes.add(row["sha256"])
                    elif table.name == waiting and row["file_sha256"]:
                        hashes.add(row["file_sha256"])
                    line = (json.dumps(dict(row), ensure_ascii=False, sort_keys=True, default=_encode) + "\n")
                    data = line.encode("utf-8")
                    out.write(data)
                    digest.update(data)
                    rows += 1
                out.flush()
                os.fsync(out.fileno())
            tables.append({"name": table.name, "file": f"database/{path.name}", "rows": rows,
                           "sha256": digest.hexdigest()})
        conn.rollback()
    return tables, revision, hashes


def _begin_snapshot(conn: sa.Connection) -> None:
    """Make every following read of ``conn`` see the same committed state."""
    if conn.dialect.name == "sqlite":
        # pysqlite starts no transaction for reads; an explicit one pins the WAL snapshot.
        conn.exec_driver_sql("BEGIN")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _encode(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} into a backup")


def _copy_blobs(folder: Path, hashes: list[str], summary: BackupSummary, progress: Progress | None) -> list[dict]:
    store = blob_store()
    copied = []
    if progress:
        progress(0, len(hashes))
    for done, sha256 in enumerate(hashes, start=1):
        target = folder / sha256[:2] / sha256[2:4] / sha256
        try:
            source = store.open(sha256)
        except FileNotFoundError:
            size = None
        else:
            with source:
                size = _copy_verified(source, target, sha256)
        if size is None:
            summary.missing_blobs.append(sha256)
        else:
            copied.append({"sha256": sha256, "size": size})
            summary.blobs += 1
            summary.blob_bytes += size
        if progress:
            progress(done, len(hashes))
    return copied


def _copy_verified(stream: BinaryIO, target: Path, sha256: str) -> int | None:
    """Copy while hashing; None (and no copy) when the bytes do not hash to their name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != sha256:
        target.unlink()
        return None
    return size


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


# --- restore ---------------------------------------------------------------------------------


def backup_verify(source: str | os.PathLike, *, progress: Progress | None = None) -> dict:
    """Read a backup completely and return its manifest; raise BackupError if anything is off."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} enthält keine manifest.json: keine oder eine unvollständige Sicherung.") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"Die manifest.json in {source} ist nicht lesbar: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} ist keine Sicherung der Smart Region Toolbox.")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"Sicherungsformat {manifest.get('version')!r} wird nicht unterstützt "
                          f"(erwartet {FORMAT_VERSION}).")
    try:
        tables = [(t["name"], t["file"], int(t["rows"]), t["sha256"]) for t in manifest["tables"]]
        blobs = [(b["sha256"], int(b["size"])) for b in manifest["blobs"]]
        str(manifest["alembic_revision"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"Die manifest.json in {source} ist unvollständig: {exc}") from None
    for name, file, rows, sha256 in tables:
        path = _inside(source, file)
        if not path.is_file():
            raise BackupError(f"Tabelle {name}: Datei {file} fehlt in der Sicherung.")
        if _sha256_of(path) != sha256:
            raise BackupError(f"Tabelle {name}: Prüfsumme von {file} stimmt nicht; die Sicherung ist beschädigt.")
        with path.open("rb") as stream:
            counted = sum(1 for _line in stream)
        if counted != rows:
            raise BackupError(f"Tabelle {name}: {counted} Zeilen statt {rows}; die Sicherung ist beschädigt.")
    if progress:
        progress(0, len(blobs))
    for done, (sha256, size) in enumerate(blobs, start=1):
        path = _blob_path(source, sha256)
        if not path.is_file():
            raise BackupError(f"Datei {sha256} fehlt in der Sicherung.")
        if path.stat().st_size != size or _sha256_of(path) != sha256:
            raise BackupError(f"Datei {sha256}: Prüfsumme stimmt nicht; die Sicherung ist beschädigt.")
        if progress:
            progress(done, len(blobs))
    return manifest


def _inside(root: Path, relative: str) -> Path:
    """A path from the manifest, refused when it would lead out of the backup folder."""
    path = (root / relative).resolve()
    if root.resolve() not in path.parents:
        raise BackupError(f"Ungültiger Pfad in der manifest.json: {relative!r}")
    return path


def _blob_path(root: Path, sha256: str) -> Path:
    try:
        BlobStore(root / "blobs").path_for(sha256)
    except ValueError:
        raise BackupError(f"Ungültige Prüfsumme in der manifest.json: {sha256!r}") from None
    return root / "blobs" / sha256[:2] / sha256[2:4] / sha256


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def repository_has_content() -> list[str]:
    """What a restore would overwrite: tables with rows of someone's work, and stored files."""
    found = []
    db.session.remove()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in _NOT_CONTENT:
                continue
            count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            if count:
                found.append(f"{table.name}: {count}")
    stored = sum(1 for _blob in blob_store().list_blobs())
    if stored:
        found.append(f"gespeicherte Dateien: {stored}")
    return found


def backup_restore(source: str | os.PathLike, *, force: bool = False,
                   progress: Progress | None = None) -> RestoreSummary:
    """Replace the database and the stored files with the backup in ``source``; rebuild the index.

    Everything is checked before anything is changed. A repository with content is replaced
    only with ``force``; its stored files that the backup lacks go to quarantine, not away.
    """
    source = Path(source)
    manifest = backup_verify(source, progress=progress)
    content = repository_has_content()
    if content and not force:
        raise BackupError("Das Ziel ist nicht leer (" + ", ".join(content) + "). "
                          "Zum Überschreiben --force angeben.")
    revision = manifest["alembic_revision"]
    _check_revision_known(revision)
    summary = RestoreSummary(revision=revision)
    _restore_database(source, manifest, revision, summary)
    _restore_blobs(source, manifest, summary)
    summary.indexed = search.reindex()
    return summary


def _alembic_config():
    state = current_app.extensions["migrate"]
    config = state.migrate.get_config(directory=state.directory)
    config.attributes["configure_logger"] = False
    return config


def _check_revision_known(revision: str) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise BackupError(f"Die Sicherung hat den Datenbankstand {revision}, den diese Programmversion nicht kennt "
                          "(vermutlich eine neuere Version). Bitte mit der passenden Version einspielen.")


def _restore_database(source: Path, manifest: dict, revision: str, summary: RestoreSummary) -> None:
    from alembic import command

    db.session.remove()
    files = {t["name"]: t["file"] for t in manifest["tables"]}
    # The search tables go too (they are rebuilt at the end): the migrations create them again.
    _drop_repository_tables(set(db.metadata.tables) | set(files) | {"alembic_version"} | set(search.DATABASE_TABLES))
    config = _alembic_config()
    command.upgrade(config, revision)
    with db.engine.begin() as conn:
        reflected = sa.MetaData()
        reflected.reflect(bind=conn)
        for table in reflected.sorted_tables:
            if table.name not in files:
                continue
            summary.rows[table.name] = _load_table(conn, table, _inside(source, files[table.name]))
        unknown = set(files) - set(reflected.tables)
        if unknown:
            raise BackupError("Tabellen der Sicherung fehlen im Datenbankschema: " + ", ".join(sorted(unknown)))
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, [table for table in reflected.sorted_tables if table.name in files])
    command.upgrade(config, "head")
    db.engine.dispose()


def _drop_repository_tables(names: set[str]) -> None:
    """Drop the repository's tables as they are now; tables of anything else sharing the database stay."""
    with db.engine.begin() as conn:
        existing = sa.MetaData()
        existing.reflect(bind=conn, only=lambda name, _metadata: name in names)
        existing.drop_all(bind=conn)


def _load_table(conn: sa.Connection, table: sa.Table, path: Path) -> int:
    columns = {column.name: column for column in table.columns}
    times = {name for name, column in columns.items() if isinstance(column.type, sa.DateTime)}
    # Days (document_usage_days.day) come back as ISO text too; SQLite's DATE binds only dates.
    days = {name for name, column in columns.items() if isinstance(column.type, sa.Date)} - times
    batch: list[dict] = []
    count = 0
    with path.open("r", encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            unknown = set(row) - set(columns)
            if unknown:
                raise BackupError(f"Tabelle {table.name}: unbekannte Spalten {', '.join(sorted(unknown))}")
            for name in times & set(row):
                if row[name] is not None:
                    row[name] = datetime.fromisoformat(row[name])
            for name in days & set(row):
                if row[name] is not None:
                    row[name] = date.fromisoformat(row[name])
            batch.append(row)
            count += 1
            if len(batch) >= _INSERT_BATCH:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return count


def _advance_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """Rows came with their ids; PostgreSQL's id sequences must continue after the highest."""
    for table in tables:
        if "id" not in table.columns or not isinstance(table.columns["id"].type, sa.Integer):
            continue
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                {"table": table.name}).scalar()
        if sequence:
            conn.execute(sa.text(f'SELECT setval(:sequence, COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, '
                                 "false)"), {"sequence": sequence})


def _restore_blobs(source: Path, manifest: dict, summary: RestoreSummary) -> None:
    store = blob_store()
    wanted = {b["sha256"] for b in manifest["blobs"]}
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for sha256 in [blob.sha256 for blob in store.list_blobs()]:
        if sha256 not in wanted or not store.verify(sha256):
            summary.quarantined.append(store.quarantine(sha256, f"vor-wiederherstellung-{stamp}"))
    for sha256 in sorted(wanted):
        stored = store.put_file(_blob_path(source, sha256))
        if stored.sha256 != sha256:  # changed since the verification above
            raise BackupError(f"Datei {sha256}: Prüfsumme stimmt nicht; die Sicherung ist beschädigt.")
        summary.blobs += 1
