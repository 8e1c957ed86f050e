"""HTML and script in every metadata field and in the query string stay text (issue #5, part 2).

One hostile catalogue is built through the real services — a document whose every field is
markup, an uploader named like a script, a rejection reason, a renamed topic, a feedback
message — and then every page that shows any of it is parsed for elements or attributes that
would run. The JSON API and metadata.json keep the exact text (escaping is the renderer's job);
manifest.csv neutralises what a spreadsheet would run as a formula.
"""
from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_support import IMG, PAYLOAD, SCRIPT, assert_inert, make_user  # noqa: E402

from toolbox.extensions import db  # noqa: E402
from toolbox.models import Document, User  # noqa: E402

TOPIC = "mobilitaet-verkehr"
MUNICIPALITY = f"Fulda{IMG}"


def _topic_id(slug: str) -> int:
    from sqlalchemy import select

    from toolbox.models import Topic

    return db.session.scalar(select(Topic.id).where(Topic.slug == slug))


def _hostile_catalogue(app, make_doc) -> dict:
    from toolbox.services import contribute, curation, feedback, review
    from toolbox.services.ingest import DocumentMetadata

    published = make_doc(
        title=f"Radverkehr {PAYLOAD}", text=f"Radverkehr im Landkreis {PAYLOAD} Radverkehr Konzept für Pendler.",
        description=f"Beschreibung {PAYLOAD}", topics=[TOPIC], municipality=MUNICIPALITY, district=PAYLOAD,
        state=PAYLOAD, project=f"Projekt {PAYLOAD}", contact=f"kontakt {PAYLOAD}",
        filename=f"{IMG}.txt", year=2024,
    )
    editor_id = make_user(app, "redaktion@example.org", role="editor")
    admin_id = make_user(app, "admin@example.org", role="admin", name=f"Admin {SCRIPT}")
    contributor_id = make_user(app, "projekt@example.org", role="contributor", name=f"Projektleitung {PAYLOAD}")
    with app.app_context():
        editor = db.session.get(User, editor_id)
        contributor = db.session.get(User, contributor_id)
        result = contribute.document_upload(
            contributor, io.BytesIO(f"Eingereicht {PAYLOAD}\n".encode()), f"{SCRIPT}.txt",
            DocumentMetadata(title=f"Eingereicht {PAYLOAD}", description=PAYLOAD, topics=[TOPIC]))
        rejected = contribute.document_upload(
            contributor, io.BytesIO(f"Abgelehnt {PAYLOAD}\n".encode()), "abgelehnt.txt",
            DocumentMetadata(title=f"Abgelehnt {PAYLOAD}", topics=[TOPIC]))
        review.document_reject(editor, db.session.get(Document, rejected.document_id), f"Grund: {PAYLOAD}")
        topic_id = _topic_id(TOPIC)
        curation.vocabulary_entry_rename(editor, "topic", topic_id, f"Verkehr {PAYLOAD}"[:200], f"Traffic {SCRIPT}")
        feedback.feedback_submit(f"Barriere {PAYLOAD}", page=PAYLOAD, name=PAYLOAD, email="javascript:xss(5)")
        municipality_id = db.session.get(Document, published).municipality_id
        project_id = db.session.get(Document, published).project_id
    return {"published": published, "submitted": result.document_id, "rejected": rejected.document_id,
            "topic_id": topic_id, "municipality_id": municipality_id, "project_id": project_id,
            "admin_id": admin_id}


ESCAPED = "&lt;script&gt;xss(1)&lt;/script&gt;"


def _check(client, urls: list[str]) -> list[str]:
    """Assert every page is inert; return the URLs that do show the hostile text (escaped)."""
    showing = []
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        html = response.get_data(as_text=True)
        assert_inert(html, url)
        if ESCAPED in html or "&lt;img src=x onerror=xss(2)&gt;" in html:
            showing.append(url)
    return showing


