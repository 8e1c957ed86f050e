"""Did-you-mean: a corrected query offered as a link when it finds more than the query as typed."""
from __future__ import annotations

from ._did_you_mean import spelling_fixes
from ._matching import Match, intersect, is_known_term, matched_docs
from ._query import Compiler
from ._syntax import map_words, render


def did_you_mean(searcher, match: Match, status_docs, filters, total: int) -> str | None:
    """A corrected query ("Meinten Sie …?") when it finds more than the query as typed.

    For words too short to be corrected automatically (``_typos``), or whose correction
    found too little to be taken.
    """
    reader = searcher.reader()
    corrector = searcher.corrector("words")
    mapping = spelling_fixes(match.shown, lambda term: is_known_term(reader, term), match.compiler.compound_terms,
                             lambda word: corrector.suggest(word, limit=5, maxdist=2, prefix=1))
    if not mapping:
        return None
    corrected = map_words(match.shown, mapping)
    compiled = Compiler(searcher).compile(corrected)
    if compiled is None:
        return None
    found = intersect(matched_docs(searcher, compiled) & status_docs, filters.values())
    return render(corrected) if len(found) > total else None
