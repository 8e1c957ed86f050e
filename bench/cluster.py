"""Several application servers of one toolbox on this machine, as production runs them behind a
load balancer: for ``bench/load.py --servers N`` and ``tests/test_two_servers.py``.

Each server is ``gunicorn -c python:toolbox.gunicorn_conf toolbox.wsgi:app`` with an instance
folder, documents, derived and index folders of its own (``ServerFolders``), so nothing reaches
another server through the local disk. What they share is what a deployment shares: the
database, the bucket (``TOOLBOX_STORAGE_URL``), Redis for the job queue and the rate-limit
counters, the search backend and the secret key (``Shared``). ``Worker`` is ``toolbox worker``
on the same queue, ``MotoServer`` a local S3 API (moto's standalone server) for a bench run
without a bucket of its own.

Everything listens on loopback only.
"""
from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def require_loopback(host: str, what: str) -> None:
    """Refuse any target that is not this machine: a load test must never hit someone else."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(f"bench: {what} {host!r} is not a loopback address; refusing to run")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# --- what the servers share, and what each has alone ------------------------------------------


@dataclass
class Shared:
    """The settings every server and worker of one toolbox gets alike."""

    database_url: str
    secret_key: str = field(default_factory=lambda: os.urandom(32).hex())
    #: ``TOOLBOX_STORAGE_*`` without the prefix (``STORAGE_URL``, ``STORAGE_ENDPOINT_URL``, …); empty = local folders
    storage: dict[str, str] = field(default_factory=dict)
    queue_url: str | None = None
    queue_name: str = field(default_factory=lambda: f"toolbox-{uuid.uuid4().hex[:12]}")
    ratelimit_storage_uri: str | None = None
    search_backend: str | None = None
    #: The public address; the same on every server behind one load balancer.
    base_url: str = "http://127.0.0.1"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {
            "TOOLBOX_DATABASE_URL": self.database_url,
            "TOOLBOX_SECRET_KEY": self.secret_key,
            "TOOLBOX_BASE_URL": self.base_url,
            # Loopback HTTP: the session cookie must travel without TLS.
            "TOOLBOX_COOKIE_SECURE": "0",
            "TOOLBOX_QUEUE_NAME": self.queue_name,
        }
        env.update({f"TOOLBOX_{key}": str(value) for key, value in self.storage.items()})
        if self.queue_url:
            env["TOOLBOX_QUEUE_URL"] = self.queue_url
        if self.ratelimit_storage_uri:
            env["TOOLBOX_RATELIMIT_STORAGE_URI"] = self.ratelimit_storage_uri
        if self.search_backend:
            env["TOOLBOX_SEARCH_BACKEND"] = self.search_backend
        env.update(self.extra)
        return env

    @property
    def config(self) -> dict[str, object]:
        """The same as ``create_app`` settings, for an app in this process (accounts, checks)."""
        return {key[len("TOOLBOX_"):]: value for key, value in self.env.items()
                if key not in ("TOOLBOX_COOKIE_SECURE",)}


@dataclass(frozen=True)
class ServerFolders:
    """One server's own disk: nothing in it is visible to another server."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "TOOLBOX_INSTANCE_DIR": str(self.root / "instance"),
            "TOOLBOX_DOCUMENTS_DIR": str(self.root / "documents"),
            "TOOLBOX_DERIVED_DIR": str(self.root / "derived"),
            "TOOLBOX_INDEX_DIR": str(self.root / "index"),
        }

    def files(self) -> list[Path]:
        """Every file below the folder, for a look at what a server kept locally."""
        return sorted(path for path in self.root.rglob("*") if path.is_file())


# --- processes --------------------------------------------------------------------------------


class _Process:
    """A child process with its output in a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path, name: str):
        self.name = name
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")
        # The checkout's own code, whatever the virtualenv's editable install points at.
        environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env}
        environment.pop("TOOLBOX_DEBUG", None)
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _wait(self, ready, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_text()[-4000:]}")
            if ready():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {timeout:.0f} s:\n{self.log_text()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._log.closed:
            self._log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
            return response.status == 200
    except OSError:
        return False


class Gunicorn(_Process):
    """``gunicorn -c python:toolbox.gunicorn_conf -w N toolbox.wsgi:app`` (as the README deploys
    it) on 127.0.0.1 and a free port."""

    def __init__(self, env: dict[str, str], log_path: Path, *, workers: int = 4, host: str = "127.0.0.1",
                 name: str = "gunicorn", timeout: float = 120.0):
        require_loopback(host, "server address")
        self.port = free_port(host)
        self.url = f"http://{host}:{self.port}"
        env = {"TOOLBOX_BASE_URL": self.url, "TOOLBOX_COOKIE_SECURE": "0", **env}
        super().__init__(
            [sys.executable, "-m", "gunicorn", "--config", "python:toolbox.gunicorn_conf",
             "--workers", str(workers), "--bind", f"{host}:{self.port}",
             "--timeout", "120", "--graceful-timeout", "10", "toolbox.wsgi:app"],
            env, log_path, name)
        self._wait(lambda: _answers(f"{self.url}/api/v1/vocabularies"), timeout)

    def tracebacks(self) -> int:
        return self.log_text().count("Traceback (most recent call last)")


class Worker(_Process):
    """``toolbox worker`` on the queue of ``env``; ready once it has said where it consumes."""

    def __init__(self, env: dict[str, str], log_path: Path, *, threads: int = 2, name: str = "worker",
                 timeout: float = 120.0):
        super().__init__([sys.executable, "-c", "from toolbox.cli import main; main()", "worker",
                          "--threads", str(threads)], env, log_path, name)
        self._wait(lambda: "Worker für" in self.log_text(), timeout)


class MotoServer(_Process):
    """moto's standalone S3 API on 127.0.0.1 (``pip install 'moto[server]'``, the test extra)."""

    def __init__(self, log_path: Path, *, timeout: float = 60.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                         {}, log_path, "moto")
        self._wait(lambda: port_open(self.port), timeout)


def create_bucket(endpoint: str, bucket: str | None = None, prefix: str = "toolbox",
                  region: str = "eu-central-1") -> dict[str, str]:
    """A new, empty bucket on ``endpoint``; returns the ``STORAGE_*`` settings that use it."""
    import boto3

    bucket = bucket or f"toolbox-{uuid.uuid4().hex[:20]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    client.close()
    return {
        "STORAGE_URL": f"s3://{bucket}/{prefix}",
        "STORAGE_ENDPOINT_URL": endpoint,
        "STORAGE_REGION": region,
        "STORAGE_ACCESS_KEY_ID": "testing",
        "STORAGE_SECRET_ACCESS_KEY": "testing",
    }
