"""Long-lived sandboxed extraction children for batches and for single uploads.

`sandbox.run` starts a fresh interpreter per file: the strongest isolation, but about 40 ms of
start-up plus the parser imports for every file, which is more than parsing a typical two-page
PDF takes. A batch (`toolbox ingest`, the demo corpus) therefore hands its files to a few
long-lived children instead. Each child keeps the same limits — its address space is capped
with RLIMIT_AS, and the parent kills it (and its process group) when one file exceeds the wall-
clock limit — and is replaced after a timeout, a crash, a memory error or `max_tasks` files, so
one hostile file can cost at most its own extraction and a restart.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import sandbox
from ._worker import _HEADER, write_frame

logger = logging.getLogger(__name__)

_BOOTSTRAP = sandbox._BOOTSTRAP.replace(".extract._child", ".extract._worker")


class _Worker:
    def __init__(self, memory_mb: int):
        self.stderr = tempfile.TemporaryFile()
        sys_path = [os.path.abspath(entry or os.curdir) for entry in sys.path]
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, sandbox._PACKAGE, sandbox._PACKAGE_DIR,
             str(int(memory_mb)), json.dumps(sys_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd="/",
            env=sandbox._child_environment(),
            start_new_session=True,
        )
        self.tasks = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, target: str, args: list[Any], timeout: float) -> sandbox.SandboxOutcome:
        started = time.monotonic()
        stderr_start = self.stderr.seek(0, os.SEEK_END)
        request = json.dumps({"target": target, "args": args}).encode()
        try:
            write_frame(self.process.stdin.fileno(), request)
        except OSError:
            return self._died(started, stderr_start)
        self.tasks += 1
        deadline = started + timeout
        try:
            header = self._read_exactly(_HEADER.size, deadline)
            if header is None:
                return self._died(started, stderr_start)
            (length,) = _HEADER.unpack(header)
            data = self._read_exactly(length, deadline)
            if data is None:
                return self._died(started, stderr_start)
        except TimeoutError:
            self.kill()
            return sandbox.SandboxOutcome(
                "timeout", error=f"killed after {timeout:g} s", returncode=self.process.returncode,
                elapsed=time.monotonic() - started, stderr=self._stderr_since(stderr_start),
            )
        return sandbox._outcome(0, data, "", time.monotonic() - started)

    def _read_exactly(self, size: int, deadline: float) -> bytes | None:
        fd = self.process.stdout.fileno()
        chunks, remaining = [], size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _died(self, started: float, stderr_start: int) -> sandbox.SandboxOutcome:
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
        return sandbox._outcome(self.process.returncode if self.process.returncode is not None else -9,
                                b"", self._stderr_since(stderr_start), 0.0)

    def _stderr_since(self, position: int) -> str:
        try:
            self.stderr.seek(max(position, self.stderr.seek(0, os.SEEK_END) - sandbox._STDERR_TAIL))
            return self.stderr.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        sandbox._kill_group(self.process)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.error("extraction worker %s did not die after SIGKILL", self.process.pid)

    def close(self) -> None:
        if self.alive():
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    """A fixed number of sandboxed children; `run` is safe to call from several threads."""

    def __init__(self, size: int = 2, *, memory_mb: int = 1024, max_tasks: int = 200):
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self.max_tasks = max_tasks
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(self.size):
            self._idle.put(None)  # started on first use
        self._closed = False
        self._lock = threading.Lock()

    def run(self, target: str, args: list[Any] | tuple[Any, ...] = (), *, timeout: float = 60.0
            ) -> sandbox.SandboxOutcome:
        return self._run(self._idle.get(), target, args, timeout)

    def run_if_idle(self, target: str, args: list[Any] | tuple[Any, ...] = (), *, timeout: float = 60.0
                    ) -> sandbox.SandboxOutcome | None:
        """Like `run` when a child is free; None at once when all are busy (the caller then
        starts a one-off sandbox instead of queueing behind another upload)."""
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return None
        return self._run(worker, target, args, timeout)

    def _run(self, worker: "_Worker | None", target: str, args: list[Any] | tuple[Any, ...], timeout: float
             ) -> sandbox.SandboxOutcome:
        try:
            if worker is None or not worker.alive() or worker.tasks >= self.max_tasks:
                if worker is not None:
                    worker.close()
                try:
                    worker = _Worker(self.memory_mb)
                except OSError as exc:
                    worker = None
                    return sandbox.SandboxOutcome("error", error=f"cannot start child process: {exc}")
            outcome = worker.call(target, list(args), timeout)
            if outcome.kind in ("memory", "timeout", "crashed") or outcome.retired or not worker.alive():
                worker.close()
                worker = None
            return outcome
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for _ in range(self.size):
            worker = self._idle.get()
            if worker is not None:
                worker.close()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SHARED: dict[int, tuple[int, WorkerPool]] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(memory_mb: int) -> WorkerPool:
    """One warm child per process for single files (web uploads), started on first use.

    A one-off sandbox costs ~130 ms of CPU for the interpreter and parser imports, more than
    parsing a typical upload; under load (bench/load.py) those start-ups were a twelfth of the
    server's CPU. The child keeps every limit of the one-off sandbox and is replaced after a
    timeout, a crash or a memory error. A forked process (a gunicorn worker) never uses its
    parent's child: the pool belongs to the process that made it.
    """
    pid = os.getpid()
    with _SHARED_LOCK:
        found = _SHARED.get(memory_mb)
        if found is not None and found[0] == pid:
            return found[1]
        if not _SHARED:
            atexit.register(close_shared_pools)
        pool = WorkerPool(1, memory_mb=memory_mb)
        _SHARED[memory_mb] = (pid, pool)
        return pool


def close_shared_pools() -> None:
    """Stop this process's warm children (at exit; tests call it to start clean)."""
    with _SHARED_LOCK:
        pools = [pool for pid, pool in _SHARED.values() if pid == os.getpid()]
        _SHARED.clear()
    for pool in pools:
        pool.close()
