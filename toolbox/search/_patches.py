"""A fix to whoosh-reloaded 2.7.5 that the index relies on for speed.

`W3PerDocReader._cached_reader` caches a field's length column only when the column exists.
For fields without lengths (IDs, keywords, stored-only fields) every posting written at commit
time asks the storage whether the column file exists — one `stat` per posting, about two thirds
of the commit time of a batch. The patched method remembers the answer "no column" as well.
"""
from __future__ import annotations

from whoosh.codec import whoosh3

_MISSING = object()


def _cached_reader(self, fieldname, column):
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        readers[fieldname] = reader
    return reader


def apply() -> None:
    if getattr(whoosh3.W3PerDocReader._cached_reader, "__module__", "") != __name__:
        whoosh3.W3PerDocReader._cached_reader = _cached_reader
