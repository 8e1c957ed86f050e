"""The child side of `sandbox.run`: limit this process, call the target, answer in JSON.

Started by sandbox.py as `python -I -c <bootstrap>`; not meant to be run by hand.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from importlib import import_module
from typing import Any

_MEMORY_MARKERS = (
    "memory allocation failed",  # lxml
    "insufficient memory",  # zlib
    "cannot allocate memory",  # OSError ENOMEM
    "failed to map segment",  # importing a C extension under RLIMIT_AS
)


def keep_numpy_out() -> None:
    """Make `import numpy` fail in this child. openpyxl (and Pillow) use numpy only when it is
    there; no parser needs it, and importing it costs some 80 MB of address space (OpenBLAS's
    buffers), which under RLIMIT_AS is memory the next file cannot have: a warm child that had
    read one spreadsheet failed on a large DOCX with a bare XMLSyntaxError."""
    sys.modules.setdefault("numpy", None)  # type: ignore[assignment]


def address_space_in_use() -> int:
    """This process's virtual memory size (Linux), which is what RLIMIT_AS counts; 0 where
    /proc does not tell."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def main() -> None:
    keep_numpy_out()
    # Keep the real stdout for the answer; whatever libraries print goes to stderr.
    answer_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        request = json.loads(sys.stdin.buffer.read())
        _apply_limits(request)
        for entry in request.get("sys_path", []):
            if entry not in sys.path:
                sys.path.append(entry)
        reply = _call(request["target"], request.get("args", []))
    except MemoryError:
        reply = {"kind": "memory", "error": "MemoryError"}
    data = encode_reply(reply)
    with os.fdopen(answer_fd, "wb") as answer:
        answer.write(data)
    sys.stderr.flush()
    # Skip interpreter teardown: nothing is left to clean up and it costs time.
    os._exit(0)


def encode_reply(reply: dict[str, Any]) -> bytes:
    """The answer as JSON bytes; an answer that cannot be encoded becomes an error answer."""
    try:
        return json.dumps(reply, ensure_ascii=False).encode("utf-8", errors="surrogatepass")
    except MemoryError:
        return b'{"kind": "memory", "error": "MemoryError while encoding the answer"}'
    except (TypeError, ValueError) as exc:
        return json.dumps({"kind": "error", "error": f"unserialisable result: {exc}"}).encode()


def _apply_limits(request: dict[str, Any]) -> None:
    memory = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _call(target: str, args: list[Any]) -> dict[str, Any]:
    try:
        module_name, _, function_name = target.partition(":")
        function = getattr(import_module(module_name), function_name)
        return {"kind": "ok", "value": function(*args)}
    except MemoryError:
        return {"kind": "memory", "error": "MemoryError"}
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are answers too
        if is_memory_error(exc):
            return {"kind": "memory", "error": f"{type(exc).__name__}: {exc}"[:1000]}
        return {"kind": "error", "error": f"{type(exc).__name__}: {exc}"[:1000]}


def is_memory_error(exc: BaseException) -> bool:
    """True for MemoryError and for the other ways C code says the same."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _MEMORY_MARKERS)
