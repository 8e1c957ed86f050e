"""Content-addressed blob store: every file lives once, under its SHA-256.

A user-supplied filename never becomes a path; it is kept only as metadata in the database.

Two backends keep the same contract (the methods of ``BlobStore`` that ``S3BlobStore`` in
``toolbox.s3storage`` has too): the local folder ``TOOLBOX_DOCUMENTS_DIR`` (default), and an
S3-compatible bucket with ``TOOLBOX_STORAGE_URL=s3://bucket/prefix``. Services reach the bytes
through ``open`` (a seekable stream), ``stat``, ``local_path`` (a file on disk for the extractors,
fetched for the time of a ``with`` block when the bytes live in a bucket) and ``put_file`` /
``put_stream``; only the local backend has ``path_for``.
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
from typing import BinaryIO, Iterator, NamedTuple, Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PREFIX = re.compile(r"^[0-9a-f]{2}$")
_CHUNK = 1024 * 1024

TMP_DIR = "tmp"
TMP_PREFIX = "upload-"
QUARANTINE_DIR = "quarantine"
#: How long an empty, unlocked temporary file may belong to a writer that has not locked it yet.
TMP_GRACE_SECONDS = 60.0


class StorageUnavailable(OSError):
    """The store cannot be reached or used; the message says where and why (for operators).

    An ``OSError``, so that code written for a full disk (the upload is reported as failed, a
    ZIP leaves the file out) handles an unreachable bucket the same way.
    """


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    #: The stored file on disk; None when the bytes live in a bucket.
    path: Path | None
    created: bool  # False when the same bytes were already stored


class BlobStat(NamedTuple):
    size: int
    #: Seconds since the epoch of the last write (file mtime, object LastModified).
    modified: float


class BlobInfo(NamedTuple):
    """One stored blob as a listing sees it, without reading its bytes."""
    sha256: str
    size: int
    modified: float
    #: Where it is, for an operator's report: a path or an s3:// URL.
    location: str


class BlobBackend(Protocol):
    """What every blob store offers; ``BlobStore`` (local folder) and ``s3storage.S3BlobStore``.

    Content addressing is part of the contract: a blob is named by the SHA-256 of its bytes,
    written so that a reader sees it whole or not at all, and never changed afterwards.
    """

    def describe(self) -> str: ...
    def exists(self, sha256: str) -> bool: ...
    def stat(self, sha256: str) -> BlobStat | None: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def local_path(self, sha256: str) -> contextlib.AbstractContextManager[Path]: ...
    def put_file(self, source: str | os.PathLike) -> StoredBlob: ...
    def put_stream(self, stream: BinaryIO) -> StoredBlob: ...
    def verify(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> None: ...
    def quarantine(self, sha256: str, reason: str) -> Path | str: ...
    def list_blobs(self) -> Iterator[BlobInfo]: ...
    def temporary_files(self) -> list: ...
    def abandoned_temporary_files(self, grace_seconds: float = ...) -> list: ...
    def remove_temporary(self, leftover) -> None: ...
    def sweep_temporary(self, grace_seconds: float = ...) -> int: ...
    def presigned_url(self, sha256: str, *, seconds: int, filename: str, media_type: str) -> str | None: ...
    def ping(self) -> None: ...


def check_sha256(sha256: str) -> str:
    """``sha256`` when it is a SHA-256 hex digest; only such names ever address a blob."""
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class BlobStore:
    """The local backend: ``<root>/<aa>/<bb>/<sha256>``, ``tmp/`` and ``quarantine/`` beside."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def path_for(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def stat(self, sha256: str) -> BlobStat | None:
        """Size and time of a stored blob, or None when it is not there."""
        try:
            result = self.path_for(sha256).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return BlobStat(result.st_size, result.st_mtime)

    def open(self, sha256: str) -> BinaryIO:
        """A seekable stream of the stored bytes; FileNotFoundError when the blob is missing."""
        return self.path_for(sha256).open("rb")

    @contextlib.contextmanager
    def local_path(self, sha256: str) -> Iterator[Path]:
        """The blob as a file for tools that need a path (extractors, LibreOffice, OCR)."""
        path = self.path_for(sha256)
        if not path.is_file():
            raise FileNotFoundError(f"blob {sha256} is not in {self.root}")
        yield path

    def delete(self, sha256: str) -> None:
        """Remove a blob nobody needs any more; a missing one is fine."""
        self.path_for(sha256).unlink(missing_ok=True)

    def presigned_url(self, sha256: str, *, seconds: int, filename: str, media_type: str) -> str | None:
        """A local folder has no address of its own to send a browser to."""
        return None

    def ping(self) -> None:
        """Cheap reachability check for readiness probes: the folder is there and writable.

        :raise StorageUnavailable: with the reason.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"{self.root}: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"{self.root}: not writable")

    def put_file(self, source: str | os.PathLike) -> StoredBlob:
        """Store the bytes of a file on disk (which stays where it is)."""
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

    def remove_temporary(self, leftover: str | os.PathLike) -> None:
        """Remove one of ``abandoned_temporary_files``."""
        Path(leftover).unlink(missing_ok=True)

    def list_blobs(self) -> Iterator[BlobInfo]:
        """Every stored blob with its size and time, as the backends share it."""
        for sha256, path in self.iter_blobs():
            try:
                result = path.stat()
            except FileNotFoundError:
                continue
            yield BlobInfo(sha256, result.st_size, result.st_mtime, str(path))

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


def storage_url(config) -> str | None:
    """``TOOLBOX_STORAGE_URL`` when it names a bucket; empty or ``file:`` keep the local folder."""
    url = (config.get("TOOLBOX_STORAGE_URL") or "").strip()
    if not url or url.startswith("file:"):
        return None
    return url


def blob_store() -> BlobBackend:
    """The store configured for the current app: the local folder or the S3 bucket.

    A bucket's store (and its HTTP connection pool) is made once per app and shared by its
    threads; boto3 clients are thread-safe.
    """
    from flask import current_app

    url = storage_url(current_app.config)
    if url is None:
        return BlobStore(current_app.config["TOOLBOX_DOCUMENTS_DIR"])
    from .s3storage import s3_stores

    return s3_stores(current_app).blobs


def upload_staging():
    """Where uploads wait between their two steps when any server may take the second one:
    the bucket's ``staging/`` (``s3storage.S3UploadStaging``); None for the local folder, where
    the instance folder's ``staging/`` is the only place (one server, or sticky sessions)."""
    from flask import current_app

    if storage_url(current_app.config) is None:
        return None
    from .s3storage import s3_stores

    return s3_stores(current_app).uploads
