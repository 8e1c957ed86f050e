"""When a document counts as similar to another ("Ähnliche Dokumente"), the same on every engine:
the engines score the telling words, this weighs them with shared topics and document type.

Words alone ranked a heat-planning funding application beside a LoRaWAN tender (both say
"Gemeinde", "Förderung", "Netz"): the telling words are scored relative to the document's own
score for them, so that a score means the same in a long and a short text, and topic and type,
which editors chose, count beside them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .analysis import STOP_FOLDED, term_for

#: Index terms never taken as telling words.
STOP_TERMS = frozenset(term_for(word) for word in STOP_FOLDED)

#: How much each kind of likeness counts (the weights add up to 1).
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


def telling(term: str) -> bool:
    """Whether an index term may count as one of a document's telling words."""
    return term not in STOP_TERMS and len(term) >= 3 and not term.isdigit()


def likeness(document_id: int, words_score: float, reference: float, own_topics: set[str],
             their_topics: set[str], same_type: bool, threshold: float = SIMILAR_THRESHOLD) -> Likeness | None:
    """The likeness of another document, or None when it is too little: ``words_score`` is its
    score for the telling words, ``reference`` the document's own (or the best one's)."""
    terms = min(1.0, words_score / reference) if reference > 0 else 0.0
    union = own_topics | their_topics
    topics = len(own_topics & their_topics) / len(union) if union else 0.0
    kind = 1.0 if same_type else 0.0
    # The square root spreads the low end, where related documents of different length and kind
    # meet (a tender and its operating concept share a third of their words).
    score = (SIMILAR_WEIGHTS["terms"] * math.sqrt(terms) + SIMILAR_WEIGHTS["topics"] * topics
             + SIMILAR_WEIGHTS["type"] * kind)
    enough_words = terms >= (SIMILAR_MIN_TERMS if topics else SIMILAR_MIN_TERMS_WITHOUT_TOPIC)
    if score < threshold or not enough_words:
        return None
    return Likeness(document_id, round(terms, 4), round(topics, 3), kind, round(score, 3))
