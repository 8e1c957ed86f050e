"""The search engine's start-up checks: the pinned Whoosh release and the chosen backend."""
from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from toolbox import create_app
from toolbox.search import UnsupportedWhoosh, _release

ROOT = Path(__file__).resolve().parents[1]


def test_the_installed_whoosh_is_the_pinned_release():
    """The release check passes on the release setup.cfg installs, and both name the same one."""
    _release.check_release()
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg", encoding="utf-8")
    requirements = setup["options"]["install_requires"]
    assert f"{_release.WHOOSH_DISTRIBUTION}=={_release.WHOOSH_RELEASE}" in requirements.split()


@pytest.mark.parametrize("other", ["3.54.0", "2.7.4", "2.7.6"])
def test_another_whoosh_release_is_refused_with_a_clear_message(other):
    """Any other release (the whoosh3 fork, the original Whoosh) stops with what to install."""
    with pytest.raises(UnsupportedWhoosh) as raised:
        _release.check_release(other)
    message = str(raised.value)
    assert f"Whoosh {other} is installed" in message
    assert "pip install 'whoosh-reloaded==2.7.5'" in message


def test_the_app_refuses_to_start_on_another_whoosh_release(monkeypatch, tmp_path):
    """create_app fails before serving anything when the imported whoosh reports another version."""
    import whoosh

    monkeypatch.setattr(whoosh, "versionstring", lambda *args, **kwargs: "3.54.0")
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(UnsupportedWhoosh, match="3.54.0"):
        create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})


def test_whoosh_is_the_default_backend(app):
    """Without TOOLBOX_SEARCH_BACKEND the embedded Whoosh engine runs, reading the database."""
    from toolbox import search
    from toolbox.services.search_source import DatabaseSource

    with app.app_context():
        backend = search.current_backend()
        assert backend.name == "whoosh"
        assert isinstance(backend, search.SearchBackend)
        assert isinstance(backend.source, DatabaseSource)


def test_an_unknown_backend_stops_the_start_with_the_choices(monkeypatch, tmp_path):
    """A misspelt TOOLBOX_SEARCH_BACKEND is named, with the engines there are, before anything runs."""
    from toolbox.config import ConfigError

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("TOOLBOX_SEARCH_BACKEND", "elastic")
    with pytest.raises(ConfigError, match="TOOLBOX_SEARCH_BACKEND='elastic' is not a search backend; choose one of: postgresql, whoosh"):
        create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})


def test_the_postgresql_backend_refuses_sqlite_with_a_clear_message(template_database, tmp_path, monkeypatch):
    """TOOLBOX_SEARCH_BACKEND=postgresql on a SQLite database stops the start and says what to do."""
    import shutil

    from conftest import _config
    from toolbox.config import ConfigError

    database = tmp_path / "toolbox.sqlite3"
    shutil.copyfile(template_database, database)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with pytest.raises(ConfigError, match="TOOLBOX_SEARCH_BACKEND=postgresql needs a PostgreSQL database") as raised:
        create_app({**_config(tmp_path, f"sqlite:///{database}"), "SEARCH_BACKEND": "postgresql"})
    assert "TOOLBOX_SEARCH_BACKEND=whoosh" in str(raised.value)
    assert not (tmp_path / "index").exists()
