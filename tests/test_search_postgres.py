"""What is particular to the PostgreSQL search backend (``TOOLBOX_SEARCH_BACKEND=postgresql``).

The German search behaviours are the contract's (``test_search_contract.py``); here: the entry is
written in the document's own transaction (a rollback leaves none, a commit is searchable at once
without any queue), there is no index directory, the drift check finds and repairs a deleted
entry, ``reindex`` reports progress, backup and restore keep the search working. SQLite is
refused with a clear message (``test_search_backend.py``). Every test runs on a PostgreSQL
database of its own, and is skipped visibly where no PostgreSQL server runs.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from toolbox import search
from toolbox.extensions import db
from toolbox.search import SearchQuery

from conftest import make_document, postgres_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_search_app(postgres_url, tmp_path, monkeypatch):
    """An app on a PostgreSQL database of its own, searching with PostgreSQL."""
    with postgres_app(postgres_url, tmp_path, monkeypatch, SEARCH_BACKEND="postgresql") as application:
        yield application


def _found(q: str, **kwargs) -> list[int]:
    return [hit.document_id for hit in search.search(SearchQuery(q=q, statuses=("all",), **kwargs)).hits]


def _entry_titles(app) -> dict[int, str]:
    """The entries as another connection sees them (committed state only)."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT document_id, title FROM search_entries")).all())
    finally:
        engine.dispose()


def test_the_backend_runs_on_postgresql_without_an_index_directory(pg_search_app):
    """The app searches with the PostgreSQL backend, and nothing creates TOOLBOX_INDEX_DIR:
    not start-up, not indexing, not searching, not the readiness probe, not `toolbox check`."""
    document_id = make_document(pg_search_app, title="Glasfaserausbau Gewerbegebiet",
                                text="Breitband für alle Betriebe.").id
    with pg_search_app.app_context():
        assert search.current_backend().name == "postgresql"
        assert isinstance(search.current_backend().source, search.DatabaseDocumentSource)
        assert search.index_state() == "ok"
        assert _found("Gewerbegebiet") == [document_id]
        assert search.warm_up(1000).terms == 0
        search.release_open_files()
    response = pg_search_app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    result = pg_search_app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert not Path(pg_search_app.config["TOOLBOX_INDEX_DIR"]).exists()


def test_a_committed_change_is_searchable_at_once_without_a_queue(pg_search_app):
    """The entry is written inside the document's transaction: after the commit the new title is
    found, with no index-queue row and no flush."""
    from toolbox.models import Document, IndexQueue
    from toolbox.services import indexing

    document_id = make_document(pg_search_app, title="Bürgerhaushalt Beteiligung").id
    with pg_search_app.app_context():
        document = db.session.get(Document, document_id)
        document.title = "Quartiersmanagement Nordstadt"
        indexing.queue_document(document_id)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndexQueue)) == 0
        db.session.commit()
        assert _found("Quartiersmanagement") == [document_id]
        assert _found("Bürgerhaushalt") == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndexQueue)) == 0
    assert _entry_titles(pg_search_app)[document_id] == "Quartiersmanagement Nordstadt"


def test_a_rolled_back_change_leaves_no_entry(pg_search_app):
    """Nothing of a change that is rolled back reaches the index: before the commit no other
    connection sees an entry, and a commit that fails after the entry was written takes the
    entry with it."""
    from sqlalchemy.orm import Session

    from toolbox.models import Document
    from toolbox.services import indexing

    document_id = make_document(pg_search_app, title="Bürgerhaushalt Beteiligung").id
    with pg_search_app.app_context():
        document = db.session.get(Document, document_id)
        document.title = "Zwischenstand Radverkehr"
        indexing.queue_document(document_id)
        db.session.flush()
        assert _entry_titles(pg_search_app)[document_id] == "Bürgerhaushalt Beteiligung"
        db.session.rollback()
        assert _found("Radverkehr") == []

        def fail(session):
            raise RuntimeError("the commit fails after the entries were written")

        document = db.session.get(Document, document_id)
        document.title = "Zwischenstand Radverkehr"
        indexing.queue_document(document_id)
        sa.event.listen(Session, "before_commit", fail)
        try:
            with pytest.raises(RuntimeError):
                db.session.commit()
        finally:
            sa.event.remove(Session, "before_commit", fail)
        db.session.rollback()
        assert _found("Radverkehr") == []
        assert _found("Bürgerhaushalt") == [document_id]
        # The note of the failed transaction is gone with it: the next commit writes nothing stale.
        assert indexing.PENDING_ENTRIES not in db.session.info
    assert _entry_titles(pg_search_app)[document_id] == "Bürgerhaushalt Beteiligung"


