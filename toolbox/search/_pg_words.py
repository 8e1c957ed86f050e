"""The vocabulary on PostgreSQL (``search_terms``): typo corrections, did-you-mean candidates and
autocomplete, by the rules of ``_typos``, ``_spelling`` and ``_suggest``.

Whoosh walks its lexicon with a Levenshtein automaton; here the vocabulary rows that share the
word's first letters and have a length within reach are read by one index range scan, and the
edit distance (Damerau-Levenshtein, as ``_typos``) is computed for those. How many documents a
candidate has comes from the GIN index (its index term in any text field), for the few
candidates left.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import text
from whoosh.support.levenshtein import distance

from ._pg_entries import KIND_WORD, TERMS_TABLE
from ._pg_query import _like_prefix, field_terms
from ._syntax import TEXT_FIELDS
from ._typos import MAX_CANDIDATES, MAX_PREFIX_CORRECTIONS, max_edits, prefix_variants
from .analysis import fold, term_for, transliterate

_NEAR = text(f"SELECT term FROM {TERMS_TABLE} WHERE kind = '{KIND_WORD}' AND term LIKE :pattern "
             "AND char_length(term) BETWEEN :shortest AND :longest ORDER BY term")
_STARTS = text(f"SELECT term FROM {TERMS_TABLE} WHERE kind = '{KIND_WORD}' AND term LIKE :pattern "
               "ORDER BY term LIMIT :limit")


def _near_words(connection, form: str, edits: int, prefix: int) -> list[str]:
    return [row[0] for row in connection.execute(_NEAR, {
        "pattern": _like_prefix(form[:prefix]), "shortest": len(form) - edits, "longest": len(form) + edits})]


def candidates(connection, word: str) -> list[tuple[int, str]]:
    """(edits, vocabulary word) near ``word``, nearest first (``_typos.candidates``)."""
    edits = max_edits(word)
    found: dict[str, int] = {}
    if edits:
        lowered = word.lower()
        target = fold(word)
        for form in {lowered, transliterate(lowered)}:
            count = 0
            for candidate in _near_words(connection, form, edits, edits):
                if distance(candidate, form, limit=edits + 1) > edits:
                    continue
                count += 1
                if count > MAX_CANDIDATES:
                    break
                if candidate == lowered or candidate in found:
                    continue
                folded = fold(candidate)
                if folded == target:
                    continue
                apart = distance(folded, target, limit=edits + 1)
                if apart <= edits:
                    found[candidate] = apart
    return sorted((apart, candidate) for candidate, apart in found.items())


def correction(connection, word: str, visible_documents: Callable[[str], int]) -> str | None:
    """As ``_typos.correction``: nearest first, then the most documents the searcher may see."""
    best: tuple[int, int, str] | None = None
    for apart, candidate in candidates(connection, word):
        if best is not None and apart > best[0]:
            break
        seen = visible_documents(term_for(candidate))
        if seen and (best is None or (apart, -seen, candidate) < best):
            best = (apart, -seen, candidate)
    return best[2] if best else None


def word_documents(connection, words: list[str], published_only: bool = False) -> dict[str, int]:
    """How many documents (published ones only, if asked) hold each vocabulary word (its index
    term, in any text field)."""
    if not words:
        return {}
    status = " AND e.status = 'published'" if published_only else ""
    rows = connection.execute(text(
        "SELECT w, (SELECT count(*) FROM search_entries e WHERE e.tsv @@ CAST(q AS tsquery)" + status + ") "
        "FROM unnest(CAST(:words AS text[]), CAST(:queries AS text[])) AS x(w, q)"),
        {"words": words, "queries": [field_terms(term_for(word), TEXT_FIELDS) for word in words]})
    return {row[0]: int(row[1]) for row in rows}


def spelling_options(connection, word: str, limit: int = 5, maxdist: int = 2) -> list[str]:
    """Whoosh's ``corrector("words").suggest(word, limit=5, maxdist=2, prefix=1)``: words within
    two edits, sharing the first letter, the most frequent first."""
    near = [candidate for candidate in _near_words(connection, word, maxdist, 1)
            if candidate != word and distance(candidate, word, limit=maxdist + 1) <= maxdist]
    counts = word_documents(connection, near)
    return sorted(near, key=lambda candidate: (-counts.get(candidate, 1), candidate))[:limit]


def completions(connection, starts: set[str], limit: int = 2000) -> set[str]:
    found: set[str] = set()
    for start in starts:
        found.update(row[0] for row in connection.execute(_STARTS, {"pattern": _like_prefix(start), "limit": limit}))
    return found


def prefix_corrections(connection, typed: str) -> list[str]:
    """As ``_typos.prefix_corrections``: prefixes one edit from ``typed`` that some word starts with."""
    ordered = prefix_variants(typed)
    if not ordered:
        return []
    # One statement for every variant: which of them some vocabulary word starts with.
    rows = connection.execute(text(
        "SELECT v FROM unnest(CAST(:variants AS text[])) WITH ORDINALITY AS x(v, n) WHERE EXISTS "
        f"(SELECT 1 FROM {TERMS_TABLE} WHERE kind = '{KIND_WORD}' AND term >= x.v COLLATE \"C\" "
        "AND term < (x.v || chr(1114111)) COLLATE \"C\") ORDER BY n"),
        {"variants": ordered})
    return [row[0] for row in rows][:MAX_PREFIX_CORRECTIONS]
