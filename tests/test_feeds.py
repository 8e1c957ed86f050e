"""Atom feeds of searches (issue 14, section 5): ``/search.atom`` with the parameters of ``/search``.

Each feed is parsed back twice: with feedparser, as a feed reader reads it, and with lxml
against the Atom elements RFC 4287 requires, so that a lenient parser cannot hide a gap.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import feedparser
import pytest
from lxml import etree, html

from toolbox.extensions import db
from toolbox.models import Document
from toolbox.services import review
from toolbox.services.feeds import FEED_ENTRIES

from conftest import make_document, make_user, running_app
from contribute_helpers import contribute, user

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://toolbox.example.org"


@pytest.fixture
def deployed(app_config, tmp_path, monkeypatch):
    """The app under its public address; the test client reaches it as an internal host."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "BASE_URL": PUBLIC, "TRUSTED_HOSTS": "toolbox-intern"}) as application:
        yield application


def _get(client, path: str, **kwargs):
    return client.get(path, base_url="http://toolbox-intern", **kwargs)


def _publish_at(app, document_id: int, moment: datetime) -> None:
    """Date the publication back to ``moment``, the upload of its file a day before."""
    with app.app_context():
        document = db.session.get(Document, document_id)
        document.published_at = moment
        document.current_version.uploaded_at = moment - timedelta(days=1)
        db.session.commit()


def _atom(body: bytes) -> etree._Element:
    """The feed as XML, checked for what RFC 4287 requires of a feed and of each entry."""
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text, name
    assert root.find(f"{ATOM}author/{ATOM}name").text
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{name}").text, name
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    return root


