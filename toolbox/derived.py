"""Files derived from stored originals (the searchable PDF of a scan), kept apart from them.

The blob store holds exactly the bytes people uploaded; what the toolbox makes from them lives
under ``TOOLBOX_DERIVED_DIR`` (default: ``derived`` beside the documents folder), named after the
original's SHA-256 and the kind of derivation, and can always be made again. A derived file is
written under a temporary name and renamed into place, so a reader never sees half of one; the
temporary name carries the writer's pid, so leftovers of a killed writer are recognised.

With ``TOOLBOX_STORAGE_URL=s3://…`` the derived files live in the same bucket under
``<prefix>/derived/`` (``toolbox.s3storage.S3DerivedStore``): they are still written to a local
temporary file first, and ``commit`` uploads it in one piece (an object appears whole or not at
all). ``StoredFile`` names an original or one of its derived files for code that serves or reads
either without caring where the bytes are.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from .storage import BlobStat, blob_store

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KIND = re.compile(r"^[a-z0-9]+\.[a-z0-9]+$")
TMP_DIR = "tmp"


_DERIVED_FILE = re.compile(r"^([0-9a-f]{64})\.([a-z0-9]+\.[a-z0-9]+)$")


@dataclass(frozen=True)
class DerivedInfo:
    """One derived file as a listing finds it."""

    sha256: str      # of the original it was made from
    kind: str
    location: str    # path or URL, for reports
    modified: float  # seconds since the epoch


def parse_derived_name(name: str) -> tuple[str, str] | None:
    """(original's SHA-256, kind) of a derived file's name; None for any other name."""
    found = _DERIVED_FILE.match(name)
    return (found.group(1), found.group(2)) if found else None


def derived_name(sha256: str, kind: str) -> str:
    """The file or object name of a derived file; only digests and plain kinds pass."""
    if not isinstance(sha256, str) or not _SHA256.match(sha256) or not isinstance(kind, str) \
            or not _KIND.match(kind):
        raise ValueError(f"bad derived file name {sha256!r} {kind!r}")
    return f"{sha256}.{kind}"


class DerivedStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str, kind: str) -> Path:
        """``kind`` names derivation and extension, e.g. ``ocr.pdf``."""
        return self.root / sha256[:2] / derived_name(sha256, kind)

    def exists(self, sha256: str, kind: str) -> bool:
        return self.path_for(sha256, kind).is_file()

    def stat(self, sha256: str, kind: str) -> BlobStat | None:
        try:
            result = self.path_for(sha256, kind).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return BlobStat(result.st_size, result.st_mtime)

    def open(self, sha256: str, kind: str) -> BinaryIO:
        """A seekable stream of the derived file; FileNotFoundError when it is not there."""
        return self.path_for(sha256, kind).open("rb")

    @contextlib.contextmanager
    def local_path(self, sha256: str, kind: str) -> Iterator[Path]:
        path = self.path_for(sha256, kind)
        if not path.is_file():
            raise FileNotFoundError(f"derived file {path.name} is not in {self.root}")
        yield path

    def delete(self, sha256: str, kind: str) -> None:
        self.path_for(sha256, kind).unlink(missing_ok=True)

    def list_files(self) -> Iterator[DerivedInfo]:
        """Every derived file (not the temporary ones), in no particular order."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.name == TMP_DIR or len(folder.name) != 2 or not folder.is_dir():
                continue
            for path in folder.iterdir():
                parsed = parse_derived_name(path.name)
                if parsed is None:
                    continue
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:
                    continue
                yield DerivedInfo(parsed[0], parsed[1], str(path), modified)

    @contextlib.contextmanager
    def writing(self, sha256: str, kind: str) -> Iterator[Path]:
        """A temporary path to write to; ``commit`` moves it into place, otherwise it is removed."""
        tmp_dir = self.root / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        temporary = tmp_dir / f"{os.getpid()}-{uuid.uuid4().hex}-{derived_name(sha256, kind)}"
        try:
            yield temporary
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def commit(self, temporary: Path, sha256: str, kind: str) -> Path:
        """Move a finished temporary file into place atomically, durably."""
        target = self.path_for(sha256, kind)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return target

    def sweep_temporary(self) -> int:
        """Remove temporary files whose writing process is gone; returns how many."""
        tmp_dir = self.root / TMP_DIR
        if not tmp_dir.is_dir():
            return 0
        removed = 0
        for path in tmp_dir.iterdir():
            pid, _sep, _rest = path.name.partition("-")
            if pid.isdigit() and _alive(int(pid)):
                continue
            with contextlib.suppress(FileNotFoundError):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
                removed += 1
        return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def derived_root(config) -> Path:
    configured = config.get("TOOLBOX_DERIVED_DIR")
    if configured:
        return Path(configured)
    return Path(config["TOOLBOX_DOCUMENTS_DIR"]).resolve().parent / "derived"


def derived_store():
    """The store configured for the current app: the local folder or the bucket's ``derived/``."""
    from flask import current_app

    from .storage import storage_url

    if storage_url(current_app.config) is None:
        return DerivedStore(derived_root(current_app.config))
    from .s3storage import s3_stores

    return s3_stores(current_app).derived


@dataclass(frozen=True)
class StoredFile:
    """An original (``kind`` None) or one of its derived files (``kind`` e.g. ``ocr.pdf``)."""
    sha256: str
    kind: str | None = None

    def stat(self) -> BlobStat | None:
        if self.kind is None:
            return blob_store().stat(self.sha256)
        return derived_store().stat(self.sha256, self.kind)

    def exists(self) -> bool:
        return self.stat() is not None

    def open(self) -> BinaryIO:
        if self.kind is None:
            return blob_store().open(self.sha256)
        return derived_store().open(self.sha256, self.kind)

    def local_path(self) -> contextlib.AbstractContextManager[Path]:
        """The file on disk for the time of a ``with`` block (fetched first from a bucket)."""
        if self.kind is None:
            return blob_store().local_path(self.sha256)
        return derived_store().local_path(self.sha256, self.kind)

    def read_bytes(self) -> bytes:
        """For small derived files only (a text preview's JSON), never for documents."""
        with self.open() as stream:
            return stream.read()
