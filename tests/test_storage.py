"""The content-addressed blob store."""
from __future__ import annotations

import fcntl
import hashlib
import io
import os
import time

import pytest

from toolbox.storage import BlobStore


def test_file_is_stored_under_its_sha256(tmp_path):
    """A stored file lives at a path derived from its SHA-256 and holds the same bytes."""
    store = BlobStore(tmp_path)
    data = "Leistungsbeschreibung Straßenbeleuchtung".encode()
    blob = store.put_stream(io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.path == tmp_path / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256
    assert blob.path.read_bytes() == data
    assert blob.size == len(data)
    assert blob.created


def test_same_bytes_are_stored_once(tmp_path):
    """Storing identical bytes twice keeps one file and says so."""
    store = BlobStore(tmp_path)
    first = store.put_stream(io.BytesIO(b"gleicher Inhalt"))
    second = store.put_stream(io.BytesIO(b"gleicher Inhalt"))
    assert second.sha256 == first.sha256
    assert not second.created
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [first.path]


def test_no_temporary_file_is_left_behind(tmp_path):
    """After a write, the temporary folder is empty: the file was renamed into place."""
    store = BlobStore(tmp_path)
    store.put_stream(io.BytesIO(b"x" * 3_000_000))
    assert list((tmp_path / "tmp").iterdir()) == []


def test_failed_write_leaves_no_blob(tmp_path):
    """A stream that breaks mid-way leaves neither a blob nor a temporary file."""

    class Broken(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("Verbindung abgebrochen")
            return b"a" * 1024

    store = BlobStore(tmp_path)
    with pytest.raises(OSError):
        store.put_stream(Broken())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_user_names_never_become_paths(tmp_path):
    """Only hex digests address blobs; anything else is refused."""
    store = BlobStore(tmp_path)
    for name in ("../../etc/passwd", "a" * 63, "G" * 64, "Straße.pdf"):
        with pytest.raises(ValueError):
            store.path_for(name)


def test_verify_detects_changed_bytes(tmp_path):
    """verify() is True for an intact blob and False once its bytes changed."""
    store = BlobStore(tmp_path)
    blob = store.put_stream(io.BytesIO(b"original"))
    assert store.verify(blob.sha256)
    blob.path.write_bytes(b"manipuliert")
    assert not store.verify(blob.sha256)


def test_sweep_removes_only_old_leftovers(tmp_path):
    """Crashed writes' temporary files go; a file that may belong to a running upload stays."""
    store = BlobStore(tmp_path)
    (tmp_path / "tmp").mkdir()
    old = tmp_path / "tmp" / "upload-old"
    fresh = tmp_path / "tmp" / "upload-fresh"
    old.write_bytes(b"halb")
    fresh.write_bytes(b"halb")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    # A running upload holds a lock on its temporary file until the rename.
    with fresh.open("rb") as writing:
        fcntl.flock(writing.fileno(), fcntl.LOCK_EX)
        assert store.sweep_temporary() == 1
    assert not old.exists()
    assert fresh.exists()
