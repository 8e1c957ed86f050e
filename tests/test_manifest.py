"""Per-file metadata from CSV and JSON manifests."""
from __future__ import annotations

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