def test_a_deleted_document_loses_its_entry_in_the_same_transaction(pg_search_app):
    """Emptying the trash deletes document and entry together."""
    from toolbox.models import Document, User
    from toolbox.services import review

    from conftest import make_user

    document_id = make_document(pg_search_app, title="Mängelmelder App").id
    admin_id = make_user(pg_search_app, "admin@example.org", role="admin")
    with pg_search_app.app_context():
        db.session.get(Document, document_id).status = "deleted"
        db.session.commit()
        assert review.trash_empty(db.session.get(User, admin_id)) == 1
        assert _found("Mängelmelder") == []
    assert document_id not in _entry_titles(pg_search_app)


def test_check_finds_and_repairs_a_deleted_entry(pg_search_app):
    """An entry removed behind the app's back is drift the check reports; --repair writes it."""
    document_id = make_document(pg_search_app, title="Leitfaden Datenschutz").id
    with pg_search_app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM search_entries WHERE document_id = :id"), {"id": document_id})
        assert _found("Datenschutz") == []
        report = search.check_index()
        assert report.missing == [document_id] and not report.ok
    result = pg_search_app.test_cli_runner().invoke(args=["check-index", "--repair"])
    assert result.exit_code == 0, result.output
    with pg_search_app.app_context():
        assert search.check_index().ok
        assert _found("Datenschutz") == [document_id]


def test_reindex_reports_progress_and_keeps_every_document(pg_search_app):
    """A rebuild writes every document's entry, telling its progress as it goes."""
    ids = [make_document(pg_search_app, title=f"Mobilitätskonzept {n}").id for n in range(3)]
    with pg_search_app.app_context():
        calls: list[tuple[int, int]] = []
        assert search.reindex(progress=lambda done, total: calls.append((done, total))) == 3
        assert calls[0] == (0, 3) and calls[-1] == (3, 3)
        assert sorted(_found("Mobilitätskonzept")) == sorted(ids)
        assert search.check_index().ok
    result = pg_search_app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output



def test_the_gin_indexes_keep_no_pending_list(pg_search_app):
    """Each write goes straight into the GIN indexes: with GIN's default pending list, every
    search scanned the unsorted entries of the last uploads (a few thousand lexemes each) on
    each of its ~20 index lookups, until the next vacuum (migration ``b5d2e8f1a3c7``)."""
    make_document(pg_search_app, title="Ladesäulen am Rathaus", text="Ladesäulen für Elektroautos.")
    with pg_search_app.app_context():
        options = dict(db.session.execute(sa.text(
            "SELECT relname, array_to_string(reloptions, ',') FROM pg_class "
            "WHERE relname IN ('ix_search_entries_tsv', 'ix_search_entries_topics')")).all())
        assert options == {"ix_search_entries_tsv": "fastupdate=off", "ix_search_entries_topics": "fastupdate=off"}
        assert _found("Ladesäule")


def test_backup_and_restore_keep_the_search(pg_search_app, tmp_path):
    """The entries are not in the backup (derived data); the restore drops the search tables with
    the others, the migrations create them again and the rebuild fills them."""
    kept = make_document(pg_search_app, title="Dorfladen mit Selbstbedienung").id
    runner = pg_search_app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "sicherung")]).exit_code == 0
    make_document(pg_search_app, title="Dorfladen nach der Sicherung")
    result = runner.invoke(args=["restore", str(tmp_path / "sicherung"), "--force"])
    assert result.exit_code == 0, result.output
    with pg_search_app.app_context():
        assert search.index_state() == "ok"
        assert _found("Dorfladen") == [kept]
        assert search.check_index().ok
    assert not Path(pg_search_app.config["TOOLBOX_INDEX_DIR"]).exists()


PARITY_QUERIES = [
    dict(q="Konzept"), dict(q="Verwaltung"), dict(q="Strategie"), dict(q="Planung"),
    dict(q='"Konzept für die Digitalisierung"'), dict(q="Konzept -Abfall"), dict(q="-Abfall"),
    dict(q="titel:Leitfaden"), dict(q="kommune:Alsfeld"), dict(q="Glasfaser OR Parkleitsystem"), dict(q="digital*"),
    dict(q="Ausschreibnug"), dict(q="Parkplatz Zebrastreifen"), dict(q="Zebrastreifen", statuses=("all",)),
    dict(q="", topic=("mobilitaet-verkehr",)), dict(q="", size_class=("kleinstadt",), year_from=2021),
    dict(q="Verwaltung", municipality=("fulda",)), dict(q="", year_from=2019, year_to=2019),
    dict(q="Buergerbeteiligung"), dict(q="GROESSE", sort="title"),
    dict(q='"Netz der Stadtwerke"'), dict(q='titel:"Netz der Stadtwerke" OR "Sensoren Pegelmessung"'),
    dict(q='"Anwohner des Flusses wird" OR "warnt das"'),
]


