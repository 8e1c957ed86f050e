"""A document as every search backend indexes it: plain values read from the database (by
``toolbox.services.search_source.index_record``), and what every engine derives from them
alike (the vocabulary, the compound keys, the sort keys). Whoosh's fields are ``_schema``'s,
PostgreSQL's entry row ``_pg_entries``'s."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from .analysis import compound_keys, sort_key, words

#: Bump when the analysis or an engine's index format changes: the Whoosh index and the
#: PostgreSQL entries are then rebuilt at the next start, and every fingerprint changes.
SCHEMA_VERSION = 9


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

    def vocabulary(self) -> list[str]:
        """The lower-case words of the document (three to 40 letters), for typo correction and
        autocomplete. Names of projects and municipalities are vocabulary too, but give no
        compound keys: a name is not a head of a German compound."""
        unique = set(words(self.project)) | set(words(self.municipality)) | self._text_words()
        return sorted({w.lower() for w in unique if 3 <= len(w) <= 40 and w.isalpha()})

    def compound_keys(self) -> list[str]:
        """The reversed stems of the long words of title, description and text."""
        return compound_keys(self._text_words())

    def _text_words(self) -> set[str]:
        return set(words(self.title)) | set(words(self.description)) | set(words(self.text))

    def sort_date(self) -> int:
        """The "newest" order: published, else created, in microseconds."""
        return _epoch_us(self.published_at or self.created_at)

    def title_sort(self) -> str:
        """The title in German dictionary order; no title sorts last."""
        return sort_key(self.title) or "\uffff"

    @property
    def municipality_name(self) -> str:
        return " ".join(self.municipality.split())

    @property
    def state_name(self) -> str:
        return " ".join(self.state.split())
