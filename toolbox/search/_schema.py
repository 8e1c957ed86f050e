"""The Whoosh index's schema, and a document's entry in it (``index_fields`` of an
``IndexRecord``)."""
from __future__ import annotations

from typing import Any

from whoosh import fields

from ._analysis import GermanPositions, GermanTokenizer, PairTerms
from ._fields import FACET_FIELDS
from ._record import IndexRecord, _iso
from .analysis import adjacent_pairs

#: The index field holding each facet's terms. "municipality" and "project" are also text fields
#: searched by their words, so their facets have fields of their own: the exact name of the
#: municipality, and the project's id (project names repeat across municipalities).
FACET_INDEX_FIELDS = {**{name: name for name in FACET_FIELDS},
                      "municipality": "municipality_facet", "project": "project_facet"}
#: The field of word pairs holding a stop word (``analysis.adjacent_pairs``), each term qualified
#: by its text field: "b:konzept fur" is "Konzept für" in the body (``_matching.phrase_matches``).
#: Pairs of two content words would be most of the terms, for phrases whose positions are quick
#: to check: all pairs doubled the index and tripled the build of 10 000 documents.
PAIR_FIELD = "pairs"
PAIR_PREFIX = {"title": "t", "description": "d", "body": "b", "project": "p", "municipality": "m"}


def pair_field_term(fieldname: str, pair: str) -> str:
    return f"{PAIR_PREFIX[fieldname]}:{pair}"


def _german_text(stored: bool = False) -> fields.TEXT:
    field = fields.TEXT(analyzer=GermanTokenizer(), stored=stored, phrase=True)
    field.format = GermanPositions(field_boost=1.0)
    return field


def _pairs() -> fields.KEYWORD:
    # Position-less and unscored: a pair only says which documents hold two words side by side.
    field = fields.KEYWORD(scorable=False, commas=True)
    field.format = PairTerms()
    return field


def build_schema() -> fields.Schema:
    return fields.Schema(
        doc_id=fields.NUMERIC(int, bits=64, signed=False, stored=True, unique=True, sortable=True),
        title=_german_text(stored=True),
        description=_german_text(),
        body=_german_text(),
        project=_german_text(),
        municipality=_german_text(),
        # Helper fields: unstemmed lower-case words (spelling, autocomplete) and the reversed
        # long words for compound lookup.
        words=fields.KEYWORD(scorable=False),
        compounds=fields.KEYWORD(scorable=False),
        pairs=_pairs(),
        # Filters: exact terms.
        municipality_facet=fields.ID(),
        state=fields.ID(),
        project_facet=fields.ID(),
        topic=fields.KEYWORD(scorable=False),
        size_class=fields.ID(),
        type=fields.ID(),
        format=fields.ID(),
        license=fields.ID(),
        year=fields.ID(),
        accessibility=fields.ID(),
        status=fields.ID(stored=True),
        # Sorting (columns) and drift detection (stored).
        sort_date=fields.NUMERIC(int, bits=64, signed=True, sortable=True),
        title_sort=fields.ID(sortable=True),
        downloads=fields.NUMERIC(int, bits=64, signed=False, sortable=True),
        created=fields.STORED(),
        updated=fields.STORED(),
        published=fields.STORED(),
        fingerprint=fields.STORED(),
    )


def index_fields(record: IndexRecord) -> dict[str, Any]:
    """The Whoosh fields of ``record``'s index entry."""
    values: dict[str, Any] = {
        "doc_id": record.id,
        "title": record.title,
        "description": record.description,
        "body": record.text,
        "project": record.project,
        "municipality": record.municipality,
        "words": " ".join(record.vocabulary()),
        "compounds": " ".join(record.compound_keys()),
        PAIR_FIELD: [pair_field_term(name, pair) for name, text in (
            ("title", record.title), ("description", record.description), ("body", record.text),
            ("project", record.project), ("municipality", record.municipality))
            for pair in adjacent_pairs(text, common_only=True)],
        "topic": " ".join(record.topics),
        "status": record.status,
        "sort_date": record.sort_date(),
        "title_sort": record.title_sort(),
        "downloads": record.downloads,
        "created": _iso(record.created_at),
        "updated": _iso(record.updated_at),
        "published": _iso(record.published_at),
        "fingerprint": record.fingerprint(),
    }
    optional = {
        "municipality_facet": record.municipality_name,
        "state": record.state_name,
        "project_facet": record.project_id,
        "size_class": record.size_class,
        "type": record.type,
        "format": record.format,
        "license": record.license,
        "year": str(record.year) if record.year is not None else "",
        "accessibility": record.accessibility,
    }
    values.update({key: value for key, value in optional.items() if value})
    return values
