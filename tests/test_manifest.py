"""Per-file metadata from CSV and JSON manifests."""
from __future__ import annotations

import csv
import json

import pytest

from toolbox.services.ingest import DocumentMetadata
from toolbox.services.manifest import ManifestError, plan_ingest, read_manifest


def test_csv_manifest_maps_files_to_metadata(tmp_path):
    """A CSV row gives title, topics (; separated), numbers and names for the file it lists."""
    (tmp_path / "Förderantrag.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "manifest.csv").write_text(
        "path,title,topics,type,municipality,population,year,license\n"
        "Förderantrag.pdf,Förderantrag Modellregion,energie-klimaschutz;umwelt-wasser,foerderantrag,"
        "Gemeinde Mücke,\"9.100\",2022,cc-by-4.0\n",
        encoding="utf-8",
    )
    entries = read_manifest(tmp_path / "manifest.csv")
    metadata = entries[(tmp_path / "Förderantrag.pdf").resolve()]
    assert metadata.title == "Förderantrag Modellregion"
    assert metadata.topics == ["energie-klimaschutz", "umwelt-wasser"]
    assert metadata.population == 9100
    assert metadata.year == 2022
    assert metadata.municipality == "Gemeinde Mücke"


def test_semicolon_csv_from_excel_with_cp1252(tmp_path):
    """A German Excel export (semicolons, Windows-1252) is read correctly."""
    (tmp_path / "m.csv").write_bytes(
        "path;title;municipality\nplan.docx;Maßnahmenplan;Großenlüder\n".encode("cp1252")
    )
    metadata = read_manifest(tmp_path / "m.csv")[(tmp_path / "plan.docx").resolve()]
    assert metadata.title == "Maßnahmenplan"
    assert metadata.municipality == "Großenlüder"


DESCRIPTION = 'Konzept "Smart Region" für die Stadt, Teil 2'
MULTILINE = "Rufbus im Landkreis\nFahrplan 2021"


def _python_csv(tmp_path):
    with (tmp_path / "m.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["path", "title", "description", "topics", "municipality", "year"])
        writer.writerow(["strategie.pdf", "Datenstrategie", DESCRIPTION, "strategie-organisation;daten-plattformen",
                         "Großenlüder", 2022])
        writer.writerow(["rufbus.pdf", "Rufbus", MULTILINE, "mobilitaet-verkehr", "Großenlüder", 2021])


# Byte for byte as the programs write them: Excel quotes a cell only when it holds the delimiter,
# a quote or a line break (Alt+Enter is a bare LF inside the cell) and ends rows with CRLF;
# LibreOffice with "Quote all text cells" quotes every text but not numbers and ends rows with LF.
EXCEL_GERMAN = (
    "path;title;description;topics;municipality;year\r\n"
    'strategie.pdf;Datenstrategie;"Konzept ""Smart Region"" für die Stadt, Teil 2";'
    '"strategie-organisation;daten-plattformen";Großenlüder;2022\r\n'
    'rufbus.pdf;Rufbus;"Rufbus im Landkreis\nFahrplan 2021";mobilitaet-verkehr;Großenlüder;2021\r\n'
    ";;;;;\r\n"
)
EXCEL_ENGLISH = (
    "path,title,description,topics,municipality,year\r\n"
    'strategie.pdf,Datenstrategie,"Konzept ""Smart Region"" für die Stadt, Teil 2",'
    "strategie-organisation;daten-plattformen,Großenlüder,2022\r\n"
    'rufbus.pdf,Rufbus,"Rufbus im Landkreis\nFahrplan 2021",mobilitaet-verkehr,Großenlüder,2021\r\n'
)
LIBREOFFICE = (
    '"path","title","description","topics","municipality","year"\n'
    '"strategie.pdf","Datenstrategie","Konzept ""Smart Region"" für die Stadt, Teil 2",'
    '"strategie-organisation;daten-plattformen","Großenlüder",2022\n'
    '"rufbus.pdf","Rufbus","Rufbus im Landkreis\nFahrplan 2021","mobilitaet-verkehr","Großenlüder",2021\n'
)


@pytest.mark.parametrize("write", [
    pytest.param(_python_csv, id="python-csv-module"),
    pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(EXCEL_GERMAN.encode("cp1252")), id="excel-german-cp1252"),
    pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(EXCEL_GERMAN.encode("utf-8-sig")),
                 id="excel-german-csv-utf8-with-bom"),
    pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(EXCEL_ENGLISH.encode("cp1252")), id="excel-english"),
    pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(LIBREOFFICE.encode("utf-8")), id="libreoffice-comma"),
    pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(
        LIBREOFFICE.replace('",', '";').replace(",2", ";2").encode("utf-8")), id="libreoffice-semicolon"),
])
def test_manifests_as_spreadsheets_and_python_write_them(tmp_path, write):
    """Whatever the delimiter, the topics cell keeps its ";"-separated slugs, a quoted
    description keeps its doubled quotes, commas and line breaks, and umlauts survive the encoding."""
    write(tmp_path)
    entries = read_manifest(tmp_path / "m.csv")
    assert set(entries) == {(tmp_path / "strategie.pdf").resolve(), (tmp_path / "rufbus.pdf").resolve()}
    strategy = entries[(tmp_path / "strategie.pdf").resolve()]
    assert strategy.title == "Datenstrategie"
    assert strategy.description == DESCRIPTION
    assert strategy.topics == ["strategie-organisation", "daten-plattformen"]
    assert strategy.municipality == "Großenlüder"
    assert strategy.year == 2022
    bus = entries[(tmp_path / "rufbus.pdf").resolve()]
    assert bus.description == MULTILINE
    assert bus.topics == ["mobilitaet-verkehr"] and bus.year == 2021


