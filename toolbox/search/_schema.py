"""The index schema and the index entry of a document (built from the database by
``toolbox.services.search_source.index_record``)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from whoosh import fields

from ._analysis import GermanPositions, GermanTokenizer, PairTerms
from ._fields import FACET_FIELDS
from .analysis import adjacent_pairs, compound_keys, sort_key, words

#: Bump when the schema or the analysis changes: ``ensure_index`` then rebuilds the index.
SCHEMA_VERSION = 9

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


def _words_field_value(unique: set[str]) -> str:
    spelled = {w.lower() for w in unique if 3 <= len(w) <= 40 and w.isalpha()}
    return " ".join(sorted(spelled))


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _epoch_us(value: datetime | None) -> int:
    """Microseconds since 1970: documents published within one second still sort apart."""
    return round(value.timestamp() * 1_000_000) if value else 0


@dataclass(frozen=True)
class IndexRecord:
    """Everything the index holds about one document, as plain values read from the database."""

    id: int
    title: str
    description: str
    text: str
    version_key: str
    project: str
    municipality: str
    state: str
    project_id: str
    topics: tuple[str, ...]
    size_class: str
    type: str
    format: str
    license: str
    year: int | None
    status: str
    created_at: datetime | None
    updated_at: datetime | None
    published_at: datetime | None
    downloads: int
    accessibility: str = ""

    def fingerprint(self) -> str:
        """A digest of everything that decides how the document is found.

        The download count is left out on purpose: downloads are counted without touching
        the index, and the downloads sort reads the database.
        """
        payload = [
            SCHEMA_VERSION, self.title, self.description, hashlib.sha1(self.text.encode("utf-8", "replace")).hexdigest(),
            self.version_key, self.project,
            self.municipality, self.state, self.project_id, sorted(self.topics), self.size_class, self.type, self.format, self.license,
            self.year, self.status, _iso(self.published_at), _iso(self.created_at), self.accessibility,
        ]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]

    def index_fields(self) -> dict[str, Any]:
        unique = set(words(self.title)) | set(words(self.description)) | set(words(self.text))
        # Names of projects and municipalities are vocabulary too, for typo correction and
        # autocomplete, but no compound keys: a name is not a head of a German compound.
        names = set(words(self.project)) | set(words(self.municipality))
        newest = self.published_at or self.created_at
        values: dict[str, Any] = {
            "doc_id": self.id,
            "title": self.title,
            "description": self.description,
            "body": self.text,
            "project": self.project,
            "municipality": self.municipality,
            "words": _words_field_value(unique | names),
            "compounds": " ".join(compound_keys(unique)),
            PAIR_FIELD: [pair_field_term(name, pair) for name, text in (
                ("title", self.title), ("description", self.description), ("body", self.text),
                ("project", self.project), ("municipality", self.municipality))
                for pair in adjacent_pairs(text, common_only=True)],
            "topic": " ".join(self.topics),
            "status": self.status,
            "sort_date": _epoch_us(newest),
            "title_sort": sort_key(self.title) or "\uffff",
            "downloads": self.downloads,
            "created": _iso(self.created_at),
            "updated": _iso(self.updated_at),
            "published": _iso(self.published_at),
            "fingerprint": self.fingerprint(),
        }
        optional = {
            "municipality_facet": " ".join(self.municipality.split()),
            "state": " ".join(self.state.split()),
            "project_facet": self.project_id,
            "size_class": self.size_class,
            "type": self.type,
            "format": self.format,
            "license": self.license,
            "year": str(self.year) if self.year is not None else "",
            "accessibility": self.accessibility,
        }
        values.update({key: value for key, value in optional.items() if value})
        return values
