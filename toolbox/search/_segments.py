"""Decoded postings, field lengths and columns per index segment, kept across index generations.

Every index commit (an upload, a publication, an edit) starts a new generation, yet it only
adds a small segment and marks entries of the old ones deleted: the large segments stay as
they are. Decoding posting lists (unpickling and decompressing Whoosh's blocks) is the main
cost of a search on cold caches, and per-generation caches made every upload throw that work
away in every web process. Keyed by segment, it survives the commit. Entries deleted since a
segment was written are kept here and dropped per generation (``LeafView.alive``).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Sized, TypeVar

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

SizedT = TypeVar("SizedT", bound=Sized)
T = TypeVar("T")
_NO_IDS = np.empty(0, dtype=np.int64)
_NO_FREQUENCIES = np.empty(0, dtype=np.float64)


class BoundedCache:
    """Least recently used values by key, bounded by their count and by the items they hold.

    A count of entries alone is no bound here: a frequent word's entry holds nearly every
    document of the index, and such caches let a web process grow to gigabytes on 50 000
    documents. Thread-safe; a value is computed outside the lock.
    """

    def __init__(self, max_entries: int, max_items: int) -> None:
        self._max_entries = max_entries
        self._max_items = max_items
        self._held = 0
        self._entries: OrderedDict[tuple, Sized] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], SizedT]) -> SizedT:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if key not in self._entries:
                self._entries[key] = value
                self._held += len(value)
            while len(self._entries) > 1 and (
                len(self._entries) > self._max_entries or self._held > self._max_items
            ):
                _, dropped = self._entries.popitem(last=False)
                self._held -= len(dropped)
        return value

    @property
    def max_items(self) -> int:
        return self._max_items

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0


@dataclass(frozen=True)
class LeafView:
    """One segment as one generation sees it: where its documents start and which still live."""

    key: tuple | None             # the segment's identity; None: not cacheable
    base: int                     # docnum of the segment's first document in the generation
    count: int                    # documents in the segment, deleted ones included
    alive: np.ndarray | None      # bool per document of the segment; None: nothing deleted


@dataclass(frozen=True)
class _Postings:
    ids: np.ndarray          # int64, document numbers within the segment (deleted ones too)
    frequencies: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.ids)


class Segments:
    """The caches, shared by every generation and thread of a process."""

    def __init__(self, max_entries: int = 50_000, max_postings: int = 8_000_000) -> None:
        # 16 bytes per posting held.
        self._postings = BoundedCache(max_entries, max_postings)
        self._prefixes = BoundedCache(20_000, 2_000_000)  # lexicon scans (compound expansion)
        self._lengths: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._parts: OrderedDict[tuple, object] = OrderedDict()  # columns and filter postings
        self._lock = threading.Lock()

    def clear(self) -> None:
        self._postings.clear()
        self._prefixes.clear()
        with self._lock:
            self._lengths.clear()
            self._parts.clear()

    def leaf_views(self, reader) -> tuple[LeafView, ...]:
        leaves = []
        for leaf, base in reader.leaf_readers():
            alive = None
            if leaf.has_deletions():
                alive = np.ones(leaf.doc_count_all(), dtype=bool)
                found = getattr(leaf, "deleted_docs_set", None)
                if found is None:
                    found = [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
                deleted = np.fromiter(found, dtype=np.int64)
                alive[deleted[deleted < len(alive)]] = False
            leaves.append(LeafView(_segment_key(leaf), base, leaf.doc_count_all(), alive))
        return tuple(leaves)

    def term(self, reader, leaves: tuple[LeafView, ...], fieldname: str, text: str
             ) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (of the generation) holding the term, and its frequency in each."""
        id_parts: list[np.ndarray] = []
        frequency_parts: list[np.ndarray] = []
        for (leaf, _), view in zip(reader.leaf_readers(), leaves):
            if (fieldname, text) not in leaf:
                continue
            postings = self._leaf_postings(leaf, view, fieldname, text)
            ids, frequencies = postings.ids, postings.frequencies
            if view.alive is not None:
                keep = view.alive[ids]
                ids, frequencies = ids[keep], frequencies[keep]
            id_parts.append(ids + view.base if view.base else ids)
            frequency_parts.append(frequencies)
        if not id_parts:
            return _NO_IDS, _NO_FREQUENCIES
        if len(id_parts) == 1:
            return id_parts[0], frequency_parts[0]
        return np.concatenate(id_parts), np.concatenate(frequency_parts)

    def lengths(self, reader, leaves: tuple[LeafView, ...], fieldname: str, docnums: np.ndarray) -> np.ndarray:
        """The field's length in each of ``docnums`` (of the generation), each read once per segment."""
        result = np.empty(len(docnums), dtype=np.float64)
        for (leaf, _), view in zip(reader.leaf_readers(), leaves):
            inside = (docnums >= view.base) & (docnums < view.base + view.count)
            if not inside.any():
                continue
            local = docnums[inside] - view.base
            known = self._segment_lengths(view, fieldname)
            wanted = known[local]
            missing = np.isnan(wanted)
            if missing.any():
                unread = local[missing]
                read = leaf.doc_field_length
                values = np.fromiter((read(d, fieldname, 1) or 1 for d in unread.tolist()), dtype=np.float64,
                                     count=len(unread))
                known[unread] = values  # the same values whichever thread writes them
                wanted[missing] = values
            result[inside] = wanted
        return result

    def prefix_frequencies(self, leaf, view: LeafView, fieldname: str, prefix: str, limit: int) -> dict[str, int]:
        """The segment's terms of ``fieldname`` that start with ``prefix`` (at most ``limit``),
        each with the number of documents holding it (deleted ones too, as Whoosh counts)."""
        def scan() -> dict[str, int]:
            found: dict[str, int] = {}
            for count, (btext, info) in enumerate(leaf.iter_prefix(fieldname, prefix)):
                if count >= limit:
                    break
                text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                found[text] = info.doc_frequency()
            return found

        if view.key is None:
            return scan()
        return self._prefixes.get((view.key, fieldname, prefix, limit), scan)

    def columns(self, leaf, view: LeafView) -> tuple[list[int], list[int], list[str]]:
        """The segment's document ids, sort dates and title sort keys, by document number."""
        def read() -> tuple[list[int], list[int], list[str]]:
            doc_ids = [int(v or 0) for v in leaf.column_reader("doc_id")]
            sort_date = [int(v or 0) for v in leaf.column_reader("sort_date")]
            title_sort = [v if isinstance(v, str) else (v or b"").decode("utf-8", "replace")
                          for v in leaf.column_reader("title_sort")]
            return doc_ids, sort_date, title_sort

        return self._part(view, "columns", read)

    def facets(self, leaf, view: LeafView, fieldnames: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
        """For each filter field, each value's documents in the segment (deleted ones too)."""
        def read() -> dict[str, dict[str, np.ndarray]]:
            found: dict[str, dict[str, np.ndarray]] = {}
            for fieldname in fieldnames:
                values: dict[str, np.ndarray] = {}
                for btext in leaf.lexicon(fieldname):
                    ids = _decode(leaf.postings(fieldname, btext)).ids
                    if len(ids):
                        values[btext.decode("utf-8")] = ids
                found[fieldname] = values
            return found

        return self._part(view, ("facets", fieldnames), read)

    def _part(self, view: LeafView, kind, read: Callable[[], T]) -> T:
        if view.key is None:
            return read()
        key = (view.key, kind)
        with self._lock:
            found = self._parts.get(key)
            if found is not None:
                self._parts.move_to_end(key)
                return found
        value = read()
        with self._lock:
            self._parts[key] = value
            while len(self._parts) > 128:
                self._parts.popitem(last=False)
        return value

    def _segment_lengths(self, view: LeafView, fieldname: str) -> np.ndarray:
        key = (view.key, fieldname) if view.key is not None else None
        with self._lock:
            found = self._lengths.get(key) if key is not None else None
            if found is not None:
                self._lengths.move_to_end(key)
                return found
            lengths = np.full(view.count, np.nan)
            if key is not None:
                self._lengths[key] = lengths
                while len(self._lengths) > 256:
                    self._lengths.popitem(last=False)
            return lengths

    @property
    def max_postings(self) -> int:
        return self._postings.max_items

    def warm(self, leaf, view: LeafView, fieldname: str, text: str) -> int:
        """Decode and keep one term's postings in one segment; the number of postings."""
        return len(self._leaf_postings(leaf, view, fieldname, text))

    def _leaf_postings(self, leaf, view: LeafView, fieldname: str, text: str) -> _Postings:
        if view.key is None:
            return _decode(leaf.postings(fieldname, text))
        return self._postings.get((view.key, fieldname, text), lambda: _decode(leaf.postings(fieldname, text)))


def _segment_key(leaf) -> tuple | None:
    """A segment's identity: Whoosh gives each segment a random id when it is written, and
    never changes a written segment (deletions are kept beside it), so equal ids mean equal
    postings, whichever index folder or generation holds them."""
    segment = getattr(leaf, "segment", None)
    if segment is None:
        return None
    try:
        return ("segment", segment().segment_id())
    except Exception:  # a reader that is not a plain on-disk segment: no caching
        return None


def unwrap_postings(matcher) -> W3LeafMatcher | None:
    """Whoosh's on-disk block matcher behind ``matcher`` (looking through the filter a segment
    with deleted entries adds), or None for any other kind: the callers then use the public
    matcher interface."""
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher) and all(
            hasattr(matcher, name) for name in ("_read_data", "_read_values", "_maxid", "_byteids")):
        return matcher
    return None


