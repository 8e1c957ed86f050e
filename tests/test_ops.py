"""Operations: /healthz, /readyz, /metrics, request ids and JSON logs (toolbox/web/ops.py)."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event

from conftest import make_document, make_user
from toolbox import create_app, request_log
from toolbox.extensions import db
from toolbox.metrics import parse_listen_address, serve_worker_metrics

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def _statements(app):
    """A list that collects every SQL statement the app's engine runs from now on."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *args: seen.append(statement))
    return seen


# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_answers_without_the_database(app, client):
    """/healthz is 200 and runs no SQL, even for a logged-in browser."""
    make_user(app, "probe@example.org")
    client.post("/login", data={"email": "probe@example.org", "password": "Richtig-langes-Passwort-1"})
    seen = _statements(app)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert seen == []
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_probes_answer_any_host_header_and_run_no_request_hook(app):
    """A load balancer asks by address and often: the probes are answered before Flask's request
    hooks (host check, session expiry, rate limits, CSRF) run at all."""
    from flask import request

    hooked: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: hooked.append(request.path))
    client = app.test_client()
    for _ in range(5):
        assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200
        assert client.get("/readyz", headers={"Host": "10.1.2.3:8000"}).status_code == 200
        assert client.get("/metrics").status_code == 200
    assert hooked == []
    assert client.get("/robots.txt").status_code == 200
    assert hooked == ["/robots.txt"]  # the hook is real: other paths do run it
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_probe_paths_take_only_get(client):
    """A POST to a probe is 405 with Allow, not an error page that needs a session."""
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


# --- /readyz -------------------------------------------------------------------------------------


def test_readyz_reports_every_check_ready(client):
    """A fresh installation is ready: database, search index, storage and queue answer."""
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {"status": "ready", "failed": [],
                    "checks": {"database": "ok", "search": "ok", "storage": "ok", "queue": "ok"}}
    assert "Set-Cookie" not in response.headers


def test_readyz_names_what_failed(app_config, tmp_path, monkeypatch):
    """An unreachable queue and a blob store that cannot be made: 503, both named, no details."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage mount should be", encoding="utf-8")
    config = {**app_config, "QUEUE_URL": "redis://127.0.0.1:1/0", "DOCUMENTS_DIR": str(blocker / "documents")}
    application = create_app(config)
    with application.app_context():
        from toolbox import search

        search.ensure_index()
    response = application.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["storage", "queue"]
    assert body["checks"]["database"] == "ok" and body["checks"]["search"] == "ok"
    assert body["checks"]["queue"].startswith("failed: ")
    assert "127.0.0.1" not in response.get_data(as_text=True)
    with application.app_context():
        db.engine.dispose()


def test_readyz_fails_while_the_search_index_is_missing_or_damaged(app, client):
    """No live index (deleted, or not yet built) or a damaged one: 503 naming search and why."""
    import shutil

    index = Path(app.config["TOOLBOX_INDEX_DIR"])
    generations = [path for path in index.iterdir() if path.is_dir()]
    segment = next(path for generation in generations for path in generation.iterdir() if path.suffix == ".toc")
    segment.write_bytes(b"not a table of contents")
    damaged = client.get("/readyz")
    assert damaged.status_code == 503
    assert damaged.get_json()["checks"]["search"] == "failed: corrupt"
    shutil.rmtree(index)
    missing = client.get("/readyz")
    assert missing.status_code == 503
    assert missing.get_json()["failed"] == ["search"]
    assert missing.get_json()["checks"]["search"] == "failed: missing"


def test_readyz_fails_on_a_missing_database(app_config, tmp_path, monkeypatch):
    """A database that cannot be opened makes the server not ready (and /healthz still alive)."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    config = {**app_config, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/folder/toolbox.sqlite3"}
    client = create_app(config).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "database" in response.get_json()["failed"]
    assert client.get("/healthz").status_code == 200


# --- /metrics ------------------------------------------------------------------------------------


def test_metrics_show_request_search_and_queue_figures(app, client):
    """After a search page and an API search: per-endpoint latency, search latency, jobs per state."""
    make_document(app, title="Parkraumkonzept", text="Parkraum in der Innenstadt")
    assert client.get("/search?q=Parkraum").status_code == 200
    assert client.get("/api/v1/search?q=Parkraum").status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'toolbox_request_duration_seconds_count{endpoint="search.results",method="GET",status="200"}' in text
    assert 'toolbox_search_duration_seconds_count{caller="page"}' in text
    assert 'toolbox_search_duration_seconds_count{caller="api"}' in text
    assert 'toolbox_extractions_total{format="txt",status="ok"}' in text
    assert "toolbox_queue_messages 0.0" in text
    assert "# TYPE toolbox_jobs gauge" in text


