"""More like this: "Ähnliche Dokumente" by shared topics, document type and telling words."""
from __future__ import annotations

import numpy as np
from whoosh import query as wq

from ._likeness import SIMILAR_THRESHOLD, Likeness, likeness, telling
from ._matching import evaluate
from ._ranking import accumulate
from ._types import PUBLISHED
from ._view import EMPTY, index_view, with_searcher
from .backend import current_source


def more_like_this(document_id: int, limit: int = 5) -> list[int]:
    """Published documents similar to ``document_id``, best first; none above the threshold
    gives an empty list."""
    return [likeness.document_id for likeness in similar_documents_scored(document_id, limit=limit)]


def similar_documents_scored(document_id: int, limit: int = 5,
                             threshold: float = SIMILAR_THRESHOLD) -> list[Likeness]:
    """Documents like ``document_id`` by shared topics, document type and distinctive words
    (``_likeness``), best first."""
    limit = max(1, min(int(limit or 5), 50))
    document = current_source().similar_to(document_id)
    if document is None:
        return []
    text = document.text
    own_topics = set(document.topics)
    own_type = document.type

    def run(searcher) -> list[Likeness]:
        view = index_view(searcher)
        published = set(view.terms["status"].get(PUBLISHED, EMPTY))
        own = view.docnum_by_id.get(document_id)
        published.discard(own if own is not None else -1)
        if not published:
            return []
        key_terms = [
            (term, weight) for term, weight in searcher.key_terms_from_text("body", text, numterms=30)
            if telling(term)
        ][:12]
        if not key_terms:
            return []
        subqueries = [wq.Term("body", term, boost=weight) for term, weight in key_terms]
        subqueries += [wq.Term("title", term, boost=2 * weight) for term, weight in key_terms]
        similar_query = wq.Or(subqueries)
        reader = searcher.reader()
        candidates = evaluate(similar_query, searcher, reader, view.term_docs) & published
        if not candidates:
            return []
        totals = np.zeros(max(len(view.doc_ids), reader.doc_count_all()), dtype=np.float64)
        accumulate(similar_query, reader, view, totals)
        docnums = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        best = float(totals[docnums].max())
        reference = float(totals[own]) if own is not None and totals[own] > 0 else best
        topic_docs = {slug: view.terms["topic"].get(slug, EMPTY) for slug in view.terms["topic"]}
        type_docs = view.terms["type"].get(own_type, EMPTY) if own_type else EMPTY
        found = []
        for docnum in docnums.tolist():
            theirs = {slug for slug, docs in topic_docs.items() if docnum in docs}
            found_likeness = likeness(view.doc_ids[docnum], float(totals[docnum]), reference, own_topics, theirs,
                                      docnum in type_docs, threshold)
            if found_likeness is not None:
                found.append(found_likeness)
        found.sort(key=lambda item: (-item.score, item.document_id))
        return found[:limit]

    return with_searcher(run)
