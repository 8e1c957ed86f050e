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
    keep = np.ones(len(data), dtype=bool)
    keep[(starts[:, None] + np.arange(_SKIP)).ravel()] = False
    keep[ends - 1] = False
    # Each body appends its items to the list below it: with the per-value lists left out,
    # that is the one outer list.
    try:
        deltas = pickle.loads(b"\x80\x02]" + data[keep].tobytes() + b".")
    except Exception:
        return None
    if not isinstance(deltas, list) or len(deltas) != int(counts.sum()):
        return None
    running = np.cumsum(np.asarray(deltas, dtype=np.int64))
    # Each value's deltas start from 0: subtract the running sum before its first item.
    firsts = np.cumsum(counts) - counts
    before = np.where(firsts > 0, running[np.maximum(firsts - 1, 0)], 0)
    return counts, running - np.repeat(before, counts)
