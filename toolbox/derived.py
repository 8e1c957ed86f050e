"""Files derived from stored originals (the searchable PDF of a scan), kept apart from them.

The blob store holds exactly the bytes people uploaded; what the toolbox makes from them lives
under ``TOOLBOX_DERIVED_DIR`` (default: ``derived`` beside the documents folder), named after the
original's SHA-256 and the kind of derivation, and can always be made again. A derived file is
written under a temporary name and renamed into place, so a reader never sees half of one; the
temporary name carries the writer's pid, so leftovers of a killed writer are recognised.
"""
from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path
from typing import Iterator

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KIND = re.compile(r"^[a-z0-9]+\.[a-z0-9]+$")
TMP_DIR = "tmp"


class DerivedStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str, kind: str) -> Path:
        """``kind`` names derivation and extension, e.g. ``ocr.pdf``."""
        if not _SHA256.match(sha256) or not _KIND.match(kind):
            raise ValueError(f"bad derived file name {sha256!r} {kind!r}")
        return self.root / sha256[:2] / f"{sha256}.{kind}"

    def exists(self, sha256: str, kind: str) -> bool:
        return self.path_for(sha256, kind).is_file()

    @contextlib.contextmanager
    def writing(self, sha256: str, kind: str) -> Iterator[Path]:
        """A temporary path to write to; ``commit`` moves it into place, otherwise it is removed."""
        target = self.path_for(sha256, kind)
        tmp_dir = self.root / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        temporary = tmp_dir / f"{os.getpid()}-{uuid.uuid4().hex}-{target.name}"
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
                    import shutil

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


def derived_store() -> DerivedStore:
    """The store configured for the current app."""
    from flask import current_app

    return DerivedStore(derived_root(current_app.config))
