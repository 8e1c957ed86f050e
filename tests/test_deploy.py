"""The deployment files (Containerfile, compose.yaml, systemd units, nginx) agree with the app.

They are not run by the tests (no container engine or systemd here), so without these checks a
renamed setting, command or path would leave them quietly broken until the next release.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from toolbox.cli import cli
from toolbox.config import _ENV_SETTINGS, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_ARGS = ["-c", "python:toolbox.gunicorn_conf"]
DATA_DIRS = ("TOOLBOX_INSTANCE_DIR", "TOOLBOX_DOCUMENTS_DIR", "TOOLBOX_INDEX_DIR")
OCR_AND_OFFICE_PACKAGES = {"tesseract-ocr", "tesseract-ocr-deu", "ghostscript", "poppler-utils",
                           "libreoffice-writer-nogui", "libreoffice-calc-nogui", "libreoffice-impress-nogui"}


def known_settings() -> set[str]:
    """Every TOOLBOX_* variable the package reads: the settings table and direct environ reads."""
    names = {env_name for env_name, _kind in _ENV_SETTINGS.values()}
    pattern = re.compile(r"""environ(?:\.get)?[(\[]\s*["'](TOOLBOX_\w+)["']""")
    for path in (ROOT / "toolbox").rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def toolbox_variables(environment: dict) -> dict[str, str]:
    return {name: str(value) for name, value in environment.items() if name.startswith("TOOLBOX_")}


def assert_settings_known_and_valid(environment: dict[str, str], where: str) -> None:
    unknown = set(environment) - known_settings()
    assert not unknown, f"{where} sets variables the app does not read: {sorted(unknown)}"
    literal = {name: value for name, value in environment.items() if "${" not in value and "$" not in value}
    try:
        load_settings(literal)
    except ConfigError as exc:  # a value of the wrong type (a word where a number belongs)
        pytest.fail(f"{where}: {exc}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_known_settings_include_the_direct_reads():
    """The helper sees settings read outside the table, so it can also fail on a rename."""
    assert {"TOOLBOX_INSTANCE_DIR", "TOOLBOX_SECRET_KEY", "TOOLBOX_PROXY_HOPS"} <= known_settings()
    assert "TOOLBOX_NO_SUCH_THING" not in known_settings()


# --- compose.yaml ----------------------------------------------------------------------------------


def test_compose_has_the_services_of_a_deployment(compose):
    """web (gunicorn with the toolbox's configuration), worker, PostgreSQL, Redis, and migrate."""
    services = compose["services"]
    assert {"web", "worker", "postgres", "redis", "migrate"} <= services.keys()
    web = services["web"]["command"]
    assert web[0] == "gunicorn" and web[1:3] == GUNICORN_ARGS and web[-1] == "toolbox.wsgi:app"
    assert services["worker"]["command"] == ["toolbox", "worker"]
    assert services["migrate"]["command"][0] == "toolbox"
    assert services["migrate"]["command"][1] in cli.commands
    assert services["postgres"]["image"].split("/")[-1].startswith("postgres:")
    assert services["redis"]["image"].split("/")[-1].startswith("redis:")
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", ["migrate", "web", "worker"])
def test_compose_sets_only_settings_the_app_knows(compose, service):
    """Every TOOLBOX_* variable of a toolbox service is a setting the app reads, with a valid value."""
    environment = toolbox_variables(compose["services"][service]["environment"])
    assert environment
    assert_settings_known_and_valid(environment, f"compose.yaml service {service}")


def test_compose_points_the_app_at_its_database_and_queue(compose):
    """The database and queue URLs name the compose services, and the proxy hop matches nginx."""
    services = compose["services"]
    environment = services["web"]["environment"]
    assert re.match(r"postgres(ql)?://[^@]+@postgres:5432/", environment["TOOLBOX_DATABASE_URL"])
    assert environment["TOOLBOX_QUEUE_URL"].startswith("redis://redis:6379/")
    assert environment["TOOLBOX_PROXY_HOPS"] == "1"
    assert environment["TOOLBOX_QUEUE_URL"] == services["worker"]["environment"]["TOOLBOX_QUEUE_URL"]


@pytest.mark.parametrize("service", ["migrate", "web", "worker"])
def test_compose_keeps_the_data_folders_on_shared_volumes(compose, service):
    """Instance, documents and index folders are named volumes, the same for web and worker."""
    definition = compose["services"][service]
    mounts = dict(reversed(volume.split(":")[:2]) for volume in definition["volumes"])
    for name in DATA_DIRS:
        folder = definition["environment"][name]
        assert folder in mounts, f"{service}: {name}={folder} is not on a volume"
        assert mounts[folder] in compose["volumes"]


def test_compose_runs_gunicorn_metrics_in_multiprocess_mode(compose):
    """The web service's PROMETHEUS_MULTIPROC_DIR is a tmpfs, so each start begins empty."""
    web = compose["services"]["web"]
    folder = web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert any(entry.split(":")[0] == folder for entry in web["tmpfs"])
    assert web["healthcheck"]["test"][-1].endswith("/readyz', timeout=4)")


# --- Containerfile -----------------------------------------------------------------------------------


def _containerfile() -> str:
    # Continuation lines joined, so that each instruction is one line.
    return (ROOT / "Containerfile").read_text(encoding="utf-8").replace("\\\n", " ")


def test_containerfile_builds_in_stages_and_runs_unprivileged():
    """Several stages; the last one switches to a named user that is not root."""
    text = _containerfile()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE)
    assert len(stages) >= 2
    runtime = text[text.rindex("\nFROM "):]
    users = re.findall(r"^USER\s+(\S+)", runtime, re.MULTILINE)
    assert users and users[-1] not in ("root", "0", "0:0")


def test_containerfile_installs_ocr_and_office_packages_and_vendors_the_front_end():
    """The runtime has tesseract (German), ghostscript, poppler and LibreOffice without a display;
    KERN UX and PDF.js come from the Makefile's own targets in a build stage."""
    text = _containerfile()
    runtime = text[text.rindex("\nFROM "):]
    installed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", " ".join(re.findall(r"apt-get install ([^&]+)", runtime))))
    assert OCR_AND_OFFICE_PACKAGES <= installed
    assert "make static/vendor/kern/.installed static/vendor/pdfjs/.installed" in text
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(KERN_STAMP): package-lock.json" in makefile and "KERN_STAMP := $(KERN_VENDOR)/.installed" in makefile
    assert "PDFJS_STAMP := $(PDFJS_VENDOR)/.installed" in makefile


def test_containerfile_settings_and_command_match_the_app():
    """Its TOOLBOX_* defaults are settings the app knows; its command is the gunicorn of compose."""
    text = _containerfile()
    environment = dict(re.findall(r"(TOOLBOX_\w+)=(\S+)", text))
    assert set(DATA_DIRS) <= environment.keys()
    assert_settings_known_and_valid(environment, "Containerfile")
    command = re.search(r"^CMD\s+(\[.*\])", text, re.MULTILINE).group(1)
    assert yaml.safe_load(command)[:3] == ["gunicorn", *GUNICORN_ARGS]


def test_container_ignore_files_agree():
    """podman reads .containerignore, docker .dockerignore: the same list, and the local data is out."""
    podman = (ROOT / ".containerignore").read_text(encoding="utf-8")
    assert podman == (ROOT / ".dockerignore").read_text(encoding="utf-8")
    assert {"documents", "index", "instance", ".venv", "static/vendor"} <= set(podman.split())


# --- systemd -----------------------------------------------------------------------------------------


def _unit(name: str) -> dict[str, list[str]]:
    """The unit's keys with all their values (systemd allows a key more than once)."""
    values: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / "systemd" / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _sep, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_systemd_units_run_gunicorn_and_the_worker_as_the_toolbox_user():
    """The web unit migrates first and runs the gunicorn of compose; the worker runs ``toolbox worker``."""
    web, worker = _unit("toolbox-web.service"), _unit("toolbox-worker.service")
    for unit in (web, worker):
        assert unit["User"] == ["toolbox"]
        assert unit["EnvironmentFile"] == ["/etc/toolbox/toolbox.env"]
    start = shlex.split(web["ExecStart"][0])
    assert start[0].endswith("/gunicorn") and start[1:3] == GUNICORN_ARGS and start[-1] == "toolbox.wsgi:app"
    pre = shlex.split(web["ExecStartPre"][0])
    assert pre[0].endswith("/toolbox") and pre[1] in cli.commands
    assert shlex.split(worker["ExecStart"][0])[1:] == ["worker"]
    multiproc = [value for value in web["Environment"] if value.startswith("PROMETHEUS_MULTIPROC_DIR=")]
    assert multiproc == ["PROMETHEUS_MULTIPROC_DIR=/run/" + web["RuntimeDirectory"][0]]


def test_systemd_environment_sets_only_settings_the_app_knows():
    """The environment file and the units' Environment= lines name real settings."""
    environment = {}
    for line in (ROOT / "deploy" / "systemd" / "toolbox.env").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            environment[name] = value
    for unit in ("toolbox-web.service", "toolbox-worker.service"):
        for assignment in _unit(unit).get("Environment", []):
            name, _sep, value = assignment.partition("=")
            environment[name] = value
    assert_settings_known_and_valid(toolbox_variables(environment), "deploy/systemd")
    assert environment["TOOLBOX_PROXY_HOPS"] == "1"


# --- nginx -------------------------------------------------------------------------------------------


def _nginx() -> str:
    return (ROOT / "deploy" / "nginx" / "toolbox.conf").read_text(encoding="utf-8")


def test_nginx_upload_limit_matches_the_app(compose):
    """client_max_body_size is the app's upload limit plus the 1 MB it allows for the form."""
    upload_mb = int(compose["services"]["web"]["environment"]["TOOLBOX_MAX_UPLOAD_MB"])
    assert upload_mb == load_settings({})["MAX_UPLOAD_MB"]
    assert re.search(r"client_max_body_size\s+(\d+)m;", _nginx()).group(1) == str(upload_mb + 1)


def test_nginx_forwards_what_one_proxy_hop_needs():
    """Host, X-Forwarded-For/-Proto and the request id are set in every proxied location, TLS is
    on, and /metrics is not reachable through the public address."""
    text = _nginx()
    locations = re.findall(r"location\s+([^{]+)\{([^}]*)\}", text)
    proxied = [body for _path, body in locations if "proxy_pass" in body]
    assert len(proxied) >= 2
    for body in proxied:
        for header in ("Host $host", "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme",
                       "X-Request-ID $request_id"):
            assert f"proxy_set_header {header};" in body
    metrics = [body for path, body in locations if path.strip() == "= /metrics"]
    assert metrics and "proxy_pass" not in metrics[0]
    assert re.search(r"listen 443 ssl", text) and "ssl_certificate " in text
    static = [body for path, body in locations if path.strip() == "/static/"]
    assert static and "alias" in static[0]
