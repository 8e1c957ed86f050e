"""Autocomplete and "more like this" on PostgreSQL, by the rules of ``_suggest`` and ``_similar``
(the scores read from the GIN index as a search's, ``_pg_search.rank_sql``)."""
from __future__ import annotations

import math
from collections import Counter

from sqlalchemy import text

from ._completion import completed, merged, typed
from ._pg_entries import ENTRY_TABLE, FREQUENCY_STEPS, RANK_WEIGHTS, quote
from ._pg_query import FREQUENCY_BONUS, Lexicon, RankItem
from ._pg_facets import matching
from ._pg_search import rank_sql
from ._pg_words import completions, prefix_corrections, word_documents
from ._likeness import SIMILAR_THRESHOLD, Likeness, likeness, telling
from ._types import PUBLISHED
from .analysis import STOP_FOLDED, fold, term_for, term_positions, transliterate
from .backend import SimilarTo

#: Completions whose documents are counted, the shortest first (a count is one GIN lookup).
COUNTED_COMPLETIONS = 32

_ANY_PUBLISHED = text(f"SELECT EXISTS (SELECT 1 FROM {ENTRY_TABLE} WHERE status = :published)")


def suggest(connection, prefix: str, limit: int = 8) -> list[str]:
    """Autocomplete: completions of the last word, most documents first, then matching titles."""
    entry = typed(prefix, limit)
    if entry is None:
        return []
    head, last, limit = entry.head, entry.last, entry.limit
    if not connection.execute(_ANY_PUBLISHED, {"published": PUBLISHED}).scalar():
        return []
    lowered = last.lower()
    found: list[str] = []
    if len(lowered) >= 2:
        def visible_completions(prefixes) -> list[tuple[int, str]]:
            candidates = sorted(completions(connection, set(prefixes)), key=lambda w: (len(w), w))
            candidates = [w for w in candidates if not (w == lowered and not head)][:COUNTED_COMPLETIONS]
            counts = word_documents(connection, candidates, published_only=True)
            return sorted((-count, word) for word, count in counts.items() if count)

        scored = visible_completions({lowered, transliterate(lowered)})
        if not scored:
            scored = visible_completions(prefix_corrections(connection, lowered))
        found = completed(entry, scored[: limit * 4])
    title_terms = [quote(f"t:{term_for(w)}") for w in head if fold(w) not in STOP_FOLDED]
    starts = sorted({fold(last), term_for(last)} - {""})
    title_terms.append("(" + " | ".join(quote(f"t:{start}") + ":*" for start in starts) + ")")
    tsquery = " & ".join(title_terms)
    titles = [row[0] for row in connection.execute(text(
        f"SELECT title FROM {ENTRY_TABLE} WHERE status = :published AND tsv @@ CAST(:q AS tsquery) "
        f"ORDER BY ts_rank('{RANK_WEIGHTS}', tsv, CAST(:q AS tsquery), 0) DESC, document_id DESC LIMIT :limit"),
        {"published": PUBLISHED, "q": tsquery, "limit": limit})]
    return merged(found, titles, limit)


def _key_terms(lexicon: Lexicon, document_text: str, count: int = 12) -> list[tuple[str, float]]:
    """The telling words of ``document_text``: Whoosh's Bo1 weight (frequent here, rare in the
    index) of its most frequent terms."""
    frequencies = Counter({term: len(positions) for term, positions in term_positions(document_text).items()
                           if telling(term)})
    documents = max(lexicon.documents(), 1)
    weighted = []
    for term, frequency in frequencies.most_common(60):
        df = lexicon.frequency(quote(f"b:{term}"))
        if not df:
            continue
        share = df / documents
        weighted.append((term, frequency * math.log2((1 + share) / share) + math.log2(1 + share)))
    weighted.sort(key=lambda item: (-item[1], item[0]))
    return weighted[:count]


def similar_documents_scored(connection, document: SimilarTo, limit: int = 5,
                             threshold: float = SIMILAR_THRESHOLD) -> list[Likeness]:
    """As ``_similar.similar_documents_scored``: the telling words scored from the GIN index."""
    limit = max(1, min(int(limit or 5), 50))
    lexicon = Lexicon(connection, str(connection.engine.url))
    key_terms = _key_terms(lexicon, document.text)
    if not key_terms:
        return []
    items = []
    for term, weight in key_terms:
        # As Whoosh's query: the word in the body at its weight, in the title at twice that.
        items.append(RankItem(quote(f"b:{term}"), weight))
        items.extend(RankItem(quote(f"b{step}:{term}"), weight * FREQUENCY_BONUS[step]) for step in FREQUENCY_STEPS)
        items.append(RankItem(quote(f"t:{term}"), 2 * weight))
    score, params = rank_sql(items)
    params.update({"own": document.document_id, "published": PUBLISHED,
                   "any": " | ".join(f"{quote('b:' + term)} | {quote('t:' + term)}" for term, _ in key_terms)})
    rows = connection.execute(text(
        f"SELECT document_id, topics, type, {score} AS score FROM {ENTRY_TABLE} "
        f"WHERE (status = :published OR document_id = :own) AND {matching('any')}"), params).all()
    own = next((row for row in rows if row.document_id == document.document_id), None)
    others = [row for row in rows if row.document_id != document.document_id]
    if not others:
        return []
    best = max(float(row.score) for row in others)
    reference = float(own.score) if own is not None and own.score > 0 else best
    own_topics = set(document.topics)
    found = []
    for row in others:
        found_likeness = likeness(row.document_id, float(row.score), reference, own_topics, set(row.topics or ()),
                                  bool(document.type) and row.type == document.type, threshold)
        if found_likeness is not None:
            found.append(found_likeness)
    found.sort(key=lambda item: (-item.score, item.document_id))
    return found[:limit]
