"""The start page invites: topics with counts, newest and most downloaded documents, how to contribute."""
from __future__ import annotations

import re


def test_topic_tiles_count_published_documents(client, make_doc):
    """Each topic tile links its search and counts only published documents."""
    make_doc(title="Parkraumkonzept", topics=["mobilitaet-verkehr"])
    make_doc(title="Radverkehrsplan", topics=["mobilitaet-verkehr", "umwelt-wasser"])
    make_doc(title="Entwurf Busnetz", topics=["mobilitaet-verkehr"], publish=False)
    html = client.get("/").get_data(as_text=True)
    tile = re.search(r'<a class="topic-tile" href="/search\?topic=mobilitaet-verkehr">(.*?)</a>', html, re.S)
    assert tile and "2 Dokumente" in tile.group(1)
    water = re.search(r'href="/search\?topic=umwelt-wasser">(.*?)</a>', html, re.S)
    assert water and "1 Dokument<" in water.group(1)


def test_most_downloaded_appear_after_downloads(client, make_doc):
    """A downloaded document is listed under “Meiste Downloads” with its count."""
    document_id = make_doc(title="Musterausschreibung LoRaWAN")
    assert "Meiste Downloads" not in client.get("/").get_data(as_text=True)
    for _ in range(3):
        response = client.get(f"/documents/{document_id}/download")
        assert response.status_code == 200
        response.close()
    html = client.get("/").get_data(as_text=True)
    popular = html.split('id="popular-heading"', 1)[1]
    assert "Musterausschreibung LoRaWAN" in popular and "3 Downloads" in popular


def test_how_it_works_invites_contributors(client):
    """Visitors read how contributing works and find the way to log in."""
    html = client.get("/").get_data(as_text=True)
    assert "So funktioniert&#39;s" in html or "So funktioniert's" in html
    assert 'href="/login"' in html.split('id="howto-heading"', 1)[1]
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "How it works" in english and "Topics" in english
