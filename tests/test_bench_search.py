"""bench/search.py at a tiny size: the benchmark still runs end to end and compares like with like.

Latency is the benchmark's business (figures in the README); these tests only hold that the
script works, that its Zipf corpus is deterministic with the selectivity it promises, and that
the engine and the FTS5 reference get the same queries.
"""
from __future__ import annotations

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
    result = bench.measure(size=80, queries=3, corpus_name="zipf", api=True)
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