def test_metrics_count_queued_jobs(app, client):
    """A queued job shows as toolbox_jobs{state="queued"}: the queue depth from the database."""
    from toolbox.services.jobs import KIND_OCR, job_create

    document = make_document(app)
    with app.app_context():
        job_create(KIND_OCR, document_id=document.id)
        db.session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'toolbox_jobs{kind="ocr",state="queued"} 1.0' in text


def test_extraction_outcomes_are_counted(app):
    """Every extraction adds one to its outcome: an ingested text file counts as ok."""
    before = REGISTRY.get_sample_value("toolbox_extractions_total", {"status": "ok", "format": "txt"}) or 0
    make_document(app)
    make_document(app)
    assert REGISTRY.get_sample_value("toolbox_extractions_total", {"status": "ok", "format": "txt"}) == before + 2


def test_ocr_outcomes_are_counted(app):
    """An OCR job that cannot run (OCR switched off) counts as "unavailable"."""
    from toolbox.services.jobs import KIND_OCR, job_create, job_run

    document = make_document(app, fmt="pdf")
    before = REGISTRY.get_sample_value("toolbox_ocr_total", {"outcome": "unavailable"}) or 0
    app.config["TOOLBOX_OCR"] = False
    with app.app_context():
        from toolbox.models import Document

        version = db.session.get(Document, document.id).versions[0]
        job = job_create(KIND_OCR, document_id=document.id, file_version_id=version.id)
        db.session.commit()
        job_run(job.id)
    assert REGISTRY.get_sample_value("toolbox_ocr_total", {"outcome": "unavailable"}) == before + 1


def test_migrate_command_prepares_the_database(runner):
    """``toolbox migrate`` (compose's one-shot service, systemd's ExecStartPre) ends with a note."""
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "Datenbank auf dem neuesten Stand." in result.output


def test_metrics_are_refused_outside_the_networks(client):
    """From an address outside TOOLBOX_METRICS_NETWORKS and without the token: 403."""
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 403
    assert "toolbox_" not in response.get_data(as_text=True)


def test_metrics_token_opens_them_from_anywhere(app_config, tmp_path, monkeypatch):
    """The right bearer token is enough; a wrong one is not."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app({**app_config, "METRICS_TOKEN": "s3cret-metrics-token"})
    client = application.test_client()
    good = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer s3cret-metrics-token"})
    bad = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer s3cret-metrics-tokeN"})
    assert good.status_code == 200 and "toolbox_request_duration_seconds" in good.get_data(as_text=True)
    assert bad.status_code == 403
    with application.app_context():
        db.engine.dispose()


def test_metrics_judge_the_client_behind_the_proxy(app_config, tmp_path, monkeypatch):
    """Behind nginx on 127.0.0.1 (TOOLBOX_PROXY_HOPS=1) a visitor from outside is still refused,
    and a scrape from a configured network through the proxy is let in."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app({**app_config, "PROXY_HOPS": 1, "METRICS_NETWORKS": "10.20.0.0/16"})
    client = application.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/metrics", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", environ_base=proxy, headers={"X-Forwarded-For": "10.20.3.4"}).status_code == 200
    with application.app_context():
        db.engine.dispose()


def test_a_wrong_metrics_network_stops_the_start(app_config):
    """A typo in TOOLBOX_METRICS_NETWORKS is a configuration error, not an open /metrics."""
    from toolbox.config import ConfigError

    with pytest.raises(ConfigError, match="TOOLBOX_METRICS_NETWORKS"):
        create_app({**app_config, "METRICS_NETWORKS": "10.0.0.0/8, intranet"})


def test_worker_serves_its_metrics(tmp_path):
    """``toolbox worker``'s metrics server answers with the OCR and extraction counters."""
    assert parse_listen_address("127.0.0.1:9101") == ("127.0.0.1", 9101)
    assert parse_listen_address("[::1]:9101") == ("::1", 9101)
    assert parse_listen_address("9101") == ("127.0.0.1", 9101)
    with pytest.raises(ValueError):
        parse_listen_address("localhost:http")
    server = serve_worker_metrics("127.0.0.1:0")
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert "# TYPE toolbox_ocr_total counter" in text
    assert "# TYPE toolbox_extractions_total counter" in text


