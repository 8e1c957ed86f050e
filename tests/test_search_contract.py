"""The search contract: the German search behaviours, held against every backend.

Each backend of ``toolbox.search.BACKENDS`` gets the generated corpus of ``search_factories``,
ingested through the real services into an app that runs that backend
(``TOOLBOX_SEARCH_BACKEND``); every test then talks to the engine only through the
``SearchBackend`` interface. A new engine is added to ``BACKENDS`` (and to ``NEEDS_POSTGRES``
when it runs only there); these tests then hold it to the same answers.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import uuid

import pytest

from toolbox import create_app, search
from toolbox.extensions import db
from toolbox.search import SearchBackend, SearchQuery
from toolbox.services.database import prepare_database

from conftest import TEST_DATABASE_URL, _config, on_postgres
from search_factories import CORPUS as BASE_CORPUS
from search_factories import PHRASE_CORPUS, ingest_specs

#: Every engine gets the shared corpus and the phrase documents.
CORPUS = BASE_CORPUS + PHRASE_CORPUS
PUBLISHED = {spec.key for spec in CORPUS if spec.publish}

#: Engines that run only on a PostgreSQL database (the others run on SQLite, and on PostgreSQL
#: in the suite's PostgreSQL pass).
NEEDS_POSTGRES: set[str] = {"postgresql"}


class Engine:
    """One backend with the corpus in it, asked only through the contract."""

    def __init__(self, app, ids: dict[str, int]) -> None:
        self.app = app
        self.ids = ids
        self.keys = {document_id: key for key, document_id in ids.items()}

    @property
    def backend(self) -> SearchBackend:
        return search.current_backend()

    def run(self, q: str = "", **kwargs) -> search.SearchResults:
        kwargs.setdefault("per_page", 100)
        return self.backend.search(SearchQuery(q=q, **kwargs))

    def keys_of(self, results: search.SearchResults) -> list[str]:
        return [self.keys[hit.document_id] for hit in results.hits]

    def found(self, q: str = "", **kwargs) -> set[str]:
        return set(self.keys_of(self.run(q, **kwargs)))


def _postgres_database(request) -> str:
    """A PostgreSQL database of the module's own (migrated by the caller), dropped after it."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    server_url = TEST_DATABASE_URL or request.getfixturevalue("postgres_url")
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"contract_{uuid.uuid4().hex}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    request.addfinalizer(drop)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=sorted(search.BACKENDS))
def engine_app(request, tmp_path_factory):
    name = request.param
    tmp = tmp_path_factory.mktemp(f"contract-{name}")
    os.environ.setdefault("TOOLBOX_INSTANCE_DIR", str(tmp / "instance"))
    postgres = name in NEEDS_POSTGRES or on_postgres()
    if postgres:
        url = _postgres_database(request)
    else:
        database = tmp / "toolbox.sqlite3"
        shutil.copyfile(request.getfixturevalue("template_database"), database)
        url = f"sqlite:///{database}"
    app = create_app({**_config(tmp, url), "SEARCH_BACKEND": name})
    if postgres:
        prepare_database(app)
    with app.app_context():
        assert search.current_backend().name == name
        search.current_backend().ensure()
    ids = ingest_specs(app, CORPUS, tmp / "files")
    yield Engine(app, ids)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def engine(engine_app):
    with engine_app.app.app_context():
        yield engine_app
        db.session.remove()


def test_backend_fulfils_the_interface(engine):
    """The chosen engine is a SearchBackend reading the database through a DocumentSource."""
    assert isinstance(engine.backend, search.SearchBackend)
    assert isinstance(engine.backend.source, search.DocumentSource)


@pytest.mark.parametrize("q", ["Ausschreibung", "Ausschreibungen"])
def test_inflected_forms_find_each_other(engine, q):
    """Singular and plural find each other (German stems)."""
    assert engine.found(q) == {"tender_plural", "tender_singular"}


@pytest.mark.parametrize("q, expected", [
    ("Buergerbeteiligung", {"umlauts"}),
    ("Bürgerbeteiligung", {"umlauts"}),
    ("Strasse", {"umlauts", "typed"}),
    ("Straße", {"umlauts", "typed"}),
    ("GROESSE", {"umlauts", "typed"}),
])
def test_transliterations_match_both_ways(engine, q, expected):
    """ä/ae, ö/oe, ü/ue and ß/ss are one letter, whichever side typed which."""
    assert engine.found(q) == expected


