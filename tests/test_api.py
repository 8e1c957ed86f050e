"""The JSON API: search with facets, suggestions, documents, vocabularies and its OpenAPI document."""
from __future__ import annotations

import json
import re

import pytest

HIT_KEYS = {"id", "title", "description", "topics", "type", "size_class", "municipality", "project", "year",
            "format", "license", "highlights", "url", "download_url"}
FACET_KEYS = {"topic", "size_class", "type", "format", "license", "year", "municipality", "state", "project",
              "accessibility"}


@pytest.fixture
def corpus(make_doc):
    return {
        "strategie": make_doc(title="Datenstrategie Musterstadt", text="Die Datenstrategie regelt offene Daten.",
                              topics=["daten-plattformen"], municipality="Musterstadt", population=50_000,
                              type="konzept-strategie", license="cc-by-4.0", year=2022, project="Daten für alle"),
        "plattform": make_doc(title="Datenplattform Kleindorf", text="Eine urbane Datenplattform mit offenen Daten.",
                              topics=["daten-plattformen"], municipality="Kleindorf", population=3_000, year=2021),
        "mobil": make_doc(title="Mobilitätskonzept Musterstadt", text="Busse, Räder und Carsharing.",
                          topics=["mobilitaet-verkehr"], municipality="Musterstadt", year=2020),
        "submitted": make_doc(title="Datenstrategie Entwurf", text="Die Datenstrategie im Entwurf.", publish=False),
    }


def test_search_shape_follows_design(client, corpus):
    """GET /api/v1/search answers with total, paging, hits, labelled facets, suggestion and widened."""
    response = client.get("/api/v1/search?q=Datenstrategie")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"total", "page", "per_page", "hits", "facets", "suggestion", "widened", "corrected"}
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    assert body["widened"] is False
    (hit,) = body["hits"]
    assert set(hit) == HIT_KEYS
    assert hit["id"] == corpus["strategie"]
    assert hit["topics"] == [{"value": "daten-plattformen", "label": "Daten & Plattformen"}]
    assert hit["type"] == {"value": "konzept-strategie", "label": "Konzept/Strategie"}
    assert hit["size_class"]["value"] == "mittelstadt"
    assert hit["license"] == {"value": "cc-by-4.0", "label": "CC BY 4.0"}
    assert hit["municipality"] == "Musterstadt" and hit["project"] == "Daten für alle"
    assert hit["year"] == 2022 and hit["format"] == "txt"
    assert "<mark>" in hit["highlights"]
    assert hit["url"].endswith(f"/documents/{corpus['strategie']}")
    assert hit["download_url"].endswith(f"/documents/{corpus['strategie']}/download")
    assert set(body["facets"]) == FACET_KEYS
    topic = {f["value"]: f for f in body["facets"]["topic"]}
    assert topic["daten-plattformen"]["label"] == "Daten & Plattformen"
    assert topic["daten-plattformen"]["count"] == 1
    for values in body["facets"].values():
        for value in values:
            assert {"value", "label", "count"} <= set(value)


@pytest.mark.parametrize("locale", ["de", "en"])
def test_search_hits_say_what_the_documents_own_json_says(app, corpus, make_doc, locale):
    """The search answer reads its hits as plain rows (``hit_summaries``); each says what
    ``document_json`` says of the document: labels in the reader's language, the current
    version's format, topics in the curated order, no type, licence or place where none is set.
    Invisible ids are dropped and the order of the ids is kept."""
    from toolbox.extensions import db
    from sqlalchemy import select

    from toolbox.models import Document, FileVersion, Topic
    from toolbox.services.search_view import API_HIT_KEYS, document_json, hit_summaries, label_maps

    bare = make_doc(title="Ohne Angaben", text="Nur ein Text.")
    with app.app_context():
        document = db.session.get(Document, corpus["strategie"])
        first = document.versions[0]
        db.session.add(FileVersion(document=document, number=2, sha256="0" * 64, original_filename="neu.pdf",
                                   media_type="application/pdf", format="pdf", size=first.size,
                                   extraction_status=first.extraction_status))
        plattform = db.session.get(Document, corpus["plattform"])
        plattform.topics.append(db.session.scalars(select(Topic).where(Topic.slug == "mobilitaet-verkehr")).one())
        db.session.commit()
        ids = [corpus["mobil"], bare, corpus["submitted"], corpus["strategie"], corpus["plattform"]]
        with app.test_request_context("/api/v1/search"):
            summaries = hit_summaries(ids, label_maps(locale))
            expected = []
            for document_id in ids:
                document = db.session.get(Document, document_id)
                if document.status == "published":
                    full = document_json(document, locale)
                    expected.append({key: full[key] for key in (*API_HIT_KEYS, "url", "download_url")})
    assert [summary["id"] for summary in summaries] == [corpus["mobil"], bare, corpus["strategie"], corpus["plattform"]]
    assert summaries == expected
    assert summaries[2]["format"] == "pdf" and summaries[1]["type"] is None
    assert len(summaries[3]["topics"]) == 2


