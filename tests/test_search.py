"""The search core: German analysis, query language, sorts, pages, facets, snippets, upkeep.

Most tests read one generated German corpus (``search_factories.CORPUS``), ingested once per
module through the real ingest service; tests that change documents or the index use the
per-test ``app`` fixture instead.
"""
from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from werkzeug.datastructures import MultiDict

from toolbox import search
from toolbox.cli import cli
from toolbox.extensions import db
from toolbox.models import Document, IndexQueue
from toolbox.search import SearchQuery

from search_factories import CORPUS, FUNKNETZ_PAGES, ingest_specs, make_app


# --- the shared corpus ----------------------------------------------------------------------


class Corpus:
    def __init__(self, app, ids: dict[str, int]):
        self.app = app
        self.ids = ids
        self.keys = {document_id: key for key, document_id in ids.items()}

    def run(self, q: str = "", **kwargs) -> search.SearchResults:
        kwargs.setdefault("per_page", 100)
        return search.search(SearchQuery(q=q, **kwargs))

    def keys_of(self, results: search.SearchResults) -> list[str]:
        return [self.keys[hit.document_id] for hit in results.hits]

    def found(self, q: str = "", **kwargs) -> set[str]:
        return set(self.keys_of(self.run(q, **kwargs)))


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory, template_database):
    tmp = tmp_path_factory.mktemp("search-corpus")
    app = make_app(tmp, template_database)
    with app.app_context():
        search.ensure_index()
    ids = ingest_specs(app, CORPUS, tmp / "files")
    yield Corpus(app, ids)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def corpus(corpus_app):
    with corpus_app.app.app_context():
        yield corpus_app
        db.session.remove()


PUBLISHED = {spec.key for spec in CORPUS if spec.publish}


# --- German analysis ------------------------------------------------------------------------


@pytest.mark.parametrize("q, expected", [
    ("Ausschreibung", {"tender_plural", "tender_singular"}),
    ("Ausschreibungen", {"tender_plural", "tender_singular"}),
    ("Stadtgebiete", {"tender_singular"}),
])
def test_inflected_forms_find_each_other(corpus, q, expected):
    """Singular and plural forms find each other (German stemming)."""
    assert corpus.found(q) == expected


@pytest.mark.parametrize("q, expected", [
    ("Buergerbeteiligung", {"umlauts"}),
    ("Bürgerbeteiligung", {"umlauts"}),
    ("Strasse", {"umlauts", "typed"}),
    ("Straße", {"umlauts", "typed"}),
    ("Bürger", {"typed"}),
    ("Größe", {"umlauts", "typed"}),
    ("GROESSE", {"umlauts", "typed"}),
    ("über", set()),  # a stop word alone still searches, finds "ueber" and "über" alike
])
def test_umlauts_and_typed_transliterations_match_both_ways(corpus, q, expected):
    """ä/ae, ö/oe, ü/ue and ß/ss are one letter for the search, whichever side typed which."""
    found = corpus.found(q)
    if q == "über":
        assert "typed" in found
    else:
        assert found == expected


def test_compound_heads_find_compounds_ranked_below_exact_matches(corpus):
    """"Strategie" finds "Datenstrategie" and "Digitalisierungsstrategie", after the exact match."""
    results = corpus.run("Strategie")
    keys = corpus.keys_of(results)
    assert set(keys) == {"strategy_exact", "strategy_data", "strategy_digital"}
    assert keys[0] == "strategy_exact"
    scores = {corpus.keys[h.document_id]: h.score for h in results.hits}
    assert scores["strategy_exact"] > scores["strategy_data"]
    assert scores["strategy_exact"] > scores["strategy_digital"]


def test_compound_head_with_different_stem_inside_the_compound(corpus):
    """"Planung" finds "Verkehrsplanung", although the stemmer cuts the compound differently."""
    assert "traffic" in corpus.found("Planung")


def test_short_or_unrelated_endings_are_not_compounds(corpus):
    """A head needs four letters and a modifier three: "Daten" is not found inside "Datenstrategie"."""
    assert "strategy_data" not in corpus.found("Daten")
    assert "strategy_data" in corpus.found("daten*")


def test_compounds_are_highlighted(corpus):
    """The snippet marks the compound that matched."""
    hits = {corpus.keys[h.document_id]: h for h in corpus.run("Strategie").hits}
    assert "<mark>Datenstrategie</mark>" in hits["strategy_data"].highlights


# --- query language -------------------------------------------------------------------------


def test_all_words_must_match_by_default(corpus):
    """Two words find only documents containing both."""
    results = corpus.run("Konzept Digitalisierung")
    assert set(corpus.keys_of(results)) == {"phrase_exact", "phrase_other"}
    assert results.widened is False


def test_phrase_with_stop_words_matches_exactly_that_text(corpus):
    """"Konzept für die Digitalisierung" as a phrase skips "Konzept für eine Digitalisierung"."""
    results = corpus.run('"Konzept für die Digitalisierung"')
    assert corpus.keys_of(results) == ["phrase_exact"]
    assert "<mark>Konzept für die Digitalisierung</mark>" in results.hits[0].highlights
    assert corpus.keys_of(corpus.run('"Konzept für eine Digitalisierung"')) == ["phrase_other"]


def test_exclusion_removes_documents_with_the_word(corpus):
    """-Abfall removes the documents that contain "Abfall"."""
    assert "waste" in corpus.found("Konzept")
    found = corpus.found("Konzept -Abfall")
    assert "waste" not in found and {"phrase_exact", "phrase_other"} <= found
    assert "waste" not in corpus.found("Konzept NICHT Abfall")


def test_exclusion_alone_browses_everything_else(corpus):
    """A query of only exclusions returns every published document without the word."""
    assert corpus.found("-Abfall") == PUBLISHED - {"waste"}


def test_or_finds_either_word(corpus):
    """Glasfaser OR LoRaWAN finds documents with either word."""
    assert corpus.found("Glasfaser OR LoRaWAN") == {"fibre", "tender_singular"}
    assert corpus.found("(Glasfaser ODER LoRaWAN) Gewerbegebiet") == {"fibre"}


def test_prefix_search(corpus):
    """digital* finds every word starting with "digital", including the stemmed ones."""
    found = corpus.found("digital*")
    assert {"phrase_exact", "phrase_other", "strategy_digital", "parking_b"} <= found
    assert corpus.found("Digitalisierung*") >= {"phrase_exact", "phrase_other"}


@pytest.mark.parametrize("q", ["titel:Leitfaden", "title:Leitfaden", "TITEL:leitfaden"])
def test_field_search_in_titles(corpus, q):
    """titel:/title: searches only titles."""
    assert corpus.found(q) == {"guide_title"}
    assert {"guide_title", "guide_body", "umlauts"} <= corpus.found("Leitfaden")


def test_field_search_for_phrases_and_other_fields(corpus):
    """Field search works with phrases and the municipality and project fields."""
    assert corpus.found('titel:"Leitfaden Datenschutz"') == {"guide_title"}
    assert corpus.found("kommune:Alsfeld") == {"umlauts", "phrase_other", "station"}


