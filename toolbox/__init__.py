"""Smart Region Toolbox: share and find the documents of municipal digitalisation projects."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import PROJECT_ROOT, ConfigError, load_settings
from .extensions import db, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build an application from the environment, overridden by ``test_config``."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("TOOLBOX_INSTANCE_DIR") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    settings = load_settings()
    if test_config:
        settings.update(test_config)
    app.config.update({_config_key(k): v for k, v in settings.items()})
    if settings.get("DEBUG"):
        app.debug = True
    _require_secret_key(app)
    _check_storage_url(app)
    from . import urls

    urls.init_app(app)  # TOOLBOX_BASE_URL (required outside debug/testing) and the trusted hosts

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    # Upload limit plus room for the form fields around the file.
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["TOOLBOX_MAX_UPLOAD_MB"]) * 1024 * 1024 + 1024 * 1024
    app.config["JSON_SORT_KEYS"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)

    from . import i18n, mail, search, security, web
    from .api import init_app as init_api

    from .services.search_source import DatabaseSource

    # TOOLBOX_SEARCH_BACKEND; refuses to start on a Whoosh release other than the pinned one
    search.init_app(app, DatabaseSource())
    mail.init_app(app)  # TOOLBOX_MAIL_URL: SMTP, or .eml files in the instance folder
    i18n.init_app(app)
    web.init_app(app)
    security.init_app(app)  # accounts: login, CSRF, rate limits, security headers
    init_api(app)
    from .cli import register_commands

    register_commands(app)
    return app


def _check_storage_url(app: Flask) -> None:
    """A mistyped bucket URL stops the start, instead of the first upload."""
    from .storage import storage_url

    url = storage_url(app.config)
    if url is not None:
        from .s3storage import parse_storage_url

        parse_storage_url(url)


#: Settings that belong to Flask or an extension keep their own names; all others are the
#: toolbox's and live under ``TOOLBOX_`` in ``app.config``.
_FLASK_KEYS = ("SECRET_KEY", "DEBUG", "TESTING")
_EXTENSION_PREFIXES = ("WTF_", "RATELIMIT_", "SESSION_COOKIE_", "REMEMBER_COOKIE_", "SQLALCHEMY_", "BABEL_")


def _config_key(name: str) -> str:
    if name in _FLASK_KEYS or name.startswith(_EXTENSION_PREFIXES) or name.startswith("TOOLBOX_"):
        return name
    return f"TOOLBOX_{name}"


def _require_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing:
        # A fixed key would let anyone forge sessions; a random one only costs a re-login.
        app.config["SECRET_KEY"] = os.urandom(32).hex()
        return
    raise ConfigError(
        "TOOLBOX_SECRET_KEY is not set. Set it to a long random value, e.g. "
        "TOOLBOX_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'), "
        "or use TOOLBOX_DEBUG=1 for local development only."
    )


def database_uri(app: Flask) -> str:
    url = app.config.get("TOOLBOX_DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(app.instance_path) / "toolbox.sqlite3")
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Make SQLite behave under several processes: WAL, a busy timeout and foreign keys."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
