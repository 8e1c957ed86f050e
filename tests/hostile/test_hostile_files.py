"""Hostile files through every door: the upload form, the JSON API and `toolbox ingest`.

Issue #5, part 1. Each file of `hostile_files.ALL` goes into a repository that already holds
a published document (the "sentinel"): through the upload form and the API one after the
other, and through one real `toolbox ingest` process over a folder of all of them. Whatever
the file, the entry point answers with a German message or stores a document with a precise
extraction status. The web worker (here: the test process) keeps answering and its peak
memory grows by less than the configured extraction limit; no process of the ingest run, the
command or an extraction child, ever holds more than that limit. The sentinel is the same
afterwards in the blob store, the database, the API and the search index.

The app runs with a low extraction memory limit (`MEMORY_MB`) so that the decompression
bombs are stopped by that configured limit within a second, which the messages prove.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile_files as hf  # noqa: E402
from conftest import DEFAULT_PASSWORD  # noqa: E402
from conftest import _config  # noqa: E402
from conftest import _database_url  # noqa: E402
from conftest import _drop_database  # noqa: E402
from conftest import make_document  # noqa: E402
from conftest import make_user  # noqa: E402
from conftest import on_postgres  # noqa: E402
from contribute_helpers import blob_files  # noqa: E402
from contribute_helpers import counts  # noqa: E402
from contribute_helpers import details_form  # noqa: E402
from contribute_helpers import staged_files  # noqa: E402
from contribute_helpers import user  # noqa: E402
from toolbox.extensions import db  # noqa: E402
from toolbox.message_render import render  # noqa: E402
from toolbox.models import Document  # noqa: E402
from toolbox.models import FileVersion  # noqa: E402
from toolbox.storage import blob_store  # noqa: E402
from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

MEMORY_MB = 256
TIMEOUT = 10.0
SENTINEL_WORD = "Zisternenkataster"
CONTRIBUTOR = "hostile@musterstadt.example"


@pytest.fixture(scope="session")
def hostile_path(tmp_path_factory):
    """Build a hostile file once per session; returns its path on disk."""
    folder = tmp_path_factory.mktemp("hostile")
    built: dict[str, Path] = {}

    def build(item: hf.HostileFile) -> Path:
        if item.kind not in built:
            path = folder / f"{item.kind}.bin"
            item.build(path, folder)
            built[item.kind] = path
        return built[item.kind]

    return build


# --- what must not change ------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything a visitor or editor can see of the sentinel, plus its stored bytes."""

    blob_sha256: str
    database: dict
    api_document: dict
    search_hits: list

    @classmethod
    def take(cls, app, client, document_id: int) -> "Snapshot":
        with app.app_context():
            document = db.session.get(Document, document_id)
            version = document.current_version
            blob = blob_store().path_for(version.sha256).read_bytes()
            documents, versions = Document.__table__, FileVersion.__table__
            database = {
                "document": dict(db.session.execute(
                    select(documents).where(documents.c.id == document_id)).mappings().one()),
                "versions": [dict(row) for row in db.session.execute(
                    select(versions).where(versions.c.document_id == document_id)).mappings()],
                "topics": sorted(t.slug for t in document.topics),
            }
            db.session.remove()
        api_document = client.get(f"/api/v1/documents/{document_id}").get_json()
        search = client.get(f"/api/v1/search?q={SENTINEL_WORD}")
        assert search.status_code == 200
        return cls(hashlib.sha256(blob).hexdigest(), database, api_document, search.get_json()["hits"])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- one repository per entry point --------------------------------------------------------


@dataclass
class Repository:
    """An app with a sentinel document, shared by the tests of one entry point: every
    hostile file of the suite goes into the same repository, one after the other."""

    entry: str
    app: object
    client: object
    folder: Path
    sentinel_id: int
    sentinel: Snapshot
    token: str | None = None
    cli_output: str = ""
    cli_errors: str = ""
    cli_exit_code: int | None = None
    cli_peak_rss_mb: float = 0.0

    def documents(self) -> int:
        return counts(self.app)[0]

    def assert_sentinel_intact(self) -> None:
        """The sentinel is the same in the blob store, the database, the API and the search,
        and the index has no drift from the database."""
        from toolbox import search

        after = Snapshot.take(self.app, self.client, self.sentinel_id)
        assert after == self.sentinel
        assert after.blob_sha256 == self.sentinel.database["versions"][0]["sha256"]
        with self.app.app_context():
            report = search.check_index()
            db.session.remove()
        assert report.ok, report


