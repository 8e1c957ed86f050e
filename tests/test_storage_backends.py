"""The storage contract on both backends: the local folder and a bucket of a real S3 API server.

Each test runs twice (``storage_backend`` = local | s3): storing, reading, ranges, downloads with
their headers, pre-signed redirects, ZIP export, derived files, ``toolbox check`` and backup and
restore must behave the same wherever the bytes live.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import urllib.request
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from toolbox.derived import StoredFile, derived_store
from toolbox.extensions import db
from toolbox.models import FileVersion
from toolbox.storage import StorageUnavailable, blob_store

from conftest import make_document, running_app, s3_settings, skip_on_postgres
from job_helpers import job_of, requires_ocr, running_consumer, wait_for_jobs, write_scan


def _sha(app, document_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(FileVersion.sha256).where(FileVersion.document_id == document_id))


def _local_blobs(app) -> list[Path]:
    root = Path(app.config["TOOLBOX_DOCUMENTS_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


class _Broken(io.RawIOBase):
    """A client connection that breaks after some bytes."""

    def __init__(self, good: int):
        self.left = good

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        if self.left <= 0:
            raise OSError("Verbindung abgebrochen")
        data = b"a" * min(self.left, 64 * 1024 if size is None or size < 0 else size)
        self.left -= len(data)
        return data


# --- the store itself ----------------------------------------------------------------------------


def test_bytes_are_stored_once_under_their_sha256_and_read_back(storage_app, tmp_path):
    """A stream and a file go in under their SHA-256, identical bytes once; stat, open (with seek),
    verify, local_path and the listing all see the same bytes."""
    data = "Leistungsbeschreibung Straßenbeleuchtung ".encode() * 5000
    source = tmp_path / "quelle.bin"
    source.write_bytes(data)
    with storage_app.app_context():
        store = blob_store()
        first = store.put_stream(io.BytesIO(data))
        again = store.put_file(source)
        assert first.sha256 == again.sha256 == hashlib.sha256(data).hexdigest()
        assert first.created and not again.created
        assert store.stat(first.sha256).size == len(data)
        with store.open(first.sha256) as stream:
            assert stream.read() == data
            stream.seek(len(data) - 10)
            assert stream.read() == data[-10:]
            stream.seek(7)
            assert stream.read(5) == data[7:12]
        assert store.verify(first.sha256)
        with store.local_path(first.sha256) as path:
            assert Path(path).read_bytes() == data
        assert [(b.sha256, b.size) for b in store.list_blobs()] == [(first.sha256, len(data))]
        assert store.temporary_files() == []


def test_a_large_stream_is_uploaded_in_parts_and_arrives_whole(storage_app):
    """A stream larger than one multipart part (8 MB) is stored byte for byte."""
    data = os.urandom(1024 * 1024) * 19
    with storage_app.app_context():
        store = blob_store()
        blob = store.put_stream(io.BytesIO(data))
        assert blob.size == len(data)
        assert store.verify(blob.sha256)
        assert store.temporary_files() == []
        with store.open(blob.sha256) as stream:  # a bucket reads on in 8 MB windows after a seek
            stream.seek(7 * 1024 * 1024 + 3)
            assert stream.read(10 * 1024 * 1024) == data[7 * 1024 * 1024 + 3:17 * 1024 * 1024 + 3]
            stream.seek(len(data) - 5)
            assert stream.read(100) == data[-5:] and stream.read(100) == b""


class _Trickle(io.RawIOBase):
    """A stream that hands out at most 64 KB per read, as a network connection does."""

    def __init__(self, data: bytes):
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), 64 * 1024, len(self.data))
        buffer[:count] = self.data[:count]
        self.data = self.data[count:]
        return count


def test_a_stream_of_short_reads_is_stored_whole(storage_app):
    """A stream that returns less than asked for on each read is stored completely, not cut off
    at its first short read."""
    data = os.urandom(1024 * 1024) * 10
    with storage_app.app_context():
        store = blob_store()
        blob = store.put_stream(_Trickle(data))
        assert blob.size == len(data)
        assert blob.sha256 == hashlib.sha256(data).hexdigest()
        assert store.stat(blob.sha256).size == len(data)


def test_a_broken_upload_leaves_no_blob_and_no_temporary_object(storage_app):
    """A stream that breaks mid-way stores nothing under a valid name and leaves nothing behind."""
    with storage_app.app_context():
        store = blob_store()
        with pytest.raises(OSError):
            store.put_stream(_Broken(3 * 1024 * 1024))
        assert list(store.list_blobs()) == []
        assert [t for t in store.temporary_files()] == []


def test_only_digests_address_blobs(storage_app):
    """User-supplied names never become paths or keys."""
    with storage_app.app_context():
        store = blob_store()
        for name in ("../../etc/passwd", "a" * 63, "G" * 64, "Straße.pdf"):
            with pytest.raises(ValueError):
                store.exists(name)
            with pytest.raises(ValueError):
                store.open(name)


def test_missing_blobs_read_as_missing(storage_app):
    """Opening or fetching an absent blob raises FileNotFoundError; stat says None."""
    sha = hashlib.sha256(b"nie gespeichert").hexdigest()
    with storage_app.app_context():
        store = blob_store()
        assert store.stat(sha) is None and not store.exists(sha) and not store.verify(sha)
        with pytest.raises(FileNotFoundError):
            store.open(sha)
        with pytest.raises(FileNotFoundError):
            with store.local_path(sha):
                pass


def test_quarantine_takes_a_blob_out_of_service_without_deleting_it(storage_app):
    """A quarantined blob is no longer served but kept where the returned location says."""
    with storage_app.app_context():
        store = blob_store()
        blob = store.put_stream(io.BytesIO(b"verdaechtiger Inhalt"))
        where = str(store.quarantine(blob.sha256, "corrupt"))
        assert not store.exists(blob.sha256)
        assert "quarantine/corrupt/" + blob.sha256 in where
        store.delete(blob.sha256)  # a missing blob is fine to delete


def test_the_store_answers_a_ping(storage_app):
    """``ping()`` (for /readyz) passes on a reachable store."""
    with storage_app.app_context():
        blob_store().ping()


def test_readyz_checks_the_configured_backend(storage_app):
    """/readyz asks the backend in use whether it is reachable."""
    with storage_app.test_client().get("/readyz") as response:
        assert response.get_json()["checks"]["storage"] == "ok"


def test_a_missing_bucket_fails_the_ping_with_its_name(s3_server, app_config, tmp_path, monkeypatch):
    """A bucket that is not there makes ``ping()`` raise StorageUnavailable naming it."""
    config = dict(app_config, **s3_settings(s3_server))
    config["STORAGE_URL"] = "s3://gibt-es-nicht-1234/x"
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app(config) as application, application.app_context():
        with pytest.raises(StorageUnavailable, match="gibt-es-nicht-1234"):
            blob_store().ping()


def test_a_malformed_storage_url_stops_the_start(app_config):
    """``TOOLBOX_STORAGE_URL`` that is not s3://bucket/prefix is refused with what to write."""
    from toolbox import create_app
    from toolbox.config import ConfigError

    with pytest.raises(ConfigError, match="s3://bucket/prefix"):
        create_app(dict(app_config, STORAGE_URL="https://example.org/bucket"))


