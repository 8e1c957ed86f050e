"""bench/search.py at a tiny size: the benchmark still runs end to end and compares like with like.

Latency is the benchmark's business (figures in the README); these tests only hold that the
script works, that its Zipf corpus is deterministic with the selectivity it promises, and that
the engine and the FTS5 reference get the same queries.
"""
from __future__ import annotations

import gc

import pytest

from bench import search as bench


def test_zipf_corpus_is_real_german_and_deterministic():
    corpus = bench.ZipfCorpus()
    assert corpus.text(7) == bench.ZipfCorpus().text(7)
    assert corpus.text(7) != corpus.text(8)
    vocabulary = bench.german_vocabulary()
    assert {"und", "Gemeinde", "Daten"} <= set(vocabulary[:200])
    title, description, text = corpus.text(3)
    assert len(text.split()) == corpus.words_per_doc
    # Query words each in a fifth to a third of the documents: two together in about 5–10 %.
    band = corpus.pair_words(10_000)
    assert len(band) >= 60
    shares = [corpus.document_share(a) * corpus.document_share(b) for a, b in zip(band, band[1:])]
    assert 0.04 <= sum(shares) / len(shares) <= 0.12


def test_every_class_has_distinct_queries_for_both_sides():
    corpus = bench.ZipfCorpus()
    queries = bench.make_queries(corpus, 500, 12, ["a", "b", "c"], ["x", "y"])
    for kind in bench.ALL_KINDS:
        specs = queries[kind]
        assert len(specs) == 12, kind
    assert all(spec["phrase"] for spec in queries["phrase"])
    assert bench.query_text(queries["prefix"][0]).endswith("*")
    assert " -" in bench.query_text(queries["exclusion"][0])
    assert bench.Fts5._match(queries["exclusion"][0]).count(" NOT ") == 1
    assert bench.query_params(queries["browse: one filter"][0]) == [("topic", "a")]
    assert bench.goal_for(10_000) == 1.0 and bench.goal_for(50_000) == 1.5


@pytest.mark.slow
def test_a_tiny_run_measures_every_class_in_process_and_through_the_api(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "CACHE_ROOT", tmp_path / "cache")
    try:
        result = bench.measure(size=80, queries=3, corpus_name="zipf", api=True)
    finally:
        gc.unfreeze()  # the start-up as served froze this test process's objects
    assert result["start_up_seconds"] > 0
    for key in ("engine", "fts5", "api_engine", "api_fts5"):
        assert set(result[key]) == set(bench.KINDS), key
        for kind, figures in result[key].items():
            assert figures["n"] == 3 and 0 < figures["p50"] <= figures["p95"], (key, kind)
    # Both sides browse the same topic: the same documents.
    browse = "browse: one filter"
    assert result["engine"][browse]["mean_hits"] == result["fts5"][browse]["mean_hits"] > 0
    assert result["api_engine"][browse]["mean_hits"] == result["api_fts5"][browse]["mean_hits"]
    assert result["build"]["indexed"] == 80
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith("run-")] == []


def _answers(app, specs: dict) -> dict:
    """Every query's total, hit ids in order and facet counts, as the engine gives them."""
    from toolbox import search
    from toolbox.extensions import db

    answers = {}
    with app.app_context():
        for kind, queries in specs.items():
            for n, spec in enumerate(queries):
                results = search.search(bench._search_query(spec))
                answers[kind, n] = (results.total, [hit.document_id for hit in results.hits],
                                    {facet: [(v.value, v.count) for v in values]
                                     for facet, values in results.facets.items()})
                db.session.remove()
    return answers


def _queries(app, size: int) -> dict:
    from sqlalchemy import select

    from toolbox.extensions import db
    from toolbox.models import SizeClass, Topic

    with app.app_context():
        topics = [t.slug for t in db.session.scalars(select(Topic).order_by(Topic.position))]
        classes = [c.slug for c in db.session.scalars(select(SizeClass).order_by(SizeClass.position))]
        db.session.remove()
    return bench.make_queries(bench.ZipfCorpus(), size, 4, topics, classes)


def _dispose(*apps) -> None:
    from toolbox.extensions import db

    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.slow