def test_widening_to_any_word_when_nothing_matches_all(corpus):
    """No document has both words: the search falls back to any word and says so."""
    results = corpus.run("Glasfaser Telemedizin")
    assert results.widened is True
    assert set(corpus.keys_of(results)) == {"fibre", "doctors", "markup"}
    assert "OR" in results.query_used


def test_no_widening_when_all_words_match(corpus):
    """The fallback is not used when every word matched together."""
    results = corpus.run("Glasfaser Gewerbegebiet")
    assert results.widened is False and corpus.keys_of(results) == ["fibre"]


MALFORMED = [
    '"unbalanced quote', 'Konzept"', "(Konzept OR", "Konzept)", "-", "- -", "--Konzept", "title:", "titel: ",
    "*", "**", "?", "AND OR", "OR", "NOT", "AND", "Konzept AND", "OR Konzept", "[Konzept]", "{Konzept}",
    "Konzept~2", "Konzept^3", "\x00\x01Konzept\x7f", "a" * 10_000, "Konzept " * 500, ")))(((", '""', '"" ""',
    "title:title:title:", ":::", "Konzept:", "\ud800Konzept", "\u202eKonzept", "%00", "' OR 1=1 --",
    "<script>alert(1)</script>", "NOT NOT NOT", "(((((((((((Konzept)))))))))))", "-(-(-Konzept))",
]


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_queries_never_raise(corpus, q):
    """Broken syntax degrades to plain words instead of failing."""
    results = corpus.run(q)
    assert results.total >= 0
    search.matching_document_ids(SearchQuery(q=q))
    search.suggest(q)


def test_malformed_query_still_finds_its_words(corpus):
    """An unbalanced quote or parenthesis is ignored and the words are searched."""
    assert {"phrase_exact", "phrase_other"} <= corpus.found('"Konzept Digitalisierung')
    assert {"phrase_exact", "phrase_other"} <= corpus.found("(Konzept Digitalisierung")
    assert corpus.found("[Glasfaser]") == {"fibre"}


_TOKENS = ['"', "(", ")", "-", "*", ":", "~", "^", "[", "]", "{", "}", "OR", "AND", "NOT", "titel:", "title:",
           "Konzept", "Straße", "ä", "ß", "\x00", " "]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120),
    st.lists(st.sampled_from(_TOKENS), max_size=20).map("".join),
    st.lists(st.sampled_from(_TOKENS), max_size=20).map(" ".join),
))
def test_arbitrary_text_never_raises(corpus, q):
    """Whatever a user types, the search answers (hypothesis)."""
    results = corpus.run(q, per_page=5)
    assert results.total >= len(results.hits)


# --- visibility -----------------------------------------------------------------------------


def test_visitors_see_only_published_documents(corpus):
    """An unpublished document is found neither by its words nor by browsing."""
    assert corpus.found("Zebrastreifen") == set()
    assert "draft" not in corpus.found("")
    assert corpus.run("").total == len(PUBLISHED)
    assert not any("quokka" in s.lower() for s in search.suggest("Quok"))
    assert "draft" not in {corpus.keys[i] for i in search.matching_document_ids(SearchQuery(q="Zebrastreifen"))}


def test_editors_can_search_every_status(corpus):
    """With statuses given, unpublished documents are searchable too."""
    assert corpus.found("Zebrastreifen", statuses=("submitted",)) == {"draft"}
    assert corpus.found("Zebrastreifen", statuses=()) == {"draft"}
    assert corpus.found("Zebrastreifen", statuses=("all",)) == {"draft"}
    assert corpus.run("", statuses=()).total == len(CORPUS)


# --- sorting and pages ----------------------------------------------------------------------


def test_title_sort_follows_german_collation(corpus):
    """"Ärztehaus" sorts between "Abfall…" and "Bahnhof…", as in a German dictionary."""
    keys = corpus.keys_of(corpus.run("", sort="title"))
    assert keys.index("waste") < keys.index("doctors") < keys.index("station")
    assert keys == sorted(keys, key=lambda k: _german(next(s.title for s in CORPUS if s.key == k)))


def _german(text: str) -> str:
    return text.casefold().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")


def test_newest_sort_and_empty_query_relevance_mean_newest_first(corpus):
    """Newest first by publication; an empty query sorted by relevance is the same list."""
    with corpus.app.app_context():
        published = {d.id: d.published_at for d in db.session.scalars(select(Document))}
    newest = [h.document_id for h in corpus.run("", sort="newest").hits]
    assert newest == sorted(newest, key=lambda i: (published[i], i), reverse=True)
    browse = corpus.run("")
    assert [h.document_id for h in browse.hits] == newest
    assert browse.sort == "newest"


def test_relevance_sort_weighs_titles_above_body(corpus):
    """A word in the title ranks above the same word in the body only."""
    keys = corpus.keys_of(corpus.run("Leitfaden"))
    assert keys[0] == "guide_title"


