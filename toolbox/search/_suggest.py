"""Autocomplete: completions of the last word typed, then matching titles."""
from __future__ import annotations

from whoosh import query as wq

from .analysis import STOP_FOLDED, fold, term_for, transliterate, words
from ._did_you_mean import match_case
from ._query import clean
from ._types import PUBLISHED
from ._typos import prefix_corrections
from ._view import EMPTY, index_view, with_searcher


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Autocomplete: completions of the last word from frequent terms, then matching titles.

    A last word that no word of the index starts with is completed as its nearest prefix
    (one edit, ``_typos.prefix_corrections``): "Ausschrie" completes to "Ausschreibung".
    """
    limit = max(1, min(int(limit or 8), 50))
    text = clean(prefix or "")
    parts = words(text)
    if not parts or (len(parts) == 1 and len(parts[0]) < 2):
        return []  # one letter would expand to half the vocabulary
    head, last = parts[:-1], parts[-1]

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
            prefix_text = " ".join(head)
            for _, word in scored:
                completions.append(((prefix_text + " ") if prefix_text else "") + match_case(last, word))
        title_query = [wq.Term("title", term_for(w)) for w in head if fold(w) not in STOP_FOLDED]
        title_query.append(wq.Or([wq.Prefix("title", fold(last)), wq.Prefix("title", term_for(last))]))
        titles = [hit["title"] for hit in searcher.search(wq.And(title_query), filter=set(published), limit=limit)]
        merged: list[str] = []
        seen: set[str] = set()
        half = (limit + 1) // 2
        for item in completions[:half] + titles + completions[half:]:
            key = item.casefold()
            if key not in seen:
                seen.add(key)
                merged.append(item)
        return merged[:limit]

    return with_searcher(run)
