"""Run one function in a short-lived child process with a time and a memory limit.

Parsers of untrusted files can loop forever (pypdf on broken cross-reference tables),
balloon (decompression of crafted streams) or crash in C code (lxml, zlib). Running each
extraction in its own process with RLIMIT_AS and a wall-clock limit turns all of these
into an outcome the caller can record.

Why `subprocess` and not `multiprocessing`: a fresh interpreter is safe to start from any
thread of a web process (no fork of a threaded parent, no forkserver state), it can be put
in its own process group so a timeout kills everything it started, and it does not
re-import the web application's `__main__`.

The request goes to the child as JSON on stdin; the child answers with one JSON object on
a private copy of its stdout (anything a library prints goes to stderr instead).
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# The top-level package (normally "toolbox") and the directory it lives in.
_PACKAGE = __name__.split(".")[0]
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])

# Importing the top-level package would run the application factory's imports (Flask,
# SQLAlchemy, …) in every child, several hundred ms each time. The child registers a bare
# package object instead, so only the extraction modules are imported.
_BOOTSTRAP = """\
import sys, types
name, path = sys.argv[1], sys.argv[2]
package = types.ModuleType(name)
package.__path__ = [path]
package.__package__ = name
sys.modules[name] = package
from importlib import import_module
import_module(name + ".extract._child").main()
"""

_STDERR_TAIL = 4000
_REAP_SECONDS = 5.0


@dataclass(frozen=True)
class SandboxOutcome:
    """How a sandboxed call ended.

    kind: "ok" (value holds the function's JSON-compatible return value), "error" (the
    function raised; error names the exception), "memory" (the memory limit was hit),
    "timeout" (killed after the time limit) or "crashed" (the process died without an
    answer; error says how).
    """

    kind: str
    value: Any = None
    error: str = ""
    returncode: int | None = None
    elapsed: float = 0.0
    stderr: str = ""
    retired: bool = False  # a pool child that exits after this answer


def run(
    target: str,
    args: list[Any] | tuple[Any, ...] = (),
    *,
    timeout: float = 60.0,
    memory_mb: int = 1024,
) -> SandboxOutcome:
    """Call `target` ("package.module:function") with JSON-compatible `args` in a child
    process limited to `timeout` seconds of wall time and `memory_mb` MiB of address space.

    Never raises for anything the child does; safe to call from several threads at once.
    """
    request = {
        "target": target,
        "args": list(args),
        "memory_mb": int(memory_mb),
        # A CPU-time limit as a second line of defence: it ends a spinning child even if
        # this process dies before it can kill it.
        "cpu_seconds": math.ceil(timeout) + 5,
        # So that targets outside the package (tests' helpers) import as they do here.
        "sys_path": [os.path.abspath(entry or os.curdir) for entry in sys.path],
    }
    command = [sys.executable, "-I", "-c", _BOOTSTRAP, _PACKAGE, _PACKAGE_DIR]
    started = time.monotonic()
    with tempfile.TemporaryFile() as stderr_file:
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
                cwd="/",  # paths are absolute; nothing may depend on the cwd
                env=_child_environment(),
                start_new_session=True,  # own process group, so a timeout kills all of it
            )
        except OSError as exc:
            logger.error("could not start extraction child: %s", exc)
            return SandboxOutcome("error", error=f"cannot start child process: {exc}")
        try:
            try:
                stdout, _ = process.communicate(json.dumps(request).encode(), timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                _reap(process)
                elapsed = time.monotonic() - started
                return SandboxOutcome(
                    "timeout",
                    error=f"killed after {timeout:g} s",
                    returncode=process.returncode,
                    elapsed=elapsed,
                    stderr=_tail(stderr_file),
                )
        finally:
            if process.poll() is None:  # interrupted in the parent: leave no child behind
                _kill_group(process)
                _reap(process)
        elapsed = time.monotonic() - started
        return _outcome(process.returncode, stdout, _tail(stderr_file), elapsed)


def _child_environment() -> dict[str, str]:
    # A parser exploited by a crafted file must not find the web process's secrets
    # (TOOLBOX_SECRET_KEY, the database URL) in its environment.
    # The children keep numpy out (_child.keep_numpy_out); should a library still start OpenBLAS,
    # one thread is all a parser uses (a thread per core under a low address-space cap failed
    # inside numpy's import as a bare KeyboardInterrupt).
    environment = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1"}
    for name in ("PATH", "TMPDIR", "TZ"):
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


def _outcome(returncode: int, stdout: bytes, stderr: str, elapsed: float) -> SandboxOutcome:
    reply: dict[str, Any] | None = None
    if stdout:
        try:
            reply = json.loads(stdout)
        except ValueError:
            reply = None
    if isinstance(reply, dict) and reply.get("kind") in ("ok", "error", "memory"):
        return SandboxOutcome(
            reply["kind"],
            value=reply.get("value"),
            error=str(reply.get("error") or ""),
            returncode=returncode,
            elapsed=elapsed,
            stderr=stderr,
            retired=bool(reply.get("retire")),
        )
    if returncode == -signal.SIGXCPU:
        return SandboxOutcome(
            "timeout", error="CPU time limit", returncode=returncode, elapsed=elapsed, stderr=stderr
        )
    if _mentions_memory(stderr):
        return SandboxOutcome(
            "memory", error="out of memory", returncode=returncode, elapsed=elapsed, stderr=stderr
        )
    if returncode < 0:
        try:
            how = f"Signal {signal.Signals(-returncode).name}"
        except ValueError:
            how = f"Signal {-returncode}"
    else:
        how = f"Exit-Code {returncode}"
    logger.warning("extraction child died (%s): %s", how, stderr[-500:])
    return SandboxOutcome(
        "crashed", error=how, returncode=returncode, elapsed=elapsed, stderr=stderr
    )


def _mentions_memory(stderr: str) -> bool:
    lowered = stderr.lower()
    return any(
        marker in lowered
        for marker in ("memoryerror", "cannot allocate memory", "out of memory", "bad_alloc")
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The child leads its own session, so its pid is the group id. It is not reaped yet,
    # so the id cannot have been reused.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(process: subprocess.Popen[bytes]) -> None:
    try:
        process.communicate(timeout=_REAP_SECONDS)
    except subprocess.TimeoutExpired:
        logger.error("extraction child %s did not die after SIGKILL", process.pid)
    except (OSError, ValueError):
        pass


def _tail(stream: Any) -> str:
    try:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(max(size - _STDERR_TAIL, 0))
        return stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def run_warm(target: str, args: list[Any] | tuple[Any, ...] = (), *, timeout: float = 60.0,
             memory_mb: int = 1024) -> SandboxOutcome:
    """`run` in this process's warm child when it is free, else in a one-off child.

    For work the background jobs repeat file after file (thumbnails, text previews): a one-off
    child's interpreter start and imports took longer than drawing a first page. The warm child
    keeps every limit and is replaced after a timeout, a crash or a memory error (``pool``).
    """
    from .pool import shared_pool

    outcome = shared_pool(memory_mb).run_if_idle(target, list(args), timeout=timeout)
    if outcome is None:
        outcome = run(target, args, timeout=timeout, memory_mb=memory_mb)
    return outcome