def test_the_fast_whoosh_build_gives_the_index_reindex_gives(tmp_path, capsys):
    """The build's large postings pool must not change a single answer: a plain ``reindex()``
    and the benchmark's build of the same 500 documents (two workers each, as at 10 000)
    answer every query class with the same totals, hits in the same order and facet counts."""
    from toolbox import search
    from toolbox.services.database import prepare_database

    url = f"sqlite:///{tmp_path / 'toolbox.sqlite3'}"
    plain, fast = bench._app(url, tmp_path / "plain", "whoosh"), bench._app(url, tmp_path / "fast", "whoosh")
    for app in (plain, fast):
        app.config.update(TOOLBOX_INDEX_WORKERS=2, TOOLBOX_INDEX_PARALLEL_MIN=100)
    try:
        prepare_database(plain)
        bench.build_database(plain, 500, bench.ZipfCorpus(), tmp_path / "fts.sqlite3")
        with plain.app_context():
            assert search.reindex() == 500
        assert bench.index_repository(fast, url, tmp_path / "fast", "whoosh", 500) == 500
        assert "500 / 500 documents handed to the index" in capsys.readouterr().err
        specs = _queries(plain, 500)
        expected = _answers(plain, specs)
        assert sum(total for total, _hits, _facets in expected.values()) > 0
        assert _answers(fast, specs) == expected
        segments = [sorted(p.name for p in (tmp_path / name / "index").rglob("*.seg")) for name in ("plain", "fast")]
        assert len(segments[0]) == len(segments[1]) == 2
    finally:
        _dispose(plain, fast)


@pytest.mark.slow
def test_the_parallel_postgresql_build_writes_the_entries_rebuild_writes(pg_app, tmp_path, capsys):
    """The entries written by the benchmark's processes are those of ``rebuild()``: the same rows
    (fingerprints and vectors), the format marked current, the same answers."""
    import sqlalchemy as sa

    from toolbox import search
    from toolbox.extensions import db

    with pg_app.app_context():  # the fixture's fresh, migrated database, on the PostgreSQL backend
        url = db.engine.url.render_as_string(hide_password=False)
    app = bench._app(url, tmp_path / "pg", "postgresql")
    try:
        bench.build_database(app, 120, bench.ZipfCorpus(), tmp_path / "fts.sqlite3")
        entries = sa.text("SELECT document_id, fingerprint, tsv::text, words FROM search_entries "
                          "ORDER BY document_id")
        specs = _queries(app, 120)
        with app.app_context():
            assert search.reindex() == 120
            expected = db.session.execute(entries).all()
            db.session.remove()
        expected_answers = _answers(app, specs)
        assert sum(total for total, _hits, _facets in expected_answers.values()) > 0
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(sa.text("DELETE FROM search_entries"))
                connection.execute(sa.text("DELETE FROM search_state"))
            assert search.index_state() == "missing"
        assert bench.index_repository(app, url, tmp_path / "pg", "postgresql", 120) == 120
        assert "120 / 120 documents handed to the index" in capsys.readouterr().err
        with app.app_context():
            assert db.session.execute(entries).all() == expected
            assert search.index_state() == "ok"
            db.session.remove()
        assert _answers(app, specs) == expected_answers
    finally:
        _dispose(app)


@pytest.mark.postgres
def test_a_cached_postgresql_repository_is_copied_with_planner_statistics(postgres_url, tmp_path):
    """The copies a benchmark runs on are made before autovacuum visits the freshly built
    template: the template is analysed once built, so that every copy plans with statistics."""
    import uuid

    import sqlalchemy as sa

    from bench.pg_template import copy_of_template, drop_template

    template = f"toolbox_bench_test_{uuid.uuid4().hex[:12]}"

    def build(url: str) -> None:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE versions (id integer PRIMARY KEY, document_id integer)"))
            conn.execute(sa.text("INSERT INTO versions SELECT n, n FROM generate_series(1, 5000) AS n"))
        engine.dispose()

    copy_url, drop = copy_of_template(postgres_url, template, tmp_path / "cached", build,
                                      run_prefix="toolbox_bench_test_run", log=lambda message: None)
    try:
        engine = sa.create_engine(copy_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'versions'")).scalar() == 5000
        engine.dispose()
    finally:
        drop()
        drop_template(postgres_url, template)
