"""Shared fixtures: a fresh app per test on a real SQLite file, real blob store and index.

Migrating a new database per test costs about a second, so the schema is migrated and seeded
once per session into a template file that every test copies.

With ``TOOLBOX_TEST_DATABASE_URL`` set (a PostgreSQL server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) the ``app`` of every test runs on
PostgreSQL instead: a template database is migrated and seeded once per session, and each test
gets ``CREATE DATABASE t_<random> TEMPLATE <template>``, dropped afterwards. Tests that build
their own app from ``template_database`` stay on SQLite.
"""
from __future__ import annotations

import os
import shutil
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from toolbox import create_app
from toolbox.extensions import db

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

#: The PostgreSQL server the suite runs on instead of SQLite, or None for SQLite.
TEST_DATABASE_URL = os.environ.get("TOOLBOX_TEST_DATABASE_URL") or None


def on_postgres() -> bool:
    """True in the suite's PostgreSQL run (``TOOLBOX_TEST_DATABASE_URL`` set)."""
    return TEST_DATABASE_URL is not None


def skip_on_postgres(reason: str):
    """Mark a test that checks SQLite itself, so the PostgreSQL run skips it with ``reason``."""
    return pytest.mark.skipif(on_postgres(), reason=f"SQLite only: {reason}")


def corpus_path() -> Path:
    """The shared real-world corpus, or a clean skip where the folder is absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not present ({SHARED_CORPUS}); real-document tests skipped")
    return SHARED_CORPUS


def _config(tmp: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "DOCUMENTS_DIR": str(tmp / "documents"),
        "INDEX_DIR": str(tmp / "index"),
        "EXTRACT_TIMEOUT": 30.0,
        "WTF_CSRF_ENABLED": False,
        # Argon2id with the least work: hundreds of logins would otherwise cost minutes.
        # tests/test_users.py checks the real profile.
        "PASSWORD_HASH_FAST": True,
    }


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Path:
    """A migrated and seeded SQLite file to copy for each test."""
    from toolbox.services.database import prepare_database

    folder = tmp_path_factory.mktemp("template")
    path = folder / "toolbox.sqlite3"
    os.environ.setdefault("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
    app = create_app(_config(folder, f"sqlite:///{path}"))
    prepare_database(app)
    with app.app_context():
        db.engine.dispose()
    return path


def _database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server():
    """An AUTOCOMMIT engine on the server of ``TOOLBOX_TEST_DATABASE_URL`` to create databases."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        pytest.exit(f"TOOLBOX_TEST_DATABASE_URL={TEST_DATABASE_URL} is not reachable: {exc}", returncode=3)
    yield engine
    engine.dispose()


def _drop_database(pg_server, name: str) -> None:
    import sqlalchemy as sa

    with pg_server.connect() as conn:
        # FORCE: a test that built its own engine may still hold a connection.
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_template(pg_server, tmp_path_factory) -> str:
    """A migrated and seeded PostgreSQL database, unique to this session, to copy for each test."""
    import sqlalchemy as sa

    from toolbox.services.database import prepare_database

    name = f"toolbox_template_{uuid.uuid4().hex[:12]}"
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        folder = tmp_path_factory.mktemp("pg-template")
        os.environ.setdefault("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
        app = create_app(_config(folder, _database_url(name)))
        prepare_database(app)
        with app.app_context():
            db.engine.dispose()
        yield name
    finally:
        _drop_database(pg_server, name)


@pytest.fixture
def app_config(request, tmp_path) -> dict:
    """Settings for a fresh repository: a copy of the SQLite template, or of the PostgreSQL one."""
    if not on_postgres():
        database = tmp_path / "toolbox.sqlite3"
        shutil.copyfile(request.getfixturevalue("template_database"), database)
        return _config(tmp_path, f"sqlite:///{database}")
    import sqlalchemy as sa

    pg_server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"t_{uuid.uuid4().hex}"
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    request.addfinalizer(lambda: _drop_database(pg_server, name))
    return _config(tmp_path, _database_url(name))


class _SharedBytecodeCache:
    """Compiled templates shared by the session's many apps.

    Each app has its own Jinja environment and would compile every template it renders again,
    about a third of a second per test that renders a page; the sources, and so the keys
    (name + checksum of the source), are the same for all of them.
    """

    def __new__(cls):
        from jinja2 import BytecodeCache

        class _Cache(BytecodeCache):
            def __init__(self):
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket):
                code = self.store.get(bucket.key)
                if code is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket):
                self.store[bucket.key] = bucket.bytecode_to_string()

        return _Cache()


