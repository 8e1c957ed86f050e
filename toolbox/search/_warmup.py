"""Decode the index's largest posting lists before the first visitor asks for them.

A fresh process decodes each term's postings the first time a query needs them and keeps
them per segment (``_segments``). Under load that first-use cost landed on visitors: in
``bench/load.py`` (10 000 documents, four fresh gunicorn workers) decoding took about 19 s of
CPU in the first minute — most of it for the few hundred frequent words every query meets —
and the searches queued behind it. Warming at start moves that work out of the requests;
served with ``toolbox/gunicorn_conf.py`` (preload), it happens once in the gunicorn master
and the workers share the arrays copy-on-write.

The most frequent terms go first because they cost most to decode and are asked most often;
the budget keeps the warmed postings well inside the cache's own bound, so nothing warmed is
evicted by the warming itself.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import _store
from ._fields import TEXT_FIELD_BOOSTS
from ._segments import SEGMENTS

TEXT_FIELDS = tuple(TEXT_FIELD_BOOSTS)


@dataclass(frozen=True)
class WarmUpReport:
    terms: int
    postings: int
    seconds: float


def warm_up_searcher(searcher, max_postings: int) -> WarmUpReport:
    """Fill the per-segment caches of ``searcher``'s generation: field lengths, filter values,
    columns, and the postings of the most frequent terms up to ``max_postings`` in all."""
    from ._view import index_view  # the facet view: columns and filter postings of each segment

    began = time.perf_counter()
    reader = searcher.reader()
    if reader.doc_count_all() == 0 or max_postings <= 0:
        return WarmUpReport(0, 0, time.perf_counter() - began)
    view = index_view(searcher)
    every = np.arange(reader.doc_count_all(), dtype=np.int64)
    for fieldname in TEXT_FIELDS:
        SEGMENTS.lengths(reader, view.leaves, fieldname, every)

    budget = min(max_postings, SEGMENTS.max_postings * 3 // 4)
    leaves = [leaf for leaf, _base in reader.leaf_readers()]
    # (-documents, segment, field, term): the largest posting lists of every segment first.
    candidates: list[tuple[int, int, str, str]] = []
    for number, (leaf, leaf_view) in enumerate(zip(leaves, view.leaves)):
        if leaf_view.key is None:
            continue
        for fieldname in TEXT_FIELDS:
            if fieldname not in leaf.schema:
                continue
            for text, info in leaf.iter_field(fieldname):
                if isinstance(text, bytes):
                    text = text.decode("utf-8")
                candidates.append((-info.doc_frequency(), number, fieldname, text))
    candidates.sort()
    terms = postings = 0
    for negative, number, fieldname, text in candidates:
        if postings - negative > budget:
            continue  # too large for what is left; a smaller one may still fit
        found = SEGMENTS.warm(leaves[number], view.leaves[number], fieldname, text)
        terms += 1
        postings += found
    return WarmUpReport(terms, postings, time.perf_counter() - began)


def warm_up(max_postings: int) -> WarmUpReport:
    """Warm the caches for the live index of the current app (built first if missing)."""
    from ._view import with_searcher

    return with_searcher(lambda searcher: warm_up_searcher(searcher, max_postings))


def release_open_files() -> None:
    """Close the process's idle searchers: a process about to fork must not hand its open
    index files (and their shared file offsets) to its children. The decoded caches stay."""
    _store.discard_searchers()