def test_abandoned_uploads_in_a_bucket_are_swept(storage_app, storage_backend):
    """Temporary objects and unfinished multipart uploads older than the grace are removed."""
    if storage_backend != "s3":
        pytest.skip("the local folder's leftovers are covered by tests/test_consistency.py")
    with storage_app.app_context():
        store = blob_store()
        client, bucket = store.client, store.bucket
        client.put_object(Bucket=bucket, Key="toolbox/tmp/upload-abgebrochen", Body=b"halb")
        assert store.sweep_temporary() == 0  # younger than an hour: its upload may still be running
        # (Not asked of the multipart upload: moto reports a fixed start date from 2010 for all.)
        client.create_multipart_upload(Bucket=bucket, Key="toolbox/tmp/upload-mehrteilig")
        assert len(store.temporary_files()) == 2
        store.tmp_grace_seconds = 0
        assert store.sweep_temporary(0) == 2
        assert store.temporary_files() == []


def test_derived_files_are_written_whole_and_kept_apart(storage_app):
    """A derived file appears on commit and is readable by open and local_path; not before."""
    sha = hashlib.sha256(b"original").hexdigest()
    with storage_app.app_context():
        store = derived_store()
        with store.writing(sha, "thumb.png") as temporary:
            temporary.write_bytes(b"\x89PNG Vorschau")
            assert not store.exists(sha, "thumb.png")
            store.commit(temporary, sha, "thumb.png")
        derived = StoredFile(sha, "thumb.png")
        assert derived.read_bytes() == b"\x89PNG Vorschau"
        with derived.local_path() as path:
            assert Path(path).read_bytes() == b"\x89PNG Vorschau"
        assert list(blob_store().list_blobs()) == []  # never among the originals


# --- downloads -----------------------------------------------------------------------------------


def test_a_download_has_the_headers_ranges_and_revalidation_of_a_file(storage_app, storage_backend):
    """The download sends the stored bytes with name, type, length, ETag and nosniff; a byte range
    answers 206 with that slice; a matching If-None-Match answers 304."""
    document = make_document(storage_app, title="Mustervertrag", text="Vertragstext Straßenbeleuchtung",
                             filename="Vertrag Lüdenscheid.txt")
    sha = _sha(storage_app, document.id)
    client = storage_app.test_client()
    with client.get(f"/documents/{document.id}/download") as response:
        data = response.get_data()
    assert response.status_code == 200
    assert hashlib.sha256(data).hexdigest() == sha
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["ETag"] == f'"{sha}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Last-Modified"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''Vertrag%20L%C3%BCdenscheid.txt" in disposition
    assert response.mimetype == "text/plain"

    with client.get(f"/documents/{document.id}/download", headers={"Range": "bytes=10-29"}) as partial:
        assert partial.status_code == 206
        assert partial.get_data() == data[10:30]
    assert partial.headers["Content-Range"] == f"bytes 10-29/{len(data)}"

    with client.get(f"/documents/{document.id}/download", headers={"If-None-Match": f'"{sha}"'}) as cached:
        assert cached.status_code == 304 and cached.get_data() == b""
    assert (storage_backend == "s3") == (_local_blobs(storage_app) == [])


def test_a_missing_file_is_a_404_not_an_error(storage_app):
    """When the bytes are gone the download answers 404, never a traceback."""
    document = make_document(storage_app, title="Verloren")
    with storage_app.app_context():
        blob_store().delete(_sha(storage_app, document.id))
    assert storage_app.test_client().get(f"/documents/{document.id}/download").status_code == 404


def test_presigned_downloads_redirect_to_the_bucket_where_allowed(storage_app, storage_backend):
    """With TOOLBOX_STORAGE_PRESIGN_SECONDS a bucket's download is a redirect to a URL that gives
    the bytes under the download's name; the local folder keeps streaming."""
    storage_app.config["TOOLBOX_STORAGE_PRESIGN_SECONDS"] = 60
    document = make_document(storage_app, title="Signiert", filename="Beschluss.txt")
    sha = _sha(storage_app, document.id)
    with storage_app.test_client().get(f"/documents/{document.id}/download") as response:
        response.get_data()
    if storage_backend == "local":
        assert response.status_code == 200
        return
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    with urllib.request.urlopen(response.headers["Location"], timeout=10) as remote:
        assert hashlib.sha256(remote.read()).hexdigest() == sha
        assert 'filename="Beschluss.txt"' in remote.headers["Content-Disposition"]
        assert remote.headers["Content-Type"] == "text/plain"


def test_the_zip_export_streams_every_file(storage_app):
    """The ZIP of a search holds each document's stored bytes."""
    first = make_document(storage_app, title="Erstes Konzept", text="Parkraumkonzept Innenstadt")
    second = make_document(storage_app, title="Zweites Konzept", text="Parkraumkonzept Ortskern")
    with storage_app.test_client().get("/search/download.zip?q=Parkraumkonzept") as response:
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    hashes = {hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}
    assert {_sha(storage_app, first.id), _sha(storage_app, second.id)} <= hashes