def test_public_pages_show_hostile_metadata_as_text(app, client, make_doc):
    """Start page, search (hits, snippets, facets, chips, suggestion), document page and error
    pages show markup from every field and from the URL only as text."""
    ids = _hostile_catalogue(app, make_doc)
    urls = [
        "/",
        "/search",
        "/search?q=Radverkehr",                     # snippet around the markup in the text
        "/search?q=" + quote(PAYLOAD),              # the query echoed in the box and the chips
        "/search?q=Radverkehrr",                    # did-you-mean link built from the query
        "/search?q=Radverkehr+" + quote(SCRIPT) + "&sort=" + quote(IMG),
        "/search?municipality=" + quote(MUNICIPALITY),
        "/search?topic=" + quote(PAYLOAD) + "&type=" + quote(IMG) + "&format=" + quote(SCRIPT),
        "/search?year_from=" + quote(PAYLOAD) + "&page=" + quote(IMG) + "&per_page=" + quote(SCRIPT),
        f"/documents/{ids['published']}",
        "/search/download.zip?topic=" + quote(PAYLOAD),  # the "nothing to pack" page
        "/documents/" + quote(SCRIPT),
        "/" + quote(PAYLOAD),
        "/login?next=" + quote(PAYLOAD),
        "/invite/" + quote(SCRIPT),
        "/barrierefreiheit?page=" + quote(PAYLOAD),
        "/?lang=" + quote(PAYLOAD),
    ]
    showing = _check(client, urls)
    # The check is not vacuous: the pages that display these values do display them, as text.
    for url in ["/", "/search", "/search?q=Radverkehr", "/search?q=" + quote(PAYLOAD),
                "/search?municipality=" + quote(MUNICIPALITY), f"/documents/{ids['published']}"]:
        assert url in showing, url
    page = client.get("/search?q=Radverkehr").get_data(as_text=True)
    assert "<mark>Radverkehr</mark>" in page and "&lt;script&gt;xss(1)&lt;/script&gt;" in page


def test_signed_in_pages_show_hostile_metadata_as_text(app, client, auth, make_doc):
    """The contributor's, editor's and admin's pages (lists, review queue, edit forms, audit log,
    users, feedback, curation) show the same markup only as text."""
    ids = _hostile_catalogue(app, make_doc)
    auth.login("projekt@example.org")
    showing = _check(client, ["/my/documents", f"/my/documents/{ids['submitted']}/edit",
                              f"/my/documents/{ids['rejected']}/edit", f"/my/documents/{ids['submitted']}/version",
                              "/account", "/upload"])
    assert "/my/documents" in showing and f"/my/documents/{ids['rejected']}/edit" in showing
    auth.logout()
    auth.login("admin@example.org")
    showing = _check(client, [
        "/admin", "/admin/review", "/admin/documents", f"/admin/documents/{ids['published']}",
        f"/admin/documents/{ids['submitted']}", f"/admin/documents/{ids['rejected']}", "/admin/trash",
        "/admin/vocabularies/topic", f"/admin/vocabularies/topic/{ids['topic_id']}", "/admin/municipalities",
        f"/admin/municipalities/{ids['municipality_id']}", "/admin/projects", f"/admin/projects/{ids['project_id']}",
        "/admin/users", "/admin/audit", "/admin/feedback", "/admin/documents?status=" + quote(PAYLOAD),
        "/search?q=Radverkehr",
    ])
    for url in ["/admin/review", f"/admin/documents/{ids['published']}", f"/admin/documents/{ids['rejected']}",
                "/admin/vocabularies/topic", "/admin/municipalities", "/admin/projects", "/admin/users",
                "/admin/audit", "/admin/feedback"]:
        assert url in showing, url


def test_form_errors_echo_hostile_input_as_text(app, client, auth, make_doc):
    """A refused form shows what was typed — as text, also in the field values."""
    ids = _hostile_catalogue(app, make_doc)
    auth.login("projekt@example.org")
    response = client.post(f"/my/documents/{ids['submitted']}/edit", data={
        "title": "", "description": PAYLOAD * 200, "municipality": PAYLOAD, "contact": PAYLOAD,
        "year": PAYLOAD, "topics": [PAYLOAD], "type": PAYLOAD, "license": PAYLOAD})
    assert response.status_code == 400
    assert_inert(response.get_data(as_text=True), "edit form")
    response = client.post("/login", data={"email": PAYLOAD, "password": PAYLOAD, "next": PAYLOAD})
    assert_inert(response.get_data(as_text=True), "login form")
    response = client.post("/barrierefreiheit", data={"message": "", "name": PAYLOAD, "email": PAYLOAD,
                                                      "page": PAYLOAD})
    assert_inert(response.get_data(as_text=True), "feedback form")


