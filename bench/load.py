"""Load: searchers and uploaders at once against gunicorn with 4 workers, on loopback only.

    python -m bench.load                                  # 10 000 documents, 20 + 5 users, 60 s, SQLite
    python -m bench.load --docs 1000 --duration 20        # smaller and shorter
    python -m bench.load --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.load --servers 2 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The repository (N published documents of 2 000 words each from `bench.search.Corpus`, with
topics, types, municipalities, licences and years, inserted in bulk by
`bench.search.build_database` and indexed by `toolbox.search.reindex()`) is built once and
cached under ``$TMPDIR/toolbox-bench-load/``: a SQLite file plus its index, or on PostgreSQL a
template database ``toolbox_load_<N>_<schema>`` plus its index. Every run works on a fresh copy (file
copy, or ``CREATE DATABASE … TEMPLATE``), so runs neither disturb each other nor grow the cache.

A run starts ``gunicorn -c python:toolbox.gunicorn_conf -w 4 toolbox.wsgi:app`` (preloaded: start-up
repair and search cache warming once in the master) on 127.0.0.1 and a free port, then for
``--duration`` seconds, and at most ``--max-requests`` requests in all:

- each searcher is a visitor: the search page (4 of 5 requests) or the JSON API (1 of 5) with
  a query from the generated vocabulary — one word, two words, a quoted phrase, a word with a
  topic and a size class, or browsing a topic and size class without words — and one request in
  five asks for page 2. Between requests it waits a think time drawn from an exponential
  distribution with a mean of ``--think`` seconds (default 2 s, bounded to 0.2–10 s): people
  read a result list before they refine a query; without the pause 20 threads would be a
  benchmark of the CPU, not of 20 users.
- each uploader is a contributor with an API token who sends a newly generated DOCX or PDF
  (written before the clock starts, so the load generator's CPU stays out of the figures) to
  ``POST /api/v1/documents``, and an editor logged in through the real ``/login`` form who then
  publishes it with the review page's CSRF-protected form; think time mean ``--upload-think``
  seconds (default 3 s).

Before the clock starts, a few untimed searches warm up every worker (index opened, facet view
built), as on a server that has been running for a while.

With ``--servers N`` (N > 1) the run is a toolbox of N application servers as behind a load
balancer (``bench/cluster.py``): N such gunicorns (``--workers`` each, default 4 shared out, at
least 2), each with an instance, documents and index folder of its own, on one PostgreSQL
database, one bucket on moto's S3 server started for the run, Redis (``--redis-url``) for the job
queue and the rate limits, the search backend ``postgresql`` and one ``toolbox worker`` for the
background jobs (previews of the uploads; ``--no-worker`` leaves them queued). Searchers send each request to the next server;
an upload goes to one server and its publication to the next (with the editor's session of
whichever server it logged in on), and each upload is then looked for on a server other than
the one that published it.

Errors are responses other than 2xx/3xx, connection failures and tracebacks in the logs of
gunicorn (and of the worker). Afterwards every uploaded document must be found by the search API under the unique word in its
title (polled for up to 30 s, the index queue may still be draining). The script exits non-zero
when there was an error, an upload is not found, or the search p95 exceeds ``--p95-goal`` ms.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import ipaddress
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import cluster

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WORKERS = 4
PASSWORD = "Lasttest-Passphrase-2026"
CACHE_ROOT = Path(tempfile.gettempdir()) / "toolbox-bench-load"
SEARCH_KINDS = ("one word", "two words", "phrase", "word + topic + size class", "browse: topic + size class")
#: How often each kind of query is asked: most visitors type one or two words; quoted phrases are rare.
SEARCH_WEIGHTS = (40, 25, 5, 15, 15)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- where the load may go -------------------------------------------------------------------


require_loopback = cluster.require_loopback
free_port = cluster.free_port


# --- the repository ----------------------------------------------------------------------------


@dataclass
class Repository:
    """One run's copy: database URL, blob store and index directories, and how to drop it."""

    database_url: str
    folder: Path
    drop: Callable[[], None]
    #: ``TOOLBOX_SEARCH_BACKEND`` the repository was indexed with; None = the default (whoosh)
    search_backend: str | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {
            "TOOLBOX_DATABASE_URL": self.database_url,
            "TOOLBOX_DOCUMENTS_DIR": str(self.folder / "documents"),
            "TOOLBOX_INDEX_DIR": str(self.folder / "index"),
            "TOOLBOX_INSTANCE_DIR": str(self.folder / "instance"),
        }
        if self.search_backend:
            env["TOOLBOX_SEARCH_BACKEND"] = self.search_backend
        return env


