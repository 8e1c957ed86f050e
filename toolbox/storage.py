"""Content-addressed blob store: every file lives once, under its SHA-256.

A user-supplied filename never becomes a path; it is kept only as metadata in the database.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PREFIX = re.compile(r"^[0-9a-f]{2}$")
_CHUNK = 1024 * 1024

TMP_DIR = "tmp"
TMP_PREFIX = "upload-"
QUARANTINE_DIR = "quarantine"
#: How long an empty, unlocked temporary file may belong to a writer that has not locked it yet.
TMP_GRACE_SECONDS = 60.0


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

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy ``stream`` into the store: temporary file, fsync, then an atomic rename.

        A crash at any point leaves either no blob or a complete one, never a torn file under
        a valid name. The writer holds an ``flock`` on its temporary file until the rename, so
        ``sweep_temporary`` can tell the leftovers of a dead writer (lock free: the kernel drops
        the locks of a killed process) from a file that a running upload is still writing.
        """
        tmp_dir = self.root / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=TMP_PREFIX)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # The copy writes through a duplicate descriptor: closing it keeps the lock, which
            # belongs to the shared open file description and lasts until ``fd`` is closed.
            with os.fdopen(os.dup(fd), "wb") as out:
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
        finally:
            os.close(fd)

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

    def temporary_files(self) -> list[Path]:
        """Temporary files of writes that are running or were interrupted."""
        tmp_dir = self.root / TMP_DIR
        return sorted(tmp_dir.glob(TMP_PREFIX + "*")) if tmp_dir.is_dir() else []

    def abandoned_temporary_files(self, grace_seconds: float = TMP_GRACE_SECONDS) -> list[Path]:
        """Temporary files whose writer is gone: nobody holds their lock.

        An empty file younger than ``grace_seconds`` is left out: its writer may have created
        it a moment ago and not yet taken the lock.
        """
        cutoff = time.time() - grace_seconds
        return [path for path in self.temporary_files() if _abandoned(path, cutoff)]

    def sweep_temporary(self, grace_seconds: float = TMP_GRACE_SECONDS) -> int:
        """Remove the temporary files of crashed writes; a running write's file stays."""
        removed = 0
        for leftover in self.abandoned_temporary_files(grace_seconds):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
        return removed

    def iter_blobs(self) -> Iterator[tuple[str, Path]]:
        """Every stored blob as ``(sha256, path)``; files under other names are skipped."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not (first.is_dir() and _PREFIX.match(first.name)):
                continue
            for second in sorted(first.iterdir()):
                if not (second.is_dir() and _PREFIX.match(second.name)):
                    continue
                for path in sorted(second.iterdir()):
                    if path.is_file() and _SHA256.match(path.name) and path.name[:2] == first.name \
                            and path.name[2:4] == second.name:
                        yield path.name, path

    def quarantine(self, sha256: str, reason: str) -> Path:
        """Move a blob out of the store into ``quarantine/<reason>/`` instead of deleting it.

        An operator can inspect it and move it back; the store no longer serves it.
        """
        source = self.path_for(sha256)
        folder = self.root / QUARANTINE_DIR / reason
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / sha256
        if target.exists():
            target = folder / f"{sha256}.{int(time.time())}"
        os.replace(source, target)
        _fsync_dir(folder)
        return target


def _abandoned(path: Path, cutoff: float) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return False  # a live writer holds it
        stat = os.fstat(fd)
        return stat.st_size > 0 or stat.st_mtime < cutoff
    finally:
        os.close(fd)


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