_TEMPLATE_CACHE = _SharedBytecodeCache()


@contextmanager
def running_app(config: dict):
    """An app from ``config`` with its search index, its database connections closed after."""
    application = create_app(config)
    application.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    with application.app_context():
        from toolbox import search

        search.ensure_index()
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app(app_config) as application:
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The local PostgreSQL test database, or a visible skip on machines without one."""
    url = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    if not _port_open(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432; PostgreSQL tests skipped")
    return url


@contextmanager
def postgres_app(postgres_url: str, tmp_path: Path, monkeypatch, **settings):
    """An app on a freshly migrated PostgreSQL database of its own, dropped afterwards.

    A database per test, not the shared ``public`` schema of ``test``: parallel workers and other
    sessions on the same server would otherwise drop each other's tables.
    """
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from toolbox.services.database import prepare_database

    name = f"p_{uuid.uuid4().hex}"
    server = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    try:
        application = create_app({**_config(tmp_path, url), **settings})
        prepare_database(application)
        with application.app_context():
            from toolbox import search

            search.ensure_index()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        _drop_database(server, name)
        server.dispose()


@pytest.fixture
def pg_app(postgres_url, tmp_path, monkeypatch):
    """An app on a PostgreSQL database of its own (``postgres_app``)."""
    with postgres_app(postgres_url, tmp_path, monkeypatch) as application:
        yield application


# --- S3-compatible storage ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API server on 127.0.0.1 for this test session (moto's standalone server).

    Skips with a clear message where moto is not installed (``pip install 'moto[server]'``).
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.skip("moto[server] is not installed; the S3 storage tests need it (pip install 'moto[server]')")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str, bucket: str | None = None, prefix: str = "toolbox") -> dict:
    """Settings of an app whose files live in a new, empty bucket on ``endpoint``."""
    import boto3

    bucket = bucket or f"t-{uuid.uuid4().hex[:20]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    client.close()
    return {
        "STORAGE_URL": f"s3://{bucket}/{prefix}",
        "STORAGE_ENDPOINT_URL": endpoint,
        "STORAGE_REGION": "eu-central-1",
        "STORAGE_ACCESS_KEY_ID": "testing",
        "STORAGE_SECRET_ACCESS_KEY": "testing",
    }


@pytest.fixture(params=["local", "s3"])
def storage_backend(request) -> str:
    """Runs a test once on the local folder and once on a bucket of the session's S3 server."""
    return request.param


@pytest.fixture
def storage_app(request, storage_backend, app_config, tmp_path, monkeypatch):
    """``app`` on the backend of ``storage_backend``: the local folder or a fresh bucket."""
    config = dict(app_config)
    if storage_backend == "s3":
        config.update(s3_settings(request.getfixturevalue("s3_server")))
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app(config) as application:
        yield application


# --- mail ------------------------------------------------------------------------------------


@pytest.fixture
def smtp():
    """A real SMTP server in-process (aiosmtpd) that keeps what arrives."""
    from mail_helpers import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def mail_config(app_config: dict, smtp, **extra) -> dict:
    """Settings that send through ``smtp`` and retry quickly."""
    return {**app_config, "MAIL_URL": smtp.url, "MAIL_RETRY_SECONDS": 0.2, "JOB_RETRY_SECONDS": 0.2, **extra}


@pytest.fixture
def mail_app(app_config, tmp_path, monkeypatch, smtp):
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app(mail_config(app_config, smtp)) as application:
        yield application


# --- factories -------------------------------------------------------------------------------


def german(message) -> str:
    """A stored message (code and parameters) as the German pages show it."""
    from toolbox.message_render import render

    return render(message, "de")


