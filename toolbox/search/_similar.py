"""More like this: "Ähnliche Dokumente" by shared topics, document type and telling words."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .analysis import STOP_FOLDED, term_for
from ._matching import evaluate
from ._ranking import accumulate
from ._types import PUBLISHED
from ._view import EMPTY, index_view, with_searcher
from .backend import current_source

_STOP_TERMS = frozenset(term_for(word) for word in STOP_FOLDED)


#: How much each kind of likeness counts in "Ähnliche Dokumente" (the weights add up to 1).
SIMILAR_WEIGHTS = {"terms": 0.5, "topics": 0.3, "type": 0.2}
#: Below this a document is shown as similar to none: an empty list is better than noise.
SIMILAR_THRESHOLD = 0.35
#: Some distinctive words must be shared: topic and type alone make a neighbour, not a likeness;
#: without a shared topic, many of them must be.
SIMILAR_MIN_TERMS = 0.05
SIMILAR_MIN_TERMS_WITHOUT_TOPIC = 0.25


@dataclass(frozen=True)
class Likeness:
    """Why a document counts as similar, each part between 0 and 1."""

    document_id: int
    terms: float   # its score for the telling words, relative to the document's own score
    topics: float  # shared topics over all topics of the two (Jaccard)
    type: float    # 1 for the same document type
    score: float


def more_like_this(document_id: int, limit: int = 5) -> list[int]:
    """Published documents similar to ``document_id``, best first; none above the threshold
    gives an empty list."""
    return [likeness.document_id for likeness in similar_documents_scored(document_id, limit=limit)]


def similar_documents_scored(document_id: int, limit: int = 5,
                             threshold: float = SIMILAR_THRESHOLD) -> list[Likeness]:
    """Documents like ``document_id`` by shared topics, document type and distinctive words.

    Words alone ranked a heat-planning funding application beside a LoRaWAN tender (both say
    "Gemeinde", "Förderung", "Netz"): the telling words are scored relative to the document's
    own score for them, so that a score means the same in a long and a short text, and topic
    and type, which editors chose, count beside them.
    """
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
            if term not in _STOP_TERMS and len(term) >= 3 and not term.isdigit()
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
            terms = min(1.0, float(totals[docnum]) / reference) if reference > 0 else 0.0
            theirs = {slug for slug, docs in topic_docs.items() if docnum in docs}
            union = own_topics | theirs
            topics = len(own_topics & theirs) / len(union) if union else 0.0
            same_type = 1.0 if docnum in type_docs else 0.0
            # The square root spreads the low end, where related documents of different length
            # and kind meet (a tender and its operating concept share a third of their words).
            score = (SIMILAR_WEIGHTS["terms"] * math.sqrt(terms) + SIMILAR_WEIGHTS["topics"] * topics
                     + SIMILAR_WEIGHTS["type"] * same_type)
            enough_words = terms >= (SIMILAR_MIN_TERMS if topics else SIMILAR_MIN_TERMS_WITHOUT_TOPIC)
            if score >= threshold and enough_words:
                found.append(Likeness(view.doc_ids[docnum], round(terms, 4), round(topics, 3), same_type,
                                      round(score, 3)))
        found.sort(key=lambda likeness: (-likeness.score, likeness.document_id))
        return found[:limit]

    return with_searcher(run)