def test_json_manifest_accepts_list_topics(tmp_path):
    """A JSON manifest may give topics as a list."""
    (tmp_path / "m.json").write_text(json.dumps([
        {"path": "sub/a.pdf", "title": "A", "topics": ["bildung-schule"], "year": 2021},
    ]), encoding="utf-8")
    metadata = read_manifest(tmp_path / "m.json")[(tmp_path / "sub" / "a.pdf").resolve()]
    assert metadata.topics == ["bildung-schule"]
    assert metadata.year == 2021


@pytest.mark.parametrize(
    "content, message",
    [
        ("title\nA\n", "path"),
        ("path,farbe\na.pdf,blau\n", "farbe"),
        ("path,year\na.pdf,zweitausend\n", "zweitausend"),
        ("path,title\na.pdf,A,zu viel\n", "Zeile 2"),
    ],
)
def test_bad_manifest_says_what_is_wrong(tmp_path, content, message):
    """A broken manifest raises a message naming the column, value or row."""
    (tmp_path / "m.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        read_manifest(tmp_path / "m.csv")


def test_invalid_json_is_reported(tmp_path):
    """Unparseable JSON names the line."""
    (tmp_path / "m.json").write_text('[{"path": "a.pdf",]', encoding="utf-8")
    with pytest.raises(ManifestError, match="JSON"):
        read_manifest(tmp_path / "m.json")


def test_manifest_values_win_over_defaults_and_manifest_is_skipped(tmp_path):
    """Row values override command-line defaults, which fill the gaps; the manifest is no document."""
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "m.csv").write_text("path,title,year\na.txt,Alpha,2020\n", encoding="utf-8")
    defaults = DocumentMetadata(year=2024, municipality="Stadt Fulda")
    items = plan_ingest([tmp_path], tmp_path / "m.csv", defaults)
    by_name = {path.name: metadata for path, metadata, _ in items}
    assert set(by_name) == {"a.txt", "b.txt"}
    assert by_name["a.txt"].title == "Alpha" and by_name["a.txt"].year == 2020
    assert by_name["a.txt"].municipality == "Stadt Fulda"
    assert by_name["b.txt"].year == 2024 and by_name["b.txt"].title is None