def test_pagination_and_pages_beyond_the_end(corpus):
    """Pages partition the hits; a page beyond the end is empty but keeps the total."""
    everything = [h.document_id for h in corpus.run("", sort="title").hits]
    pages = []
    for page in range(1, 6):
        results = corpus.run("", sort="title", page=page, per_page=4)
        assert results.total == len(everything)
        pages.extend(h.document_id for h in results.hits)
    assert pages == everything
    beyond = corpus.run("", page=999, per_page=4)
    assert beyond.hits == [] and beyond.total == len(everything)
    relevance = [h.document_id for h in corpus.run("Konzept OR Strategie").hits]
    assert len(relevance) > 4
    paged = [h.document_id for p in range(1, len(relevance) // 2 + 2)
             for h in corpus.run("Konzept OR Strategie", page=p, per_page=2).hits]
    assert paged == relevance


def test_matching_document_ids_returns_all_hits_in_order(corpus):
    """The ZIP download gets every hit in the query's order, beyond the first page."""
    query = SearchQuery(q="", sort="title", per_page=2)
    assert search.matching_document_ids(query) == [h.document_id for h in corpus.run("", sort="title").hits]
    relevance = search.matching_document_ids(SearchQuery(q="Strategie"))
    assert [corpus.keys[i] for i in relevance][0] == "strategy_exact"


# --- filters and facets ---------------------------------------------------------------------


def test_filters_combine_with_and_and_values_with_or(corpus):
    """Different filters narrow; several values of one filter widen."""
    assert corpus.found(topic=("gesundheit-pflege",)) == {"doctors", "markup"}
    assert corpus.found(topic=("gesundheit-pflege", "umwelt-wasser")) == {"doctors", "markup", "waste"}
    assert corpus.found(topic=("gesundheit-pflege",), size_class=("grossstadt",)) == {"doctors"}
    assert corpus.found("Telemedizin", size_class=("landgemeinde",)) == {"markup"}
    assert corpus.found(municipality=("Fulda",)) == {
        "tender_plural", "strategy_exact", "fibre", "guide_title", "parking_a"}
    assert corpus.found(format=("docx",)) == {"tender_singular", "phrase_exact"}
    assert corpus.found(license=("cc0-1.0",)) == {"tender_singular", "waste"}
    assert corpus.found(year_from=2024) == {"strategy_digital", "doctors", "station"}
    assert corpus.found(year_from=2019, year_to=2019) == {"fibre"}
    assert corpus.found(size_class=("landkreis",)) == {"phrase_exact"}


def test_facets_list_counts_and_keep_selected_zero_values(corpus):
    """Facets count per value; a selected value without documents stays listed with 0."""
    results = corpus.run("", topic=("tourismus-kultur",))
    assert results.total == 0
    topics = {fv.value: fv for fv in results.facets["topic"]}
    assert topics["tourismus-kultur"].selected and topics["tourismus-kultur"].count == 0
    # Counts of the topic facet ignore the topic filter itself.
    assert topics["mobilitaet-verkehr"].count == 4
    assert set(results.facets) == {"topic", "size_class", "type", "format", "license", "year", "municipality",
                                   "state", "project", "accessibility"}
    everything = corpus.run("")
    years = {fv.value: fv.count for fv in everything.facets["year"]}
    assert years["2024"] == 3 and years["2019"] == 1
    counts = [fv.count for fv in everything.facets["size_class"]]
    assert counts == sorted(counts, reverse=True)


FACET_CHOICES = {
    "topic": ["infrastruktur-netze-iot", "daten-plattformen", "strategie-organisation", "mobilitaet-verkehr",
              "bildung-schule", "gesundheit-pflege", "unbekannt"],
    "size_class": ["mittelstadt", "grossstadt", "kleinstadt", "landgemeinde", "landkreis"],
    "type": ["konzept-strategie", "beispieldokument", "leistungsbeschreibung-ausschreibung", "datenschutz"],
    "format": ["txt", "docx", "pdf"],
    "license": ["cc-by-4.0", "cc0-1.0", "dl-de-by-2.0"],
    "municipality": ["Fulda", "Darmstadt", "Schlitz", "Landkreis Fulda", "Nirgendwo"],
    "state": ["Hessen", "Bayern"],
    "project": ["1", "999999"],
    "accessibility": ["barrierearm"],
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.sampled_from(["", "Konzept", "Digitalisierung OR Strategie", "Verwaltung", "-Konzept", "Parkplatz*"]),
    selection=st.fixed_dictionaries({name: st.lists(st.sampled_from(values), max_size=2, unique=True)
                                     for name, values in FACET_CHOICES.items()}),
    years=st.sampled_from([(None, None), (2022, None), (None, 2021), (2023, 2023)]),
)
def test_facet_counts_equal_the_totals_of_the_clicked_filters(corpus, q, selection, years):
    """Each facet count is exactly the total that selecting only that value in its facet returns."""
    base = SearchQuery(q=q, per_page=1, year_from=years[0], year_to=years[1],
                       **{name: tuple(values) for name, values in selection.items()})
    results = search.search(base)
    universe = dict(FACET_CHOICES, year=[str(y) for y in range(2018, 2026)])
    for facet, values in results.facets.items():
        listed = {fv.value: fv.count for fv in values}
        # Every listed value, and every possible value that is not listed (count 0).
        for value in sorted(set(listed) | set(universe[facet])):
            if facet == "year":
                clicked = dataclasses.replace(base, year_from=int(value), year_to=int(value))
            else:
                clicked = dataclasses.replace(base, **{facet: (value,)})
            assert search.search(clicked).total == listed.get(value, 0), (facet, value)
        if facet in selection:
            assert set(selection[facet]) <= {fv.value for fv in values if fv.selected}


# --- snippets, suggestions, autocomplete, similar documents ------------------------------------


def test_highlights_are_escaped_and_marked(corpus):
    """Snippets escape < > & of the text and wrap matches in <mark>."""
    hits = {corpus.keys[h.document_id]: h for h in corpus.run("Telemedizin").hits}
    snippet = hits["markup"].highlights
    assert "<mark>Telemedizin</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet
    assert "&amp;" in snippet and "&lt; Nutzen" in snippet


def test_highlight_falls_back_to_the_opening_text(corpus):
    """A hit matched only by its title shows the start of its text, escaped."""
    hits = {corpus.keys[h.document_id]: h for h in corpus.run("Sonderzeichen").hits}
    snippet = hits["markup"].highlights
    assert snippet.startswith("Vergleich: Kosten &lt; Nutzen") and "<mark>" not in snippet


def test_misspelt_word_is_corrected_and_the_literal_search_suggests(corpus):
    """A misspelt long word finds what the correct word finds (issue 16); searched literally,
    it finds nothing and gets "Meinten Sie …?" with the correction."""
    results = corpus.run("Digitalisirung")
    assert results.query_used == "Digitalisierung" and results.corrected_from == "Digitalisirung"
    assert results.suggestion is None
    assert corpus.found("Digitalisirung") == corpus.found("Digitalisierung") and results.total >= 2
    literal = corpus.run("Digitalisirung", literal=True)
    assert literal.total == 0 and literal.corrected_from is None
    assert literal.suggestion == "Digitalisierung"
    assert corpus.run("Digitalisierung").suggestion is None


def test_no_suggestion_from_unpublished_words(corpus):
    """A correction that only unpublished documents contain is not offered to visitors."""
    assert corpus.run("Zebrastreifn").suggestion is None


def test_autocomplete_from_terms_and_titles(corpus):
    """Suggestions complete the last word from frequent terms and offer matching titles."""
    suggestions = search.suggest("Digi")
    assert "Digitalisierung" in suggestions
    assert "Parkleitsystem Innenstadt" in search.suggest("Parkleit")
    assert search.suggest("") == []
    assert len(search.suggest("a", limit=3)) <= 3


def test_more_like_this_finds_the_similar_published_document(corpus):
    """Similar documents share telling words; the document itself and drafts are left out."""
    similar = search.more_like_this(corpus.ids["parking_a"], limit=3)
    assert similar[0] == corpus.ids["parking_b"]
    assert corpus.ids["parking_a"] not in similar
    assert corpus.ids["draft"] not in search.more_like_this(corpus.ids["parking_a"], limit=50)
    assert search.more_like_this(999_999) == []


# --- request parameters ---------------------------------------------------------------------


def test_from_params_parses_robustly():
    """Bad numbers fall back to defaults, lists are read, per_page is clamped, statuses ignored."""
    query = SearchQuery.from_params(MultiDict([
        ("q", " Konzept "), ("topic", "a"), ("topic", "b,c"), ("page", "x"), ("per_page", "1000"),
        ("year_from", "zwanzig"), ("year_to", "2023"), ("sort", "evil"), ("format", "PDF"), ("status", "all"),
        ("municipality", "Frankfurt am Main"),
    ]))
    assert query.q == "Konzept" and query.topic == ("a", "b", "c")
    assert query.page == 1 and query.per_page == 100 and query.year_from is None and query.year_to == 2023
    assert query.sort == "relevance" and query.format == ("pdf",) and query.statuses == ("published",)
    assert query.municipality == ("Frankfurt am Main",)
    assert SearchQuery.from_params({"per_page": "0", "page": "-3", "sort": "title"}).per_page == 1
    assert SearchQuery.from_params({"page": "-3"}).page == 1
    assert SearchQuery.from_params(MultiDict([("status", "all")]), allow_statuses=True).statuses == ()
    assert SearchQuery.from_params({}, allow_statuses=True).statuses == ("published",)


# --- keeping the index in step with the database ------------------------------------------------


def _find(q: str, **kwargs) -> list[int]:
    return [h.document_id for h in search.search(SearchQuery(q=q, statuses=(), **kwargs)).hits]


def test_queue_applies_edits_and_deletions_from_the_database(app, make_doc):
    """Queued documents are rewritten from the database; a vanished one leaves the index."""
    from toolbox.services.indexing import queue_document

    first = make_doc(title="Radwegekonzept", text="Radwege und Abstellanlagen")
    second = make_doc(title="Hochwasserschutz", text="Pegel und Sirenen")
    with app.app_context():
        assert _find("Radwegekonzept") == [first]
        db.session.execute(update(Document).where(Document.id == first).values(title="Fahrradstrategie"))
        queue_document(first)
        db.session.execute(delete(Document).where(Document.id == second))
        queue_document(second)
        db.session.commit()
        assert search.apply_index_queue() == 2
        assert _find("Fahrradstrategie") == [first]
        assert _find("Radwegekonzept") == []
        assert _find("Sirenen") == []
        assert db.session.scalar(select(IndexQueue.id).limit(1)) is None
        assert search.apply_index_queue() == 0
        assert search.check_index().ok


def test_status_changes_reach_the_index(app, make_doc):
    """Withdrawing a document through the queue hides it from visitors at once."""
    from toolbox.services.indexing import flush_index_queue, queue_document

    document_id = make_doc(title="Sensorik Wasserstand", text="Pegelmessung")
    with app.app_context():
        assert search.search(SearchQuery(q="Pegelmessung")).total == 1
        db.session.execute(update(Document).where(Document.id == document_id).values(status="withdrawn"))
        queue_document(document_id)
        db.session.commit()
        flush_index_queue()
        assert search.search(SearchQuery(q="Pegelmessung")).total == 0
        assert search.search(SearchQuery(q="Pegelmessung", statuses=("withdrawn",))).total == 1


def test_downloads_sort_reads_current_counts(app, make_doc):
    """Most downloaded first, with counts taken from the database as they are now."""
    from toolbox.services.documents import downloads_count

    a = make_doc(title="Eins", text="Gemeinsames Wort")
    b = make_doc(title="Zwei", text="Gemeinsames Wort")
    c = make_doc(title="Drei", text="Gemeinsames Wort")
    with app.app_context():
        downloads_count([b])
        downloads_count([b])
        downloads_count([c])
        assert [h.document_id for h in search.search(SearchQuery(q="Wort", sort="downloads")).hits] == [b, c, a]
        assert search.matching_document_ids(SearchQuery(sort="downloads")) == [b, c, a]


def _index_files(app) -> list[Path]:
    return [p for p in Path(app.config["TOOLBOX_INDEX_DIR"]).rglob("*") if p.is_file() and p.name != "write.lock"]


def test_deleted_index_is_rebuilt_at_start_up(app, make_doc):
    """Deleting the whole index directory loses nothing: start-up rebuilds it from the database."""
    ids = [make_doc(title=f"Dokument {n}", text=f"Stichwort{n} Rathaus") for n in range(3)]
    with app.app_context():
        shutil.rmtree(app.config["TOOLBOX_INDEX_DIR"])
        search.ensure_index()
        assert sorted(_find("Rathaus")) == sorted(ids)
        assert search.check_index().ok


@pytest.mark.parametrize("victim", ["all", "segments", "pointer", "toc"])
def test_corrupt_index_is_rebuilt_at_start_up(app, make_doc, victim):
    """Garbage in the index files is detected and the index rebuilt; every document is found again."""
    from toolbox.services.startup import repair_on_start

    ids = [make_doc(title=f"Dokument {n}", text=f"Marktplatz Stichwort{n}") for n in range(3)]
    files = _index_files(app)
    chosen = {
        "all": files,
        "segments": [p for p in files if p.suffix == ".seg"],
        "pointer": [p for p in files if p.name == "CURRENT"],
        "toc": [p for p in files if p.suffix == ".toc"],
    }[victim]
    assert chosen
    for path in chosen:
        path.write_bytes(b"\x00garbage\xff" * 64)
    repair_on_start(app)
    with app.app_context():
        assert sorted(_find("Marktplatz")) == sorted(ids)
        assert db.session.scalar(select(Document.id).where(Document.id == ids[0])) == ids[0]


def test_search_on_a_damaged_index_rebuilds_instead_of_failing(app, make_doc):
    """A search that meets a destroyed index rebuilds it and answers."""
    document_id = make_doc(title="Feuerwehrbedarfsplan", text="Einsatzfahrzeuge")
    with app.app_context():
        shutil.rmtree(app.config["TOOLBOX_INDEX_DIR"])
        assert _find("Einsatzfahrzeuge") == [document_id]


def test_outdated_schema_is_rebuilt(app, make_doc):
    """An index written for another schema version is rebuilt at start-up."""
    from toolbox.search import _store

    document_id = make_doc(title="Schema", text="Schemawechsel")
    with app.app_context():
        root = _store.index_root()
        outdated = _store.current_generation(root)
        (outdated / "toolbox-index.json").write_text('{"schema_version": 1}', encoding="utf-8")
        search.ensure_index()
        assert _store.current_generation(root) != outdated
        assert _find("Schemawechsel") == [document_id]


def _drop_entry(app, document_id: int) -> None:
    """Remove one entry behind the database's back (what a lost index commit looks like)."""
    from toolbox.search import _store

    root = _store.index_root()
    with _store.writer_lock(root), _store.index_writer(_store.open_live(root)) as writer:
        writer.delete_by_term("doc_id", document_id)


def test_check_index_reports_and_repairs_drift(app, make_doc):
    """Missing, stale and orphaned entries are reported and --repair fixes all three."""
    keep, lost, changed, gone = (make_doc(title=f"Drift {n}", text=f"Abweichung Wort{n}") for n in range(4))
    with app.app_context():
        _drop_entry(app, lost)
        db.session.execute(update(Document).where(Document.id == changed).values(title="Still geändert"))
        db.session.execute(delete(Document).where(Document.id == gone))
        db.session.commit()
        report = search.check_index()
        assert (report.missing, report.stale, report.orphaned) == ([lost], [changed], [gone])
        assert not report.ok
        repaired = search.check_index(repair=True)
        assert repaired.repaired
        assert search.check_index().ok
        assert sorted(_find("Abweichung")) == sorted([keep, lost, changed])
        assert _find("geändert") == [changed]


def test_cli_check_index_exit_codes_and_reindex(app, runner, make_doc):
    """check-index exits 1 on unrepaired drift and 0 after --repair; reindex prints its count."""
    first = make_doc(title="Kommando", text="Zeilenbefehl")
    second = make_doc(title="Kommando zwei", text="Zeilenbefehl")
    with app.app_context():
        _drop_entry(app, second)
    result = runner.invoke(cli, ["check-index"])
    assert result.exit_code == 1, result.output
    assert f"Fehlend: 1 ({second})" in result.output
    result = runner.invoke(cli, ["check-index", "--repair"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["check-index"])
    assert result.exit_code == 0 and "stimmen überein" in result.output
    result = runner.invoke(cli, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "2 Dokumente" in result.output
    with app.app_context():
        assert sorted(_find("Zeilenbefehl")) == sorted([first, second])


def test_writer_cancels_and_reraises_on_error(app, make_doc):
    """A failing write leaves the index as it was, releases the lock and reaches the caller."""
    from toolbox.search import _store

    document_id = make_doc(title="Unverändert", text="Bestand")
    with app.app_context():
        root = _store.index_root()
        with pytest.raises(RuntimeError, match="boom"):
            with _store.writer_lock(root), _store.index_writer(_store.open_live(root)) as writer:
                writer.delete_by_term("doc_id", document_id)
                raise RuntimeError("boom")
        assert _find("Bestand") == [document_id]
        with _store.writer_lock(root, timeout=1):
            pass


def test_writers_wait_for_the_lock_instead_of_failing(app, make_doc):
    """While another writer holds the lock, an update waits and then succeeds (no LockError)."""
    from toolbox.search import _store
    from toolbox.services.indexing import queue_document

    document_id = make_doc(title="Warteschlange", text="Geduld")
    with app.app_context():
        root = _store.index_root()
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with _store.writer_lock(root):
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        held.wait(5)
        db.session.execute(update(Document).where(Document.id == document_id).values(title="Ausdauer"))
        queue_document(document_id)
        db.session.commit()
        threading.Timer(0.5, release.set).start()
        started = time.monotonic()
        assert search.apply_index_queue() == 1
        assert time.monotonic() - started >= 0.4
        holder.join()
        assert _find("Ausdauer") == [document_id]


def test_a_lock_held_too_long_leaves_updates_queued(app, make_doc):
    """Past the lock timeout the update stays queued (no error) and a later flush applies it."""
    from toolbox.search import _store
    from toolbox.services.indexing import queue_document

    document_id = make_doc(title="Zeitlimit", text="Frist")
    with app.app_context():
        app.config["TOOLBOX_INDEX_LOCK_TIMEOUT"] = 0.2
        db.session.execute(update(Document).where(Document.id == document_id).values(title="Verlängerung"))
        queue_document(document_id)
        db.session.commit()
        root = _store.index_root()
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with _store.writer_lock(root):
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        held.wait(5)
        try:
            assert search.apply_index_queue() == 0
        finally:
            release.set()
            holder.join()
        assert db.session.scalar(select(IndexQueue.document_id)) == document_id
        assert search.apply_index_queue() == 1
        assert _find("Verlängerung") == [document_id]


def test_searches_keep_working_during_a_rebuild(app, make_doc):
    """While reindex builds the new index, searches are answered from the old one."""
    ids = [make_doc(title=f"Umbau {n}", text="Baustelle") for n in range(3)]
    seen: list[int] = []
    with app.app_context():
        def during(done: int, total: int) -> None:
            if done == 0:
                seen.append(search.search(SearchQuery(q="Baustelle")).total)

        assert search.reindex(progress=during) == 3
        assert seen == [3]
        assert sorted(_find("Baustelle")) == sorted(ids)
        generations = [p for p in Path(app.config["TOOLBOX_INDEX_DIR"]).iterdir() if p.name.startswith("gen-")]
        assert len(generations) <= 2


# --- limits of the parallel rebuild and the caches ---------------------------------------------


def test_parallel_rebuild_finds_the_same_documents(app, make_doc):
    """A rebuild on several processes gives the same hits and facet counts as the serial one."""
    from toolbox.search import SearchQuery, check_index, reindex, search

    for n in range(6):
        make_doc(title=f"Ausschreibung Nummer {n}", text=f"Leistungsbeschreibung Straßenbeleuchtung Los {n}",
                 topics=["infrastruktur-netze-iot" if n % 2 else "energie-klimaschutz"])
    query = SearchQuery(q="Ausschreibungen Straßenbeleuchtung")
    with app.app_context():
        serial = search(query)
        app.config["TOOLBOX_INDEX_PARALLEL_MIN"] = 2
        app.config["TOOLBOX_INDEX_WORKERS"] = 2
        assert reindex() == 6
        parallel = search(query)
        assert check_index().ok
    assert parallel.total == serial.total == 6
    assert {h.document_id for h in parallel.hits} == {h.document_id for h in serial.hits}
    assert parallel.facets["topic"] == serial.facets["topic"]


def test_a_rebuild_sorts_postings_in_the_configured_memory(app, make_doc, monkeypatch):
    """``TOOLBOX_INDEX_MEMORY_MB`` is the postings pool of the rebuild's writer (Whoosh's own
    128 MB spills to disk every ~400 long documents); too little is raised to 16 MB."""
    from whoosh import writing

    from toolbox.search import reindex

    make_doc(title="Ausschreibung", text="Leistungsbeschreibung Straßenbeleuchtung")
    pools: list[int] = []
    original = writing.SegmentWriter.__init__

    def recording(self, ix, *args, **kwargs):
        pools.append(kwargs.get("limitmb", 128))
        original(self, ix, *args, **kwargs)

    monkeypatch.setattr(writing.SegmentWriter, "__init__", recording)
    with app.app_context():
        app.config["TOOLBOX_INDEX_MEMORY_MB"] = 300
        assert reindex() == 1
        assert pools[-1] == 300
        app.config["TOOLBOX_INDEX_MEMORY_MB"] = 1
        assert reindex() == 1
        assert pools[-1] == 16
        assert search.search(search.SearchQuery(q="Straßenbeleuchtung")).total == 1


def test_term_cache_holds_a_bounded_number_of_document_numbers():
    """Frequent words cannot make the posting cache grow past its budget of document numbers."""
    from toolbox.search._view import TermCache

    class Reader:
        def __contains__(self, key):
            return True

        def postings(self, fieldname, text):
            class Postings:
                def all_ids(self_inner):
                    return range(1000)
            return Postings()

    cache = TermCache(size=100, max_numbers=2500)
    for word in ("digitalisierung", "kommune", "daten", "strategie", "verwaltung"):
        assert len(cache.get(Reader(), "body", word)) == 1000
    assert cache._cache._held <= 2500
    assert len(cache._cache._entries) == 2


def test_term_weights_keep_the_terms_of_many_queries():
    """A word brings up to 40 compounds in three fields, mostly rare: the weights cache is bounded
    by the weights it holds, and its count of terms leaves room for the terms of many queries,
    so a query repeated after a few hundred others reuses its weights."""
    import numpy as np

    from toolbox.search._ranking import TermWeights, _Weights

    computed: list[str] = []

    class Counting(TermWeights):
        def _compute(self, reader, view, fieldname, text):
            computed.append(text)
            return _Weights(np.arange(3, dtype=np.int64), np.ones(3))

    weights = Counting()
    terms = [f"kompositum{n}" for n in range(5000)]
    for text in terms:
        weights.get(None, None, "body", text)
    weights.get(None, None, "body", terms[0])
    assert computed == terms


def test_relevance_scores_are_whooshs_bm25(corpus):
    """The vectorised scoring gives the BM25 weights of Whoosh's own scorer, boosts applied."""
    from whoosh import query as wq
    from whoosh.scoring import BM25F
    from whoosh.searching import Searcher

    from toolbox.search.analysis import term_for
    from toolbox.search._ranking import rank_by_relevance
    from toolbox.search._view import index_view

    terms = [term_for("Ausschreibung"), term_for("Daten")]
    with corpus.app.app_context():
        with search._store.searcher(search._store.index_root()) as searcher:
            reader, view = searcher.reader(), index_view(searcher)
            bm25 = Searcher(reader, weighting=BM25F(B=0.75, K1=1.2), closereader=False)
            expected: dict[int, float] = {}
            for fieldname, boost in (("body", 1.0), ("title", 4.0)):
                for term in terms:
                    for hit in bm25.search(wq.Term(fieldname, term), limit=None):
                        expected[hit.docnum] = expected.get(hit.docnum, 0.0) + boost * hit.score
            query = wq.Or([wq.Or([wq.Term("body", t) for t in terms]),
                           wq.Or([wq.Term("title", t) for t in terms], boost=4.0)])
            ranked = rank_by_relevance(query, reader, view, set(expected), None)
    assert len(ranked) >= 3
    assert {d for d, _ in ranked} == set(expected)
    for docnum, score in ranked:
        assert score == pytest.approx(expected[docnum], rel=1e-6)
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)


@pytest.fixture
def decode_log(monkeypatch):
    """``decode_log()`` starts recording the (field, term) of every posting list decoded from
    the index and returns the list it appends to."""
    from toolbox.search import _segments

    def start() -> list:
        decoded: list = []
        original = _segments._decode

        def recording(matcher):
            # Whoosh's matcher knows its (field, term); a deleted-entries filter wraps it.
            decoded.append(getattr(getattr(matcher, "child", matcher), "_term", None))
            return original(matcher)

        monkeypatch.setattr(_segments, "_decode", recording)
        return decoded

    return start


def test_scores_leave_out_replaced_index_entries(app, make_doc):
    """An update deletes a document's old entry; the scores skip it and still equal Whoosh's."""
    from whoosh import query as wq
    from whoosh.scoring import BM25F
    from whoosh.searching import Searcher

    from toolbox.search.analysis import term_for
    from toolbox.search._ranking import rank_by_relevance
    from toolbox.search._view import index_view
    from toolbox.search._segments import SEGMENTS
    from toolbox.services import indexing

    ids = [make_doc(title=f"Bericht {n}", text="Ausschreibung " * (n + 1) + "Vergabe der Leistungen.")
           for n in range(4)]
    with app.app_context():
        document = db.session.get(Document, ids[1])
        document.title = "Bericht über die Ausschreibung"
        indexing.queue_document(document.id)
        db.session.commit()
        indexing.flush_index_queue()
        term = term_for("Ausschreibung")
        with search._store.searcher(search._store.index_root()) as searcher:
            reader, view = searcher.reader(), index_view(searcher)
            assert reader.has_deletions()
            bm25 = Searcher(reader, weighting=BM25F(B=0.75, K1=1.2), closereader=False)
            expected = {hit.docnum: hit.score for hit in bm25.search(wq.Term("body", term), limit=None)}
            ranked = rank_by_relevance(wq.Term("body", term), reader, view, view.live, None)
            held, _ = SEGMENTS.term(reader, view.leaves, "body", term)
    assert len(held) == 4 and set(held.tolist()) <= view.live  # the replaced entry is left out
    assert {view.doc_ids[d] for d, _ in ranked} == set(ids)
    assert len(ranked) == len(expected) == 4
    for docnum, score in ranked:
        assert score == pytest.approx(expected[docnum], rel=1e-6)


def test_decoded_postings_outlive_an_index_commit(app, make_doc, decode_log):
    """A new upload starts a new index generation; postings of the untouched segments are
    not decoded again, and the new document is found next to the old ones."""
    from toolbox.search.analysis import term_for

    decoded = decode_log()
    first = make_doc(title="Glasfaserausbau", text="Breitband für alle Ortsteile")
    for n in range(10):
        make_doc(title=f"Sitzungsvorlage {n}", text="Beschluss des Gemeinderats")
    with app.app_context():
        search.reindex()  # one large segment, which Whoosh leaves alone when small ones are added
        assert [h.document_id for h in search.search(SearchQuery(q="Breitband")).hits] == [first]
    body_term = ("body", term_for("Breitband").encode("utf-8"))
    before = decoded.count(body_term)
    assert before == 1
    second = make_doc(title="Mobilfunk", text="Funklöcher schließen")
    with app.app_context():
        assert [h.document_id for h in search.search(SearchQuery(q="Breitband")).hits] == [first]
        assert decoded.count(body_term) == before  # the new segment lacks the word; the old one was cached
        assert [h.document_id for h in search.search(SearchQuery(q="Funklöcher")).hits] == [second]


def test_warming_decodes_the_largest_postings_first_within_its_budget(app, make_doc, decode_log):
    """After ``warm_up`` a query on the frequent words decodes nothing more, and the budget
    keeps the rarest terms out when it is too small for all of them."""
    from toolbox.search import _segments
    from toolbox.search.analysis import term_for

    for n in range(12):
        make_doc(title=f"Sitzungsvorlage {n}", text="Beschluss des Gemeinderats zur Ausschreibung")
    rare = make_doc(title="Glasfaserausbau", text="Breitband für alle Ortsteile")
    with app.app_context():
        search.reindex()
        _segments.SEGMENTS.clear()
        decoded = decode_log()
        small = search.warm_up(max_postings=40)
        assert 0 < small.postings <= 40
        with search._store.searcher(search._store.index_root()) as searcher:
            reader = searcher.reader()
            frequencies = [reader.doc_frequency(f, t) for f, t in decoded
                           if f in ("title", "description", "body", "project", "municipality")]
        assert frequencies[0] >= 12 and frequencies == sorted(frequencies, reverse=True)
        assert ("body", term_for("Breitband").encode("utf-8")) not in decoded  # the budget ran out first

        _segments.SEGMENTS.clear()
        decoded.clear()
        report = search.warm_up(max_postings=1_000_000)
        assert report.terms == len([f for f, _ in decoded if f in ("title", "description", "body", "project",
                                                                   "municipality")])
        assert report.postings > small.postings
        decoded.clear()
        hits = search.search(SearchQuery(q="Ausschreibung Gemeinderats")).hits
        assert len(hits) == 12 and decoded == []  # everything the query needs was warmed
        assert [h.document_id for h in search.search(SearchQuery(q="Breitband")).hits] == [rare]
        assert decoded == []


def test_warming_is_switched_off_by_a_zero_budget(app, make_doc, monkeypatch):
    """``TOOLBOX_SEARCH_WARM_POSTINGS=0`` leaves decoding to the first queries."""
    from toolbox.search import _segments
    from toolbox.services.startup import warm_search

    make_doc(title="Sitzungsvorlage", text="Beschluss des Gemeinderats")
    with app.app_context():
        search.reindex()
    _segments.SEGMENTS.clear()
    calls: list = []
    monkeypatch.setattr(_segments, "_decode", lambda matcher: calls.append(matcher))
    app.config["TOOLBOX_SEARCH_WARM_POSTINGS"] = 0
    warm_search(app)
    assert calls == []


def test_a_visitors_search_may_lag_another_processs_commit_by_the_refresh_interval(app, make_doc, monkeypatch):
    """Within ``max_age`` seconds of confirming its generation a process reuses its searcher
    without looking at the disk; a commit by another process (here: a writer that bypasses
    this process's bookkeeping) shows after that, and this process's own commits at once."""
    from whoosh import index as whoosh_index

    from toolbox.search import _store

    make_doc(title="Sitzungsvorlage", text="Beschluss des Gemeinderats")
    clock = [1000.0]
    monkeypatch.setattr(_store.time, "monotonic", lambda: clock[0])
    with app.app_context():
        root = _store.index_root()
        with _store.searcher(root, 5.0) as searcher:
            before = searcher.doc_count_all()
        foreign = whoosh_index.open_dir(str(_store.current_generation(root)))
        with foreign.writer() as writer:  # as another process would commit
            writer.add_document(doc_id=999_999, body="Fremder Eintrag")
        clock[0] += 4.0
        with _store.searcher(root, 5.0) as searcher:
            assert searcher.doc_count_all() == before  # still the confirmed generation
        with _store.searcher(root, 0.0) as searcher:
            assert searcher.doc_count_all() == before + 1  # no lag allowed: the disk decides
        clock[0] += 0.5
        with _store.searcher(root, 5.0) as searcher:
            assert searcher.doc_count_all() == before + 1  # confirmed again above

        own = make_doc(title="Glasfaserausbau", text="Breitband für alle Ortsteile")  # commits here
        with _store.searcher(root, 5.0) as searcher:
            assert searcher.doc_count_all() == before + 2
        assert [h.document_id for h in search.search(SearchQuery(q="Breitband")).hits] == [own]


def test_phrase_positions_read_by_block_equal_the_matchers(tmp_path):
    """Positions read straight from posting blocks (skipping blocks without a wanted document)
    are those Whoosh's matcher gives, over many blocks and with deleted entries."""
    import random

    from whoosh import index

    from toolbox.search.analysis import term_for
    from toolbox.search._schema import build_schema
    from toolbox.search._phrases import matcher_positions, position_keys

    ix = index.create_in(str(tmp_path), build_schema())
    rng = random.Random(5)
    words = ["Vergabe", "Kommune", "Netz", "Sensor", "und", "die"]
    with ix.writer() as writer:
        for n in range(700):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(3, 40)))
            writer.add_document(doc_id=n, body=body)
    with ix.writer() as writer:
        writer.delete_by_term("doc_id", 3)
        writer.add_document(doc_id=700, body="Kommune Netz Kommune")
    term = term_for("Kommune")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        live = sorted(reader.all_doc_ids())
        for sample in (live, rng.sample(live, 40), rng.sample(live, 3), [live[-1]]):
            docnums: list[int] = []
            positions: list[list[int]] = []
            for leaf, base in reader.leaf_readers():
                local = {d - base for d in sample if base <= d < base + leaf.doc_count_all()}
                if ("body", term) in leaf:
                    matcher_positions(leaf.postings("body", term), local, base, docnums, positions)
            expected = sorted((d << 32) | p for d, found in zip(docnums, positions) for p in found)
            found = position_keys(reader, "body", term, np.array(sorted(sample), dtype=np.int64))
            assert found.tolist() == expected
            assert len(expected) > 0
    ix.close()


