"""The filtered ZIP download: exactly the search's documents, streamed, with manifest and licences."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from toolbox.extensions import db
from toolbox.models import Document
from toolbox.services import zip_export

COMPANIONS = {"manifest.csv", "metadata.json", "LIZENZEN.txt"}


@pytest.fixture
def corpus(make_doc):
    """Five published documents over two topics and two size classes, and one unpublished."""
    return {
        "daten_mittel": make_doc(title="Datenstrategie Musterstadt", text="Eine Datenstrategie für die Stadt.",
                                 topics=["daten-plattformen"], municipality="Musterstadt", population=50_000,
                                 license="cc-by-4.0", type="konzept-strategie", year=2022,
                                 filename="Datenstrategie.txt"),
        "daten_mittel_2": make_doc(title="Offene Daten Musterstadt", text="Open-Data-Portal der Stadt.",
                                   topics=["daten-plattformen", "verwaltung-e-government"],
                                   municipality="Musterstadt", license="dl-de-zero-2.0", year=2023,
                                   filename="Übersicht Straßenbeleuchtung.txt"),
        "daten_land": make_doc(title="Datenplattform Kleindorf", text="Eine Datenplattform im ländlichen Raum.",
                               topics=["daten-plattformen"], municipality="Kleindorf", population=3_000,
                               license="cc-by-4.0", year=2021, filename="Datenstrategie.txt"),
        "mobil_mittel": make_doc(title="Mobilitätskonzept Musterstadt", text="Ein Konzept für Busse und Räder.",
                                 topics=["mobilitaet-verkehr"], municipality="Musterstadt",
                                 license="cc-by-4.0", year=2020, filename="Mobilität.txt"),
        "mobil_land": make_doc(title="Rufbus Kleindorf", text="Rufbus auf dem Land.",
                               topics=["mobilitaet-verkehr"], municipality="Kleindorf", year=2019,
                               filename="Rufbus.txt"),
        "submitted": make_doc(title="Unveröffentlichte Datenstrategie", text="Noch in Prüfung.",
                              topics=["daten-plattformen"], municipality="Musterstadt", publish=False,
                              filename="Entwurf.txt"),
    }


def _open(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    return archive


def _manifest(archive: zipfile.ZipFile) -> list[dict]:
    raw = archive.read("manifest.csv")
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _matching_ids(app, **filters) -> list[int]:
    from toolbox.search import SearchQuery, matching_document_ids

    with app.app_context():
        return matching_document_ids(SearchQuery(**filters))


def test_zip_holds_exactly_the_documents_of_the_filtered_search(app, client, corpus):
    """Filtering by topic and size class gives a ZIP of exactly the documents the same search returns."""
    response = client.get("/search/download.zip?topic=daten-plattformen&size_class=mittelstadt")
    archive = _open(response)
    expected = _matching_ids(app, topic=("daten-plattformen",), size_class=("mittelstadt",))
    assert sorted(expected) == sorted([corpus["daten_mittel"], corpus["daten_mittel_2"]])

    rows = _manifest(archive)
    assert [int(row["ID"]) for row in rows] == expected
    files = set(archive.namelist()) - COMPANIONS
    assert files == {row["Datei"] for row in rows}
    assert COMPANIONS <= set(archive.namelist())
    with app.app_context():
        for row in rows:
            document = db.session.get(Document, int(row["ID"]))
            assert row["Titel"] == document.title
            assert row["Originaldateiname"] == document.current_version.original_filename
            assert row["Kommune"] == "Musterstadt"
            assert row["Größenklasse"].startswith("Mittelstadt")
            assert "Daten & Plattformen" in row["Themenfelder"]


def test_zip_files_have_the_stored_bytes(app, client, corpus):
    """Each file in the ZIP is byte for byte the stored current version."""
    from toolbox.storage import blob_store

    archive = _open(client.get("/search/download.zip?topic=mobilitaet-verkehr"))
    rows = _manifest(archive)
    assert {int(r["ID"]) for r in rows} == {corpus["mobil_mittel"], corpus["mobil_land"]}
    with app.app_context():
        store = blob_store()
        for row in rows:
            version = db.session.get(Document, int(row["ID"])).current_version
            assert archive.read(row["Datei"]) == store.path_for(version.sha256).read_bytes()
            assert int(row["Größe (Bytes)"]) == version.size


def test_empty_query_with_filters_browses(app, client, corpus):
    """No search words and only a size class filter: every published document of that class."""
    archive = _open(client.get("/search/download.zip?size_class=landgemeinde"))
    ids = {int(r["ID"]) for r in _manifest(archive)}
    assert ids == {corpus["daten_land"], corpus["mobil_land"]}


def test_unpublished_documents_never_enter_the_zip(client, corpus):
    """A submitted document matching the filters stays out of the ZIP."""
    archive = _open(client.get("/search/download.zip?topic=daten-plattformen"))
    ids = {int(r["ID"]) for r in _manifest(archive)}
    assert corpus["submitted"] not in ids
    assert ids == {corpus["daten_mittel"], corpus["daten_mittel_2"], corpus["daten_land"]}


def test_umlaut_filenames_are_kept_with_the_utf8_flag(client, corpus):
    """Original names with umlauts and ß are kept, flagged as UTF-8 so every unzip shows them right."""
    archive = _open(client.get("/search/download.zip?topic=daten-plattformen&size_class=mittelstadt"))
    info = archive.getinfo("Übersicht Straßenbeleuchtung.txt")
    assert info.flag_bits & 0x800
    assert "Mobilität.txt" in _open(client.get("/search/download.zip?topic=mobilitaet-verkehr")).namelist()


def test_equal_original_filenames_get_unique_names(client, corpus):
    """Two documents both called Datenstrategie.txt become Datenstrategie.txt and Datenstrategie (2).txt."""
    archive = _open(client.get("/search/download.zip?topic=daten-plattformen&sort=title"))
    names = set(archive.namelist()) - COMPANIONS
    assert {"Datenstrategie.txt", "Datenstrategie (2).txt"} <= names
    assert len(names) == 3


def test_member_names_take_the_extension_of_the_detected_format(client, make_doc):
    """A PDF uploaded as bericht.pdf.exe or scan is packed as bericht.pdf and scan.pdf, as the
    single download names it; the manifest keeps the uploaded name beside it."""
    make_doc(title="Bericht", fmt="pdf", filename="bericht.pdf.exe", topics=["tourismus-kultur"])
    make_doc(title="Scan", fmt="pdf", filename="scan", topics=["tourismus-kultur"])
    archive = _open(client.get("/search/download.zip?topic=tourismus-kultur"))
    assert set(archive.namelist()) - COMPANIONS == {"bericht.pdf", "scan.pdf"}
    rows = {row["Datei"]: row["Originaldateiname"] for row in _manifest(archive)}
    assert rows == {"bericht.pdf": "bericht.pdf.exe", "scan.pdf": "scan"}


def test_licenses_txt_names_what_each_licence_requires(app, client, corpus):
    """LIZENZEN.txt groups the documents per licence with notice, licence URL and attribution details."""
    archive = _open(client.get("/search/download.zip?topic=daten-plattformen"))
    text = archive.read("LIZENZEN.txt").decode("utf-8")
    assert "CC BY 4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/deed.de" in text
    assert "Namensnennung erforderlich" in text
    assert "Datenlizenz Deutschland – Zero 2.0" in text
    assert "Keine Namensnennung erforderlich." in text
    cc_by = text.split("CC BY 4.0", 1)[1].split("Datenlizenz Deutschland – Zero 2.0", 1)[0]
    assert "„Datenstrategie Musterstadt“" in cc_by and "„Datenplattform Kleindorf“" in cc_by
    assert "Urheber/Bereitsteller: Musterstadt" in cc_by and "Urheber/Bereitsteller: Kleindorf" in cc_by
    assert f"/documents/{corpus['daten_mittel']}" in cc_by
    assert "Namensnennung: „Datenstrategie Musterstadt“, Musterstadt, Lizenz: CC BY 4.0" in cc_by
    assert "„Offene Daten Musterstadt“" in text.split("Datenlizenz Deutschland – Zero 2.0", 1)[1]
    # said once per licence, in the licence's own notice, not again as "…: ja"
    assert cc_by.count("Namensnennung erforderlich") == 1
    assert text.count("Keine Namensnennung erforderlich") == 1
    assert "Namensnennung erforderlich: ja" not in text and "Namensnennung erforderlich: nein" not in text


def test_licenses_txt_says_yes_or_no_for_a_licence_without_notice(app, client, make_doc):
    """A licence an editor added without a notice still tells whether attribution is required."""
    from conftest import make_user
    from toolbox.models import User
    from toolbox.services.curation import vocabulary_entry_create

    editor_id = make_user(app, role="editor")
    with app.app_context():
        vocabulary_entry_create(db.session.get(User, editor_id), "license", "Eigene Lizenz", "Own licence",
                                slug="eigene-lizenz")
    make_doc(title="Eigenes Muster", license="eigene-lizenz", topics=["tourismus-kultur"])
    text = _open(client.get("/search/download.zip?topic=tourismus-kultur")).read("LIZENZEN.txt").decode("utf-8")
    assert "Eigene Lizenz" in text
    assert text.count("Namensnennung erforderlich: ja") == 1


def test_document_without_licence_is_listed_as_such(client, corpus):
    """A document without licence appears under "Ohne Lizenzangabe" with the advice to ask first."""
    archive = _open(client.get("/search/download.zip?size_class=landgemeinde&topic=mobilitaet-verkehr"))
    text = archive.read("LIZENZEN.txt").decode("utf-8")
    assert "Ohne Lizenzangabe" in text and "„Rufbus Kleindorf“" in text
    assert "Rücksprache" in text


def test_manifest_neutralises_csv_injection(client, make_doc):
    """Cells starting with = + - @ tab or CR get a leading apostrophe, so no formula ever runs."""
    make_doc(title="=HYPERLINK(\"http://evil.example\",\"klick\")", text="Formel im Titel.",
             description="+SUMME(1;2)", contact="@admin", municipality="-Minusdorf", topics=["tourismus-kultur"])
    make_doc(title="\tTab-Titel", text="Tab im Titel.", description="\rWagenrücklauf", topics=["tourismus-kultur"])
    archive = _open(client.get("/search/download.zip?topic=tourismus-kultur&sort=title"))
    rows = _manifest(archive)
    assert len(rows) == 2
    cells = [value for row in rows for value in row.values()]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    formula_row = next(r for r in rows if "HYPERLINK" in r["Titel"])
    assert formula_row["Titel"].startswith("'=HYPERLINK")
    assert formula_row["Beschreibung"] == "'+SUMME(1;2)"
    assert formula_row["Kontakt"] == "'@admin"
    assert formula_row["Kommune"] == "'-Minusdorf"


def test_manifest_quotes_every_cell_and_neutralises_hidden_formulas(client, make_doc):
    """A title that hides its "=" behind a zero-width space or writes it full-width gets the
    apostrophe too, and every cell of manifest.csv is quoted, numbers included."""
    make_doc(title="\u200b=HYPERLINK(\"http://evil.example\")", text="Versteckte Formel.",
             description="＝1+1", contact="\ufeff@admin", topics=["tourismus-kultur"])
    archive = _open(client.get("/search/download.zip?topic=tourismus-kultur"))
    [row] = _manifest(archive)
    assert row["Titel"] == "'\u200b=HYPERLINK(\"http://evil.example\")"
    assert row["Beschreibung"] == "'＝1+1"
    assert row["Kontakt"] == "'\ufeff@admin"
    lines = archive.read("manifest.csv").decode("utf-8-sig").split("\r\n")
    for line in filter(None, lines):
        cells = next(csv.reader([line], delimiter=";", quoting=csv.QUOTE_NONE))
        assert all(cell.startswith('"') and cell.endswith('"') for cell in cells), line


def test_metadata_json_has_the_api_document_shape(client, corpus):
    """metadata.json lists every document as the API's document JSON plus its name in the ZIP."""
    archive = _open(client.get("/search/download.zip?topic=mobilitaet-verkehr"))
    payload = json.loads(archive.read("metadata.json").decode("utf-8"))
    assert payload["count"] == 2
    assert payload["query"] == {"topic": ["mobilitaet-verkehr"]}
    for entry in payload["documents"]:
        api = client.get(f"/api/v1/documents/{entry['id']}").get_json()
        assert set(entry) == set(api) | {"zip_filename"}
        for key in api:
            if key != "download_count":  # the ZIP download itself counted one since
                assert entry[key] == api[key], key
        assert entry["zip_filename"] in archive.namelist()


