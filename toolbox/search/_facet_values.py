"""A result's facet lists from its counts, the same whichever engine counted them: which values
a selection means, and which values are shown (those with hits, and every selected one, so that
a selection can always be removed again)."""
from __future__ import annotations

from typing import Callable, Iterable

from ._fields import FOLDED_FACETS, municipality_key
from ._types import FacetValue, SearchQuery

#: ``named_terms(facet, names)``: the index's spellings of the names a query selects in a name
#: facet ("muecke" → "Mücke"); ``indexed_years(low, high)``: the years the index holds, at least
#: those from ``low`` to ``high``.
NamedTerms = Callable[[str, tuple[str, ...]], Iterable[str]]
IndexedYears = Callable[[int, int], Iterable[str]]


def facet_values(query: SearchQuery, facet: str, counts: dict[str, int], named_terms: NamedTerms,
                 indexed_years: IndexedYears) -> list[FacetValue]:
    """The facet's values with their counts, most frequent first."""
    selected = selected_values(query, facet, counts, named_terms, indexed_years)
    values = [FacetValue(value, count, value in selected) for value, count in counts.items()
              if count > 0 or value in selected]
    values += [FacetValue(value, 0, True) for value in selected if value not in counts]
    values.sort(key=lambda fv: (-fv.count, fv.value))
    return values


def selected_values(query: SearchQuery, facet: str, counted: dict[str, int], named_terms: NamedTerms,
                    indexed_years: IndexedYears) -> set[str]:
    """The values of ``facet`` the query selects, as the index spells them."""
    if facet in FOLDED_FACETS:
        # A name as typed ("muecke") selects the indexed spelling ("Mücke"); one that matches
        # nothing stays selected as typed, so that it can be removed.
        names = tuple(getattr(query, facet))
        if not names:
            return set()
        matched = set(named_terms(facet, names))
        keys = {municipality_key(term) for term in matched}
        return matched | {name for name in names if municipality_key(name) not in keys}
    if facet != "year":
        return set(getattr(query, facet))
    if query.year_from is None and query.year_to is None:
        return set()
    low = query.year_from if query.year_from is not None else -1
    high = query.year_to if query.year_to is not None else 10_000
    # Every year of the index in the range is selected, also one no hit has.
    years = set(counted) | set(indexed_years(low, high))
    selected = {year for year in years if year.isdigit() and low <= int(year) <= high}
    if query.year_from is not None and query.year_from == query.year_to:
        selected.add(str(query.year_from))
    return selected