def test_thumbnails_are_made_from_and_stored_in_the_backend(storage_app):
    """The preview job reads the original from the store and puts the thumbnail there too."""
    from toolbox.services.previews import preview_build, thumbnail_file

    document = make_document(storage_app, title="Vorschau", fmt="pdf")
    with storage_app.app_context():
        version = db.session.scalar(select(FileVersion).where(FileVersion.document_id == document.id))
        assert preview_build(version)
        assert thumbnail_file(version) is not None
    with storage_app.test_client().get(f"/documents/{document.id}/thumbnail.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.get_data().startswith(b"\x89PNG")


# --- toolbox check, backup, restore ------------------------------------------------------------


def test_check_finds_missing_and_stray_blobs_and_quarantines_strays(storage_app):
    """``toolbox check`` reports a version without bytes and a blob without a version; --repair
    sets the stray blob aside and marks the version."""
    from toolbox.services.consistency import consistency_check

    kept = make_document(storage_app, title="Bleibt")
    lost = make_document(storage_app, title="Verloren")
    with storage_app.app_context():
        store = blob_store()
        store.delete(_sha(storage_app, lost.id))
        stray = store.put_stream(io.BytesIO(b"Rest eines abgebrochenen Uploads"))
        report = consistency_check(repair=True, stray_grace_seconds=0)
        kinds = {(finding.kind, finding.repaired) for finding in report.findings}
        assert ("blob_missing", False) in kinds
        assert ("blob_stray", True) in kinds
        assert not store.exists(stray.sha256)
        assert store.exists(_sha(storage_app, kept.id))


def test_check_deletes_derived_files_whose_original_is_gone(storage_app):
    """A thumbnail left behind by a purge that died halfway is reported and, with --repair,
    deleted; the derived files of existing versions, and young ones, stay."""
    from toolbox.services.consistency import consistency_check

    kept = make_document(storage_app, title="Bleibt")
    gone = hashlib.sha256(b"geloeschtes Original").hexdigest()
    young = hashlib.sha256(b"Upload unterwegs").hexdigest()
    with storage_app.app_context():
        store = derived_store()
        for sha in (_sha(storage_app, kept.id), gone):
            with store.writing(sha, "thumbnail.png") as temporary:
                temporary.write_bytes(b"\x89PNG Vorschau")
                store.commit(temporary, sha, "thumbnail.png")
        report = consistency_check(stray_grace_seconds=0)
        orphans = [f for f in report.findings if f.kind == "derived_orphaned"]
        assert len(orphans) == 1 and gone in orphans[0].subject and not orphans[0].repaired
        assert store.exists(gone, "thumbnail.png")

        with store.writing(young, "thumbnail.png") as temporary:
            temporary.write_bytes(b"\x89PNG neu")
            store.commit(temporary, young, "thumbnail.png")
        report = consistency_check(repair=True, stray_grace_seconds=3600)
        assert [f.repaired for f in report.findings if f.kind == "derived_orphaned"] == []  # all young
        report = consistency_check(repair=True, stray_grace_seconds=0)
        assert {f.repaired for f in report.findings if f.kind == "derived_orphaned"} == {True}
        assert not store.exists(gone, "thumbnail.png") and not store.exists(young, "thumbnail.png")
        assert store.exists(_sha(storage_app, kept.id), "thumbnail.png")
        assert consistency_check().ok


@skip_on_postgres("the fresh repository is a copy of the SQLite template; the cross-database "
                  "restore is tests/test_backup.py's")
def test_backup_and_restore_carry_the_files(request, storage_app, storage_backend, app_config, tmp_path,
                                            monkeypatch):
    """A backup of one repository restores into a new, empty one on the same kind of backend with
    every stored file byte for byte, and its downloads work there."""
    from toolbox.services.backup import backup_create, backup_restore

    documents = [make_document(storage_app, title=f"Gesichert {n}", text=f"Breitbandausbau Abschnitt {n}")
                 for n in range(3)]
    with storage_app.app_context():
        summary = backup_create(tmp_path / "sicherung")
    assert summary.blobs == 3 and not summary.missing_blobs

    fresh_dir = tmp_path / "neu"
    fresh_dir.mkdir()
    shutil.copyfile(request.getfixturevalue("template_database"), fresh_dir / "toolbox.sqlite3")
    config = dict(app_config, DOCUMENTS_DIR=str(fresh_dir / "documents"), INDEX_DIR=str(fresh_dir / "index"),
                  DATABASE_URL=f"sqlite:///{fresh_dir / 'toolbox.sqlite3'}")
    if storage_backend == "s3":
        config.update(s3_settings(request.getfixturevalue("s3_server")))
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(fresh_dir / "instance"))
    with running_app(config) as fresh:
        with fresh.app_context():
            restored = backup_restore(tmp_path / "sicherung")
            assert restored.blobs == 3
            store = blob_store()
            assert all(store.verify(_sha(storage_app, document.id)) for document in documents)
        with fresh.test_client().get(f"/documents/{documents[0].id}/download") as response:
            assert response.status_code == 200
            assert hashlib.sha256(response.get_data()).hexdigest() == _sha(storage_app, documents[0].id)


