"""Filters and facet counts in SQL over the matching rows.

Each facet counts the matches under every *other* selected filter, so that a count is exactly
the total its click returns (``_facets``). All facets and the total come from one statement:
the matching rows are read once into a materialised CTE carrying one boolean per selected
filter; one ``GROUPING SETS`` pass counts every facet (``count(*) FILTER`` the other facets'
filters) and the total, the topics are counted over ``unnest``, and the page of hits is ranked
over the same rows, so that a phrase's positions are checked once.
"""
from __future__ import annotations

from sqlalchemy import text

from ._facet_values import facet_values
from ._pg_entries import ENTRY_TABLE
from ._fields import FACET_FIELDS, FOLDED_FACETS, municipality_key
from ._types import ALL_STATUSES, FacetValue, SearchQuery

#: Facet → its column; "topic" is the array ``topics``, "year" an integer shown as text.
COLUMNS = {"topic": "topics", "size_class": "size_class", "type": "type", "format": "format",
           "license": "license", "year": "year", "municipality": "municipality", "state": "state",
           "project": "project", "accessibility": "accessibility"}
_KEY_COLUMNS = {"municipality": "municipality_key", "state": "state_key"}


def matching(parameter: str) -> str:
    """The entries matching the ``tsquery`` in ``parameter`` (answered by the GIN index)."""
    return f"tsv @@ CAST(:{parameter} AS tsquery)"


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


def facet_counts(connection, filters: Filters, tsquery: str | None, page=None
                 ) -> tuple[int, dict[str, list[FacetValue]], list[tuple[int, float]] | None]:
    """The total of the final hits and every facet's counts, in one statement; with ``page``
    (score SQL, ORDER BY, their parameters, limit, offset) also that page of the final hits."""
    base, params = filters.where(tsquery, filters=False)
    flags = {facet: f"k_{facet}" for facet in filters.conditions}
    flag_columns = "".join(f", ({condition}) AS {flags[facet]}" for facet, condition in filters.conditions.items())
    columns = ", ".join(dict.fromkeys(COLUMNS.values()))

    def count(facet: str | None) -> str:
        wanted = [flag for name, flag in flags.items() if name != facet]
        return f"count(*) FILTER (WHERE {' AND '.join(wanted)})" if wanted else "count(*)"

    # Every facet but the topics (and the total) in one pass: a grouping set per facet, each
    # counted under the other facets' filters.
    single = [facet for facet in FACET_FIELDS if facet != "topic"]
    grouped = {facet: (f"CAST({COLUMNS[facet]} AS text)" if facet == "year" else COLUMNS[facet]) for facet in single}
    name_of = " ".join(f"WHEN GROUPING({COLUMNS[facet]}) = 0 THEN '{facet}'" for facet in single)
    count_of = " ".join(f"WHEN GROUPING({COLUMNS[facet]}) = 0 THEN {count(facet)}" for facet in single)
    sets = ", ".join(f"({COLUMNS[facet]})" for facet in single)
    hits_sql = ""
    if page is not None:
        score, order, page_params, limit, offset = page
        params.update(page_params)
        final = " AND ".join(flags.values()) or "TRUE"
        # The score and the tiers look up document ids only: they run over the CTE's rows.
        hits_sql = (f" UNION ALL SELECT '#', CAST(document_id AS text), score, position FROM "
                    f"(SELECT document_id, score, row_number() OVER (ORDER BY {order}) AS position FROM "
                    f"(SELECT document_id, sort_date, title_sort, {score} AS score FROM m WHERE {final}) AS s "
                    f"ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}) AS page")
    sql = (f"WITH m AS MATERIALIZED (SELECT document_id, sort_date, title_sort, {columns}{flag_columns} "
           f"FROM {ENTRY_TABLE} WHERE {base}) "
           f"SELECT CASE {name_of} ELSE '' END, COALESCE({', '.join(grouped.values())}), "
           f"CAST(CASE {count_of} ELSE {count(None)} END AS float8), 0 FROM m GROUP BY GROUPING SETS ({sets}, ()) "
           f"UNION ALL SELECT 'topic', v, CAST({count('topic')} AS float8), 0 "
           f"FROM m CROSS JOIN LATERAL unnest(m.topics) AS v GROUP BY v" + hits_sql)
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACET_FIELDS}
    total = 0
    hits: list[tuple[int, int, float]] = []
    for facet, value, found, position in connection.execute(text(sql), params):
        if facet == "#":
            hits.append((position, int(value), float(found)))
        elif not facet:
            total = int(found)
        elif value and found:
            counts[facet][value] = int(found)
    def named_terms(facet: str, names: tuple[str, ...]) -> set[str]:
        keys = sorted({municipality_key(name) for name in names})
        column, key_column = COLUMNS[facet], _KEY_COLUMNS[facet]
        return {row[0] for row in connection.execute(
            text(f"SELECT DISTINCT {column} FROM {ENTRY_TABLE} WHERE {key_column} = ANY(CAST(:keys AS text[]))"),
            {"keys": keys})}

    def indexed_years(low: int, high: int) -> set[str]:
        return {str(row[0]) for row in connection.execute(text(
            f"SELECT DISTINCT year FROM {ENTRY_TABLE} WHERE year BETWEEN :low AND :high"), {"low": low, "high": high})}

    result = {facet: facet_values(filters.query, facet, counts[facet], named_terms, indexed_years)
              for facet in FACET_FIELDS}
    return total, result, ([(document_id, score) for _position, document_id, score in sorted(hits)]
                           if page is not None else None)