def test_phrase_matches_equal_whooshs_own_phrase_query(tmp_path):
    """The array-based phrase check finds exactly the documents Whoosh's span matcher finds,
    for phrases with repeated words, over several segments and with deleted entries."""
    import random

    from whoosh import index
    from whoosh import query as wq

    from toolbox.search.analysis import term_for
    from toolbox.search._schema import build_schema
    from toolbox.search._phrases import phrase_docs

    ix = index.create_in(str(tmp_path), build_schema())
    rng = random.Random(11)
    words = ["Vergabe", "Kommune", "Netz", "Sensor", "Daten"]
    for segment in range(3):
        with ix.writer() as writer:
            for n in range(250):
                body = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
                writer.add_document(doc_id=segment * 1000 + n, body=body)
    with ix.writer() as writer:
        for n in range(0, 250, 7):
            writer.delete_by_term("doc_id", 1000 + n)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        live = set(reader.all_doc_ids())
        for _ in range(40):
            terms = [term_for(rng.choice(words)) for _ in range(rng.randint(2, 4))]
            expected = {hit.docnum for hit in searcher.search(wq.Phrase("body", terms), limit=None)}
            assert phrase_docs(reader, "body", terms, live) == expected, terms
    ix.close()


def test_compound_segment_files_are_read_in_place():
    """Files inside a compound segment are served from the memory map without a copy, and
    read like a file: sequential reads, lines, seeks from every origin."""
    from whoosh.filedb.structfile import BufferFile

    data = bytearray(b"Kopf\nZeile zwei\nEnde")
    file = BufferFile(memoryview(data))
    data[0:4] = b"KOPF"  # a copy would not see the change
    assert file.file.readline() == b"KOPF\n"
    assert file.read(5) == b"Zeile"
    file.seek(-4, 2)
    assert file.read() == b"Ende"
    file.seek(5)
    file.seek(6, 1)
    assert file.read(100) == b"zwei\nEnde"
    assert file.get(0, 4) == b"KOPF"