def test_the_feed_lists_published_documents_newest_first_with_absolute_addresses(deployed):
    """Only published documents, the newest publication first, every address under TOOLBOX_BASE_URL."""
    old = make_document(deployed, title="Datenstrategie Altstadt", description="Strategie für offene Daten.",
                        topics=["daten-plattformen"], municipality="Altstadt", license="cc-by-4.0").id
    new = make_document(deployed, title="Leitfaden Sensorik", topics=["infrastruktur-netze-iot"],
                        type="leitfaden-checkliste", municipality="Neustadt", year=2025).id
    hidden = make_document(deployed, title="Entwurf Sensorik", publish=False).id
    _publish_at(deployed, old, datetime(2026, 3, 1, 9, tzinfo=timezone.utc))
    _publish_at(deployed, new, datetime(2026, 5, 2, 9, tzinfo=timezone.utc))

    response = _get(deployed.test_client(), "/search.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = _atom(response.data)
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Neu veröffentlicht – Smart Region Toolbox"
    assert [entry.title for entry in parsed.entries] == ["Leitfaden Sensorik", "Datenstrategie Altstadt"]
    assert hidden not in [int(entry.id.rsplit("/", 1)[1]) for entry in parsed.entries]
    newest, oldest = parsed.entries
    assert newest.id == newest.link == f"{PUBLIC}/documents/{new}"
    assert newest.summary == "Leitfaden/Checkliste · Neustadt · 2025"
    assert oldest.summary == "Strategie für offene Daten."
    assert oldest.author == "Altstadt" and oldest.rights == "CC BY 4.0"
    assert [tag.term for tag in oldest.tags] == ["daten-plattformen"]
    [enclosure] = oldest.enclosures
    assert enclosure.href == f"{PUBLIC}/documents/{old}/download" and int(enclosure.length) > 0
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{PUBLIC}/search.atom"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{PUBLIC}/search"
    assert root.find(f"{ATOM}updated").text.startswith("2026-05-02T09:00:00")
    assert "toolbox-intern" not in response.get_data(as_text=True)


def test_words_and_filters_narrow_the_feed_as_they_narrow_the_search(app, client):
    """q, topic and the other filters mean what they mean on /search; sort and page do not apply."""
    for number in range(3):
        make_document(app, title=f"Ausschreibung LoRaWAN {number}", text="Gateways und Sensoren für LoRaWAN.",
                      topics=["infrastruktur-netze-iot"])
    make_document(app, title="Ausschreibung Schulcloud", text="Lernplattform für Schulen.", topics=["bildung-schule"])
    make_document(app, title="Klimaschutzkonzept", text="Energie sparen.", topics=["energie-klimaschutz"])

    by_topic = feedparser.parse(client.get("/search.atom?topic=bildung-schule&sort=title&page=7").data)
    assert [entry.title for entry in by_topic.entries] == ["Ausschreibung Schulcloud"]
    assert by_topic.feed.title == "Neu veröffentlicht: Bildung & Schule – Smart Region Toolbox"
    by_words = feedparser.parse(client.get("/search.atom?q=LoRaWAN").data)
    assert sorted(entry.title for entry in by_words.entries) == [f"Ausschreibung LoRaWAN {n}" for n in range(3)]
    assert by_words.feed.title == "Suche nach „LoRaWAN“ – Smart Region Toolbox"
    both = feedparser.parse(client.get("/search.atom?q=Ausschreibung&topic=infrastruktur-netze-iot").data)
    assert len(both.entries) == 3
    assert both.feed.links[0].href.endswith("/search.atom?q=Ausschreibung&topic=infrastruktur-netze-iot")


def test_a_feed_holds_the_newest_fifty(app, client):
    """However many documents match, a feed carries the newest FEED_ENTRIES of them."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        from toolbox.services.ingest import DocumentMetadata, ingest_file

        folder = app.instance_path
        for number in range(FEED_ENTRIES + 3):
            path = f"{folder}/massen-{number}.txt"
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(f"Massendokument Nummer {number}\n")
            outcome = ingest_file(path, DocumentMetadata(title=f"Massendokument {number:02d}"), publish=True)
            db.session.get(Document, outcome.document_id).published_at = start + timedelta(days=number)
            db.session.commit()
    entries = feedparser.parse(client.get("/search.atom").data).entries
    assert len(entries) == FEED_ENTRIES
    assert entries[0].title == f"Massendokument {FEED_ENTRIES + 2:02d}"
    assert entries[-1].title == "Massendokument 03"


def test_feed_readers_can_ask_whether_anything_changed(app, client):
    """ETag and Last-Modified answer a repeated request with 304; a new publication changes both."""
    document = make_document(app, title="Beschlussvorlage Smart City").id
    _publish_at(app, document, datetime(2026, 4, 1, 8, tzinfo=timezone.utc))
    first = client.get("/search.atom")
    assert first.headers["ETag"] and first.headers["Last-Modified"] == "Wed, 01 Apr 2026 08:00:00 GMT"
    assert first.cache_control.public and first.cache_control.max_age == 900
    assert "Set-Cookie" not in first.headers
    assert client.get("/search.atom", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/search.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    make_document(app, title="Förderantrag Mobilität")
    second = client.get("/search.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert "Förderantrag Mobilität" in second.get_data(as_text=True)


def test_a_logged_in_browser_gets_the_feed_uncached(app, client):
    """Whatever a logged-in account gets is no-store (security.py), the feed too: a shared cache
    must never keep an answer that may renew a session cookie."""
    from conftest import DEFAULT_PASSWORD

    make_document(app, title="Muster Beschaffung")
    make_user(app, "leser@kommune.example")
    client.post("/login", data={"email": "leser@kommune.example", "password": DEFAULT_PASSWORD})
    response = client.get("/search.atom")
    assert response.status_code == 200 and "Muster Beschaffung" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_withdrawn_document_leaves_the_feed(app, client):
    """The feed is built from the database at request time: a withdrawn document is gone from it."""
    contributor = make_user(app)
    editor = make_user(app, role="editor")
    document_id = contribute(app, contributor, title="Muster Parkraumsensorik", publish_as=editor)
    assert "Muster Parkraumsensorik" in client.get("/search.atom").get_data(as_text=True)
    with app.app_context():
        review.document_withdraw(user(contributor), db.session.get(Document, document_id))
    body = client.get("/search.atom").data
    assert "Muster Parkraumsensorik" not in body.decode()
    _atom(body)


@pytest.mark.parametrize("query", [
    "year_from=abc&per_page=-5&page=x&sort=%3Cscript%3E",
    "q=" + "Wort%20" * 400,
    "topic=gibt-es-nicht&size_class=&format=exe",
    "q=%22unbalanced&q=zweites",
])
def test_bad_parameters_give_a_valid_feed_as_they_give_a_search_page(client, app, query):
    """What /search forgives (bad numbers, unknown filters, overlong words), the feed forgives too."""
    make_document(app, title="Irgendein Dokument")
    assert client.get(f"/search?{query}").status_code == 200
    response = client.get(f"/search.atom?{query}")
    assert response.status_code == 200
    _atom(response.data)
    assert not feedparser.parse(response.data).bozo


def test_a_merged_topic_in_a_feed_address_redirects_like_the_search(app, client):
    """A feed subscribed to before a merge keeps working: 301 to the target's slug, as /search does."""
    from toolbox.services.curation import vocabulary_entry_merge

    editor = make_user(app, role="editor")
    make_document(app, title="Radverkehrskonzept", topics=["mobilitaet-verkehr"])
    with app.app_context():
        from toolbox.models import Topic

        source = db.session.scalar(db.select(Topic).where(Topic.slug == "mobilitaet-verkehr"))
        target = db.session.scalar(db.select(Topic).where(Topic.slug == "energie-klimaschutz"))
        vocabulary_entry_merge(user(editor), "topic", source.id, target.id)
    response = client.get("/search.atom?topic=mobilitaet-verkehr")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/search.atom?topic=energie-klimaschutz")


def test_english_is_asked_for_in_the_address(client, app):
    """?lang=en gives English labels; the reader's Accept-Language does not change the feed."""
    make_document(app, title="Datenschutz-Folgenabschätzung", topics=["bildung-schule"])
    english = feedparser.parse(client.get("/search.atom?topic=bildung-schule&lang=en").data)
    assert english.feed.language == "en"
    assert english.entries[0].tags[0].label == "Education & schools"
    german = feedparser.parse(client.get("/search.atom?topic=bildung-schule",
                                         headers={"Accept-Language": "en"}).data)
    assert german.feed.language == "de" and german.entries[0].tags[0].label == "Bildung & Schule"


def test_the_search_and_start_pages_announce_their_feeds(app, client):
    """Autodiscovery: each page names its feed in <link rel=alternate>, with the page's filters."""
    make_document(app, title="Smart-Parking-Konzept", topics=["mobilitaet-verkehr"])
    start = html.fromstring(client.get("/").data)
    [link] = start.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']")
    assert link.get("href") == "/search.atom"
    page = html.fromstring(client.get("/search?q=Parking&topic=mobilitaet-verkehr&sort=title&page=1").data)
    [link] = page.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']")
    assert link.get("href") == "/search.atom?q=Parking&topic=mobilitaet-verkehr"
    visible = page.xpath("//main//a[@type='application/atom+xml']/@href")
    assert visible == [link.get("href")]
    feed = feedparser.parse(client.get(link.get("href")).data)
    assert [entry.title for entry in feed.entries] == ["Smart-Parking-Konzept"]