def test_api_and_zip_keep_the_exact_text_and_escape_snippets(app, client, make_doc):
    """JSON and metadata.json carry titles and labels exactly as typed (a client escapes them for
    its medium); the highlight snippets, which are HTML, escape the document text around <mark>."""
    ids = _hostile_catalogue(app, make_doc)
    response = client.get("/api/v1/search?q=Radverkehr")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    hit = response.get_json()["hits"][0]
    assert hit["title"] == f"Radverkehr {PAYLOAD}"
    assert hit["municipality"] == MUNICIPALITY
    assert hit["topics"][0]["label"].startswith("Verkehr <script>")
    assert "<mark>Radverkehr</mark>" in hit["highlights"]
    assert "<script>" not in hit["highlights"] and "&lt;script&gt;" in hit["highlights"]
    assert "<img" not in hit["highlights"]
    detail = client.get(f"/api/v1/documents/{ids['published']}").get_json()
    assert detail["description"] == f"Beschreibung {PAYLOAD}" and detail["contact"] == f"kontakt {PAYLOAD}"
    suggest = client.get("/api/v1/suggest?q=" + quote(SCRIPT))
    assert suggest.mimetype == "application/json" and suggest.get_json()["query"] == SCRIPT

    # The ZIP: metadata.json holds the exact text; member names are plain names that unpack
    # nowhere but in their own folder; manifest.csv (no HTML) has the markup as text.
    response = client.get("/search/download.zip?q=Radverkehr")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    for name in archive.namelist():
        assert "/" not in name and "\\" not in name and not name.startswith(".."), name
    metadata = json.loads(archive.read("metadata.json"))
    document = next(d for d in metadata["documents"] if d["id"] == ids["published"])
    assert document["title"] == f"Radverkehr {PAYLOAD}"
    assert document["description"] == f"Beschreibung {PAYLOAD}"
    assert metadata["query"] == {"q": "Radverkehr"}
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["Titel"] == f"Radverkehr {PAYLOAD}"


# --- CSV injection ------------------------------------------------------------------------------

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def test_every_manifest_column_neutralises_formulas_and_metadata_json_stays_exact(app, client, make_doc):
    """Whatever field a formula hides in (title, description, municipality, project, contact,
    file name, topic label), manifest.csv prefixes the cell with ' — for each of = + - @ tab CR —
    while metadata.json keeps the exact value."""
    from toolbox.services import curation

    editor_id = make_user(app, "redaktion@example.org", role="editor")
    with app.app_context():
        curation.vocabulary_entry_rename(db.session.get(User, editor_id), "topic", _topic_id("tourismus-kultur"),
                                         '=HYPERLINK("http://evil.example";"Thema")', None)
    for i, start in enumerate(FORMULA_STARTS):
        formula = f'{start}cmd|" /C calc"!A{i}'
        make_doc(title=f"{formula} Titel", text=f"Formel Nummer {i} im Text.", description=formula,
                 municipality=f"{formula} Ort", project=f"{formula} Projekt", contact=formula,
                 filename=f"{start.strip() or 'x'}datei-{i}.txt", topics=["tourismus-kultur"])
    archive = zipfile.ZipFile(io.BytesIO(client.get("/search/download.zip?topic=tourismus-kultur").get_data()))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"), newline=""),
                               delimiter=";"))
    stored = {d["id"]: d for d in json.loads(archive.read("metadata.json"))["documents"]}
    assert len(rows) == len(stored) == len(FORMULA_STARTS)
    prefixed = 0
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(tuple(FORMULA_STARTS)), (column, value)
        document = stored[int(row["ID"])]
        exact = {"Titel": document["title"], "Beschreibung": document["description"], "Kontakt": document["contact"],
                 "Kommune": document["municipality"], "Projekt": document["project"],
                 "Themenfelder": document["topics"][0]["label"], "Datei": document["zip_filename"],
                 "Originaldateiname": document["file"]["filename"]}
        for column, value in exact.items():
            # metadata.json has the stored text; the manifest cell is that text, made inert.
            if value.startswith(tuple(FORMULA_STARTS)):
                assert row[column] == "'" + value, column
                prefixed += 1
            else:
                assert row[column] == value, column
    # = + - @ survive storage at the start of every field (whitespace is trimmed on input).
    assert prefixed >= 4 * 5
    assert stored and all(d["topics"][0]["label"] == '=HYPERLINK("http://evil.example";"Thema")'
                          for d in stored.values())