@pytest.fixture(scope="module")
def repository(request, tmp_path_factory, hostile_path):
    """A repository for one entry point (indirect parameter), with a published sentinel
    document stored before any hostile file and a low extraction memory limit and timeout.

    Like `app_config`, but once per entry point: a copy of the SQLite template, or a database
    made from the PostgreSQL template in the suite's PostgreSQL run.
    """
    from toolbox import create_app
    from toolbox import search

    entry = request.param
    folder = tmp_path_factory.mktemp(f"repository-{entry}")
    database_url, drop = repository_database(request, folder)
    config = _config(folder, database_url)
    config.update(EXTRACT_MEMORY_MB=MEMORY_MB, EXTRACT_TIMEOUT=TIMEOUT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
        app = create_app(config)
        with app.app_context():
            search.ensure_index()
        document = make_document(app, title="Zisternenkataster der Gemeinde", fmt="docx",
                                 text=f"Das {SENTINEL_WORD} erfasst alle Regenwasserzisternen.",
                                 topics=["umwelt-wasser"], municipality="Gemeinde Wasserhausen")
        client = app.test_client()
        snapshot = Snapshot.take(app, client, document.id)
        assert [hit["id"] for hit in snapshot.search_hits] == [document.id]
        repo = Repository(entry, app, client, folder, document.id, snapshot)
        user_id = make_user(app, CONTRIBUTOR, role="contributor")
        if entry == "form":
            client.post("/login", data={"email": CONTRIBUTOR, "password": DEFAULT_PASSWORD})
        elif entry == "api":
            from toolbox.services.users import api_token_create

            with app.app_context():
                repo.token = api_token_create(user(user_id))
        else:
            run_cli_batch(repo, config, hostile_path)
        yield repo
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def repository_database(request, folder: Path):
    """(URL of a fresh migrated database, function that removes it)."""
    if not on_postgres():
        database = folder / "toolbox.sqlite3"
        shutil.copyfile(request.getfixturevalue("template_database"), database)
        return f"sqlite:///{database}", lambda: None
    import sqlalchemy as sa

    pg_server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"hostile_{uuid.uuid4().hex}"
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return _database_url(name), lambda: _drop_database(pg_server, name)


#: Runs a command and reports on stderr the largest resident set of any process it started
#: and waited for: the command itself and every extraction child of it.
_PEAK_RSS_WRAPPER = """\
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(f"peak-rss-kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""


def run_cli_batch(repo: Repository, config: dict, hostile_path) -> None:
    """The real `toolbox ingest` command, in a process of its own, over a folder of every
    hostile file that can exist on disk (each in a folder of its own kind) and a harmless
    file after them: one batch, as an operator would run it on a folder of contributions."""
    inbox = repo.folder / "einlieferung"
    for item in hf.ALL:
        if item.on_disk:
            (inbox / item.kind).mkdir(parents=True)
            shutil.copyfile(hostile_path(item), inbox / item.kind / item.filename)
    (inbox / "zz-zuletzt").mkdir()
    (inbox / "zz-zuletzt" / "harmlos.txt").write_text("Protokoll der Lenkungsgruppe Wasser\n", encoding="utf-8")
    environment = dict(os.environ)
    environment.update({
        "TOOLBOX_DATABASE_URL": config["DATABASE_URL"],
        "TOOLBOX_DOCUMENTS_DIR": config["DOCUMENTS_DIR"],
        "TOOLBOX_INDEX_DIR": config["INDEX_DIR"],
        "TOOLBOX_INSTANCE_DIR": str(repo.folder / "instance"),
        "TOOLBOX_SECRET_KEY": "x" * 32,
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "TOOLBOX_EXTRACT_MEMORY_MB": str(MEMORY_MB),
        "TOOLBOX_EXTRACT_TIMEOUT": str(TIMEOUT),
    })
    toolbox = Path(sys.executable).parent / "toolbox"
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_WRAPPER, str(toolbox), "ingest", str(inbox), "--topic", "umwelt-wasser"],
        env=environment, capture_output=True, text=True, timeout=300)
    peak = re.search(r"peak-rss-kb=(\d+)", result.stderr)
    assert peak, result.stderr
    repo.cli_peak_rss_mb = int(peak.group(1)) / 1024
    repo.cli_output, repo.cli_exit_code = result.stdout, result.returncode
    repo.cli_errors = result.stderr


# --- the three doors -----------------------------------------------------------------------


@dataclass
class Answer:
    """What an entry point made of a file: refused with a message, or a stored document."""

    refused: bool
    message: str
    document_id: int | None = None
    pages: tuple[str, ...] = ()  # HTML, JSON or console output the user saw on the way


def post_multipart(client, url: str, fields: dict, **kwargs):
    """POST a multipart body encoded in memory. (The test client spools a body over 500 KB
    to a temporary file it never closes, which fails a later test with a ResourceWarning.)"""
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def through_form(repo: Repository, item: hf.HostileFile, data: bytes) -> Answer:
    client = repo.client
    response = post_multipart(client, "/upload", {"files": FileStorage(io.BytesIO(data), item.filename)})
    if response.status_code != 302:
        assert response.status_code == 400, response.status_code
        html = response.get_data(as_text=True)
        assert 'id="files-error"' in html
        return Answer(True, html, pages=(html,))
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    submitted = client.post(response.headers["Location"], data=details_form())
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    listing = client.get("/my/documents").get_data(as_text=True)
    return Answer(False, listing, newest_document_id(repo.app),
                  pages=(preview.get_data(as_text=True), listing))


def through_api(repo: Repository, item: hf.HostileFile, data: bytes) -> Answer:
    response = post_multipart(repo.client, "/api/v1/documents",
                              {"file": FileStorage(io.BytesIO(data), item.filename), "topics": "umwelt-wasser"},
                              headers={"Authorization": f"Bearer {repo.token}"})
    body = response.get_json()
    assert response.status_code == item.http_status, body
    text = json.dumps(body, ensure_ascii=False)
    if response.status_code != 201:
        return Answer(True, body["error"]["message"], pages=(text,))
    return Answer(False, text, body["id"], pages=(text,))


def through_cli(repo: Repository, item: hf.HostileFile, data: bytes) -> Answer:
    """The batch ran when the repository was made; find this file's outcome in it."""
    sha256 = hashlib.sha256(data).hexdigest()
    with repo.app.app_context():
        version = db.session.scalars(select(FileVersion).where(FileVersion.sha256 == sha256)).first()
        document_id = version.document_id if version is not None else None
        db.session.remove()
    if document_id is None:
        prefix = f"{repo.folder / 'einlieferung' / item.kind / item.filename}: "
        lines = [line for line in repo.cli_output.splitlines() if line.strip().startswith(prefix)]
        assert len(lines) == 1, repo.cli_output
        return Answer(True, lines[0], pages=(repo.cli_output,))
    return Answer(False, repo.cli_output, document_id, pages=(repo.cli_output,))


def newest_document_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(Document.id).order_by(Document.id.desc())).first()