def test_the_commands_check_and_backup_work_on_the_backend(storage_app, tmp_path):
    """``toolbox check`` finds a healthy repository healthy and ``toolbox backup`` saves its files,
    on either backend."""
    make_document(storage_app, title="Kommando", text="Straßenbeleuchtung LED-Umrüstung")
    runner = storage_app.test_cli_runner()
    checked = runner.invoke(args=["check"])
    assert checked.exit_code == 0, checked.output
    assert "Keine Probleme gefunden" in checked.output
    saved = runner.invoke(args=["backup", str(tmp_path / "sicherung")])
    assert saved.exit_code == 0, saved.output
    assert len([p for p in (tmp_path / "sicherung" / "blobs").rglob("*") if p.is_file()]) == 1


@requires_ocr
@pytest.mark.slow
def test_a_scan_is_recognised_from_and_into_the_backend(storage_app, storage_backend, tmp_path):
    """The OCR job reads the scan from the store, puts the searchable PDF beside it as a derived
    file (in the bucket with S3, never in the local folders), and the page viewer and the
    "durchsuchbar" download serve it."""
    from toolbox.services.ingest import DocumentMetadata, ingest_file
    from toolbox.services.ocr import searchable_file

    path = write_scan(tmp_path / "beschluss.pdf", ["Gemeinderatsbeschluss Glasfaserausbau Ortsteil Wiesenfeld"],
                      fmt="pdf", dpi=200)
    with storage_app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title="Beschluss"), filename=path.name, publish=True)
    assert outcome.status == "ingested", outcome.message
    with running_consumer(storage_app):
        job = job_of(wait_for_jobs(storage_app), "ocr")
    assert job.state == "done", job.last_error
    with storage_app.app_context():
        version = db.session.scalar(select(FileVersion).where(FileVersion.document_id == outcome.document_id))
        assert "Glasfaserausbau" in (version.text or "")
        assert searchable_file(version) is not None
    client = storage_app.test_client()
    with client.get(f"/documents/{outcome.document_id}/searchable") as response:
        assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
    with client.get(f"/documents/{outcome.document_id}/view.pdf", headers={"Range": "bytes=0-99"}) as response:
        assert response.status_code == 206 and len(response.get_data()) == 100
        assert response.headers["Content-Security-Policy"] == "sandbox"
    derived_folder = Path(storage_app.config["TOOLBOX_DOCUMENTS_DIR"]).parent / "derived"
    local_files = [p for p in derived_folder.rglob("*.pdf")] if derived_folder.is_dir() else []
    assert (storage_backend == "s3") == (local_files == [])


def test_an_unreachable_bucket_answers_503_in_german(app):
    """When the S3 server does not answer, a download says in German that the file storage is not
    reachable (503), with no traceback; ``ping()`` raises StorageUnavailable."""
    document = make_document(app, title="Ohne Ablage")
    # The same repository, now configured for a bucket whose server is gone.
    app.config.update(TOOLBOX_STORAGE_URL="s3://nirgends/x", TOOLBOX_STORAGE_REGION="eu-central-1",
                      TOOLBOX_STORAGE_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
                      TOOLBOX_STORAGE_ACCESS_KEY_ID="testing", TOOLBOX_STORAGE_SECRET_ACCESS_KEY="testing")
    with app.app_context():
        with pytest.raises(StorageUnavailable):
            blob_store().ping()
    with app.test_client().get(f"/documents/{document.id}/download") as response:
        page = response.get_data(as_text=True)
    with app.test_client().get("/readyz") as ready:
        assert ready.status_code == 503 and "storage" in ready.get_json()["failed"]
    assert response.status_code == 503
    assert "Dateiablage ist gerade nicht erreichbar" in page and "Traceback" not in page


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- uploads between their two steps, with several servers -----------------------------------


def _staged_keys(app) -> list[str]:
    from toolbox.s3storage import s3_stores

    bucket = s3_stores(app).uploads._bucket
    return sorted(item["Key"][len(bucket.base):] for item in bucket.list(f"{bucket.base}staging/"))


