"""Start page, document page and the download of the original file."""
from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

import pytest


def test_start_page_lists_newest_published_documents(client, make_doc):
    """Published documents appear on the start page with their metadata; submitted ones don't."""
    make_doc(title="Datenstrategie Stadt Fulda", municipality="Stadt Fulda", population=68_000,
             type="konzept-strategie", year=2023)
    make_doc(title="Entwurf in Prüfung", publish=False)
    page = client.get("/").get_data(as_text=True)
    assert "Datenstrategie Stadt Fulda" in page
    assert "Mittelstadt" in page and "Konzept/<wbr>Strategie" in page and "2023" in page
    assert "Entwurf in Prüfung" not in page


def test_document_page_shows_metadata(client, make_doc):
    """The document page shows title, topics, licence and the download link."""
    doc_id = make_doc(title="Leistungsbeschreibung LoRaWAN", topics=["infrastruktur-netze-iot"],
                      license="dl-de-by-2.0", municipality="Gemeinde Mücke", population=9_000)
    response = client.get(f"/documents/{doc_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Leistungsbeschreibung LoRaWAN</h1>" in page
    assert "Infrastruktur, Netze &amp; IoT" in page
    assert "Datenlizenz Deutschland – Namensnennung 2.0" in page
    assert f"/documents/{doc_id}/download" in page


def test_unpublished_and_unknown_documents_are_not_found(client, make_doc):
    """Visitors get 404 for submitted documents and ids that don't exist."""
    doc_id = make_doc(title="Noch nicht geprüft", publish=False)
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert client.get(f"/documents/{doc_id}/download").status_code == 404
    assert client.get("/documents/999999").status_code == 404


def test_download_keeps_german_filename_and_forbids_sniffing(client, make_doc, app):
    """The original file comes back byte for byte under its umlaut filename, marked nosniff."""
    doc_id = make_doc(title="Förderantrag", text="Förderantrag Smarte Modellregion",
                      filename="Förderantrag_Gemeinde_Mücke.txt")
    response = client.get(f"/documents/{doc_id}/download")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''" + quote("Förderantrag_Gemeinde_Mücke.txt") in disposition
    assert "Förderantrag Smarte Modellregion" in response.get_data(as_text=True)
    response.close()


@pytest.mark.parametrize("uploaded, offered", [("bericht.pdf.exe", "bericht.pdf"), ("scan", "scan.pdf")])
def test_download_name_takes_the_extension_of_the_detected_format(client, make_doc, uploaded, offered):
    """A PDF uploaded under a misleading or no extension is offered under its stem with ".pdf"."""
    doc_id = make_doc(title="Jahresbericht", fmt="pdf", filename=uploaded)
    response = client.get(f"/documents/{doc_id}/download")
    response.close()
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={offered}"


def test_download_counts(client, make_doc, app):
    """Each download adds one to the document's counter."""
    from toolbox.extensions import db
    from toolbox.models import Document

    doc_id = make_doc(title="Checkliste")
    for _ in range(2):
        response = client.get(f"/documents/{doc_id}/download")
        assert response.status_code == 200
        response.close()
    with app.app_context():
        assert db.session.get(Document, doc_id).download_count == 2


def test_unknown_page_is_a_german_404(client):
    """A wrong URL gets a German error page, not a traceback."""
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    """API clients get JSON errors with a message."""
    response = client.get("/api/v1/documents/424242")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"]


def test_favicon_is_served_where_browsers_look_for_it(client):
    """/favicon.ico answers with the site's icon instead of a 404 in every server log."""
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)


def _links(html: str) -> dict[str, str]:
    """Link text → href of every link on a page."""
    import html as entities
    import re

    return {entities.unescape(re.sub(r"<[^>]+>", "", text)).strip(): entities.unescape(href)
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html)}


def test_document_facts_link_to_the_filtered_search(client, make_doc):
    """Topic, type, municipality, size class and project on the document page lead to the search
    filtered by them, and that search finds the document."""
    doc_id = make_doc(title="Leistungsbeschreibung LoRaWAN", topics=["infrastruktur-netze-iot"],
                      type="leistungsbeschreibung-ausschreibung", municipality="Mücke", population=9_000,
                      project="Smartes Dorf")
    make_doc(title="Elternbrief Kita-App", topics=["bildung-schule"], type="beispieldokument",
             municipality="Fulda", population=68_000)
    links = _links(client.get(f"/documents/{doc_id}").get_data(as_text=True))
    for text, parameter in [("Infrastruktur, Netze & IoT", "topic=infrastruktur-netze-iot"),
                            ("Leistungsbeschreibung/Ausschreibung", "type=leistungsbeschreibung-ausschreibung"),
                            ("Mücke", "municipality=M%C3%BCcke"), ("Kleinstadt", "size_class=kleinstadt"),
                            ("Smartes Dorf", "project=")]:
        href = next(href for label, href in links.items() if label.startswith(text))
        assert href.startswith("/search?") and parameter in href, (text, href)
        found = client.get(href).get_data(as_text=True)
        assert "1 Treffer" in found and "Leistungsbeschreibung LoRaWAN" in found, text


