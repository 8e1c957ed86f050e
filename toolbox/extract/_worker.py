"""The child side of `pool.WorkerPool`: limit this process once, then parse file after file.

Started by pool.py as `python -I -c <bootstrap>`; not meant to be run by hand. Requests and
answers are JSON, each framed by an 8-byte big-endian length, on stdin and on a private copy of
stdout (whatever libraries print goes to stderr).
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
from typing import Any, BinaryIO

from ._child import _call, address_space_in_use, encode_reply, keep_numpy_out

_HEADER = struct.Struct(">Q")


def read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    return stream.read(length)


def write_frame(fd: int, data: bytes) -> None:
    payload = _HEADER.pack(len(data)) + data
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def main() -> None:
    keep_numpy_out()
    answer_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    memory = int(sys.argv[3]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for entry in json.loads(sys.argv[4]):
        if entry not in sys.path:
            sys.path.append(entry)
    stdin = sys.stdin.buffer
    while True:
        frame = read_frame(stdin)
        if frame is None:
            break
        try:
            request = json.loads(frame)
            reply: dict[str, Any] = _call(request["target"], request.get("args", []))
        except MemoryError:
            reply = {"kind": "memory", "error": "MemoryError"}
        # A child that has grown past half its limit (imports, a fragmented heap) would leave
        # the next file too little room; it answers, says it retires, and the pool starts a
        # fresh one.
        retire = reply.get("kind") == "memory" or address_space_in_use() > memory // 2
        if retire:
            reply["retire"] = True
        write_frame(answer_fd, encode_reply(reply))
        sys.stderr.flush()
        if retire:
            break
    os._exit(0)