DOORS = {"form": through_form, "api": through_api, "cli": through_cli}


def kind_of(item: hf.HostileFile) -> str:
    return item.kind


#: Names no POSIX file can have ("/", NUL, more than 255 bytes) reach `toolbox ingest` only as
#: the names they become on disk, so the command gets the others.
ON_DISK = [item for item in hf.ALL if item.on_disk]
#: Every file as a test parameter; the ones that take seconds even when all goes well are slow.
ALL_PARAMS = [pytest.param(item, id=item.kind, marks=[pytest.mark.slow] if item.slow else []) for item in hf.ALL]


# --- the suite -----------------------------------------------------------------------------


@pytest.mark.parametrize("item", ALL_PARAMS)
@pytest.mark.parametrize("repository", ["form", "api"], indirect=True)
def test_hostile_upload_is_refused_or_stored_with_a_precise_status(item, repository, hostile_path):
    """Through the upload form and the API, a hostile file gets a German refusal or a stored
    document with a precise extraction status and message; the worker answers at once
    afterwards, its memory stays under the configured limit, and the document stored before
    is unchanged everywhere."""
    check_hostile_file(item, repository, hostile_path)


@pytest.mark.slow  # one real `toolbox ingest` batch over every file: about a minute
@pytest.mark.parametrize("item", ON_DISK, ids=kind_of)
@pytest.mark.parametrize("repository", ["cli"], indirect=True)
def test_hostile_file_in_ingest_is_refused_or_stored_with_a_precise_status(item, repository, hostile_path):
    """`toolbox ingest` reports a hostile file with its German reason or stores it with a
    precise extraction status, and the document stored before is unchanged everywhere."""
    check_hostile_file(item, repository, hostile_path)


