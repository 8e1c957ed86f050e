"""Installing the package: `make run` installs it quietly, and a wheel carries everything the app
reads at run time besides its Python modules (migrations, translations, data files)."""
from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _source_copy(tmp_path: Path) -> Path:
    """The tracked files the build reads, copied away: a build in the checkout would leave
    `build/` behind, whose stale files setuptools puts into every later wheel."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "setup.cfg", "pyproject.toml", "README.md", "toolbox"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    source = tmp_path / "source"
    for name in filter(None, tracked):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    return source


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=240)


@pytest.mark.slow
def test_editable_install_as_make_run_does_it_prints_nothing(tmp_path):
    """`make run` runs `pip install --quiet -e`; setuptools' warnings about package data once
    filled about 200 lines before the app started."""
    source = _source_copy(tmp_path)
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    result = _pip("--python", str(target / "bin" / "python"), "install", "--quiet", "--no-deps", "-e", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


@pytest.mark.slow
def test_wheel_builds_without_warnings_and_ships_migrations_translations_and_data(tmp_path):
    source = _source_copy(tmp_path)
    result = _pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), str(source))
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stdout + result.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = ROOT / "toolbox" / "migrations"
    expected = {"toolbox/migrations/env.py", "toolbox/migrations/alembic.ini", "toolbox/migrations/script.py.mako",
                "toolbox/translations/en/LC_MESSAGES/messages.mo", "toolbox/data/common_passwords.txt",
                "toolbox/data/synonyms_seed.json",
                "toolbox/api/openapi.json", "toolbox/demo/legacy/Muster_Alarm-_und_Einsatzplan_Starkregen.doc"}
    expected |= {f"toolbox/migrations/versions/{p.name}" for p in (migrations / "versions").glob("*.py")}
    assert expected - names == set()
    assert not any("__pycache__" in name for name in names)
