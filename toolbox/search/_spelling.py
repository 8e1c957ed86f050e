"""Did-you-mean: a corrected query offered as a link when it finds more than the query as typed."""
from __future__ import annotations

from .analysis import term_for
from ._matching import Match, intersect, is_known_term, match_case, matched_docs
from ._query import Compiler, Word, map_words, positive_leaves, render


def did_you_mean(searcher, match: Match, status_docs, filters, total: int) -> str | None:
    """A corrected query ("Meinten Sie …?") when it finds more than the query as typed.

    For words too short to be corrected automatically (``_typos``), or whose correction
    found too little to be taken.
    """
    reader = searcher.reader()
    corrector = searcher.corrector("words")
    mapping: dict[str, str] = {}
    for leaf in positive_leaves(match.shown):
        if not isinstance(leaf, Word) or leaf.prefix or leaf.text in mapping:
            continue
        word = leaf.text
        if len(word) < 3 or not word.isalpha():
            continue
        if is_known_term(reader, term_for(word)) or match.compiler.compound_terms(word):
            continue
        for option in corrector.suggest(word.lower(), limit=5, maxdist=2, prefix=1):
            if option != word.lower() and is_known_term(reader, term_for(option)):
                mapping[word] = match_case(word, option)
                break
    if not mapping:
        return None
    corrected = map_words(match.shown, mapping)
    compiled = Compiler(searcher).compile(corrected)
    if compiled is None:
        return None
    found = intersect(matched_docs(searcher, compiled) & status_docs, filters.values())
    return render(corrected) if len(found) > total else None
