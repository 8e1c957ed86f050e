"""Fixes to whoosh-reloaded 2.7.5 that the index relies on for speed.

1. `W3PerDocReader._cached_reader` caches a field's length column only when the column exists.
   For fields without lengths (IDs, keywords, stored-only fields) every posting written at
   commit time asks the storage whether the column file exists — one `stat` per posting, about
   two thirds of the commit time of a batch. The patched method remembers "no column" as well.
2. `BufferFile`, which serves each file inside a compound segment from the memory map, copied
   the whole file into a `BytesIO` when opened. Every new index generation opens its segments
   again, so after each upload every web process copied the postings of the whole index
   (about a quarter of a worker's time under the load benchmark, and its memory churn).
   The patched class reads the memory map in place.
"""
from __future__ import annotations

from whoosh.codec import whoosh3
from whoosh.filedb import structfile

_MISSING = object()


def _cached_reader(self, fieldname, column):
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        readers[fieldname] = reader
    return reader


class _ViewReader:
    """A read-only file over a buffer (a slice of the memory map), without copying it."""

    def __init__(self, buffer) -> None:
        self._view = memoryview(buffer)
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(end, start)
        return self._view[start:end].tobytes()

    def peek(self, size: int = 0) -> memoryview:
        """The bytes ahead, without moving: ``pickle.load`` (Whoosh's posting blocks and
        position lists) then parses from this buffer and reads once what it used, instead of
        calling ``read`` for every few bytes (twenty calls a pickle). A view, not a copy."""
        start = self._position
        return self._view[start:start + max(size, 1)]

    def readline(self, size: int = -1) -> bytes:
        start = self._position
        limit = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        end = start
        view = self._view
        while end < limit:
            end += 1
            if view[end - 1] == 10:
                break
        self._position = end
        return view[start:end].tobytes()

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self._position
        elif whence == 2:
            offset += len(self._view)
        if offset < 0:
            raise ValueError("negative seek position")
        self._position = offset
        return offset

    def tell(self) -> int:
        return self._position

    def write(self, data) -> int:
        raise OSError("read-only buffer")

    def truncate(self, size=None) -> int:
        raise OSError("read-only buffer")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        # The memory map belongs to the compound storage, which closes it; slices of this view
        # may still be alive, so it is only dropped here, not released.
        self._position = 0


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = _ViewReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> None:
    if getattr(whoosh3.W3PerDocReader._cached_reader, "__module__", "") != __name__:
        whoosh3.W3PerDocReader._cached_reader = _cached_reader
    if getattr(structfile.BufferFile.__init__, "__module__", "") != __name__:
        structfile.BufferFile.__init__ = _buffer_file_init
