"""The fields and facets every search backend knows, by name: what a query searches and
filters, whatever engine holds the index (Whoosh's schema is ``_schema``, PostgreSQL's columns
``_pg_entries``)."""
from __future__ import annotations

from .analysis import fold

#: Facets: one term per value (topic may hold several).
FACET_FIELDS = ("topic", "size_class", "type", "format", "license", "year", "municipality", "state", "project",
                "accessibility")
#: The one value of the "accessibility" facet: the download passed the BITV checks a parser can
#: make (tags, language, title; real headings). Other documents carry no term, so the facet is
#: a single "barrierearm" choice and never labels a document as a failure in public.
ACCESSIBLE = "barrierearm"
#: Facets whose values are names, matched whatever their case or spelling of umlauts
#: ("muecke" finds "Mücke"), as people type them into a URL.
FOLDED_FACETS = ("municipality", "state")
#: Fields searched by a plain word, with the weight of a match in each.
TEXT_FIELD_BOOSTS = {"title": 4.0, "description": 2.0, "body": 1.0, "project": 1.5, "municipality": 1.5}
#: Fields whose compounds a word also finds (with a lower weight).
COMPOUND_FIELDS = ("title", "description", "body")
#: A compound's weight is at most this share of an exact match's of the same rarity: compounds
#: rank below the word itself on every backend.
COMPOUND_WEIGHT = 0.3


def municipality_key(name: str) -> str:
    """A name as a filter compares it: case, umlaut spelling and spacing do not count."""
    return fold(" ".join(name.split()))