def _app(database_url: str, folder: Path, search_backend: str | None = None):
    from toolbox import create_app

    # The instance folder comes from the environment only; put it back for whoever called us.
    previous = os.environ.get("TOOLBOX_INSTANCE_DIR")
    os.environ["TOOLBOX_INSTANCE_DIR"] = str(folder / "instance")
    try:
        return create_app({
            "SECRET_KEY": "bench-load",
            "BASE_URL": "http://127.0.0.1",
            "DATABASE_URL": database_url,
            "DOCUMENTS_DIR": str(folder / "documents"),
            "INDEX_DIR": str(folder / "index"),
            **({"SEARCH_BACKEND": search_backend} if search_backend else {}),
        })
    finally:
        if previous is None:
            os.environ.pop("TOOLBOX_INSTANCE_DIR", None)
        else:
            os.environ["TOOLBOX_INSTANCE_DIR"] = previous


def _fingerprint() -> str:
    """Changes with the schema of the database or the index, so a stale cache is never reused."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "toolbox" / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode())
    for name in ("_schema.py", "_record.py"):
        digest.update((PROJECT_ROOT / "toolbox" / "search" / name).read_bytes())
    return digest.hexdigest()[:8]


def _build(database_url: str, folder: Path, docs: int, search_backend: str | None = None) -> None:
    """Migrate, seed, bulk-insert ``docs`` published documents and build their index."""
    from sqlalchemy import text

    from toolbox import search
    from toolbox.extensions import db
    from toolbox.services.database import prepare_database

    from .search import Corpus, build_database

    app = _app(database_url, folder, search_backend)
    prepare_database(app)
    began = time.perf_counter()
    build_database(app, docs, Corpus(), folder / "fts-unused.sqlite3")
    (folder / "fts-unused.sqlite3").unlink(missing_ok=True)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # The bulk insert chose the ids itself; move each sequence past them for new rows.
            for table in db.metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    db.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"))
            db.session.commit()
        _log(f"inserted {docs} documents in {time.perf_counter() - began:.0f} s; building the index")
        began = time.perf_counter()
        search.reindex()
        _log(f"indexed in {time.perf_counter() - began:.0f} s")
        db.session.remove()
        db.engine.dispose()


def _cache_name(docs: int, search_backend: str | None) -> str:
    """``<docs>-<schema>``, and the search backend unless it is the default (whose index is a folder).

    Another backend keeps its entries in the database, computed by its code: any change of the
    search package makes a new cache, so a template is never searched with entries of older code.
    """
    name = f"{docs}-{_fingerprint()}"
    if search_backend in (None, "whoosh"):
        return name
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "toolbox" / "search").glob("*.py")):
        digest.update(path.read_bytes())
    return f"{name}-{search_backend}-{digest.hexdigest()[:6]}"


def _template_name(docs: int, cache: Path, search_backend: str | None = None) -> str:
    """The template database of one cache folder: two caches (two test sessions) never share one."""
    import hashlib

    name = f"toolbox_load_{_cache_name(docs, search_backend).replace('-', '_')}"
    if Path(cache) != CACHE_ROOT:
        name += "_" + hashlib.sha256(str(Path(cache).resolve()).encode()).hexdigest()[:8]
    return name


def prepare_repository(docs: int, database_url: str | None, cache: Path = CACHE_ROOT,
                       search_backend: str | None = None) -> Repository:
    """A fresh copy of the cached repository of ``docs`` documents; built first if missing."""
    if database_url is not None:
        from sqlalchemy.engine import make_url

        require_loopback(make_url(database_url).host or "localhost", "database host")
    cache.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="run-", dir=cache))
    if database_url is None:
        cached = cache / f"sqlite-{docs}-{_fingerprint()}"
        if not (cached / "ready").exists():
            shutil.rmtree(cached, ignore_errors=True)
            cached.mkdir()
            _log(f"building the cached repository of {docs} documents in {cached}")
            _build(f"sqlite:///{cached / 'toolbox.sqlite3'}", cached, docs)
            (cached / "ready").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
        shutil.copyfile(cached / "toolbox.sqlite3", run / "toolbox.sqlite3")
        shutil.copytree(cached / "index", run / "index")
        return Repository(f"sqlite:///{run / 'toolbox.sqlite3'}", run, lambda: shutil.rmtree(run, ignore_errors=True))

    from .pg_template import copy_of_template

    cached = cache / f"pg-{_cache_name(docs, search_backend)}"
    copy_url, drop_copy = copy_of_template(
        database_url, _template_name(docs, cache, search_backend), cached,
        lambda template_url: _build(template_url, cached, docs, search_backend),
        run_prefix="toolbox_load_run", log=_log)
    if (cached / "index").is_dir():
        shutil.copytree(cached / "index", run / "index")

    def drop() -> None:
        drop_copy()
        shutil.rmtree(run, ignore_errors=True)

    return Repository(copy_url, run, drop, search_backend)


def forget_repository(docs: int, database_url: str | None, cache: Path = CACHE_ROOT,
                      search_backend: str | None = None) -> None:
    """Remove the cached repository of ``docs`` documents: its folder and any template database."""
    shutil.rmtree(cache / f"sqlite-{docs}-{_fingerprint()}", ignore_errors=True)
    shutil.rmtree(cache / f"pg-{_cache_name(docs, search_backend)}", ignore_errors=True)
    if database_url is not None:
        from sqlalchemy.engine import make_url

        from .pg_template import drop_template

        require_loopback(make_url(database_url).host or "localhost", "database host")
        drop_template(database_url, _template_name(docs, cache, search_backend))


@dataclass
class Accounts:
    contributor_tokens: list[str]
    editor_emails: list[str]
    topics: list[str]
    size_classes: list[str]
    types: list[str]
    licenses: list[str]


def create_accounts(repo: Repository, uploaders: int) -> Accounts:
    """One contributor (with an API token) and one editor per uploader, through the services."""
    from sqlalchemy import select

    from toolbox.extensions import db
    from toolbox.models import DocumentType, License, SizeClass, Topic
    from toolbox.services.users import api_token_create, user_create

    app = _app(repo.database_url, repo.folder, repo.search_backend)
    with app.app_context():
        tokens, editors = [], []
        for n in range(uploaders):
            contributor = user_create(f"lastprobe-beitrag-{n}@example.org", "contributor", password=PASSWORD)
            tokens.append(api_token_create(contributor))
            editors.append(user_create(f"lastprobe-redaktion-{n}@example.org", "editor", password=PASSWORD).email)
        db.session.commit()

        def slugs(model) -> list[str]:
            return [row.slug for row in db.session.scalars(select(model).order_by(model.position))]

        accounts = Accounts(tokens, editors, slugs(Topic), slugs(SizeClass), slugs(DocumentType), slugs(License))
        db.session.remove()
        db.engine.dispose()
    return accounts


# --- the server ------------------------------------------------------------------------------


class Gunicorn(cluster.Gunicorn):
    """``gunicorn -c python:toolbox.gunicorn_conf -w 4 toolbox.wsgi:app`` (as the README deploys it)
    on 127.0.0.1 and a free port, its log in the run folder."""

    def __init__(self, repo: Repository, workers: int = WORKERS, host: str = "127.0.0.1"):
        super().__init__({**repo.env, "TOOLBOX_SECRET_KEY": secrets.token_hex(32)}, repo.folder / "gunicorn.log",
                         workers=workers, host=host, timeout=90.0)


# --- HTTP as a browser or API client does it -------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Client:
    """One user: its own cookie jar, redirects left unfollowed so that each request is counted."""

    def __init__(self, base: str, opener: urllib.request.OpenerDirector | None = None):
        self.base = base
        self.opener = opener or urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
        #: The headers of the last response (``Location`` of a redirect).
        self.headers: dict[str, str] = {}

    def at(self, base: str) -> "Client":
        """The same user (the same cookies) talking to another server: what a load balancer
        without sticky sessions does to a browser."""
        return Client(base, self.opener)

    def request(self, method: str, path: str, *, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as response:
                self.headers = dict(response.headers.items())
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                self.headers = dict(exc.headers.items())
                return exc.code, exc.read()

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        return self.request("POST", path, data=urllib.parse.urlencode(fields).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})


CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def multipart(fields: list[tuple[str, str]], filename: str, content: bytes, *,
              file_field: str = "file") -> tuple[bytes, str]:
    boundary = "----toolbox-load-" + secrets.token_hex(8)
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- the users -------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Shared by all threads: latencies per kind, errors with a sample, and the request cap."""

    max_requests: int
    deadline: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    search_by_kind: dict[str, list[float]] = field(default_factory=dict)
    #: (document id, its word, the index of the server that published it)
    uploads: list[tuple[int, str, int]] = field(default_factory=list)

    def take_slot(self) -> bool:
        with self.lock:
            if self.requests >= self.max_requests or time.monotonic() >= self.deadline:
                return False
            self.requests += 1
            return True

    def record(self, what: str, seconds: float, status: int | None, detail: str = "", kind: str | None = None) -> bool:
        ok = status is not None and 200 <= status < 400
        with self.lock:
            self.latencies.setdefault(what, []).append(seconds * 1000)
            if kind:
                self.search_by_kind.setdefault(kind, []).append(seconds * 1000)
            if not ok:
                self.errors.append(f"{what}: {status} {detail}"[:300])
        return ok

    def stopped(self) -> bool:
        return time.monotonic() >= self.deadline

    def pause(self, rng: random.Random, mean: float) -> None:
        time.sleep(min(max(rng.expovariate(1 / mean), 0.2), 10.0, max(self.deadline - time.monotonic(), 0)))


