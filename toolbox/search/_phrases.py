"""Phrase matching over word positions, as sorted numpy arrays read from Whoosh's posting blocks.

A phrase comes here with the documents holding its indexed word pairs and its other words
(``_matching.phrase_matches``): pairs may occur apart, and pairs of two content words are not
indexed, so positions settle it; a two-word phrase with a stop word never comes here."""
from __future__ import annotations

import itertools

import numpy as np

from ._positions import decode_position_lists
from ._segments import unwrap_postings


def phrase_docs(reader, fieldname: str, terms: list[str], candidates) -> set[int]:
    """Documents among ``candidates`` where ``terms`` follow each other.

    Every occurrence is one number, ``docnum << 32 | position``, so checking a phrase is a
    few sorted-array lookups over all documents at once; the word with the fewest occurrences
    goes first (occurrences, not documents: in long texts nearly every word is in most
    documents, but "und" has twenty times the positions of a noun), so that documents drop out
    before the positions of a frequent word are decoded. Whoosh's span
    matcher does the same check with a Python object per position and is far slower, and a
    set per document cost most of a phrase query's time under load (py-spy, bench/load.py).
    """
    if not candidates:
        return set()
    offsets: dict[str, list[int]] = {}
    for offset, term in enumerate(terms):
        offsets.setdefault(term, []).append(offset)
    order = sorted(offsets, key=lambda t: (reader.frequency(fieldname, t), reader.doc_frequency(fieldname, t)))
    wanted = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
    wanted.sort()
    starts: np.ndarray | None = None
    for term in order:
        keys = position_keys(reader, fieldname, term, wanted)
        if starts is None:
            # The rarest word: its occurrences give the possible phrase starts.
            for offset in offsets[term]:
                shifted = keys[(keys & _POSITION_MASK) >= offset] - offset
                starts = shifted if starts is None else starts[_members(starts, shifted)]
        else:
            # A more frequent word only confirms or rules out the starts found so far.
            for offset in offsets[term]:
                starts = starts[_members(starts + offset, keys)]
        if not len(starts):
            return set()
        wanted = np.unique(starts >> 32)
    return set(wanted.tolist())


_POSITION_MASK = (1 << 32) - 1


def _members(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """A boolean per entry of ``values``: is it in ``sorted_keys``?"""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_keys, values)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return sorted_keys[at] == values


def position_keys(reader, fieldname: str, term: str, wanted: np.ndarray) -> np.ndarray:
    """``docnum << 32 | position`` for each occurrence of ``term`` in the sorted ``wanted``
    documents, ascending."""
    docnums: list[int] = []
    positions: list[list[int]] = []
    raw_docnums: list[np.ndarray] = []
    raw_values: list[bytes] = []
    if len(wanted) and (fieldname, term) in reader:
        for leaf, base in reader.leaf_readers():
            if (fieldname, term) not in leaf:
                continue
            low, high = np.searchsorted(wanted, [base, base + leaf.doc_count_all()])
            if low == high:
                continue
            matcher = leaf.postings(fieldname, term)
            raw = unwrap_postings(matcher)
            if raw is not None:
                _block_values(raw, wanted[low:high] - base, base, raw_docnums, raw_values)
            else:
                matcher_positions(matcher, set((wanted[low:high] - base).tolist()), base, docnums, positions)
    parts = []
    if raw_values:
        decode = reader.schema[fieldname].format.decode_positions
        raw_ids = np.concatenate(raw_docnums)
        decoded = decode_position_lists(raw_values)
        if decoded is None:  # not the pinned release's format: one value at a time
            parts.append(_keys(raw_ids.tolist(), list(map(decode, raw_values))))
        else:
            counts, flat = decoded
            parts.append((np.repeat(raw_ids, counts) << 32) | flat)
    if docnums:
        parts.append(_keys(docnums, positions))
    if not parts:
        return np.empty(0, dtype=np.int64)
    # Segments follow each other in document order; only a mix of both paths needs sorting.
    return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))


def _keys(docnums: list[int], positions: list[list[int]]) -> np.ndarray:
    counts = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    flat = np.fromiter(itertools.chain.from_iterable(positions), dtype=np.int64, count=int(counts.sum()))
    return (np.repeat(np.asarray(docnums, dtype=np.int64), counts) << 32) | flat


def _block_values(matcher, local: np.ndarray, base: int, docnums: list[np.ndarray], values: list[bytes]) -> None:
    """The raw position values of the sorted ``local`` docnums, a posting block at a time,
    appended in document order (decoded later, all at once: ``_positions``).

    A block whose id range holds no wanted document is skipped unread (its header gives the
    largest id); in the others only the wanted postings' values are taken. A method call
    per posting through Whoosh's matcher cost more than the decoding itself.
    """
    matcher.reset()
    first = 0
    while matcher.is_active() and first < len(local):
        end = int(np.searchsorted(local, matcher._maxid, side="right"))
        if end > first:
            if matcher._data is None:
                matcher._read_data()
            ids = np.asarray(matcher._data[0], dtype=np.int64)
            if not matcher._byteids:
                ids = np.cumsum(ids)
            candidates = local[first:end]
            at = np.searchsorted(ids, candidates)
            at_valid = at < len(ids)
            hits = at[at_valid][ids[at[at_valid]] == candidates[at_valid]]
            if len(hits):
                if matcher._values is None:
                    matcher._read_values()
                block = matcher._values
                docnums.append(ids[hits] + base)
                values.extend([block[i] for i in hits.tolist()])
            first = end
        matcher._next_block()


def matcher_positions(matcher, docs: set[int], base: int, docnums: list[int], positions: list[list[int]]) -> None:
    while matcher.is_active():
        docnum = matcher.id()
        if docnum in docs:
            docnums.append(docnum + base)
            positions.append(list(matcher.value_as("positions")))
        matcher.next()