def test_download_counters_go_up_by_one(app, client, corpus):
    """Every document in the ZIP counts one download; the others are untouched."""
    _open(client.get("/search/download.zip?topic=mobilitaet-verkehr"))
    with app.app_context():
        counts = {key: db.session.get(Document, doc_id).download_count for key, doc_id in corpus.items()}
    assert counts["mobil_mittel"] == 1 and counts["mobil_land"] == 1
    assert counts["daten_mittel"] == 0 and counts["daten_land"] == 0


def test_response_is_streamed_with_a_dated_filename(client, corpus):
    """The ZIP is a streamed response (a generator), named smart-region-toolbox-auswahl-<date>.zip."""
    response = client.get("/search/download.zip?topic=mobilitaet-verkehr", buffered=False)
    try:
        assert response.is_streamed
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="smart-region-toolbox-auswahl-20')
        assert disposition.endswith('.zip"')
        assert "Content-Length" not in response.headers
    finally:
        response.close()


@pytest.mark.parametrize("setting,value", [("TOOLBOX_ZIP_MAX_DOCUMENTS", 1), ("TOOLBOX_ZIP_MAX_MB", 0)])
def test_limit_exceeded_gives_a_friendly_page_and_no_zip(app, client, corpus, setting, value):
    """Beyond the count or size limit: a German explanation with status 422, no ZIP, no counting."""
    app.config[setting] = value
    response = client.get("/search/download.zip?topic=daten-plattformen")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Der ZIP-Download ist für diese Auswahl nicht möglich" in html
    assert "Bitte grenzen Sie die Suche mit Filtern weiter ein." in html
    assert "Filter anwenden" in html  # the filters to narrow the selection are right there
    with app.app_context():
        assert db.session.get(Document, corpus["daten_mittel"]).download_count == 0