def test_compound_parts_find_compounds_below_the_exact_word(engine):
    """"Strategie" finds "Datenstrategie" and "Digitalisierungsstrategie", after the exact
    match; "Planung" finds "Verkehrsplanung"; a part under four letters finds no compound."""
    results = engine.run("Strategie")
    keys = engine.keys_of(results)
    assert set(keys) == {"strategy_exact", "strategy_data", "strategy_digital"}
    assert keys[0] == "strategy_exact"
    assert "traffic" in engine.found("Planung")
    assert "strategy_data" not in engine.found("Daten")


def test_phrases_match_exactly_that_text(engine):
    """A phrase keeps its stop words and order, and its snippet marks the whole phrase."""
    results = engine.run('"Konzept für die Digitalisierung"')
    assert engine.keys_of(results) == ["phrase_exact"]
    assert "<mark>Konzept für die Digitalisierung</mark>" in results.hits[0].highlights
    assert engine.keys_of(engine.run('"Konzept für eine Digitalisierung"')) == ["phrase_other"]


@pytest.mark.parametrize("q, expected", [
    ('"Netz der Stadtwerke"', {"pairs_title", "pairs_body"}),
    ('"netz DER stadtwerke"', {"pairs_title", "pairs_body"}),
    ('"Leitungen der Stadtwerke"', {"pairs_apart"}),
    ('"der Stadtwerke"', {"pairs_title", "pairs_body", "pairs_apart"}),
    ('"Stadtwerke der Netz"', set()),
    ('titel:"Netz der Stadtwerke"', {"pairs_title"}),
    ('text:"Netz der Stadtwerke"', {"pairs_body"}),
    ('titel:"Leitungen werden"', set()),
])
def test_a_phrase_needs_its_words_side_by_side_in_one_field(engine, q, expected):
    """Every two neighbouring words of the phrase must be neighbours in the same place of one
    field: "Netz der" and "der Stadtwerke" both occurring, apart, is no match."""
    assert engine.found(q) == expected


def test_a_phrase_never_spans_a_dropped_junk_word(engine):
    """An over-long word is not indexed but keeps its place: the words around it are no phrase."""
    assert engine.found('"Pegelmessung im Fluss"') == {"pairs_junk"}
    assert engine.found('"Messwerte der Sensoren"') == {"pairs_junk"}
    assert engine.found('"Sensoren Pegelmessung"') == set()


def test_phrases_deep_in_a_long_body(engine):
    """Beyond the first 4 000 words of a body, phrases match as at its start, and three words
    whose pairs each occur somewhere but never in a row do not."""
    assert engine.found('"warnt das Hochwasserportal"') == {"pairs_long"}
    assert engine.found('"Hochwasserportal die"') == {"pairs_long"}
    assert engine.found('"Pegel des Flusses"') == {"pairs_long"}
    assert engine.found('"Anwohner des Flusses rechtzeitig"') == {"pairs_long"}
    assert engine.found('"Anwohner des Flusses wird"') == set()
    assert engine.found('"protokolliert Der Pegel des Flusses wird"') == {"pairs_long"}
    assert engine.found('"protokolliert Am"') == {"pairs_long"}
    assert engine.found('"gemessen und warnt"') == set()


def test_exclusion_removes_documents_with_the_word(engine):
    """-Abfall removes exactly the documents that say "Abfall"; alone, it browses the rest."""
    assert "waste" in engine.found("Konzept")
    assert engine.found("Konzept -Abfall") == engine.found("Konzept") - {"waste"}
    assert engine.found("-Abfall") == PUBLISHED - {"waste"}


@pytest.mark.parametrize("q, expected", [
    ("titel:Leitfaden", {"guide_title"}),
    ('titel:"Leitfaden Datenschutz"', {"guide_title"}),
    ("kommune:Alsfeld", {"umlauts", "phrase_other", "station"}),
])
def test_fielded_search(engine, q, expected):
    """A field prefix searches only that field."""
    assert engine.found(q) == expected
    assert {"guide_title", "guide_body"} <= engine.found("Leitfaden")