def write_docx(path: Path, paragraphs: list[str], *, table: list[list[str]] | None = None,
               header: str | None = None, author: str | None = None, title: str | None = None) -> Path:
    """Write a small real DOCX file."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if author:
        document.core_properties.author = author
    if title:
        document.core_properties.title = title
    document.save(path)
    return path


_counter = {"n": 0}


def make_document(
    app,
    *,
    title: str = "Musterdokument",
    text: str = "Ein Beispieltext über kommunale Digitalisierung.",
    publish: bool = True,
    fmt: str = "txt",
    filename: str | None = None,
    pages: list[str] | None = None,
    **metadata,
):
    """Ingest a generated file through the real ingest service and return the Document.

    ``metadata`` takes the fields of ``DocumentMetadata`` (topics, type, municipality, …);
    ``pages`` gives a PDF (``fmt="pdf"``) one page per string instead of one page of ``text``.
    """
    from toolbox.models import Document
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    _counter["n"] += 1
    folder = Path(app.config["TOOLBOX_DOCUMENTS_DIR"]).parent / "factory"
    folder.mkdir(parents=True, exist_ok=True)
    name = filename or f"dokument-{_counter['n']}.{fmt}"
    path = folder / f"{_counter['n']}-{name}"
    if fmt == "docx":
        write_docx(path, [text])
    elif fmt == "pdf":
        from extract_fixtures import write_text_pdf

        write_text_pdf(path, pages or [f"{text} Laufende Nummer {_counter['n']}"])
    else:
        # A unique line keeps factory files from being duplicates of each other.
        path.write_text(f"{text}\n\nLaufende Nummer {_counter['n']}\n", encoding="utf-8")
    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title=title, **metadata), filename=name, publish=publish)
        assert outcome.status == "ingested", outcome.message
        return db.session.get(Document, outcome.document_id)


@pytest.fixture
def make_doc(app):
    """``make_doc(title=..., text=..., topics=[...], ...)`` inside the test's app."""

    def factory(**kwargs):
        document = make_document(app, **kwargs)
        return document.id

    return factory


# --- accounts --------------------------------------------------------------------------------
# Users are made through the real service and log in through the real /login form.

DEFAULT_PASSWORD = "Sichere-Passphrase-2026"
_user_counter = {"n": 0}


def make_user(app, email: str | None = None, role: str = "contributor", password: str | None = DEFAULT_PASSWORD,
              name: str | None = None) -> int:
    """Create an account through ``user_create`` and return its id."""
    from toolbox.services.users import user_create

    if email is None:
        _user_counter["n"] += 1
        email = f"{role}-{_user_counter['n']}@example.org"
    with app.app_context():
        return user_create(email, role, password=password, name=name).id


class AuthActions:
    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD, follow_redirects: bool = False):
        return self._client.post("/login", data={"email": email, "password": password},
                                 follow_redirects=follow_redirects)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    """``auth.login(email)`` / ``auth.logout()`` with the test client, through the real form."""
    return AuthActions(client)


# --- browser tests ---------------------------------------------------------------------------
# Shared by the browser modules: one headless Chromium per module, one live server per module.

CHROMIUM = Path(os.environ.get("TOOLBOX_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def module_browser():
    """Debian's chromium driven by Playwright, shared by the tests of one module."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium) "
                    "to run the browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def live_app(tmp_path_factory, template_database: Path, name: str, **settings):
    """A fresh app for a live server, with CSRF on as in production, on its own copy of the
    migrated template database and with an empty search index; ``settings`` add to the config."""
    from toolbox import search

    folder = tmp_path_factory.mktemp(name)
    shutil.copyfile(template_database, folder / "toolbox.sqlite3")
    config = _config(folder, f"sqlite:///{folder / 'toolbox.sqlite3'}")
    config["WTF_CSRF_ENABLED"] = True
    config.update(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
        app = create_app(config)
    with app.app_context():
        search.ensure_index()
    return app


def serve(app):
    """Serve ``app`` for a module's browser tests once its data is in: the index queue is flushed
    first so searches find it. A generator for a fixture: ``yield from serve(app)``."""
    from toolbox.services.indexing import flush_index_queue

    with app.app_context():
        flush_index_queue()
        db.session.remove()
    server = LiveServer(app)
    try:
        yield server.url
    finally:
        server.stop()


def _closing_body(app):
    """Read each response body to the end and close it before Werkzeug's development server writes
    it. When a browser drops a connection mid-response (a favicon request cut off by the next
    navigation), that server skips ``close()`` on the body, and the open static file surfaces as a
    ResourceWarning in whichever test the garbage collector next runs in."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


class LiveServer:
    """A running app on http://127.0.0.1:<free port>, served from a background thread."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        import threading

        self.app = app
        self._server = make_server("127.0.0.1", 0, _closing_body(app), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def browser_page(module_browser):
    """A German page at 1280 × 900 in a context of its own (no cookies from other tests)."""
    context = module_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def browser_login(page, base: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Log in through the real form."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()
