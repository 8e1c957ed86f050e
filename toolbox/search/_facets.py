"""Facet counts: for each facet the matches under every other selected filter, so that a
count is exactly the total its click returns."""
from __future__ import annotations

import numpy as np

from ._matching import intersect
from ._facet_values import facet_values
from ._fields import FACET_FIELDS
from ._types import FacetValue, SearchQuery
from ._view import IndexView


def facet_counts(view: IndexView, query: SearchQuery, base, filters: dict[str, set[int]],
            final: set[int]) -> dict[str, list[FacetValue]]:
    result: dict[str, list[FacetValue]] = {}
    size = len(view.doc_ids)
    final_mask: np.ndarray | None = None
    for facet in FACET_FIELDS:
        if facet in filters:
            mask = _mask(intersect(base, [docs for key, docs in filters.items() if key != facet]), size)
        else:
            if final_mask is None:
                final_mask = _mask(final, size)
            mask = final_mask
        counts = _counts(view, facet, mask)
        # ``counts`` holds every value of the index, also those without hits.
        result[facet] = facet_values(query, facet, counts, view.named_terms, lambda low, high: counts)
    return result


def _counts(view: IndexView, facet: str, mask: np.ndarray) -> dict[str, int]:
    """Every value of ``facet`` with the number of documents in ``mask`` that have it."""
    coded = _codes(view, facet)
    if coded is not None:
        # A facet with at most one value per document (all but topics): one pass over the
        # documents. A gather per value cost a numpy call each, 1 100 of them for the
        # municipalities and projects.
        values, codes = coded
        counts = np.bincount(codes[mask], minlength=len(values) + 1)[1:]
        return dict(zip(values, counts.tolist()))
    # One gather per value over a boolean array of the candidates: set intersections cost
    # a hash lookup per document and value, which at 50 000 documents was the larger part.
    return {value: int(np.count_nonzero(mask[docnums])) for value, docnums in view.term_arrays[facet].items()}


def _codes(view: IndexView, facet: str) -> tuple[list[str], np.ndarray] | None:
    """The values of ``facet`` and, per docnum, 1 + the index of its value (0: none); None when
    a document has several values. Built once per index view."""
    cache = view.__dict__.setdefault("_facet_codes", {})
    if facet not in cache:
        arrays = view.term_arrays[facet]
        values = list(arrays)
        codes = np.zeros(len(view.doc_ids), dtype=np.int64)
        for number, value in enumerate(values, start=1):
            codes[arrays[value]] = number
        single = sum(len(docnums) for docnums in arrays.values()) == int(np.count_nonzero(codes))
        cache[facet] = (values, codes) if single else None
    return cache[facet]


def _mask(docs, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    if docs:
        mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    return mask