# --- request ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("offered, kept", [
    ("3f2a9c1e-7b4d-4e0a-9c55-0123456789ab", True),
    ("0123456789abcdef0123456789abcdef", True),
    ("bad id with spaces", False),
    ("<script>", False),
    ("x" * 129, False),
    ("", False),
])
def test_request_id_is_taken_only_when_it_is_a_plain_token(client, offered, kept):
    """A proxy's id comes back as it is; anything else is replaced by a new random id."""
    response = client.get("/robots.txt", headers={"X-Request-ID": offered} if offered else {})
    returned = response.headers["X-Request-ID"]
    if kept:
        assert returned == offered
    else:
        assert returned != offered and len(returned) == 32 and int(returned, 16) >= 0


def test_every_request_gets_its_own_id(client):
    """Without a header, two requests get two ids, also error pages."""
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/does-not-exist").headers["X-Request-ID"]
    assert first != second


def test_jobs_made_by_a_request_carry_its_id(app, client):
    """A mail job made by "Passwort vergessen" goes on the queue with the request's id, and the
    worker's log lines of that job carry it."""
    from toolbox.jobs import queue_for
    from toolbox.jobs.tasks import run_job

    make_user(app, "vergessen@example.org")
    response = client.post("/password/forgot", data={"email": "vergessen@example.org"},
                           headers={"X-Request-ID": "req-4711"})
    assert response.status_code == 200
    pending = queue_for(app).pending()
    assert pending and {task.kwargs.get("request_id") for task in pending} == {"req-4711"}

    seen: list[str | None] = []

    class Recorder(logging.Handler):
        def emit(self, record):
            seen.append(request_log.current_request_id())

    recorder = Recorder(level=logging.INFO)
    logger = logging.getLogger("toolbox")
    previous = logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.INFO)
    try:
        for task in pending:
            run_job(app, *task.args, **task.kwargs)
            run_job(app, *task.args, **task.kwargs)  # again: "not queued", logged under the id
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(previous)
    assert seen and set(seen) == {"req-4711"}
    assert request_log.current_request_id() is None


# --- JSON logs -------------------------------------------------------------------------------------

_JSON_LOG_SCRIPT = textwrap.dedent("""
    import json, logging, sys
    from toolbox import create_app
    app = create_app(json.loads(sys.argv[1]))
    client = app.test_client()
    client.get("/robots.txt", headers={"X-Request-ID": "trace-42"})
    logging.getLogger("toolbox.probe").warning("outside a request")
""")


