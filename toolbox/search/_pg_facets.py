"""Filters and facet counts in SQL over the matching rows.

Each facet counts the matches under every *other* selected filter, so that a count is exactly
the total its click returns (``_facets``). All facets and the total come from one statement:
the matching rows are read once into a materialised CTE carrying one boolean per selected
filter, and each facet is a ``GROUP BY`` over it (``unnest`` for the topics).
"""
from __future__ import annotations

from sqlalchemy import text

from ._pg_entries import ENTRY_TABLE
from ._schema import FACET_FIELDS, FOLDED_FACETS, municipality_key
from ._types import ALL_STATUSES, FacetValue, SearchQuery

#: Facet → its column; "topic" is the array ``topics``, "year" an integer shown as text.
COLUMNS = {"topic": "topics", "size_class": "size_class", "type": "type", "format": "format",
           "license": "license", "year": "year", "municipality": "municipality", "state": "state",
           "project": "project", "accessibility": "accessibility"}
_KEY_COLUMNS = {"municipality": "municipality_key", "state": "state_key"}


def matching(parameter: str) -> str:
    """The entries matching the ``tsquery`` in ``parameter``, as a set from the GIN index.

    Written as ``document_id IN (…)`` rather than ``tsv @@ …`` on the scanned row: with another
    condition at hand (the status), the planner would test ``@@`` on every row of the status's
    index, reading (de-toasting) each ``tsvector``.
    """
    return f"document_id IN (SELECT document_id FROM {ENTRY_TABLE} WHERE tsv @@ CAST(:{parameter} AS tsquery))"


class Filters:
    """The statuses and the selected filters of a query, as SQL conditions with parameters."""

    def __init__(self, query: SearchQuery) -> None:
        self.query = query
        self.params: dict = {}
        statuses = query.statuses
        self.status: str | None = None
        if statuses and ALL_STATUSES not in statuses:
            self.status = "status = ANY(CAST(:statuses AS text[]))"
            self.params["statuses"] = list(statuses)
        #: facet → condition, for the selected facets only
        self.conditions: dict[str, str] = {}
        for facet in FACET_FIELDS:
            if facet == "year":
                if query.year_from is not None or query.year_to is not None:
                    self.params["year_low"] = query.year_from if query.year_from is not None else -1
                    self.params["year_high"] = query.year_to if query.year_to is not None else 10_000
                    self.conditions["year"] = "(year BETWEEN :year_low AND :year_high)"
                continue
            selected = getattr(query, facet)
            if not selected:
                continue
            name = f"f_{facet}"
            if facet in FOLDED_FACETS:
                self.params[name] = sorted({municipality_key(value) for value in selected})
                self.conditions[facet] = f"{_KEY_COLUMNS[facet]} = ANY(CAST(:{name} AS text[]))"
            elif facet == "topic":
                self.params[name] = list(selected)
                self.conditions[facet] = f"topics && CAST(:{name} AS text[])"
            else:
                self.params[name] = list(selected)
                self.conditions[facet] = f"{COLUMNS[facet]} = ANY(CAST(:{name} AS text[]))"

    def status_condition(self) -> tuple[str | None, dict]:
        return self.status, dict(self.params)

    def where(self, tsquery: str | None, *, filters: bool = True) -> tuple[str, dict]:
        """The condition of the final hits: statuses, words and (with ``filters``) every filter."""
        parts = []
        params = dict(self.params)
        if self.status:
            parts.append(self.status)
        if tsquery is not None:
            parts.append(matching("q"))
            params["q"] = tsquery
        if filters:
            parts.extend(self.conditions.values())
        return (" AND ".join(parts) if parts else "TRUE"), params


def facet_counts(connection, filters: Filters, tsquery: str | None) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total of the final hits and every facet's counts, in one statement."""
    base, params = filters.where(tsquery, filters=False)
    flags = {facet: f"k_{facet}" for facet in filters.conditions}
    flag_columns = "".join(f", ({condition}) AS {flags[facet]}" for facet, condition in filters.conditions.items())
    columns = ", ".join(dict.fromkeys(COLUMNS.values()))

    def others(facet: str | None) -> str:
        wanted = [flag for name, flag in flags.items() if name != facet]
        return " AND ".join(wanted) if wanted else "TRUE"

    parts = [f"SELECT '' AS facet, '' AS value, count(*) AS n FROM m WHERE {others(None)}"]
    for facet in FACET_FIELDS:
        column = COLUMNS[facet]
        if facet == "topic":
            parts.append(f"SELECT 'topic', v, count(*) FROM m CROSS JOIN LATERAL unnest(m.topics) AS v "
                         f"WHERE {others(facet)} GROUP BY v")
        elif facet == "year":
            parts.append(f"SELECT 'year', CAST(year AS text), count(*) FROM m WHERE year IS NOT NULL "
                         f"AND {others(facet)} GROUP BY year")
        else:
            parts.append(f"SELECT '{facet}', {column}, count(*) FROM m WHERE {column} <> '' "
                         f"AND {others(facet)} GROUP BY {column}")
    sql = (f"WITH m AS MATERIALIZED (SELECT {columns}{flag_columns} FROM {ENTRY_TABLE} WHERE {base}) "
           + " UNION ALL ".join(parts))
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACET_FIELDS}
    total = 0
    for facet, value, count in connection.execute(text(sql), params):
        if not facet:
            total = int(count)
        else:
            counts[facet][value] = int(count)
    result: dict[str, list[FacetValue]] = {}
    for facet in FACET_FIELDS:
        known = counts[facet]
        selected = _selected_values(connection, filters.query, facet, known)
        values = [FacetValue(value, count, value in selected) for value, count in known.items()
                  if count > 0 or value in selected]
        values += [FacetValue(value, 0, True) for value in selected if value not in known]
        values.sort(key=lambda fv: (-fv.count, fv.value))
        result[facet] = values
    return total, result


def _selected_values(connection, query: SearchQuery, facet: str, known: dict[str, int]) -> set[str]:
    """As ``_facets._selected_values``: the values a selection means, as the index spells them."""
    if facet in FOLDED_FACETS:
        names = getattr(query, facet)
        if not names:
            return set()
        keys = sorted({municipality_key(name) for name in names})
        column, key_column = COLUMNS[facet], _KEY_COLUMNS[facet]
        matched = {row[0] for row in connection.execute(
            text(f"SELECT DISTINCT {column} FROM {ENTRY_TABLE} WHERE {key_column} = ANY(CAST(:keys AS text[]))"),
            {"keys": keys})}
        matched_keys = {municipality_key(term) for term in matched}
        return matched | {name for name in names if municipality_key(name) not in matched_keys}
    if facet != "year":
        return set(getattr(query, facet))
    if query.year_from is None and query.year_to is None:
        return set()
    low = query.year_from if query.year_from is not None else -1
    high = query.year_to if query.year_to is not None else 10_000
    selected = {year for year in known if year.isdigit() and low <= int(year) <= high}
    if query.year_from is not None and query.year_to is not None and query.year_from == query.year_to:
        selected.add(str(query.year_from))
    return selected