def check_hostile_file(item: hf.HostileFile, repository: Repository, hostile_path) -> None:
    """Send `item` through the repository's door and check the answer, the worker and the
    sentinel."""
    repo = repository
    path = hostile_path(item)
    documents_before = repo.documents()
    blobs_before = sorted(blob_files(repo.app))
    rss_before = peak_rss_mb()
    started = time.monotonic()

    answer = DOORS[repo.entry](repo, item, path.read_bytes())

    # The limits bound the wait: a privacy check, an accessibility check and an extraction, each
    # under the timeout.
    assert time.monotonic() - started < 3 * TIMEOUT + 5
    assert peak_rss_mb() - rss_before < MEMORY_MB
    assert answer.refused == item.refused, answer.message
    for page in answer.pages:
        assert "Traceback" not in page
        assert hf.SECRET_MARKER not in page
    if item.refused:
        assert item.message in answer.message
        if repo.entry != "cli":
            assert repo.documents() == documents_before
            assert sorted(blob_files(repo.app)) == blobs_before
    else:
        check_stored(repo.app, item, path, answer.document_id, over_http=repo.entry != "cli")
    assert staged_files(repo.app) == []
    repo.assert_sentinel_intact()


@pytest.mark.slow
@pytest.mark.parametrize("repository", ["cli"], indirect=True)
def test_ingest_batch_goes_on_after_every_hostile_file(repository):
    """The batch reports each refused file with its reason, ingests all the others, including
    the harmless file after the hostile ones, and exits non-zero; no process of it, the
    command or an extraction child, grew beyond the configured memory limit."""
    repo = repository
    refused = [item for item in hf.ALL if item.on_disk and item.refused]
    stored = [item for item in hf.ALL if item.on_disk and not item.refused]
    assert repo.cli_exit_code == 1
    assert f"Importiert: {len(stored) + 1} " in repo.cli_output
    assert f"Fehlgeschlagen: {len(refused)}" in repo.cli_output
    assert "Traceback" not in repo.cli_errors
    # Neither the command nor any of its extraction children ever held more than the limit.
    assert repo.cli_peak_rss_mb < MEMORY_MB
    assert repo.documents() == 1 + len(stored) + 1
    with repo.app.app_context():
        harmless = db.session.scalars(select(Document).where(Document.title == "harmlos")).one()
        assert harmless.current_version.extraction_status == "ok"
        db.session.remove()


def check_stored(app, item: hf.HostileFile, path: Path, document_id: int, *, over_http: bool) -> None:
    with app.app_context():
        document = db.session.get(Document, document_id)
        version = document.current_version
        message = render(version.extraction, "de")
        assert version.extraction_status == item.extraction_status, message
        assert item.message in message
        for expected in item.text_contains:
            assert expected in version.text
        # The blob is the uploaded file, stored under its hash and nothing else.
        stored = blob_store().path_for(version.sha256)
        assert stored.read_bytes() == path.read_bytes()
        assert stored.name == version.sha256 or version.sha256 in stored.name
        everything = json.dumps([document.title, version.text, message, version.properties,
                                 version.original_filename], ensure_ascii=False)
        assert hf.SECRET_MARKER not in everything
        assert "lollollol" not in everything
        check_filename(item, version.original_filename, over_http=over_http)


def check_filename(item: hf.HostileFile, stored: str, *, over_http: bool) -> None:
    """A stored name is metadata only: one NFC-normalised name without directories or
    invisible characters, at most 255 bytes, with its extension."""
    assert unicodedata.is_normalized("NFC", stored)
    assert "/" not in stored and "\\" not in stored and not stored.startswith(".")
    assert not any(unicodedata.category(char).startswith("C") for char in stored)
    assert len(stored.encode("utf-8")) <= 255
    if over_http and item.stored_over_http is not None:
        assert stored == item.stored_over_http
    elif item.stored_filename is not None:
        assert stored == item.stored_filename
    elif item.kind == "name-300-characters":
        check_long_name(stored)
    else:
        assert stored == item.filename