def test_snippets_come_from_the_current_version_and_the_description(app, make_doc):
    """The snippet source reads each document's newest version (never an older one's text) and
    its description; a document without a version gives empty texts."""
    from toolbox.models import FileVersion
    from toolbox.services.search_source import DatabaseSource

    document_id = make_doc(title="Fassungen", text="Erste Fassung des Konzepts", description="Kurzbeschreibung")
    with app.app_context():
        first = db.session.scalar(select(FileVersion).where(FileVersion.document_id == document_id))
        columns = {c.key: getattr(first, c.key) for c in FileVersion.__table__.columns if c.key != "id"}
        db.session.add(FileVersion(**{**columns, "number": 2, "text": "Zweite Fassung des Konzepts"}))
        db.session.commit()
        texts = DatabaseSource().snippet_texts([document_id, 999_999])
        assert dataclasses.astuple(texts[document_id]) == ("Zweite Fassung des Konzepts", "Kurzbeschreibung")
        assert dataclasses.astuple(texts[999_999]) == ("", "")


def test_snippets_leave_out_running_headers_and_merge_neighbouring_fragments(app, make_doc):
    """A snippet never repeats the running header or footer of the PDF's pages (both stay
    searchable), and fragments that meet are one fragment: no "… … …"."""
    document_id = make_doc(title="Ausschreibung Funknetz", fmt="pdf", pages=FUNKNETZ_PAGES)
    with app.app_context():
        for words in ("Gateways", "Gateways Wartung", "Gateways OR Vergütung"):
            (hit,) = search.search(SearchQuery(q=words)).hits
            assert hit.document_id == document_id
            assert "<mark>Gateways</mark>" in hit.highlights
            assert "Leistungsbeschreibung Funknetz" not in hit.highlights, words
            assert "Seite" not in hit.highlights, words
            assert "… …" not in hit.highlights, (words, hit.highlights)
        # Found by its header, but the header is no snippet: the page shows the text's opening.
        (hit,) = search.search(SearchQuery(q="Mücke")).hits
        assert hit.document_id == document_id
        assert "Mücke" not in hit.highlights and hit.highlights.startswith("Die Gemeinde schreibt")


