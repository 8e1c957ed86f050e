"""The search page: form, facets without JavaScript, chips, pagination, escaping, empty states."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from toolbox.services import search_view


@pytest.fixture
def corpus(make_doc):
    return {
        "strategie_mittel": make_doc(title="Datenstrategie Musterstadt", text="Die Datenstrategie regelt offene Daten.",
                                     topics=["daten-plattformen"], municipality="Musterstadt", population=50_000,
                                     type="konzept-strategie", year=2022),
        "plattform_land": make_doc(title="Datenplattform Kleindorf", text="Eine urbane Datenplattform auf dem Land.",
                                   topics=["daten-plattformen"], municipality="Kleindorf", population=3_000,
                                   year=2021),
        "mobil_mittel": make_doc(title="Mobilitätskonzept Musterstadt", text="Busse, Räder und Carsharing.",
                                 topics=["mobilitaet-verkehr"], municipality="Musterstadt", year=2020),
    }


class _Page(HTMLParser):
    """Collects what the tests look at: headings, links, checkboxes, labels."""

    def __init__(self, html: str):
        super().__init__()
        self.h1 = 0
        self.links: list[tuple[dict, str]] = []
        self.inputs: list[dict] = []
        self.labels_for: set[str] = set()
        self.scripts: list[dict] = []
        self._link: dict | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "a":
            self._link, self._text = attrs, []
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "label" and "for" in attrs:
            self.labels_for.add(attrs["for"])
        elif tag == "script":
            self.scripts.append(attrs)

    def handle_data(self, data):
        if self._link is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link, " ".join("".join(self._text).split())))
            self._link = None

    def link(self, text: str) -> str:
        return next(a["href"] for a, t in self.links if text in t)

    def checkbox(self, name: str, value: str) -> dict:
        return next(i for i in self.inputs if i.get("type") == "checkbox" and i.get("name") == name
                    and i.get("value") == value)


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    return html, _Page(html)


def _hit_titles(html: str) -> list[str]:
    section = html.split('class="document-list search-hits"', 1)
    if len(section) < 2:
        return []
    return re.findall(r'<h3[^>]*><a href="/documents/\d+(?:\?back=[^"]*)?">([^<]+)</a></h3>', section[1])


def test_search_shows_hits_count_and_title(client, corpus):
    """A word search lists its hits with the count in the page and in the title."""
    html, page = _get(client, "/search?q=Datenstrategie")
    assert _hit_titles(html) == ["Datenstrategie Musterstadt"]
    assert "1 Treffer" in html
    assert "<title>Suche: Datenstrategie – 1 Treffer – Smart Region Toolbox</title>" in html
    assert page.h1 == 1
    assert "Konzept/<wbr>Strategie" in html and "Musterstadt, Mittelstadt" in html and "2022" in html


def test_empty_query_browses_every_published_document(client, corpus, make_doc):
    """/search without words lists every published document, and no unpublished one."""
    make_doc(title="Noch nicht freigegeben", publish=False)
    html, _ = _get(client, "/search")
    assert sorted(_hit_titles(html)) == sorted(["Datenstrategie Musterstadt", "Datenplattform Kleindorf",
                                                "Mobilitätskonzept Musterstadt"])
    assert "3 Treffer" in html


def test_facet_checkbox_submit_narrows_and_counts_are_shown(client, corpus):
    """Ticking a facet and submitting the filter form (no JavaScript) narrows the hits; counts stand beside."""
    html, page = _get(client, "/search")
    box = page.checkbox("topic", "daten-plattformen")
    assert box["id"] in page.labels_for
    assert re.search(r"Daten &amp; Plattformen <span class=\"count\">\(2\)</span>", html)
    assert re.search(r"Mobilität &amp; Verkehr <span class=\"count\">\(1\)</span>", html)
    assert "Filter anwenden" in html
    html, page = _get(client, "/search?topic=daten-plattformen")
    assert sorted(_hit_titles(html)) == ["Datenplattform Kleindorf", "Datenstrategie Musterstadt"]
    assert "checked" in str(page.checkbox("topic", "daten-plattformen"))
    html, _ = _get(client, "/search?topic=daten-plattformen&size_class=mittelstadt")
    assert _hit_titles(html) == ["Datenstrategie Musterstadt"]


def test_selected_option_without_hits_stays_visible(client, corpus):
    """A selected option whose count dropped to zero is still shown, checked, so it can be unticked."""
    html, page = _get(client, "/search?topic=bildung-schule")
    box = page.checkbox("topic", "bildung-schule")
    assert "checked" in box
    assert "0 Treffer" in html
    assert re.search(r"Bildung &amp; Schule <span class=\"count\">\(0\)</span>", html)


def test_chips_remove_one_filter_each(client, corpus):
    """Each active filter is a chip; following it drops only that filter."""
    html, page = _get(client, "/search?q=Musterstadt&topic=daten-plattformen&topic=mobilitaet-verkehr&size_class=mittelstadt")
    remove_topic = page.link("Filter entfernen: Daten & Plattformen")
    params = parse_qsl(urlsplit(remove_topic).query)
    assert ("topic", "daten-plattformen") not in params
    assert ("topic", "mobilitaet-verkehr") in params and ("size_class", "mittelstadt") in params
    assert ("q", "Musterstadt") in params
    html, _ = _get(client, remove_topic)
    assert _hit_titles(html) == ["Mobilitätskonzept Musterstadt"]
    assert "Alle Filter entfernen" in html


def test_year_facet_and_range(client, corpus):
    """A year link narrows to that year; the range fields filter from–to."""
    html, page = _get(client, "/search")
    year_link = page.link("2021")
    html, _ = _get(client, year_link)
    assert _hit_titles(html) == ["Datenplattform Kleindorf"]
    html, _ = _get(client, "/search?year_from=2021&year_to=2022")
    assert len(_hit_titles(html)) == 2
    assert "ab 2021" in html and "bis 2022" in html


def test_pagination(client, make_doc):
    """25 hits at 10 per page make three pages with a labelled nav and the current page marked."""
    for n in range(25):
        make_doc(title=f"Breitbandausbau Abschnitt {n:02d}", text="Breitbandausbau im Landkreis.",
                 topics=["infrastruktur-netze-iot"])
    html, page = _get(client, "/search?q=Breitbandausbau&per_page=10&sort=title")
    assert "25 Treffer" in html
    assert re.search(r'<nav class="pagination" aria-label="[^"]+">', html)
    assert re.search(r'aria-current="page"><span class="visually-hidden">Seite </span>1</a>', html)
    assert _hit_titles(html)[0] == "Breitbandausbau Abschnitt 00"
    page3 = next(a["href"] for a, t in page.links if t == "Seite 3")
    assert ("per_page", "10") in parse_qsl(urlsplit(page3).query)
    html, _ = _get(client, page3)
    assert _hit_titles(html) == [f"Breitbandausbau Abschnitt {n}" for n in range(20, 25)]
    assert 'rel="prev"' in html and 'rel="next"' not in html


MALFORMED = [
    'q="offene Daten', "q=(((", "q=titel:", "q=AND OR NOT", "q=-", "q=*", "q=%00%01", "page=abc",
    "page=-3", "page=999999999999", "per_page=0", "per_page=100000", "sort=DROP+TABLE", "year_from=zwanzig",
    "year_to=-1", "topic=gibt-es-nicht", "format=", "q=" + "x" * 5000, "topic=a&topic=a&topic=",
]


def test_malformed_parameters_still_give_a_page(client, corpus):
    """Broken queries and parameters never cause an error page."""
    # One corpus for all cases: building it per case would cost a second each.
    for query in MALFORMED:
        # Duplicate or merged filter values may first redirect to the canonical URL.
        response = client.get(f"/search?{query}", follow_redirects=True)
        assert response.status_code == 200, query
        assert "Treffer" in response.get_data(as_text=True), query


def test_html_in_titles_and_text_is_escaped(client, make_doc):
    """A <script> in a document's title or text is shown as text; only <mark> comes through as HTML."""
    make_doc(title="<script>alert('titel')</script> Haushaltsplan",
             text="Haushaltsplan <script>alert('text')</script> <b>fett</b> & mehr")
    html, page = _get(client, "/search?q=Haushaltsplan")
    assert "<script>alert" not in html
    assert "<b>fett</b>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<mark>" in html
    assert all(script.get("src") for script in page.scripts), "no inline script on the page"
    html, _ = _get(client, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in html


def test_zip_button_carries_the_same_parameters(client, corpus):
    """The ZIP button links to /search/download.zip with the page's filters, without paging."""
    html, page = _get(client, "/search?q=Daten&topic=daten-plattformen&sort=title&page=1&per_page=5")
    href = page.link("Alle Treffer als ZIP herunterladen")
    url = urlsplit(href)
    assert url.path == "/search/download.zip"
    assert sorted(parse_qsl(url.query)) == [("q", "Daten"), ("sort", "title"), ("topic", "daten-plattformen")]


def test_no_hits_shows_the_empty_state(client, corpus):
    """A search without hits says so and offers ways out."""
    html, page = _get(client, "/search?q=Quantenkryptographie&topic=daten-plattformen")
    assert "0 Treffer" in html
    assert "Keine Treffer für „Quantenkryptographie“" in html
    assert page.link("Alle Filter entfernen")
    assert "Alle Treffer als ZIP herunterladen" not in html


def test_widened_note_and_suggestion_link(client, corpus, monkeypatch):
    """The page says when it fell back to any word and links the "Meinten Sie …?" suggestion."""
    import dataclasses

    from toolbox import search

    real_search = search.search

    def widened(query):
        return dataclasses.replace(real_search(query), widened=True, suggestion="datenstrategie")

    monkeypatch.setattr(search, "search", widened)
    html, page = _get(client, "/search?q=Datenstrategei+Quantenkryptographie&topic=daten-plattformen")
    assert "Keine Treffer für alle Wörter – es werden Treffer für einzelne Wörter angezeigt." in html
    assert "Meinten Sie" in html
    params = parse_qsl(urlsplit(page.link("datenstrategie")).query)
    assert ("q", "datenstrategie") in params and ("topic", "daten-plattformen") in params


def test_misspelt_word_is_corrected_with_a_link_to_the_literal_search(client, corpus):
    """A typo finds what the corrected word finds; the page says so and links the literal
    search, which offers "Meinten Sie …?" with the correction (issue 16)."""
    html, page = _get(client, "/search?q=Datenstrategei")
    assert "Ergebnisse für »Datenstrategie«" in html
    assert _hit_titles(html) == ["Datenstrategie Musterstadt"]
    literal = page.link("stattdessen nach »Datenstrategei« suchen")
    assert ("literal", "1") in parse_qsl(urlsplit(literal).query)
    html, page = _get(client, literal)
    assert _hit_titles(html) == [] and "Ergebnisse für" not in html
    assert "Meinten Sie" in html
    target = page.link("Datenstrategie")
    assert ("q", "Datenstrategie") in parse_qsl(urlsplit(target).query)
    assert "literal" not in dict(parse_qsl(urlsplit(target).query))
    html, _ = _get(client, target)
    assert _hit_titles(html) == ["Datenstrategie Musterstadt"]


def test_real_widening_when_not_all_words_match(client, corpus):
    """Two words that never occur together widen the search to any word, and the page says so."""
    html, _ = _get(client, "/search?q=Datenstrategie+Carsharing")
    assert "es werden Treffer für einzelne Wörter angezeigt" in html
    assert {"Datenstrategie Musterstadt", "Mobilitätskonzept Musterstadt"} <= set(_hit_titles(html))


def test_search_form_is_labelled_and_uses_type_search(client, corpus):
    """The search field is a labelled type=search input; each facet is a fieldset with a legend."""
    html, page = _get(client, "/search?q=Daten")
    field = next(i for i in page.inputs if i.get("name") == "q" and i.get("type") == "search")
    assert field["id"] in page.labels_for
    assert field["value"] == "Daten"
    assert "<legend>Themenfeld</legend>" in html and "<legend>Größenklasse</legend>" in html
    assert 'lang="de"' in html
    assert '<label for="sort">' in html


def test_header_search_box_on_every_page(client, corpus):
    """The start page carries a search form in the header that goes to /search."""
    html, page = _get(client, "/")
    assert re.search(r'<form class="header-search" role="search" method="get" action="/search">', html)
    field = next(i for i in page.inputs if i.get("name") == "q")
    assert field["type"] == "search" and field["id"] in page.labels_for
    assert "autocomplete.js" in html


def test_document_page_shows_similar_documents(client, make_doc):
    """The document page lists "Ähnliche Dokumente" from more-like-this and the project's other documents."""
    text = "Straßenbeleuchtung mit LoRaWAN-Sensoren und Dimmung nach Verkehrsaufkommen. " * 5
    first = make_doc(title="Smarte Straßenbeleuchtung A", text=text, project="Licht an", municipality="Lichtstadt")
    make_doc(title="Smarte Straßenbeleuchtung B", text=text + " Ausschreibung.", municipality="Nachbarort")
    make_doc(title="Projektbericht Licht an", text="Bericht über das Projekt.", project="Licht an",
             municipality="Lichtstadt")
    html, _ = _get(client, f"/documents/{first}")
    assert "Weitere Dokumente aus diesem Projekt" in html and "Projektbericht Licht an" in html
    assert "Ähnliche Dokumente" in html
    similar = html.split("Ähnliche Dokumente", 1)[1]
    assert "Smarte Straßenbeleuchtung B" in similar


def test_pagination_model_marks_gaps():
    """Far from both ends, the pagination shows first, last, neighbours and gaps."""
    from types import SimpleNamespace

    query = SimpleNamespace(q="x", topic=(), size_class=(), type=(), format=(), license=(), municipality=(),
                            year_from=None, year_to=None, sort="relevance", page=10, per_page=20)
    model = search_view.pagination(400, query, base_url="/search")
    numbers = [link.number for link in model.links]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert [link.number for link in model.links if link.current] == [10]
    assert model.previous_url == "/search?q=x&page=9"
    assert model.next_url == "/search?q=x&page=11"
    assert search_view.pagination(0, query, base_url="/search").pages == 1


def _sort_options(html: str) -> list[tuple[str, bool]]:
    select = html.split('<select id="sort"', 1)[1].split("</select>", 1)[0]
    return [(value, bool(selected)) for value, selected in re.findall(r'<option value="(\w+)"( selected)?>', select)]


def test_browsing_without_words_lists_the_newest_first(client, corpus):
    """Without words the sort says "Neueste zuerst" (there is nothing to rank by); with words, "Relevanz"."""
    html, _ = _get(client, "/search")
    options = _sort_options(html)
    assert ("newest", True) in options
    assert "relevance" not in [value for value, _ in options]
    assert _hit_titles(html) == ["Mobilitätskonzept Musterstadt", "Datenplattform Kleindorf",
                                 "Datenstrategie Musterstadt"]
    html, _ = _get(client, "/search?q=Musterstadt")
    assert ("relevance", True) in _sort_options(html)


def test_empty_result_has_no_sort_or_empty_year_filter_and_explains_how_to_widen(client, corpus):
    """No hits: no sort control, no year fields without years, and concrete ways to widen the search."""
    html, page = _get(client, "/search?q=Quantenkryptographie&topic=daten-plattformen")
    assert 'name="sort"' not in html
    assert 'id="facet-year"' not in html
    assert "So finden Sie mehr" in html and "OR" in html
    without_words = page.link("ohne Suchbegriff")
    assert parse_qsl(urlsplit(without_words).query) == [("topic", "daten-plattformen")]
    html, _ = _get(client, without_words)
    assert sorted(_hit_titles(html)) == ["Datenplattform Kleindorf", "Datenstrategie Musterstadt"]


@pytest.fixture
def regions(make_doc):
    """Documents from two Länder, three municipalities and two projects."""
    hessen = dict(state="Hessen", district="Vogelsbergkreis")
    return {
        "muecke_a": make_doc(title="LoRaWAN Mücke", municipality="Mücke", population=9_000, project="Smartes Dorf",
                             **hessen),
        "muecke_b": make_doc(title="Sensorik Mücke", municipality="Mücke", population=9_000, project="Smartes Dorf",
                             **hessen),
        "alsfeld": make_doc(title="Parken Alsfeld", municipality="Alsfeld", population=16_000, project="Parken digital",
                            **hessen),
        "fuerth": make_doc(title="Bürgerportal Fürth", municipality="Fürth", population=130_000, state="Bayern"),
    }


def test_region_facets_count_what_a_click_returns(client, regions):
    """Kommune, Land and Projekt are facets whose counts equal the totals their clicks return."""
    html, page = _get(client, "/search")
    for legend in ("Kommune", "Land", "Projekt"):
        assert f"<legend>{legend}</legend>" in html
    expected = {("state", "Hessen"): 3, ("state", "Bayern"): 1, ("municipality", "Mücke"): 2,
                ("municipality", "Alsfeld"): 1, ("municipality", "Fürth"): 1}
    boxes = [i for i in page.inputs if i.get("type") == "checkbox" and i.get("name") in ("state", "municipality",
                                                                                          "project")]
    assert {(b["name"], b["value"]) for b in boxes} >= set(expected)
    assert len([b for b in boxes if b["name"] == "project"]) == 2
    labels = {}
    for box in boxes:
        label = re.search(rf'<label for="{box["id"]}" class="kern-label">([^<]+) <span class="count">\((\d+)\)',
                          html)
        labels[box["name"], label.group(1)] = box["value"]
        clicked, _ = _get(client, f"/search?{box['name']}={box['value']}")
        assert f"{label.group(2)} Treffer" in clicked, (box, label.group(1))
        if (box["name"], box["value"]) in expected:
            assert int(label.group(2)) == expected[(box["name"], box["value"])]
    html, _ = _get(client, f"/search?project={labels['project', 'Smartes Dorf']}")
    assert sorted(_hit_titles(html)) == ["LoRaWAN Mücke", "Sensorik Mücke"]
    # Names match however they are typed, and the filter shows as a chip with the name.
    html, page = _get(client, "/search?state=hessen&municipality=muecke")
    assert sorted(_hit_titles(html)) == ["LoRaWAN Mücke", "Sensorik Mücke"]
    assert "checked" in page.checkbox("municipality", "Mücke")


def test_region_filters_apply_to_the_zip_and_the_api(client, regions):
    """state and project filter /search/download.zip and /api/v1/search like the page."""
    import io
    import zipfile

    body = client.get("/api/v1/search?state=Bayern").get_json()
    assert [hit["title"] for hit in body["hits"]] == ["Bürgerportal Fürth"]
    projects = {f["label"]: f for f in client.get("/api/v1/search").get_json()["facets"]["project"]}
    assert projects["Smartes Dorf"]["count"] == 2
    found = client.get(f"/api/v1/search?project={projects['Smartes Dorf']['value']}").get_json()
    assert found["total"] == 2
    response = client.get(f"/search/download.zip?state=Hessen&project={projects['Parken digital']['value']}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert len([n for n in names if n.startswith("dokument-")]) == 1


def test_hit_metadata_has_no_nested_brackets(client, corpus):
    """The size class follows the municipality after a comma: its own label already has brackets
    ("Mittelstadt (20.000 bis unter 100.000 Einw.)"), so "Musterstadt (Mittelstadt (…))" is gone."""
    html, _page = _get(client, "/search?q=Datenstrategie")
    meta = html.split('class="meta-line"', 1)[1].split("</ul>", 1)[0]
    assert "Musterstadt, Mittelstadt (" in meta and "))" not in meta