def _timed(recorder: Recorder, what: str, call, kind: str | None = None) -> tuple[int | None, bytes]:
    began = time.perf_counter()
    try:
        status, body = call()
    except Exception as exc:  # noqa: BLE001 - any failure of a request is an error to count
        recorder.record(what, time.perf_counter() - began, None, repr(exc), kind)
        return None, b""
    detail = "" if 200 <= status < 400 else body[:200].decode("utf-8", "replace")
    recorder.record(what, time.perf_counter() - began, status, detail, kind)
    return status, body


class QueryMaker:
    """Search parameters from the generated vocabulary and phrases from the generated documents."""

    def __init__(self, accounts: Accounts, docs: int, seed: int):
        from .german_text import DOMAIN_WORDS
        from .search import Corpus

        self.rng = random.Random(seed)
        self.words = [w for w in DOMAIN_WORDS if w.isalpha() and len(w) >= 4]
        self.topics, self.classes = accounts.topics, accounts.size_classes
        corpus, self.phrases = Corpus(), []
        for n in range(0, docs, max(docs // 40, 1)):
            words = corpus.text(n)[2].replace(".", "").split()
            at = self.rng.randrange(len(words) - 3)
            self.phrases.append(" ".join(words[at:at + self.rng.choice((2, 3))]))

    def next(self, rng: random.Random) -> tuple[str, str, dict]:
        kind = rng.choices(SEARCH_KINDS, weights=SEARCH_WEIGHTS)[0]
        params: dict = {}
        if kind == "one word":
            params["q"] = rng.choice(self.words)
        elif kind == "two words":
            params["q"] = " ".join(rng.sample(self.words, 2))
        elif kind == "phrase":
            params["q"] = f'"{rng.choice(self.phrases)}"'
        elif kind == "word + topic + size class":
            params.update(q=rng.choice(self.words), topic=rng.choice(self.topics), size_class=rng.choice(self.classes))
        else:
            params.update(topic=rng.sample(self.topics, 2), size_class=rng.choice(self.classes))
        if rng.random() < 0.2:
            params["page"] = 2
        path = "/api/v1/search" if rng.random() < 0.2 else "/search"
        return kind, path, params


def _servers(bases: str | list[str]) -> list[str]:
    return [bases] if isinstance(bases, str) else list(bases)


def searcher(bases: str | list[str], recorder: Recorder, queries: QueryMaker, seed: int, think: float) -> None:
    """A visitor; with several servers each request goes to the next one (a load balancer
    without sticky sessions), starting at a server of its own."""
    rng = random.Random(seed)
    servers = _servers(bases)
    client = Client(servers[0])
    time.sleep(rng.uniform(0, think))
    turn = seed
    while recorder.take_slot():
        kind, path, params = queries.next(rng)
        url = f"{path}?{urllib.parse.urlencode(params, doseq=True)}"
        on = client.at(servers[turn % len(servers)])
        turn += 1
        _timed(recorder, "search", lambda: on.request("GET", url), kind)
        recorder.pause(rng, think)


def _word_for(number: int) -> str:
    """A made-up word that no document contains: consonants only, so it holds no German word
    that compound splitting could find, and no digits, so the analyser keeps it whole."""
    letters = "bcdfghjklmnpqrstvwxz"
    out = ""
    while True:
        number, digit = divmod(number, len(letters))
        out += letters[digit]
        if not number:
            return "zyq" + out + "qx"


def _generated_file(seed: int) -> tuple[str, bytes]:
    from .corpus import write_docx, write_pdf
    from .german_text import TextGenerator

    gen = TextGenerator(seed)
    with tempfile.TemporaryDirectory(prefix="load-upload-") as tmp:
        if seed % 2:
            path = Path(tmp) / f"lastprobe-{seed}.docx"
            write_docx(path, gen, 1 + seed % 2)
        else:
            path = Path(tmp) / f"lastprobe-{seed}.pdf"
            write_pdf(path, gen, 1 + seed % 2)
        return path.name, path.read_bytes()


def upload_file(number: int, run_seed: int, sequence: int) -> tuple[str, str, bytes]:
    """Uploader ``number``'s file ``sequence``: (marker word, filename, content)."""
    seed = (run_seed * 1000 + number) * 100_000 + sequence
    return (_word_for(seed), *_generated_file(seed))


def upload_files(number: int, run_seed: int, count: int) -> list[tuple[str, str, bytes]]:
    """The files an uploader will likely need, made before the clock starts: writing PDFs and
    DOCX files is the load generator's CPU, not the server's."""
    return [upload_file(number, run_seed, sequence) for sequence in range(1, count + 1)]


def uploader(bases: str | list[str], recorder: Recorder, accounts: Accounts, number: int, run_seed: int,
             think: float, files: list[tuple[str, str, bytes]]) -> None:
    """Upload as contributor ``number`` through the API, then publish as editor ``number``.

    With several servers the uploads go to each in turn, and each publication to the server
    after the upload's: the editor's session (logged in on one) and the review page's CSRF
    token (from another) must hold on every server.
    """
    rng = random.Random(run_seed + number)
    token = accounts.contributor_tokens[number]
    servers = _servers(bases)
    editor = Client(servers[number % len(servers)])
    status, page = _timed(recorder, "login", lambda: editor.request("GET", "/login"))
    match = CSRF.search(page)
    fields = {"email": accounts.editor_emails[number], "password": PASSWORD}
    if match:
        fields["csrf_token"] = match.group(1).decode()
    status, _ = _timed(recorder, "login", lambda: editor.post_form("/login", fields))
    if status != 302:
        with recorder.lock:
            recorder.errors.append(f"login of {accounts.editor_emails[number]} answered {status}, not a redirect")
        return
    csrf = None
    time.sleep(rng.uniform(0, think))
    sequence = 0
    while recorder.take_slot():
        sequence += 1
        if sequence <= len(files):
            word, filename, content = files[sequence - 1]
        else:
            word, filename, content = upload_file(number, run_seed, sequence)
        body, content_type = multipart([
            ("title", f"Lastprobe {word} {number}-{sequence}"),
            ("description", "Hochgeladen vom Lasttest (bench/load.py)."),
            ("topics", rng.choice(accounts.topics)),
            ("type", rng.choice(accounts.types)),
            ("license", rng.choice(accounts.licenses)),
            ("municipality", f"Lastprobe-Gemeinde {number}"),
            ("population", str(rng.randint(2000, 200000))),
            ("year", str(rng.randint(2018, 2025))),
        ], filename, content)
        server = (number + sequence) % len(servers)
        status, answer = _timed(recorder, "upload", lambda: Client(servers[server]).request(
            "POST", "/api/v1/documents", data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type}))
        if status != 201:
            if status is not None and 200 <= status < 400:
                with recorder.lock:
                    recorder.errors.append(f"upload answered {status}, not 201: {answer[:200]!r}")
            recorder.pause(rng, think)
            continue
        document_id = json.loads(answer)["id"]
        # The editor finishes what the contributor started, even past the deadline or the cap.
        if csrf is None:
            status, page = _timed(recorder, "review page", lambda: editor.request("GET", f"/admin/documents/{document_id}"))
            match = CSRF.search(page)
            csrf = match.group(1).decode() if match else ""
        publisher = (server + 1) % len(servers)
        status, _ = _timed(recorder, "publish", lambda: editor.at(servers[publisher]).post_form(
            f"/admin/documents/{document_id}/publish", {"csrf_token": csrf}))
        if status == 302:
            with recorder.lock:
                recorder.uploads.append((document_id, word, publisher))
        recorder.pause(rng, think)


# --- a run -----------------------------------------------------------------------------------


@dataclass
class Options:
    docs: int = 10_000
    duration: float = 60.0
    searchers: int = 20
    uploaders: int = 5
    max_requests: int = 20_000
    think: float = 2.0
    upload_think: float = 3.0
    database_url: str | None = None
    p95_goal: float = 300.0
    cache: Path = CACHE_ROOT
    warm_up_rounds: int = 6
    #: Application servers; more than one share PostgreSQL, a bucket (moto) and Redis, no disk.
    servers: int = 1
    #: gunicorn workers per server; None = 4 for one server, else 4 shared out (at least 2 each)
    workers: int | None = None
    redis_url: str = "redis://127.0.0.1:6379/15"
    #: ``TOOLBOX_SEARCH_BACKEND``; None = whoosh for one server, postgresql for several
    search_backend: str | None = None
    #: With several servers: a ``toolbox worker`` making the uploads' previews (LibreOffice for
    #: DOCX) on the same cores; False leaves the jobs queued, as the one-server run does
    worker: bool = True

    @property
    def workers_per_server(self) -> int:
        return self.workers or (WORKERS if self.servers == 1 else max(2, WORKERS // self.servers))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def find_uploads(bases: str | list[str], uploads: list[tuple[int, str, int]], timeout: float = 30.0) -> list[int]:
    """The ids of uploads the search API does not find under their word, after polling; each
    is looked for on the server after the one that published it (with one server: that one)."""
    servers = _servers(bases)
    missing = {document_id: (word, server) for document_id, word, server in uploads}
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        for document_id, (word, publisher) in list(missing.items()):
            client = Client(servers[(publisher + 1) % len(servers)])
            status, body = client.request("GET", f"/api/v1/search?{urllib.parse.urlencode({'q': word})}")
            if status == 200 and document_id in {hit["id"] for hit in json.loads(body)["hits"]}:
                del missing[document_id]
        if missing:
            time.sleep(0.5)
    return sorted(missing)


def warm_up(base: str, queries: QueryMaker, rounds: int = 6, workers: int = WORKERS) -> None:
    """Untimed searches until every worker has opened the index and built its facet view.

    A server that has been up for a while is warm; the first search of each fresh worker is
    not what 20 users see, so it stays out of the figures.
    """
    rng = random.Random(1)

    def one() -> None:
        client = Client(base)
        for _ in range(rounds):
            _, path, params = queries.next(rng)
            client.request("GET", f"{path}?{urllib.parse.urlencode(params, doseq=True)}")

    threads = [threading.Thread(target=one, daemon=True) for _ in range(workers * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


class Deployment:
    """What serves one run: a gunicorn on the repository's folder (one server), or N gunicorns
    with folders of their own on a shared PostgreSQL, bucket (moto's server), Redis (job queue,
    rate limits) and search backend, with one ``toolbox worker`` for the background jobs."""

    def __init__(self, repo: Repository, options: Options):
        self.processes: list[cluster._Process] = []
        workers = options.workers_per_server
        try:
            if options.servers == 1:
                self.servers = [Gunicorn(repo, workers)]
                self.processes += self.servers
                self.storage = "local"
                return
            from sqlalchemy.engine import make_url

            redis_host = urllib.parse.urlsplit(options.redis_url).hostname or "localhost"
            require_loopback(redis_host, "Redis host")
            moto = cluster.MotoServer(repo.folder / "moto.log")
            self.processes.append(moto)
            self.storage = "s3 (moto)"
            shared = cluster.Shared(
                database_url=repo.database_url, storage=cluster.create_bucket(moto.url),
                queue_url=options.redis_url, ratelimit_storage_uri=options.redis_url,
                search_backend=repo.search_backend,
                extra={"TOOLBOX_RATELIMIT_KEY_PREFIX": f"load-{secrets.token_hex(6)}"})
            assert make_url(shared.database_url).get_backend_name() == "postgresql"

            def folders(name: str) -> dict[str, str]:
                own = cluster.ServerFolders(repo.folder / name)
                if (repo.folder / "index").is_dir():  # the Whoosh backend: an index per server
                    shutil.copytree(repo.folder / "index", own.root / "index")
                return {**shared.env, **own.env}

            if options.worker:
                self.processes.append(cluster.Worker(folders("worker"), repo.folder / "worker.log"))
            self.servers = []
            for n in range(options.servers):
                server = cluster.Gunicorn(folders(f"server-{n + 1}"), repo.folder / f"server-{n + 1}.log",
                                          workers=workers, name=f"server {n + 1}")
                self.servers.append(server)
                self.processes.append(server)
        except BaseException:
            self.stop()
            raise

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def tracebacks(self) -> list[str]:
        """Every traceback in the logs of servers and worker (after ``stop``)."""
        found = []
        for process in self.processes:
            log = process.log_text()
            marker = "Traceback (most recent call last)"
            at = log.find(marker)
            while at >= 0:
                found.append(f"{process.name}: {log[at:at + 2000]}")
                at = log.find(marker, at + 1)
        return found


def run(options: Options) -> dict:
    """Prepare a repository, serve it with gunicorn, run the users, check, and clean up."""
    backend = options.search_backend
    if options.servers > 1:
        if not options.database_url:
            raise SystemExit("bench.load: --servers needs PostgreSQL (--database-url or TOOLBOX_TEST_DATABASE_URL): "
                             "the servers share no disk, so no SQLite file either")
        if backend is None:
            from toolbox import search

            backend = "postgresql" if "postgresql" in search.BACKENDS else "whoosh"
            if backend == "whoosh":
                _log("WARNING: no postgresql search backend here; with whoosh each server indexes only "
                     "what it wrote itself, and uploads on one server are not found on another")
    began = time.perf_counter()
    repo = prepare_repository(options.docs, options.database_url, options.cache, backend)
    _log(f"repository ready in {time.perf_counter() - began:.0f} s ({repo.database_url.split(':')[0]})")
    try:
        accounts = create_accounts(repo, options.uploaders)
        _log("accounts ready; starting gunicorn")
        run_seed = random.SystemRandom().randrange(1, 10_000)
        queries = QueryMaker(accounts, options.docs, run_seed)
        expected = math.ceil(options.duration / options.upload_think * 1.5) + 2
        files = [upload_files(n, run_seed, expected) for n in range(options.uploaders)]
        deployment = Deployment(repo, options)
        urls = deployment.urls
        try:
            _log(f"{len(urls)} × gunicorn -w {options.workers_per_server} on {', '.join(urls)}: {options.searchers} "
                 f"searchers, {options.uploaders} uploaders for {options.duration:.0f} s")
            for url in urls:
                warm_up(url, queries, options.warm_up_rounds, options.workers_per_server)
            recorder = Recorder(options.max_requests, time.monotonic() + options.duration)
            threads = [threading.Thread(target=searcher, args=(urls, recorder, queries, run_seed + 100 + n,
                                                               options.think), daemon=True)
                       for n in range(options.searchers)]
            threads += [threading.Thread(target=uploader, args=(urls, recorder, accounts, n, run_seed,
                                                                options.upload_think, files[n]), daemon=True)
                        for n in range(options.uploaders)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=options.duration + 180)
            elapsed = time.monotonic() - started
            _log(f"load done: {sum(len(v) for v in recorder.latencies.values())} requests; checking the uploads")
            missing = find_uploads(urls, recorder.uploads)
        finally:
            deployment.stop()
        tracebacks = deployment.tracebacks()
    finally:
        repo.drop()
    lat = recorder.latencies
    result = {
        "servers": options.servers, "workers_per_server": options.workers_per_server,
        "database": "postgresql" if options.database_url else "sqlite",
        "search_backend": backend or "whoosh", "storage": deployment.storage,
        "worker": options.servers > 1 and options.worker,
        "docs": options.docs, "searchers": options.searchers, "uploaders": options.uploaders,
        "seconds": round(elapsed, 1), "requests": sum(len(v) for v in lat.values()),
        "errors": len(recorder.errors) + len(tracebacks), "error_samples": recorder.errors[:10],
        "server_tracebacks": len(tracebacks),
        "searches": len(lat.get("search", [])),
        "search_ms": {f"p{p}": round(percentile(lat.get("search", []), p / 100), 1) for p in (50, 95, 99)},
        "search_p95_by_kind_ms": {kind: round(percentile(v, 0.95), 1) for kind, v in recorder.search_by_kind.items()},
        "uploads": len(lat.get("upload", [])),
        "upload_ms": {f"p{p}": round(percentile(lat.get("upload", []), p / 100), 1) for p in (50, 95)},
        "publish_ms": {f"p{p}": round(percentile(lat.get("publish", []), p / 100), 1) for p in (50, 95)},
        "published": len(recorder.uploads), "not_found": missing,
    }
    result["error_samples"] += tracebacks[:3]
    return result


def goals_failed(result: dict, p95_goal: float) -> list[str]:
    failed = []
    if result["errors"]:
        failed.append(f"{result['errors']} errors")
    if result["not_found"]:
        failed.append(f"{len(result['not_found'])} uploads not found by search: {result['not_found']}")
    if not result["published"]:
        failed.append("no upload was published")
    if not result["search_ms"]["p95"] <= p95_goal:
        failed.append(f"search p95 {result['search_ms']['p95']} ms > {p95_goal:.0f} ms")
    return failed


def report(result: dict) -> None:
    s, u, p = result["search_ms"], result["upload_ms"], result["publish_ms"]
    print("| servers × workers | database, search, files | documents | users | s | requests | errors | searches "
          "| search p50 / p95 / p99 ms | uploads (published, found) | upload p50 / p95 ms | publish p50 / p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['servers']} × {result['workers_per_server']} "
          f"| {result['database']}, {result['search_backend']}, {result['storage']} | {result['docs']:,} | {result['searchers']} + {result['uploaders']} "
          f"| {result['seconds']:.0f} | {result['requests']} | {result['errors']} | {result['searches']} "
          f"| {s['p50']:.0f} / {s['p95']:.0f} / {s['p99']:.0f} "
          f"| {result['uploads']} ({result['published']}, {result['published'] - len(result['not_found'])}) "
          f"| {u['p50']:.0f} / {u['p95']:.0f} | {p['p50']:.0f} / {p['p95']:.0f} |")
    print("\nsearch p95 by kind (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in result["search_p95_by_kind_ms"].items()))
    for sample in result["error_samples"]:
        print(f"error: {sample}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000, help="documents in the repository (default 10 000)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--searchers", type=int, default=20)
    parser.add_argument("--uploaders", type=int, default=5)
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap on requests in all (default 20 000)")
    parser.add_argument("--think", type=float, default=2.0, help="searchers' mean think time, s (default 2)")
    parser.add_argument("--upload-think", type=float, default=3.0, help="uploaders' mean think time, s (default 3)")
    parser.add_argument("--database-url", default=os.environ.get("TOOLBOX_TEST_DATABASE_URL") or None,
                        help="PostgreSQL URL on this machine (default: $TOOLBOX_TEST_DATABASE_URL, else SQLite)")
    parser.add_argument("--p95-goal", type=float, default=300.0, help="search p95 goal in ms (default 300)")
    parser.add_argument("--servers", type=int, default=1,
                        help="application servers (default 1); more than one share PostgreSQL, a bucket on "
                             "moto's S3 server, Redis and the search backend, and no disk")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers per server (default 4 for one server, else 4 shared out, at least 2)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="Redis on this machine for the job queue and rate limits of several servers")
    parser.add_argument("--search-backend", default=None,
                        help="TOOLBOX_SEARCH_BACKEND (default whoosh for one server, postgresql for several)")
    parser.add_argument("--no-worker", action="store_true",
                        help="with several servers: no toolbox worker, the previews' jobs stay queued as in "
                             "the one-server run (the worker's LibreOffice shares the cores otherwise)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON as well")
    args = parser.parse_args(argv)
    options = Options(args.docs, args.duration, args.searchers, args.uploaders, args.max_requests, args.think,
                      args.upload_think, args.database_url, args.p95_goal, servers=args.servers,
                      workers=args.workers, redis_url=args.redis_url, search_backend=args.search_backend,
                      worker=not args.no_worker)
    result = run(options)
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    failed = goals_failed(result, args.p95_goal)
    if failed:
        print("GOALS FAILED: " + "; ".join(failed))
        return 1
    print("all goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