@pytest.fixture
def two_servers(app_config, s3_server, tmp_path, monkeypatch):
    """Two apps as two servers: one database and bucket, an instance folder each."""
    import contextlib

    config = {**app_config, **s3_settings(s3_server)}
    with contextlib.ExitStack() as stack:
        apps = []
        for name in ("a", "b"):
            monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / name))
            apps.append(stack.enter_context(running_app(config)))
        yield apps


def test_an_upload_staged_on_one_server_is_submitted_on_another(two_servers):
    """With a bucket the privacy preview's staged files wait in the bucket, not in the instance
    folder of the server that took the first step: another server takes the second one, and
    nothing of the upload stays behind anywhere."""
    from conftest import make_user
    from contribute_helpers import DEFAULT_FIELDS, staged_files, user
    from toolbox.services import contribute
    from toolbox.services.ingest import DocumentMetadata

    a, b = two_servers
    contributor = make_user(a)
    content = b"Leistungsbeschreibung LoRaWAN-Gateways\n"
    with a.app_context():
        staging = contribute.upload_stage(user(contributor), [(io.BytesIO(content), "lorawan.txt")])
        assert staged_files(a) == []
        assert _staged_keys(a) == [f"staging/{staging.token}/0.bin", f"staging/{staging.token}/manifest.json"]
    with b.app_context():
        seen = contribute.upload_get(user(contributor), staging.token)
        assert [f.filename for f in seen.files] == ["lorawan.txt"]
        (result,) = contribute.upload_submit(user(contributor), staging.token,
                                             DocumentMetadata(title="LoRaWAN", **DEFAULT_FIELDS))
        assert result.status == "ingested"
        with blob_store().open(_sha(b, result.document_id)) as stream:
            assert stream.read() == content
        assert _staged_keys(b) == [] and staged_files(b) == []
        with pytest.raises(contribute.StagingNotFound):
            contribute.upload_get(user(contributor), staging.token)


def test_staged_uploads_in_the_bucket_are_discarded_and_swept(two_servers, monkeypatch):
    """Discarded on another server, or left for a day: the bucket's staged upload is gone. The
    API's one-call upload never touches the bucket's staging at all."""
    from conftest import make_user
    from contribute_helpers import DEFAULT_FIELDS, user
    from toolbox.services import contribute
    from toolbox.services.ingest import DocumentMetadata

    a, b = two_servers
    contributor = make_user(a)
    with a.app_context():
        first = contribute.upload_stage(user(contributor), [(io.BytesIO(b"Erster Entwurf\n"), "a.txt")])
    with b.app_context():
        contribute.upload_discard(user(contributor), first.token)
        assert _staged_keys(b) == []
    with a.app_context():
        contribute.upload_stage(user(contributor), [(io.BytesIO(b"Liegen gelassen\n"), "b.txt")])
        assert contribute.staging_sweep(max_age=3600, shared_interval=0) == 0
        assert len(_staged_keys(a)) == 2
        assert contribute.staging_sweep(max_age=-1, shared_interval=0) == 1
        assert _staged_keys(a) == []

        def refuse(*args):
            raise AssertionError("the one-call upload went to the bucket's staging")

        monkeypatch.setattr("toolbox.s3storage.S3UploadStaging.put", refuse)
        monkeypatch.setattr("toolbox.s3storage.S3UploadStaging.discard", refuse)
        result = contribute.document_upload(user(contributor), io.BytesIO(b"Direkt\n"), "c.txt",
                                            DocumentMetadata(title="Direkt", **DEFAULT_FIELDS))
        assert result.status == "ingested"


def test_a_forked_worker_gets_clients_of_its_own_before_its_first_request(storage_app, storage_backend):
    """After gunicorn's fork the master's S3 connections are not shared; the worker's own client
    is made at once (on the shared, parsed service model), not by its first download."""
    from toolbox.services.startup import after_fork

    before = storage_app.extensions.get("toolbox_s3")
    if storage_backend == "s3":
        with storage_app.app_context():
            before = blob_store().client
    after_fork(storage_app)
    made = storage_app.extensions.get("toolbox_s3")
    if storage_backend == "local":
        assert made is None
    else:
        assert made is not None and made.blobs.client is not before
