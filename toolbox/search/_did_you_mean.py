"""Which words of a query "Meinten Sie …?" replaces, the same on every engine; each engine then
checks that the corrected query finds more than the query as typed."""
from __future__ import annotations

from typing import Callable, Iterable

from ._syntax import Clause, Word, positive_leaves
from .analysis import term_for


def spelling_fixes(clauses: list[Clause], known_term: Callable[[str], bool],
                   compounds_of: Callable[[str], list[str]],
                   options: Callable[[str], Iterable[str]]) -> dict[str, str]:
    """Each plain word of three letters or more that the index does not know, neither as a word
    (``known_term`` of its index term) nor as the head of a compound (``compounds_of``), with
    the first of its spelling ``options`` that the index knows, in the word's case."""
    fixes: dict[str, str] = {}
    for leaf in positive_leaves(clauses):
        if not isinstance(leaf, Word) or leaf.prefix or leaf.text in fixes:
            continue
        word = leaf.text
        if len(word) < 3 or not word.isalpha():
            continue
        if known_term(term_for(word)) or compounds_of(word):
            continue
        for option in options(word.lower()):
            if option != word.lower() and known_term(term_for(option)):
                fixes[word] = match_case(word, option)
                break
    return fixes


def match_case(original: str, suggestion: str) -> str:
    """``suggestion`` in the case the user typed ``original``: all capitals or a capital first."""
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion
