"""Content-addressed blob store: every file lives once, under its SHA-256.

A user-supplied filename never becomes a path; it is kept only as metadata in the database.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool  # False when the same bytes were already stored


class BlobStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def put_file(self, source: str | os.PathLike) -> StoredBlob:
        with open(source, "rb") as stream:
            return self.put_stream(stream)

    def put_bytes(self, data: bytes) -> StoredBlob:
        import io

        return self.put_stream(io.BytesIO(data))

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy ``stream`` into the store: temporary file, fsync, then an atomic rename.

        A crash at any point leaves either no blob or a complete one, never a torn file under
        a valid name. Leftover temporary files are harmless and removed by ``sweep_temporary``.
        """
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path_for(sha256)
            if target.is_file() and target.stat().st_size == size:
                os.unlink(tmp_name)
                return StoredBlob(sha256, size, target, created=False)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, target)
            _fsync_dir(target.parent)
            return StoredBlob(sha256, size, target, created=True)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def verify(self, sha256: str) -> bool:
        """True when the stored bytes still hash to their name."""
        path = self.path_for(sha256)
        if not path.is_file():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def iter_chunks(self, sha256: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        with self.open(sha256) as stream:
            yield from iter(lambda: stream.read(chunk_size), b"")

    def sweep_temporary(self, older_than_seconds: float = 3600) -> int:
        """Remove temporary files of crashed writes; recent ones may belong to a running upload."""
        import time

        tmp_dir = self.root / "tmp"
        removed = 0
        if tmp_dir.is_dir():
            cutoff = time.time() - older_than_seconds
            for leftover in tmp_dir.glob("upload-*"):
                try:
                    if leftover.stat().st_mtime < cutoff:
                        leftover.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def blob_store() -> BlobStore:
    """The store configured for the current app."""
    from flask import current_app

    return BlobStore(current_app.config["TOOLBOX_DOCUMENTS_DIR"])