@pytest.mark.slow
def test_the_same_answers_as_whoosh(template_database, postgres_url, tmp_path_factory, monkeypatch):
    """On the contract's corpus both engines find the same documents, with the same totals, the
    same facet counts, the same corrections and hints, for every kind of query."""
    from search_factories import CORPUS, PHRASE_CORPUS, ingest_specs, make_app

    whoosh_tmp = tmp_path_factory.mktemp("parity-whoosh")
    whoosh = make_app(whoosh_tmp, template_database)
    with whoosh.app_context():
        search.ensure_index()
    whoosh_ids = ingest_specs(whoosh, CORPUS + PHRASE_CORPUS, whoosh_tmp / "files")

    pg_tmp = tmp_path_factory.mktemp("parity-pg")
    fixture = pg_search_app.__wrapped__(postgres_url, pg_tmp, monkeypatch)
    postgres = next(fixture)
    try:
        pg_ids = ingest_specs(postgres, CORPUS + PHRASE_CORPUS, pg_tmp / "files")
        key_of = {"whoosh": {v: k for k, v in whoosh_ids.items()}, "pg": {v: k for k, v in pg_ids.items()}}

        def answer(app, name, spec):
            with app.app_context():
                results = search.search(SearchQuery(per_page=100, **spec))
                return (results.total, sorted(key_of[name][hit.document_id] for hit in results.hits),
                        {facet: [(v.value, v.count, v.selected) for v in values]
                         for facet, values in results.facets.items() if facet != "project"},
                        results.query_used, results.corrected_from, results.suggestion, results.widened)

        for spec in PARITY_QUERIES:
            assert answer(postgres, "pg", spec) == answer(whoosh, "whoosh", spec), spec
    finally:
        fixture.close()
        with whoosh.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_phrase_deep_inside_a_long_text_is_found(pg_search_app):
    """PostgreSQL keeps 256 positions per word and positions up to 16 383; a long body's positions
    go in parts, so a phrase after 20 000 words and the 600th "die" is still found, and only there."""
    filler = "Die Verwaltung prüft die Anträge und die Fristen der Förderung. " * 2000
    long_id = make_document(pg_search_app, title="Haushaltsplan",
                            text=filler + "Am Ende steht ein Konzept für die Digitalisierung der Schulen.").id
    short_id = make_document(pg_search_app, title="Kurz", text="Ein Konzept für die Digitalisierung.").id
    with pg_search_app.app_context():
        assert sorted(_found('"Konzept für die Digitalisierung"')) == sorted([long_id, short_id])
        assert _found('"Digitalisierung für die Konzept"') == []
        assert _found('"Fristen der Förderung Die Verwaltung"') == [long_id]
        assert _found('"Anträge der Fristen"') == []


def test_a_body_without_room_for_its_pairs_finds_phrases_over_positions(pg_search_app, monkeypatch):
    """An entry too large for its body's pairs keeps the positions instead (``np:body``): the
    same phrases match there as in an entry with pairs, and no others."""
    from toolbox.search import _pg_entries

    text = ("Der Pegel des Flusses wird täglich gemessen und protokolliert. " * 450
            + "Am Ende warnt das Hochwasserportal die Anwohner des Flusses rechtzeitig.")
    huge_id = make_document(pg_search_app, title="Pegelbericht", text=text).id
    with pg_search_app.app_context():
        backend = search.current_backend()
        record = backend.source.records([huge_id])[huge_id]
        literal, _words = _pg_entries.tsvector_literal(record)
        monkeypatch.setattr(_pg_entries, "MAX_VECTOR_CHARS", len(literal) - 1)
        assert backend.index_documents([record]) == 1
        unpaired = db.session.execute(sa.text(
            "SELECT document_id FROM search_entries WHERE tsv @@ CAST(:q AS tsquery)"), {"q": "'np:body'"})
        assert [row[0] for row in unpaired] == [huge_id]
        assert _found('"Hochwasserportal die Anwohner"') == [huge_id]
        assert _found('"warnt das"') == [huge_id]
        assert _found('"Pegel des Flusses"') == [huge_id]
        assert _found('"Anwohner des Flusses wird"') == []
        assert _found('"das warnt"') == []
        assert _found('titel:"Pegelbericht"') == [huge_id]