def test_unpublished_documents_stay_hidden_from_visitors(engine):
    """A submitted document is found only when every status is asked for."""
    assert engine.found("Zebrastreifen") == set()
    assert engine.found("Zebrastreifen", statuses=("all",)) == {"draft"}


@pytest.mark.parametrize("q, selection", [
    ("", {}),
    ("Konzept", {}),
    ("Verwaltung", {"topic": ("strategie-organisation",)}),
    ("", {"size_class": ("kleinstadt",), "year_from": 2021}),
])
def test_facet_counts_equal_click_totals(engine, q, selection):
    """Every facet count is the total that selecting only that value in its facet returns."""
    base = SearchQuery(q=q, per_page=1, **selection)
    results = engine.backend.search(base)
    checked = 0
    for facet, values in results.facets.items():
        for value in values:
            if facet == "year":
                clicked = dataclasses.replace(base, year_from=int(value.value), year_to=int(value.value))
            else:
                clicked = dataclasses.replace(base, **{facet: (value.value,)})
            assert engine.backend.search(clicked).total == value.count, (facet, value)
            checked += 1
    assert checked >= 10


def test_every_hit_in_order_for_the_zip(engine):
    """The ZIP's document list is the search's hits in the same order, pages ignored."""
    for q, sort in [("Konzept", "relevance"), ("", "title"), ("", "downloads"), ("Verwaltung", "newest")]:
        query = SearchQuery(q=q, sort=sort, per_page=100)
        expected = [hit.document_id for hit in engine.backend.search(query).hits]
        assert engine.backend.matching_document_ids(query) == expected
        assert len(expected) >= 2


def test_snippets_escape_and_mark(engine):
    """Snippets escape the text and wrap matches in <mark>; without a match, the text's opening."""
    hits = {engine.keys[hit.document_id]: hit for hit in engine.run("Telemedizin").hits}
    assert "<mark>Telemedizin</mark>" in hits["markup"].highlights
    assert "&lt;script&gt;" in hits["markup"].highlights and "<script>" not in hits["markup"].highlights
    opening = {engine.keys[hit.document_id]: hit for hit in engine.run("Sonderzeichen").hits}["markup"]
    assert opening.highlights.startswith("Vergleich: Kosten &lt; Nutzen")


def test_suggest_completes_words_and_titles(engine):
    """Autocomplete completes the last word and offers matching titles, never draft words."""
    assert "Digitalisierung" in engine.backend.suggest("Digi")
    assert "Parkleitsystem Innenstadt" in engine.backend.suggest("Parkleit")
    assert not any("quokka" in option.lower() for option in engine.backend.suggest("Quok"))
    assert engine.backend.suggest("") == []


def test_did_you_mean(engine):
    """A misspelt word searched literally gets its correction; a correct one gets none."""
    assert engine.backend.did_you_mean(SearchQuery(q="Digitalisirung", literal=True)) == "Digitalisierung"
    assert engine.backend.did_you_mean(SearchQuery(q="Digitalisirung")) == "Digitalisierung"
    assert engine.backend.did_you_mean(SearchQuery(q="Digitalisierung")) is None


def test_more_like_this(engine):
    """The similar document comes first; the document itself, drafts and unknown ids never."""
    similar = engine.backend.more_like_this(engine.ids["parking_a"], limit=3)
    assert similar[0] == engine.ids["parking_b"]
    assert engine.ids["parking_a"] not in similar
    assert engine.ids["draft"] not in engine.backend.more_like_this(engine.ids["parking_a"], limit=50)
    assert engine.backend.more_like_this(999_999) == []


def test_index_remove_check_and_rebuild(engine):
    """Removing an entry is drift that the check reports and repairs; indexing the source's
    record brings it back; a rebuild holds every document."""
    backend = engine.backend
    document_id = engine.ids["fibre"]
    assert backend.check_index().ok
    backend.remove_documents([document_id])
    assert "fibre" not in engine.found("Glasfaser")
    assert backend.check_index().missing == [document_id]
    records = backend.source.records([document_id])
    assert backend.index_documents(records.values()) == 1
    assert engine.found("Glasfaser") == {"fibre"}
    assert backend.check_index().ok
    assert backend.rebuild() == len(CORPUS)
    assert engine.found("Glasfaser") == {"fibre"} and backend.check_index().ok
