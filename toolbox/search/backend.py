"""The contract between the toolbox and a search engine, and the database side an engine reads.

Every engine (Whoosh today, the embedded default) answers the same calls with the same plain
values, so that services, pages, API and CLI never know which one runs; the contract tests in
``tests/test_search_contract.py`` hold each engine to the German search behaviours. An engine
never imports the ORM: what it needs from the database (the truth) it asks a
``DocumentSource``, which the services layer implements and ``init_app`` hands over.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

from flask import current_app

from ._record import IndexRecord
from ._types import SearchQuery, SearchResults

#: Where ``init_app`` keeps the running backend in ``app.extensions``.
EXTENSION_KEY = "toolbox.search"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexReport:
    """Drift between the database and the index, by document id."""

    missing: list[int] = field(default_factory=list)   # in the database, not in the index
    stale: list[int] = field(default_factory=list)     # indexed with outdated content
    orphaned: list[int] = field(default_factory=list)  # in the index, gone from the database
    repaired: bool = False
    rebuilt: bool = False  # the index was unreadable and was rebuilt from the database

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


@dataclass(frozen=True)
class SnippetText:
    """What a hit's snippet is cut from: the current file's text (running headers and footers
    already left out) and the description, the fallback when the text has no match."""

    text: str
    description: str


@dataclass(frozen=True)
class SimilarTo:
    """A document as "more like this" compares it: its words, topics and document type."""

    document_id: int
    text: str
    topics: frozenset[str]
    type: str | None


@dataclass(frozen=True)
class SynonymGroup:
    """One curated group of equivalent terms; ``one_way``: only the first leads to the others."""

    terms: tuple[str, ...]
    one_way: bool


@runtime_checkable
class DocumentSource(Protocol):
    """The database as a search engine sees it: plain values, each call a short read of its own
    (or, for ``dequeue``, a short write), never a session the caller holds."""

    def database_key(self) -> str:
        """Names the database, so that caches of two databases in one process stay apart."""

    def document_ids(self) -> list[int]:
        """Every document id, any status, ascending."""

    def has_documents(self) -> bool: ...

    def records(self, document_ids: Sequence[int]) -> dict[int, IndexRecord]:
        """The current state of each document that still exists; gone ones are left out."""

    def queued(self) -> list[tuple[int, int]]:
        """The index queue, oldest first: (queue row id, document id)."""

    def dequeue(self, row_ids: Sequence[int]) -> None:
        """Drop applied queue rows (committed at once)."""

    def download_counts(self, document_ids: Sequence[int]) -> dict[int, int]:
        """Downloads so far; counted without touching the index, so always read here."""

    def snippet_texts(self, document_ids: Sequence[int]) -> dict[int, SnippetText]: ...

    def similar_to(self, document_id: int) -> SimilarTo | None: ...

    def synonym_stamp(self) -> tuple:
        """Changes whenever a synonym group is added, changed or deleted (cheap: one query)."""

    def synonym_groups(self) -> list[SynonymGroup]: ...


@runtime_checkable
class DatabaseDocumentSource(DocumentSource, Protocol):
    """A source an engine can keep its entries beside, in the same database (the PostgreSQL
    backend): the engine runs SQL on the engine's connections, never the ORM."""

    def engine(self):
        """The SQLAlchemy engine of the application's database."""

    def locked_records(self, connection, document_ids: Sequence[int]) -> dict[int, IndexRecord]:
        """The records as ``connection``'s transaction sees them, the document rows locked until
        it ends, so that two writers of one entry take turns and the later one reads the newer state."""


@runtime_checkable
class SearchBackend(Protocol):
    """One search engine. Values in and out are the package's plain types."""

    name: str
    source: DocumentSource

    def check(self) -> None:
        """At application start: refuse, with a ``ConfigError``, to run where the engine cannot."""

    def ensure(self) -> None:
        """At process start: make the index usable (build it when missing or damaged)."""

    def index_documents(self, records: Iterable[IndexRecord]) -> int:
        """Write these entries (replacing older ones of the same documents); returns how many."""

    def remove_documents(self, document_ids: Iterable[int]) -> int:
        """Remove the entries of these documents; returns how many ids were asked for."""

    def apply_queue(self) -> int:
        """Bring the index up to date with every queued document of the source."""

    def rebuild(self, progress: Progress | None = None) -> int:
        """A complete index from the source; searches keep working meanwhile."""

    def check_index(self, repair: bool = False) -> IndexReport:
        """Compare every document of the source with its entry; optionally repair the drift."""

    def index_state(self) -> str:
        """``ok``, or why the index cannot serve searches (``missing``, ``corrupt``, ``outdated``);
        cheap enough for a readiness probe."""

    def search(self, query: SearchQuery) -> SearchResults:
        """One page of hits with snippets, the total, facet counts (each equal to the total its
        click returns) and hints (widened, corrected, did-you-mean)."""

    def matching_document_ids(self, query: SearchQuery) -> list[int]:
        """Every hit of ``query`` in its order, pages ignored (the ZIP download)."""

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Autocomplete for what has been typed so far."""

    def did_you_mean(self, query: SearchQuery) -> str | None:
        """A corrected query that finds more, when the query as typed finds (almost) nothing."""

    def more_like_this(self, document_id: int, limit: int = 5) -> list[int]:
        """Published documents like this one, best first; none when nothing is alike enough."""


def current_backend() -> SearchBackend:
    """The backend ``init_app`` chose for the current application."""
    try:
        return current_app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("No search backend: toolbox.search.init_app(app, source) was not called") from None


def current_source() -> DocumentSource:
    return current_backend().source