def check_long_name(stored: str) -> None:
    """Cut before the extension, on a character boundary, to what fits in 255 bytes."""
    original = hf.by_kind("name-300-characters").filename
    assert stored.endswith(".txt")
    assert original.startswith(stored.removesuffix(".txt"))
    assert 253 <= len(stored.encode("utf-8")) <= 255


@pytest.mark.parametrize("item", hf.NAMES, ids=kind_of)
def test_clean_filename_keeps_a_name_and_nothing_else(item):
    """`clean_filename` turns each hostile name into one harmless file name."""
    from toolbox.services.ingest import clean_filename

    cleaned = clean_filename(item.filename)
    if item.stored_filename is not None:
        assert cleaned == item.stored_filename
    else:
        check_long_name(cleaned)
    assert clean_filename(cleaned) == cleaned  # cleaning twice changes nothing


@pytest.mark.parametrize("kind", ["flate-bomb", "split-flate-bomb"])
def test_flate_bomb_is_stopped_by_the_configured_memory_limit(kind, app, hostile_path):
    """A PDF whose streams inflate to 2 GiB, a few MB on disk, stops at an eighth of the
    address space the child still has free under TOOLBOX_EXTRACT_MEMORY_MB (192 MB here, so at
    most 24 MB): the message names that limit, not a bare memory error."""
    from toolbox.services.ingest import ingest_file

    path = hostile_path(hf.by_kind(kind))
    assert path.stat().st_size < hf.FLATE_BOMB_MAX_ON_DISK
    app.config["TOOLBOX_EXTRACT_MEMORY_MB"] = 192
    with app.app_context():
        outcome = ingest_file(path, filename="bombe.pdf")
        assert outcome.extraction_status == "failed"
        message = render(outcome.message, "de")
        named = re.search(r"mehr als (\d+) MB", message)
        assert named and 1 <= int(named.group(1)) <= 24, message
        assert "Dekomprimierungsbombe" in message


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity"])
def test_xml_parsers_never_expand_entities(kind, hostile_path):
    """Even past the DOCTYPE check, none of the XML parsers that read DOCX parts expands an
    entity or reads the file an external entity points at."""
    import zipfile

    from docx.oxml.parser import parse_xml
    from lxml import etree

    from toolbox.extract import word
    from toolbox.services import metadata_strip

    with zipfile.ZipFile(hostile_path(hf.by_kind(kind))) as archive:
        parts = [archive.read("word/document.xml"), archive.read("docProps/core.xml")]
    for part in parts:
        for parse in (lambda data: etree.fromstring(data, word._PARSER), parse_xml, metadata_strip._parse):
            try:
                root = parse(part)
            except etree.XMLSyntaxError:
                continue  # refusing to parse is fine too
            serialised = etree.tostring(root, encoding="unicode")
            assert hf.SECRET_MARKER not in serialised
            assert "lollollol" not in serialised


def test_entity_declaration_in_a_part_named_otherwise_is_found(tmp_path):
    """The DOCTYPE check follows the declared content types, not the file names."""
    from toolbox.extract import extract

    path = tmp_path / "umbenannt.docx"
    hf.build_external_entity_in_renamed_part(path, tmp_path)
    result = extract(path, "umbenannt.docx", timeout=TIMEOUT, memory_mb=MEMORY_MB)
    assert result.status == "failed"
    assert "enthält eine DTD" in render(result.message, "de")
    assert hf.SECRET_MARKER not in json.dumps(result.to_dict(), ensure_ascii=False)


def test_svg_image_with_a_doctype_is_no_entity_attack(tmp_path):
    """An SVG logo with the usual DOCTYPE is an image, not an XML part: the document reads."""
    from toolbox.extract import extract

    path = tmp_path / "briefkopf.docx"
    hf.build_docx_with_svg_logo(path, tmp_path)
    result = extract(path, "briefkopf.docx", timeout=TIMEOUT, memory_mb=MEMORY_MB)
    assert result.status == "ok", render(result.message, "de")
    assert result.text == "Briefkopf mit Stadtwappen"