def _decode(matcher) -> _Postings:
    """Document numbers and term frequencies of a segment's posting list, deleted ones included.

    For Whoosh's own on-disk matcher the raw blocks are decoded with numpy (the ids are stored
    as deltas); a Python call per posting (is_active, id, weight, next) cost more than all the
    arithmetic. A segment with deleted entries wraps its matcher in a filter, which is looked
    through: deletions are applied per generation. Any other matcher is read through the public
    interface.
    """
    raw = unwrap_postings(matcher)
    id_blocks: list[np.ndarray] = []
    frequency_blocks: list[np.ndarray] = []
    if raw is not None:
        matcher = raw
        matcher.reset()
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw_ids, raw_weights = matcher._data[0], matcher._data[1]
            count = matcher._blocklength
            ids = np.asarray(raw_ids, dtype=np.int64)
            if not matcher._byteids:
                ids = np.cumsum(ids)
            if raw_weights is None:
                frequencies = np.ones(count, dtype=np.float64)
            elif isinstance(raw_weights, float):
                frequencies = np.full(count, raw_weights, dtype=np.float64)
            else:
                frequencies = np.asarray(raw_weights, dtype=np.float64)
            id_blocks.append(ids)
            frequency_blocks.append(frequencies)
            matcher._next_block()
    else:
        ids_list: list[int] = []
        frequency_list: list[float] = []
        while matcher.is_active():
            ids_list.append(matcher.id())
            frequency_list.append(matcher.weight())
            matcher.next()
        id_blocks.append(np.asarray(ids_list, dtype=np.int64))
        frequency_blocks.append(np.asarray(frequency_list, dtype=np.float64))
    if len(id_blocks) == 1:
        return _Postings(id_blocks[0], frequency_blocks[0])
    return _Postings(np.concatenate(id_blocks), np.concatenate(frequency_blocks))


#: One per process: every generation and thread shares it.
SEGMENTS = Segments()
