"""Configuration from TOOLBOX_* variables and the application factory's safety checks."""
from __future__ import annotations

import pytest

from toolbox import create_app
from toolbox.config import ConfigError, load_settings


def test_settings_come_from_toolbox_variables():
    """Each documented variable overrides its default, with the right type."""
    settings = load_settings({
        "TOOLBOX_DATABASE_URL": "postgresql://db/toolbox",
        "TOOLBOX_DOCUMENTS_DIR": "/srv/dokumente",
        "TOOLBOX_INDEX_DIR": "/srv/index",
        "TOOLBOX_SECRET_KEY": "geheim",
        "TOOLBOX_MAX_UPLOAD_MB": "20",
    })
    assert settings["DATABASE_URL"] == "postgresql://db/toolbox"
    assert settings["DOCUMENTS_DIR"] == "/srv/dokumente"
    assert settings["INDEX_DIR"] == "/srv/index"
    assert settings["SECRET_KEY"] == "geheim"
    assert settings["MAX_UPLOAD_MB"] == 20


def test_defaults_suit_local_use():
    """Without variables: 50 MB uploads, local documents/ and index/ folders, no secret key."""
    settings = load_settings({})
    assert settings["MAX_UPLOAD_MB"] == 50
    assert settings["DOCUMENTS_DIR"].endswith("documents")
    assert settings["INDEX_DIR"].endswith("index")
    assert settings["SECRET_KEY"] is None


def test_malformed_number_is_a_clear_error():
    """A non-numeric upload limit names the variable instead of failing somewhere later."""
    with pytest.raises(ConfigError, match="TOOLBOX_MAX_UPLOAD_MB"):
        load_settings({"TOOLBOX_MAX_UPLOAD_MB": "viel"})


def test_app_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    """Outside debug and testing, a missing TOOLBOX_SECRET_KEY stops the start with a message."""
    monkeypatch.delenv("TOOLBOX_SECRET_KEY", raising=False)
    monkeypatch.delenv("TOOLBOX_DEBUG", raising=False)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="TOOLBOX_SECRET_KEY"):
        create_app()


def test_debug_and_testing_start_without_secret_key(monkeypatch, tmp_path):
    """Local development works without a key; a random one is made per start."""
    monkeypatch.delenv("TOOLBOX_SECRET_KEY", raising=False)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path))
    app = create_app({"TESTING": True})
    assert len(app.config["SECRET_KEY"]) >= 32


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    """The embedded default needs no server: SQLite inside the instance folder."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("TOOLBOX_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/toolbox.sqlite3"


def test_postgresql_urls_use_psycopg3(monkeypatch, tmp_path):
    """A plain postgresql:// URL is served by the psycopg 3 driver the package installs."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path))
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://user@host/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@host/db"


def test_accessibility_statement_date_is_a_date():
    """The statement's "Stand" is read as an ISO date; anything else names the variable."""
    from datetime import date

    settings = load_settings({"TOOLBOX_ACCESSIBILITY_REVIEWED": "2026-11-30",
                              "TOOLBOX_ACCESSIBILITY_CONTACT": "Stadt Musterstadt, barrierefrei@musterstadt.de"})
    assert settings["ACCESSIBILITY_REVIEWED"] == date(2026, 11, 30)
    assert settings["ACCESSIBILITY_CONTACT"] == "Stadt Musterstadt, barrierefrei@musterstadt.de"
    with pytest.raises(ConfigError, match="TOOLBOX_ACCESSIBILITY_REVIEWED"):
        load_settings({"TOOLBOX_ACCESSIBILITY_REVIEWED": "30.11.2026"})