def test_limit_exceeded_answers_json_to_api_clients(app, client, corpus):
    """A client asking for JSON gets the error as JSON with the limits."""
    app.config["TOOLBOX_ZIP_MAX_DOCUMENTS"] = 2
    response = client.get("/search/download.zip?topic=daten-plattformen", headers={"Accept": "application/json"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422
    assert "höchstens 2 Dokumente" in error["message"]
    assert error["documents"] == 3 and error["max_documents"] == 2


def test_empty_selection_explains_instead_of_an_empty_zip(client, corpus):
    """A search without hits gets a message, not an empty archive."""
    response = client.get("/search/download.zip?q=Zauberwortxyz")
    assert response.status_code == 404
    assert "keine Dokumente zum Herunterladen" in response.get_data(as_text=True)


def test_stream_writes_incrementally(tmp_path):
    """A large file leaves the generator in small pieces, without needing the app: memory stays flat."""
    import os

    from toolbox.storage import BlobStore

    store = BlobStore(tmp_path / "blobs")
    payload = os.urandom(3 * 1024 * 1024)
    blob = store.put_stream(io.BytesIO(payload))
    plan = zip_export.ZipPlan(
        filename="x.zip",
        members=[zip_export.ZipMember(1, "Groß.pdf", blob.sha256, blob.size, (2024, 1, 2, 3, 4, 6), True)],
        extra_files=[("manifest.csv", b"a;b\r\n")],
        total_size=blob.size,
    )
    chunks = list(zip_export.zip_stream(plan, store))
    assert len(chunks) > 20
    assert max(len(chunk) for chunk in chunks) < 256 * 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.read("Groß.pdf") == payload
    assert archive.getinfo("Groß.pdf").date_time == (2024, 1, 2, 3, 4, 6)


def test_large_members_get_zip64_records(tmp_path, monkeypatch):
    """Members beyond the 32-bit limits are written with ZIP64 records and read back intact.

    The limit is lowered for the test instead of writing 4 GiB.
    """
    import struct

    from toolbox.storage import BlobStore

    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    store = BlobStore(tmp_path / "blobs")
    payload = bytes(range(256)) * 64  # 16 KiB, four times the lowered limit
    blob = store.put_stream(io.BytesIO(payload))
    plan = zip_export.ZipPlan(
        filename="x.zip",
        members=[zip_export.ZipMember(1, "Große Datei.pdf", blob.sha256, blob.size, (2024, 1, 2, 3, 4, 6), False)],
        extra_files=[],
        total_size=blob.size,
    )
    data = b"".join(zip_export.zip_stream(plan, store))
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("Große Datei.pdf")
    assert struct.unpack("<H", info.extra[:2])[0] == 0x0001  # the ZIP64 extra field
    assert archive.read(info) == payload


def test_unique_names_ignore_case_and_keep_the_companion_files_free():
    """Names are unique regardless of case, never clash with manifest.csv and lose path parts."""
    names = zip_export.UniqueNames(zip_export.RESERVED_NAMES)
    assert names.claim("Datei.pdf") == "Datei.pdf"
    assert names.claim("datei.PDF") == "datei (2).PDF"
    assert names.claim("Datei.pdf") == "Datei (3).pdf"
    assert names.claim("manifest.csv") == "manifest (2).csv"
    assert names.claim("../../etc/passwd") == "passwd"
    assert names.claim('Plan: "A"?.docx') == "Plan_ _A__.docx"
    assert names.claim("") == "dokument"
    assert names.claim("Bu\u0308rger.txt") == "Bürger.txt"  # NFD from a Mac becomes NFC


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+49 611", "'+49 611"), ("-5", "'-5"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Normal", "Normal"), ("", ""), (2024, 2024),
    # Behind characters a spreadsheet skips or folds: zero-width space, BOM, word joiner,
    # right-to-left mark, spaces, and full-width or small operators.
    ("\u200b=1+1", "'\u200b=1+1"), ("\ufeff=1+1", "'\ufeff=1+1"), ("\u2060@x", "'\u2060@x"),
    ("\u200f+1", "'\u200f+1"), (" \u00a0=1", "' \u00a0=1"), ("\u3000-1", "'\u3000-1"),
    ("＝1+1", "'＝1+1"), ("﹦1", "'﹦1"), ("＋49", "'＋49"), ("－5", "'－5"), ("＠x", "'＠x"), ("\u22125", "'\u22125"),
    ("\u200bNormal", "\u200bNormal"), ("Gebühr = 5 €", "Gebühr = 5 €"),
])
def test_neutralise_cell(value, expected):
    """Only text cells that a spreadsheet would treat as a formula are changed."""
    assert zip_export.neutralise_cell(value) == expected