def test_back_to_the_results_keeps_the_search(client, make_doc):
    """A hit links to its document with the search it came from; the document page's
    "Zurück zu den Ergebnissen" leads to that search with its words, filters, sort and page."""
    for n in range(3):
        make_doc(title=f"Breitband Abschnitt {n}", text="Breitbandausbau im Landkreis.",
                 topics=["infrastruktur-netze-iot"])
    search = "/search?q=Breitbandausbau&topic=infrastruktur-netze-iot&sort=title&per_page=2&page=2"
    html = client.get(search).get_data(as_text=True)
    hit = next(href for text, href in _links(html).items() if text == "Breitband Abschnitt 2")
    document = client.get(hit).get_data(as_text=True)
    back = _links(document)["← Zurück zu den Ergebnissen"]
    assert back.startswith("/search?")
    assert sorted(parse_qsl(urlsplit(back).query)) == sorted(parse_qsl(urlsplit(search).query))
    assert "Breitband Abschnitt 2" in client.get(back).get_data(as_text=True)


@pytest.mark.parametrize("back", [
    "https://evil.example/search?q=x", "//evil.example/search", "/\\evil.example/search", "/admin/users",
    "javascript:alert(1)", "/search\r\nSet-Cookie: x=1", "http:/search", "/search/../admin",
])
def test_back_parameter_never_leads_off_the_search(client, make_doc, back):
    """A back parameter that is not a search on this site gives no back link at all."""
    doc_id = make_doc(title="Musterdokument Rücksprung")
    response = client.get(f"/documents/{doc_id}", query_string={"back": back})
    assert response.status_code == 200
    assert "Zurück zu den Ergebnissen" not in response.get_data(as_text=True)


def test_back_parameter_is_rebuilt_from_search_parameters(client, make_doc):
    """Only parameters a search knows go back out, escaped: no markup, no foreign parameter."""
    doc_id = make_doc(title="Musterdokument Rücksprung")
    back = '/search?q="><script>alert(1)</script>&next=https://evil.example&topic=daten-plattformen'
    html = client.get(f"/documents/{doc_id}", query_string={"back": back}).get_data(as_text=True)
    link = _links(html)["← Zurück zu den Ergebnissen"]
    params = parse_qsl(urlsplit(link).query)
    assert ("topic", "daten-plattformen") in params and "next" not in dict(params)
    assert "<script>alert(1)" not in html


def test_text_excerpt_shows_the_first_lines_escaped(client, make_doc):
    """"Textauszug" shows the beginning of the extracted text, escaped and cut at a word,
    not only the extraction status."""
    body = ["Leistungsbeschreibung für ein LoRaWAN-Netz <b>im</b> Gemeindegebiet & den Ortsteilen.",
            "", "1. Ausgangslage", "Die Gemeinde betreibt zwölf Gateways."] + [f"Absatz {n}: " + "Wort " * 30
                                                                               for n in range(40)]
    doc_id = make_doc(title="Leistungsbeschreibung LoRaWAN", text="\n".join(body))
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    excerpt = html.split('class="text-excerpt"', 1)[1].split("</div>", 1)[0]
    assert "Leistungsbeschreibung für ein LoRaWAN-Netz &lt;b&gt;im&lt;/b&gt; Gemeindegebiet &amp; den Ortsteilen." \
        in excerpt
    assert "1. Ausgangslage\nDie Gemeinde betreibt zwölf Gateways." in excerpt
    assert "Absatz 39" not in excerpt and excerpt.rstrip().endswith("…")
    assert 300 < len(excerpt) < 1200



def test_text_excerpt_leaves_out_the_running_header(client, make_doc):
    """The excerpt of a PDF starts with its text, not with the header every page repeats."""
    from search_factories import FUNKNETZ_PAGES

    doc_id = make_doc(title="Ausschreibung Funknetz", fmt="pdf", pages=FUNKNETZ_PAGES)
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    excerpt = html.split('class="text-excerpt"', 1)[1].split("</div>", 1)[0]
    assert excerpt.split(">", 1)[1].startswith("Die Gemeinde schreibt den Aufbau eines Funknetzes aus.")
    assert "Leistungsbeschreibung Funknetz" not in excerpt and "Seite 1 von 4" not in excerpt