def test_fragments_that_meet_are_joined_without_empty_ellipses():
    """Matches a little over a fragment apart give fragments whose contexts overlap: they are
    shown as one stretch of text, and "…" stands only where text is left out."""
    from toolbox.search.analysis import term_for
    from toolbox.search._highlight import highlight
    from toolbox.search._syntax import HighlightTerms

    filler = "und weitere Angaben zur Ausstattung der Standorte im Gemeindegebiet"
    text = " ".join(f"Gateway {n} {filler}." for n in range(1, 8)) + " Ende des Textes."
    marked = str(highlight(text, HighlightTerms(terms={term_for("Gateway")})))
    assert marked.count("<mark>Gateway</mark>") >= 3
    assert "… …" not in marked and "……" not in marked
    assert marked.startswith("Gateway") or marked.startswith("<mark>")
    assert marked.endswith("…")


@pytest.mark.parametrize("text", [
    "Die Fläche von 120 m² wird gereinigt; je m² Fläche fallen Kosten an. Gateways folgen.",
    "Messung in µg je m³ Luft, Gateway Nr. 3 und der 2ª Abschnitt der Straße.",
    "Eine ﬁnanzielle Förderung der Gateways, 250 m² Dachfläche.",
])
def test_the_quick_scan_marks_what_the_word_by_word_analysis_marks(text):
    """Texts with letters such as ², µ or ª (common in real documents) are scanned the quick way
    (``_spotted_matches``) and marked exactly as the analysis of every word marks them; a
    ligature that unfolds to two letters still takes the word-by-word way."""
    from toolbox.search import _highlight
    from toolbox.search.analysis import term_for
    from toolbox.search._syntax import HighlightTerms

    for words in (["m2"], ["Fläche", "Gateway"], ["µg", "Luft"], ["Förderung"]):
        wanted = HighlightTerms(terms={term_for(w) for w in words}, prefixes=set(), phrases=[])
        spotter = _highlight._spotter(wanted)
        folded = _highlight._spot_text(text)
        slow = _highlight._all_matches(text, wanted)
        if "ﬁ" in text:
            assert folded is None
            continue
        assert folded is not None and len(folded) == len(text)
        assert _highlight._spotted_matches(text, folded, wanted, spotter) == slow, words
    assert "<mark>m²</mark>" in str(_highlight.highlight(text, HighlightTerms(terms={"m2"}))) or "m²" not in text


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, template_database):
    """The demo corpus (``toolbox demo``), ingested and published through the real services."""
    from toolbox.services.demo import demo_ingest_items
    from toolbox.services.ingest import ingest_files

    app = make_app(tmp_path_factory.mktemp("search-demo"), template_database)
    with app.app_context():
        search.ensure_index()
        with demo_ingest_items() as items:
            outcomes = ingest_files(items, publish=True)
        assert all(outcome.status == "ingested" for outcome in outcomes)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _demo_titles(app) -> dict[str, int]:
    with app.app_context():
        return {title: document_id for document_id, title in db.session.execute(select(Document.id, Document.title))}


