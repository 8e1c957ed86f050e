"""The public value types of the search package."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

SORTS = ("relevance", "newest", "title", "downloads")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 100_000
#: Fewer hits than this are "too little": typo correction and "Meinten Sie …?" are tried.
FEW_HITS = 3
ALL_STATUSES = "all"
#: The status visitors see (``toolbox.models.STATUS_PUBLISHED``; the index stores the same text).
PUBLISHED = "published"

_LIST_FIELDS = ("topic", "size_class", "type", "format", "license", "municipality", "state", "project",
                "accessibility")
# Slugs and project ids never contain commas, so "topic=a,b" is read as two values; names may.
_COMMA_LISTS = ("topic", "size_class", "type", "format", "license", "project", "accessibility")


def default_sort(q: str) -> str:
    """Relevance when there are words to rank by; browsing without words shows the newest first."""
    return "relevance" if q.strip() else "newest"


@dataclass(frozen=True)
class SearchQuery:
    """A search as the page, the API and the ZIP download ask for it.

    ``statuses`` restricts the document statuses searched; an empty tuple or ``("all",)``
    means every status. Visitors must only ever get ``("published",)``, the default.
    """

    q: str = ""
    topic: tuple[str, ...] = ()
    size_class: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    format: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    project: tuple[str, ...] = ()  # project ids, as text like every other filter value
    accessibility: tuple[str, ...] = ()  # "barrierearm": the download passed the BITV checks
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    statuses: tuple[str, ...] = ("published",)
    #: The words exactly as typed: no typo correction (the link "stattdessen nach … suchen").
    literal: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, allow_statuses: bool = False) -> "SearchQuery":
        """Read request parameters (a MultiDict or a plain mapping); never raises.

        Bad numbers fall back to their defaults, unknown sorts to the default sort, ``per_page`` is
        clamped to 1..100. ``status`` parameters are read only with ``allow_statuses=True``:
        the caller decides after checking the role (``status=all`` for every status).
        """

        def values(name: str) -> list[str]:
            try:
                if hasattr(params, "getlist"):
                    raw = params.getlist(name)
                else:
                    raw = params.get(name, [])
                    raw = [raw] if isinstance(raw, (str, int)) else list(raw or [])
            except Exception:
                return []
            return [str(v) for v in raw if v is not None]

        def first(name: str) -> str:
            found = values(name)
            return found[0].strip() if found else ""

        def as_list(name: str) -> tuple[str, ...]:
            out: list[str] = []
            for value in values(name):
                parts = value.split(",") if name in _COMMA_LISTS else [value]
                for part in parts:
                    part = " ".join(part.split())[:200]
                    if part and part not in out:
                        out.append(part)
            return tuple(out[:50])

        def as_int(name: str, default: int | None, low: int, high: int) -> int | None:
            text = first(name)
            if not text:
                return default
            try:
                number = int(text)
            except ValueError:
                return default
            return min(max(number, low), high)

        sort = first("sort").lower()
        q = first("q")[:1000]
        kwargs: dict[str, Any] = dict(
            q=q,
            year_from=as_int("year_from", None, 0, 9999),
            year_to=as_int("year_to", None, 0, 9999),
            sort=sort if sort in SORTS else default_sort(q),
            page=as_int("page", 1, 1, MAX_PAGE) or 1,
            per_page=as_int("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
            literal=first("literal").lower() in ("1", "true", "ja"),
        )
        for name in _LIST_FIELDS:
            kwargs[name] = as_list(name)
        kwargs["format"] = tuple(v.lower() for v in kwargs["format"])
        kwargs["accessibility"] = tuple(v.lower() for v in kwargs["accessibility"])
        if allow_statuses:
            statuses = tuple(v.lower() for v in as_list("status"))
            if statuses:
                kwargs["statuses"] = () if ALL_STATUSES in statuses else statuses
        return cls(**kwargs)


def sanitized(query: SearchQuery) -> SearchQuery:
    """``query`` as an engine may take it, whoever built it: a page and a page size in range,
    the words a string."""
    per_page = query.per_page if isinstance(query.per_page, int) else DEFAULT_PER_PAGE
    page = query.page if isinstance(query.page, int) else 1
    return replace(query, per_page=min(max(per_page, 1), MAX_PER_PAGE), page=max(page, 1),
                   q=query.q if isinstance(query.q, str) else "")


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    score: float
    highlights: str  # HTML-safe: escaped text with <mark>…</mark>; "" when there is none


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResults:
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    widened: bool
    query_used: str
    sort: str = "relevance"  # the sort actually applied (relevance without words is newest)
    #: The query as typed when the hits are those of a corrected query (then ``query_used``)
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1

