"""Sitemaps, robots.txt and the OpenSearch description (issue 15.2)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from toolbox.extensions import db
from toolbox.models import Document, User
from toolbox.services import sitemap
from toolbox.services.review import document_withdraw

from conftest import live_app, make_document, make_user, running_app, serve

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"
BASE = "http://127.0.0.1:5000"


def _xml(response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(("application/xml", "application/opensearchdescription+xml"))
    return ET.fromstring(response.data)


def test_sitemap_index_pages_list_published_documents_with_lastmod(app, monkeypatch):
    """Three published documents on pages of two: an index of two pages, each with its documents and lastmod."""
    monkeypatch.setattr(sitemap, "SITEMAP_PAGE_SIZE", 2)
    ids = [make_document(app, title=f"Konzept {n}").id for n in range(3)]
    hidden = make_document(app, title="Eingereicht", publish=False).id
    withdrawn = make_document(app, title="Zurückgezogen").id
    with app.app_context():
        document_withdraw(db.session.get(User, make_user(app, role="editor")), db.session.get(Document, withdrawn))
    client = app.test_client()
    index = _xml(client.get("/sitemap.xml"))
    pages = [(e.findtext(f"{SM}loc"), e.findtext(f"{SM}lastmod")) for e in index.iter(f"{SM}sitemap")]
    assert [loc for loc, _ in pages] == [f"{BASE}/sitemap-1.xml", f"{BASE}/sitemap-2.xml"]
    assert all(lastmod and lastmod.endswith("Z") for _, lastmod in pages)
    listed = []
    for loc, _ in pages:
        urlset = _xml(client.get(loc.removeprefix(BASE)))
        listed += [u.findtext(f"{SM}loc") for u in urlset.iter(f"{SM}url")]
    assert listed == [f"{BASE}/", *(f"{BASE}/documents/{i}" for i in ids)]
    assert f"{BASE}/documents/{hidden}" not in listed and f"{BASE}/documents/{withdrawn}" not in listed
    assert client.get("/sitemap-3.xml").status_code == 404


def test_lastmod_and_date_modified_follow_what_the_page_shows(app):
    """Renaming a document's municipality changes its page: the sitemap's lastmod (document and
    index) and the schema.org dateModified move to that change; another document keeps its date."""
    import json
    import re
    from datetime import datetime, timezone

    from sqlalchemy import update

    from toolbox.models import Municipality
    from toolbox.services.curation import municipality_update

    document = make_document(app, title="Konzept", description="Kurz.", municipality="Musterstadt")
    other = make_document(app, title="Anderes", description="Kurz.", municipality="Andersdorf")
    old = datetime(2024, 5, 1, tzinfo=timezone.utc)
    with app.app_context():
        for model in (Document, Municipality):
            db.session.execute(update(model).values(updated_at=old))
        db.session.commit()
        municipality = db.session.query(Municipality).filter_by(name="Musterstadt").one()
        municipality_update(db.session.get(User, make_user(app, role="editor")), municipality,
                            name="Musterstadt (Hessen)")
    client = app.test_client()
    urlset = _xml(client.get("/sitemap-1.xml"))
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in urlset.iter(f"{SM}url")}
    assert lastmod[f"{BASE}/documents/{other.id}"] == "2024-05-01T00:00:00Z"
    assert lastmod[f"{BASE}/documents/{document.id}"] > "2026"
    index = _xml(client.get("/sitemap.xml"))
    assert index.find(f"{SM}sitemap").findtext(f"{SM}lastmod") == lastmod[f"{BASE}/documents/{document.id}"]
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["dateModified"] == lastmod[f"{BASE}/documents/{document.id}"]


def test_robots_txt_keeps_crawlers_out_of_accounts_uploads_and_admin(client):
    """robots.txt disallows admin, upload and account pages and names the sitemap."""
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    lines = response.get_data(as_text=True).splitlines()
    for path in ("/admin/", "/upload", "/my/", "/account", "/login", "/documents/*/reuse"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /documents/" not in lines and "Disallow: /search" not in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_opensearch_description_is_linked_from_every_page(client):
    """Browsers find the OpenSearch description through the page head and can search the toolbox with it."""
    page = client.get("/").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml"' in page
    description = _xml(client.get("/opensearch.xml"))
    assert len(description.findtext(f"{OS}ShortName")) <= 16
    assert description.findtext(f"{OS}Description") == "Smart Region Toolbox durchsuchen"
    (html,) = [u for u in description.iter(f"{OS}Url") if u.get("type") == "text/html"]
    assert html.get("template") == f"{BASE}/search?q={{searchTerms}}"


def test_crawler_addresses_come_from_the_base_url(app_config, tmp_path, monkeypatch):
    """Asked under an internal host name, sitemap, robots.txt and OpenSearch name TOOLBOX_BASE_URL."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    public = "https://toolbox.example.org"
    with running_app({**app_config, "BASE_URL": public, "TRUSTED_HOSTS": "toolbox-intern"}) as app:
        make_document(app, title="Konzept")
        client = app.test_client()
        for path in ("/sitemap.xml", "/sitemap-1.xml", "/robots.txt", "/opensearch.xml"):
            body = client.get(path, base_url="http://toolbox-intern").get_data(as_text=True)
            assert public in body and "toolbox-intern" not in body and "127.0.0.1" not in body


def test_document_page_carries_schema_org_json_ld_under_the_strict_csp(app):
    """A DigitalDocument data block names the document, its licence, publisher, file and dates; the CSP stays strict."""
    import json
    import re

    document = make_document(app, title="Muster-Nutzungsbedingungen </script><b>", description="Für Sensordaten.",
                             municipality="Musterstadt", license="cc-by-4.0", project="Offene Daten", fmt="pdf")
    response = app.test_client().get(f"/documents/{document.id}")
    page = response.get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "DigitalDocument"
    assert data["name"] == "Muster-Nutzungsbedingungen </script><b>"
    assert data["description"] == "Für Sensordaten."
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/deed.de"
    assert data["publisher"] == data["author"] == {"@type": "GovernmentOrganization", "name": "Musterstadt"}
    assert data["inLanguage"] == "de" and data["encodingFormat"] == "application/pdf"
    assert data["contentUrl"] == f"{BASE}/documents/{document.id}/download"
    assert data["dateModified"].endswith("Z")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.browser
def test_chromium_reads_the_json_ld_block_without_a_csp_violation(tmp_path_factory, template_database, browser_page):
    """In a real browser under the strict CSP the document page reports no policy violation and
    its JSON-LD block is readable data."""
    app = live_app(tmp_path_factory, template_database, "schema-org")
    document = make_document(app, title="Konzept Bürgerportal", description="Für alle.", municipality="Musterstadt",
                             license="cc0-1.0")
    for base in serve(app):
        browser_page.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
        errors = []
        browser_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        response = browser_page.goto(f"{base}/documents/{document.id}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert browser_page.evaluate("window.__csp") == []
        assert not [e for e in errors if "Content Security Policy" in e]
        data = browser_page.evaluate(
            "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
        assert data["name"] == "Konzept Bürgerportal" and data["publisher"]["name"] == "Musterstadt"