LORAWAN_TENDER = "Leistungsbeschreibung: Aufbau und Betrieb eines kommunalen LoRaWAN-Netzes"
ABOUT_THE_NETWORK = {
    "Betriebskonzept für das LoRaWAN-Netz der Gemeinde",
    "Muster-Dienstleistungsvertrag für den Betrieb eines IoT-Funknetzes",
    "Ausschreibung Breitbandausbau: Glasfaseranbindung von Gewerbegebieten im Betreibermodell",
    "Konzept für ein kommunales Hochwasser- und Starkregen-Frühwarnsystem",
    "Förderantrag „Smarte Modellregion Mittleres Fuldatal“",
    "Abschlussbericht der Smarten Modellregion Mittleres Fuldatal",
}


def test_similar_documents_of_the_lorawan_tender_are_about_the_network(demo_app):
    """In the demo corpus the LoRaWAN tender is like its operating concept and its service
    contract, never like the heat-planning funding application or the accessibility checklist."""
    from toolbox.services.search_view import similar_documents

    ids = _demo_titles(demo_app)
    titles = {document_id: title for title, document_id in ids.items()}
    with demo_app.app_context():
        similar = [titles[i] for i in search.more_like_this(ids[LORAWAN_TENDER], limit=8)]
        assert similar and set(similar) <= ABOUT_THE_NETWORK, similar
        assert similar[0] == "Betriebskonzept für das LoRaWAN-Netz der Gemeinde"
        shown = [d.title for d in similar_documents(db.session.get(Document, ids[LORAWAN_TENDER]), limit=5)]
        assert not [t for t in shown if "Wärmeplanung" in t or "Barrierefreiheit" in t], shown


def test_a_document_like_no_other_shows_no_similar_documents(demo_app):
    """Telemedicine in home care shares no topic and few words with the rest of the demo corpus:
    its page lists no "Ähnliche Dokumente" rather than whatever scored highest."""
    ids = _demo_titles(demo_app)
    telemedicine = ids["Konzept Telemedizin in der ambulanten Pflege im ländlichen Raum"]
    with demo_app.app_context():
        assert search.more_like_this(telemedicine, limit=5) == []
    page = demo_app.test_client().get(f"/documents/{telemedicine}").get_data(as_text=True)
    assert "Ähnliche Dokumente" not in page