def test_search_facet_counts_apply_the_other_filters(client, corpus):
    """Facet counts equal the hit counts of the corresponding filtered query."""
    body = client.get("/api/v1/search?topic=daten-plattformen").get_json()
    assert body["total"] == 2
    for facet in ("size_class", "year"):
        for value in body["facets"][facet]:
            if facet == "year":
                url = f"/api/v1/search?topic=daten-plattformen&year_from={value['value']}&year_to={value['value']}"
            else:
                url = f"/api/v1/search?topic=daten-plattformen&{facet}={value['value']}"
            assert client.get(url).get_json()["total"] == value["count"], url
    # Within a facet, options are OR: the topic counts ignore the topic filter itself.
    topics = {f["value"]: f["count"] for f in body["facets"]["topic"]}
    assert topics["mobilitaet-verkehr"] == 1


def test_search_never_shows_unpublished_documents(client, corpus):
    """A submitted document is not found, whatever the parameters say."""
    for url in ("/api/v1/search?q=Entwurf", "/api/v1/search?q=Entwurf&statuses=submitted&status=submitted"):
        assert client.get(url).get_json()["total"] == 0


def test_search_pages(client, corpus):
    """per_page and page slice the hits; per_page is capped at 100."""
    first = client.get("/api/v1/search?per_page=2&sort=title").get_json()
    second = client.get("/api/v1/search?per_page=2&sort=title&page=2").get_json()
    assert first["total"] == second["total"] == 3
    assert [h["title"] for h in first["hits"]] == ["Datenplattform Kleindorf", "Datenstrategie Musterstadt"]
    assert [h["title"] for h in second["hits"]] == ["Mobilitätskonzept Musterstadt"]
    assert client.get("/api/v1/search?per_page=100000").get_json()["per_page"] == 100


def test_search_labels_follow_the_language(client, corpus):
    """With ?lang=en the labels are English; the values stay the slugs."""
    body = client.get("/api/v1/search?q=Datenstrategie&lang=en").get_json()
    assert body["hits"][0]["topics"] == [{"value": "daten-plattformen", "label": "Data & platforms"}]


def test_highlights_are_escaped(client, make_doc):
    """Markup in the document text arrives escaped in highlights; only <mark> is HTML."""
    make_doc(title="Haushalt", text="Haushaltsplan <script>alert(1)</script> und <img src=x onerror=alert(2)>")
    hit = client.get("/api/v1/search?q=Haushaltsplan").get_json()["hits"][0]
    assert "<script>" not in hit["highlights"] and "<img" not in hit["highlights"]
    assert re.sub(r"</?mark>", "", hit["highlights"]).count("<") == 0


BAD_PARAMETERS = [
    "q=%22offen", "q=(((", "q=title:", "q=*", "page=x", "page=0", "page=99999999999999999999", "per_page=-1",
    "per_page=abc", "sort=nonsense", "year_from=abc", "year_to=99999999999", "topic=", "topic=%00",
    "municipality=" + "x" * 3000, "q=" + "a%20OR%20" * 300,
]


def test_bad_parameters_never_cause_a_server_error(client, corpus):
    """Whatever the parameters, the API answers 200 with the search shape."""
    for query in BAD_PARAMETERS:
        response = client.get(f"/api/v1/search?{query}")
        assert response.status_code == 200, (query, response.get_data(as_text=True)[:300])
        assert "hits" in response.get_json(), query


def test_suggest(client, corpus):
    """/api/v1/suggest completes a prefix from titles and terms; an empty prefix gives none."""
    body = client.get("/api/v1/suggest?q=daten").get_json()
    assert body["query"] == "daten"
    assert isinstance(body["suggestions"], list) and body["suggestions"]
    assert all(isinstance(s, str) for s in body["suggestions"])
    assert any(s.lower().startswith("daten") for s in body["suggestions"])
    assert client.get("/api/v1/suggest?q=").get_json()["suggestions"] == []
    assert client.get("/api/v1/suggest").get_json()["suggestions"] == []
    assert len(client.get("/api/v1/suggest?q=d&limit=2").get_json()["suggestions"]) <= 2
    assert client.get("/api/v1/suggest?q=d&limit=x").status_code == 200


def test_document_detail_and_404_json(client, corpus):
    """A published document comes as JSON; an unknown or unpublished one is a JSON 404."""
    body = client.get(f"/api/v1/documents/{corpus['strategie']}").get_json()
    assert body["title"] == "Datenstrategie Musterstadt"
    for url in (f"/api/v1/documents/{corpus['submitted']}", "/api/v1/documents/999999", "/api/v1/gibt-es-nicht"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        error = response.get_json()["error"]
        assert error["status"] == 404 and error["message"]


def test_vocabularies(client):
    """The vocabularies list their active entries with slugs and both labels."""
    body = client.get("/api/v1/vocabularies").get_json()
    assert {"topic", "type", "size_class", "license"} == set(body)
    assert body["topic"][0]["value"] == "strategie-organisation"


def _spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_openapi_covers_every_api_route(app, client):
    """Every /api/v1 route of the app, with each of its methods, is described in openapi.json."""
    spec = _spec(client)
    prefix = spec["servers"][0]["url"]
    assert prefix == "/api/v1"
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(prefix):])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from openapi.json: {missing}"
    assert "post" in spec["paths"]["/documents"], "the upload route is described per DESIGN.md"


def test_openapi_document_is_valid(client):
    """openapi.json is a valid OpenAPI 3.1 document."""
    validator = pytest.importorskip("openapi_spec_validator")
    spec = _spec(client)
    assert spec["openapi"].startswith("3.1")
    validator.validate(spec)
