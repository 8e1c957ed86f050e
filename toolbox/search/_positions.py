"""Many documents' word positions decoded at once, from the values of Whoosh's posting blocks.

Whoosh stores a term's positions in one document as ``pack_uint(count)`` followed by a pickle
(protocol 2) of the list of position deltas, and decodes them with a ``pickle.loads`` per
document. A phrase over frequent words met hundreds of thousands of such values a query, and
the call per value (plus the slicing around it) was most of a phrase query's time. The pickles
of one list differ only in their items, so their bodies are cut out and joined into a single
pickle of one flat list: one ``loads`` per term, the running sums per document with numpy.

The format is that of the pinned whoosh-reloaded release (``_release``); every value is checked
against it, and a value written any other way makes the caller decode one value at a time.
"""
from __future__ import annotations

import pickle

import numpy as np

#: The bytes after the count: PROTO 2, EMPTY_LIST, BINPUT 0; the list's items follow
#: (APPEND for one, MARK … APPENDS for more), then STOP.
_LIST_HEADER = b"\x80\x02]q\x00"
_SKIP = 4 + len(_LIST_HEADER)
_STOP = ord(".")
#: The shortest value: count, header, one one-byte item (``K n``), APPEND, STOP.
_SHORTEST = _SKIP + 4


def decode_position_lists(values: list[bytes]) -> tuple[np.ndarray, np.ndarray] | None:
    """The number of positions in each value and all positions, value after value (int64);
    None when a value is not in the expected format."""
    if not values:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    joined = b"".join(values)
    data = np.frombuffer(joined, dtype=np.uint8)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if int(lengths.min()) < _SHORTEST:
        return None
    ends = np.cumsum(lengths)
    starts = ends - lengths
    for at, byte in enumerate(_LIST_HEADER, start=4):
        if not (data[starts + at] == byte).all():
            return None
    if not (data[ends - 1] == _STOP).all():
        return None
    head = data[starts[:, None] + np.arange(4)].astype(np.int64)
    counts = (head[:, 0] << 24) | (head[:, 1] << 16) | (head[:, 2] << 8) | head[:, 3]
    if int(counts.min()) < 1:
        return None
    firsts = np.cumsum(counts) - counts
    deltas = np.empty(int(counts.sum()), dtype=np.int64)
    # Every item one byte (``K n``, deltas below 256: frequent words) is the body's length
    # exactly when each item takes two bytes; then the items sit at fixed places.
    bodies = lengths - _SKIP - 1
    batches = (counts + _BATCH - 1) // _BATCH
    small = np.where(counts == 1, bodies == 3, bodies == 2 * counts + 2 * batches)
    if small.any():
        if not _small_items(data, starts[small] + _SKIP, counts[small], firsts[small], deltas):
            return None
    if not small.all():
        if not _pickled_items(data, starts[~small], ends[~small], counts[~small], firsts[~small], deltas):
            return None
    running = np.cumsum(deltas)
    # Each value's deltas start from 0: subtract the running sum before its first item.
    before = np.where(firsts > 0, running[np.maximum(firsts - 1, 0)], 0)
    return counts, running - np.repeat(before, counts)


#: Items per MARK … APPENDS batch of the pickler.
_BATCH = 1000
_BININT1 = ord("K")


def _small_items(data: np.ndarray, bodies: np.ndarray, counts: np.ndarray, firsts: np.ndarray,
                 deltas: np.ndarray) -> bool:
    """Fill ``deltas`` for values whose items are all ``K n``: item j of a value sits after
    its MARK and the MARK/APPENDS pairs of the batches before it (no MARK for a single item)."""
    total = int(counts.sum())
    group_firsts = np.cumsum(counts) - counts
    # Item j of a value at ``lead + 2 * j``: one repeat, one add.
    opcodes = np.arange(0, 2 * total, 2, dtype=np.int64)
    opcodes += np.repeat(np.where(counts == 1, 0, 1) + bodies - 2 * group_firsts, counts)
    if int(counts.max()) > _BATCH:
        index = np.arange(total, dtype=np.int64) - np.repeat(group_firsts, counts)
        opcodes += 2 * (index // _BATCH)
    if not (data[opcodes] == _BININT1).all():
        return False
    items = data[opcodes + 1]
    if total == len(deltas):
        deltas[:] = items
    else:
        deltas[_places(firsts, counts)] = items
    return True


def _pickled_items(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, counts: np.ndarray,
                   firsts: np.ndarray, deltas: np.ndarray) -> bool:
    """Fill ``deltas`` for any other values: their bodies joined into one pickle."""
    lengths = ends - starts
    keep = np.zeros(len(data), dtype=bool)
    # The bytes of these values without count, header and STOP.
    keep[_places(starts + _SKIP, lengths - _SKIP - 1)] = True
    # Each body appends its items to the list below it: with the per-value lists left out,
    # that is the one outer list.
    try:
        items = pickle.loads(b"\x80\x02]" + data[keep].tobytes() + b".")
    except Exception:
        return False
    if not isinstance(items, list) or len(items) != int(counts.sum()):
        return False
    deltas[_places(firsts, counts)] = np.asarray(items, dtype=np.int64)
    return True


def _places(firsts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``firsts[i], firsts[i] + 1, …, firsts[i] + counts[i] - 1`` for every i, concatenated."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts - firsts, counts)