def test_json_logs_write_one_object_per_line_with_the_request_id(app_config, tmp_path):
    """TOOLBOX_LOG_FORMAT=json: every line on stderr is a JSON object; the access line of a
    request names its id, method, path and status."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
           "TOOLBOX_LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-c", _JSON_LOG_SCRIPT, json.dumps(app_config)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert entries
    assert all({"time", "level", "logger", "message", "request_id"} <= entry.keys() for entry in entries)
    access = [entry for entry in entries if entry["logger"] == "toolbox.access"]
    assert access == [{**access[0], "request_id": "trace-42", "method": "GET", "path": "/robots.txt",
                       "status": 200, "level": "INFO"}]
    outside = [entry for entry in entries if entry["logger"] == "toolbox.probe"]
    assert outside[0]["request_id"] is None and outside[0]["message"] == "outside a request"


def test_an_unknown_log_format_stops_the_start(app_config):
    """TOOLBOX_LOG_FORMAT accepts text or json only."""
    from toolbox.config import ConfigError

    with pytest.raises(ConfigError, match="TOOLBOX_LOG_FORMAT"):
        create_app({**app_config, "LOG_FORMAT": "yaml"})


# --- gunicorn --------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_workers_add_up_their_metrics_and_log_json(app_config, tmp_path):
    """Under gunicorn with two workers and PROMETHEUS_MULTIPROC_DIR, /metrics counts the requests
    of both, whichever answers the scrape; every line gunicorn and the app write is JSON."""
    import signal
    import time
    from concurrent.futures import ThreadPoolExecutor

    port = _free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
           "TOOLBOX_SECRET_KEY": "gunicorn-test-key", "TOOLBOX_BASE_URL": f"http://127.0.0.1:{port}",
           "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"], "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
           "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"], "TOOLBOX_LOG_FORMAT": "json",
           "TOOLBOX_COOKIE_SECURE": "0", "TOOLBOX_SEARCH_WARM_POSTINGS": "0",
           "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    env.pop("TOOLBOX_DEBUG", None)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:toolbox.gunicorn_conf",
                                   "--bind", f"127.0.0.1:{port}", "--workers", "2", "toolbox.wsgi:app"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
        def fetch(number: int) -> str:
            request = urllib.request.Request(base + "/robots.txt", headers={"X-Request-ID": f"gunicorn-{number}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.headers["X-Request-ID"]

        # Concurrent, so that as a rule both workers answer some; the sum is right either way.
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = set(pool.map(fetch, range(20)))
        assert ids == {f"gunicorn-{number}" for number in range(20)}
        with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
            text = response.read().decode()
        assert list(multiproc.glob("histogram_*.db"))  # the workers' values live in files
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    counted = re.search(r'toolbox_request_duration_seconds_count\{endpoint="crawlers.robots",method="GET",'
                        r'status="200"\} (\S+)', text)
    assert counted and float(counted.group(1)) == 20.0
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    assert any(entry["logger"] == "gunicorn.error" for entry in entries)
    access = [entry for entry in entries if entry["logger"] == "toolbox.access"]
    assert {entry["request_id"] for entry in access} >= ids


def test_file_downloads_stay_file_wrappers(app):
    """A download keeps the server's wsgi.file_wrapper (gunicorn sends it with sendfile); the
    request id is in its headers all the same."""
    from werkzeug.wsgi import FileWrapper

    document = make_document(app)
    seen = []

    class Wrapper(FileWrapper):
        def __init__(self, *args, **kwargs):
            seen.append(self)
            super().__init__(*args, **kwargs)

    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=f"/documents/{document.id}/download", headers={"X-Request-ID": "download-1"},
                             environ_base={"wsgi.file_wrapper": Wrapper}).get_environ()
    started = {}
    body = app(environ, lambda status, headers, exc_info=None: started.update(status=status, headers=headers))
    try:
        assert started["status"].startswith("200")
        assert ("X-Request-ID", "download-1") in started["headers"]
        assert seen and body is seen[0]
    finally:
        body.close()


def test_extraction_children_do_not_import_the_metrics_library():
    """The sandboxed extraction child imports only the extraction modules: counting outcomes in
    the parent must not add prometheus_client (or Flask) to every child's start."""
    from toolbox.extract import sandbox

    probe = sandbox._BOOTSTRAP.replace(
        'import_module(name + ".extract._child").main()',
        'import_module(name + ".extract._child"); print(sorted(m for m in ("prometheus_client", "flask") '
        'if m in sys.modules))')
    assert probe != sandbox._BOOTSTRAP
    done = subprocess.run([sys.executable, "-c", probe, "toolbox", sandbox._PACKAGE_DIR], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_preload_compiles_every_template_for_the_forked_workers(app):
    """``toolbox.wsgi`` compiles the page and mail templates in gunicorn's master, so a worker's
    first visitor does not wait for Jinja; each is then served from the environment's cache."""
    from pathlib import Path

    from toolbox.services.startup import warm_templates

    folder = Path(app.jinja_loader.searchpath[0])
    names = {str(path.relative_to(folder)) for path in folder.rglob("*") if path.suffix in (".html", ".txt")}
    assert warm_templates(app) == len(names) > 50
    loaded = {key[1] for key in app.jinja_env.cache.keys()}
    assert names <= loaded


def test_start_up_leaves_its_objects_out_of_the_collectors_walks(app):
    """What start-up made (warmed caches, compiled templates) is frozen: a full collection no
    longer walks it, and forked workers keep sharing its pages."""
    import gc

    from toolbox.services.startup import freeze_start_up_objects, warm_templates

    warm_templates(app)
    template = next(iter(app.jinja_env.cache.values()))
    try:
        frozen = freeze_start_up_objects()
        assert frozen == gc.get_freeze_count() > 1000
        assert not any(obj is template for obj in gc.get_objects())  # gone from every generation
    finally:
        gc.unfreeze()
    assert any(obj is template for obj in gc.get_objects())
