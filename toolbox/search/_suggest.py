"""Autocomplete: completions of the last word typed, then matching titles."""
from __future__ import annotations

from whoosh import query as wq

from .analysis import STOP_FOLDED, fold, term_for, transliterate
from ._completion import completed, merged, typed
from ._types import PUBLISHED
from ._typos import prefix_corrections
from ._view import EMPTY, index_view, with_searcher


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Autocomplete: completions of the last word from frequent terms, then matching titles.

    A last word that no word of the index starts with is completed as its nearest prefix
    (one edit, ``_typos.prefix_corrections``): "Ausschrie" completes to "Ausschreibung".
    """
    entry = typed(prefix, limit)
    if entry is None:
        return []
    head, last, limit = entry.head, entry.last, entry.limit

    def run(searcher) -> list[str]:
        view = index_view(searcher)
        published = view.terms["status"].get(PUBLISHED, EMPTY)
        if not published:
            return []
        reader = searcher.reader()
        completions: list[str] = []
        lowered = last.lower()
        if len(lowered) >= 2:
            def visible_completions(prefixes) -> list[tuple[int, str]]:
                candidates: set[str] = set()
                for start in prefixes:
                    for count, btext in enumerate(reader.expand_prefix("words", start)):
                        if count >= 2000:
                            break
                        candidates.add(btext.decode("utf-8"))
                ordered = sorted(candidates, key=lambda w: (-reader.doc_frequency("words", w), w))
                scored = []
                for word in ordered[: limit * 4]:
                    if word == lowered and not head:
                        continue
                    visible = len(published & frozenset(reader.postings("words", word).all_ids()))
                    if visible:
                        scored.append((-visible, word))
                return sorted(scored)

            # "buerger" completes to "bürger…" as the analysis folds it
            scored = visible_completions({lowered, transliterate(lowered)})
            if not scored:
                scored = visible_completions(prefix_corrections(reader, lowered))
            completions = completed(entry, scored)
        title_query = [wq.Term("title", term_for(w)) for w in head if fold(w) not in STOP_FOLDED]
        title_query.append(wq.Or([wq.Prefix("title", fold(last)), wq.Prefix("title", term_for(last))]))
        titles = [hit["title"] for hit in searcher.search(wq.And(title_query), filter=set(published), limit=limit)]
        return merged(completions, titles, limit)

    return with_searcher(run)
