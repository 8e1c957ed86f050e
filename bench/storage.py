"""Blob store throughput and memory on both backends: the local folder and an S3 API server.

    python -m bench.storage                    # 200 MB, local folder and moto_server on 127.0.0.1
    python -m bench.storage --mb 500 --endpoint http://127.0.0.1:9000 --bucket bench  # e.g. MinIO

For each backend: ``put_stream`` of a generated stream (the digest is known only at the end),
``put_file`` of the same bytes from disk (a new file each time), reading it back through ``open``,
and a 1 MB ranged read from the middle. The process's peak resident memory is printed after each
step: a store that held a file whole would grow by its size. Without ``--endpoint`` a
``moto_server`` is started as its own process (moto keeps objects in memory, which must not be
counted against the client).
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

_CHUNK = 1024 * 1024


class _Generated(io.RawIOBase):
    """``size`` pseudo-random bytes, made as they are read."""

    def __init__(self, size: int, seed: int):
        self.left = size
        self.block = os.urandom(_CHUNK - 1) + bytes([seed % 256])

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left, len(self.block))
        buffer[:count] = self.block[:count]
        self.left -= count
        return count


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_moto() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, endpoint


def _run(name: str, store, size: int, folder: Path) -> None:
    def step(label: str, action) -> object:
        start = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - start
        print(f"{name:6} {label:22} {seconds:7.2f} s  {size / seconds / 1e6:8.1f} MB/s  peak RSS {_peak_mb():6.0f} MB")
        return result

    blob = step("put_stream", lambda: store.put_stream(_Generated(size, 1)))
    source = folder / f"{name}.bin"
    with source.open("wb") as out:
        shutil.copyfileobj(_Generated(size, 2), out, _CHUNK)
    step("put_file", lambda: store.put_file(source))

    def read_all() -> int:
        total = 0
        with store.open(blob.sha256) as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                total += len(chunk)
        assert total == size
        return total

    step("open + read", read_all)
    start = time.perf_counter()
    with store.open(blob.sha256) as stream:
        stream.seek(size // 2)
        assert len(stream.read(_CHUNK)) == _CHUNK
    print(f"{name:6} {'1 MB range from middle':22} {(time.perf_counter() - start) * 1000:7.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the file (default 200)")
    parser.add_argument("--endpoint", help="an S3 API to use instead of a moto_server of our own")
    parser.add_argument("--bucket", default="bench", help="bucket (created when missing)")
    args = parser.parse_args(argv)
    size = args.mb * _CHUNK

    from toolbox.s3storage import S3BlobStore, s3_client
    from toolbox.storage import BlobStore

    print(f"Python {sys.version.split()[0]}, file {args.mb} MB, peak RSS at start {_peak_mb():.0f} MB")
    process = None
    endpoint = args.endpoint
    if endpoint is None:
        process, endpoint = _start_moto()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            _run("local", BlobStore(folder / "documents"), size, folder)
            config = {"TOOLBOX_STORAGE_ENDPOINT_URL": endpoint, "TOOLBOX_STORAGE_REGION": "us-east-1"}
            client = s3_client(config)
            try:
                client.create_bucket(Bucket=args.bucket)
            except client.exceptions.BucketAlreadyOwnedByYou:
                pass

            _run("s3", S3BlobStore(client, args.bucket, "bench", staging=folder / "staging"), size, folder)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
