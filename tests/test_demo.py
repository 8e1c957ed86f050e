"""The demo corpus generator: files, manifest, coverage and readable text."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from toolbox.demo import DEMO_DOCUMENTS
from toolbox.demo import MANIFEST_COLUMNS
from toolbox.demo import generate_demo_corpus
from toolbox.demo.catalogue import DOCUMENT_TYPES
from toolbox.demo.catalogue import LICENSES
from toolbox.demo.catalogue import SIZE_CLASSES
from toolbox.demo.catalogue import TOPICS
from toolbox.demo.catalogue import BulletList
from toolbox.demo.catalogue import DemoDocument
from toolbox.demo.catalogue import Heading
from toolbox.demo.catalogue import Paragraph
from toolbox.demo.catalogue import Table
from toolbox.demo.catalogue import size_class_for_population
from toolbox.extract import extract

EXPECTED_COLUMNS = [
    "path",
    "title",
    "description",
    "topics",
    "type",
    "municipality",
    "population",
    "size_class",
    "state",
    "district",
    "project",
    "project_year",
    "year",
    "license",
    "contact",
]
GERMAN_LETTERS = re.compile("[äöüÄÖÜß]")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_corpus(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def rows(manifest: Path) -> list[dict[str, str]]:
    with manifest.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _size_class(row: dict[str, str]) -> str:
    return row["size_class"] or size_class_for_population(int(row["population"]))


def _text_documents(fmt: str) -> list[DemoDocument]:
    return [doc for doc in DEMO_DOCUMENTS if doc.format == fmt and not doc.scan]


def _catalogue_strings(doc: DemoDocument) -> list[str]:
    strings = [doc.title]
    for block in doc.body:
        if isinstance(block, (Heading, Paragraph)):
            strings.append(block.text)
        elif isinstance(block, BulletList):
            strings.extend(block.items)
        else:
            strings.extend(cell for row in (block.header, *block.rows) for cell in row)
    return strings


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _docx_text(path: Path) -> tuple[str, str]:
    """Return (body text with table cells, header and footer text)."""
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    margins = []
    for section in document.sections:
        margins.extend(paragraph.text for paragraph in section.header.paragraphs)
        margins.extend(paragraph.text for paragraph in section.footer.paragraphs)
    return "\n".join(parts), "\n".join(margins)


def test_generator_writes_files_and_manifest(manifest: Path, rows: list[dict[str, str]]) -> None:
    """The generator writes at least 30 documents and a manifest with the agreed columns."""
    assert manifest.name == "manifest.csv"
    documents = [path for path in manifest.parent.iterdir() if path != manifest]
    assert len(documents) >= 30
    with manifest.open(encoding="utf-8", newline="") as stream:
        assert next(csv.reader(stream)) == EXPECTED_COLUMNS
    assert list(MANIFEST_COLUMNS) == EXPECTED_COLUMNS
    assert len(rows) == len(documents) == len(DEMO_DOCUMENTS)


def test_manifest_rows_reference_existing_files(manifest: Path, rows: list[dict[str, str]]) -> None:
    """Every manifest path is relative to the manifest, unique, NFC-named and exists."""
    paths = [row["path"] for row in rows]
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert not Path(path).is_absolute() and "/" not in path
        assert unicodedata.is_normalized("NFC", path)
        assert (manifest.parent / path).is_file(), path
        assert (manifest.parent / path).stat().st_size > 1000
    assert any(GERMAN_LETTERS.search(path) for path in paths), "some filenames carry umlauts or ß"


def test_every_vocabulary_slug_is_covered(rows: list[dict[str, str]]) -> None:
    """Each topic, document type, size class and licence is used, and only known slugs are."""
    topics = {topic for row in rows for topic in row["topics"].split(";")}
    assert topics == set(TOPICS)
    assert {row["type"] for row in rows} == set(DOCUMENT_TYPES)
    assert {_size_class(row) for row in rows} == set(SIZE_CLASSES)
    assert {row["license"] for row in rows} == set(LICENSES)
    for row in rows:
        assert row["title"] and row["description"] and row["contact"] and row["state"]


def test_several_municipalities_projects_and_years(rows: list[dict[str, str]]) -> None:
    """At least 8 municipalities and 8 projects, some projects with 2–4 documents, years 2019–2026."""
    assert len({row["municipality"] for row in rows}) >= 8
    per_project = Counter(row["project"] for row in rows)
    assert len(per_project) >= 8
    assert sum(1 for count in per_project.values() if 2 <= count <= 4) >= 5
    years = {int(row["year"]) for row in rows}
    assert min(years) == 2019 and max(years) == 2026
    for row in rows:
        assert 2019 <= int(row["project_year"]) <= 2026


def test_towns_give_population_districts_give_size_class(rows: list[dict[str, str]]) -> None:
    """Towns give an integer population (their class is derived); districts and associations a class."""
    for row in rows:
        if row["size_class"]:
            assert row["size_class"] in ("landkreis", "verbund-region")
            assert row["population"] == "" or int(row["population"]) > 0
        else:
            assert int(row["population"]) > 0


def test_metadata_differs_from_file_name(rows: list[dict[str, str]]) -> None:
    """Most rows name a municipality that the file name does not contain, so fields are searchable."""
    def stem_words(row: dict[str, str]) -> set[str]:
        return set(_words(Path(row["path"]).stem.replace("_", " ").lower()))

    hidden = [
        row for row in rows
        if not set(_words(row["municipality"].lower())) - {"stadt", "gemeinde"} <= stem_words(row)
    ]
    assert len(hidden) >= len(rows) // 2


def test_pdf_and_docx_about_half_each_and_every_office_format_once(rows: list[dict[str, str]]) -> None:
    """PDF and DOCX each make up roughly half of the corpus; ODT, XLSX, PPTX and a Word 97–2003
    DOC show that path once."""
    formats = Counter(Path(row["path"]).suffix for row in rows)
    assert set(formats) == {".pdf", ".docx", ".odt", ".xlsx", ".pptx", ".doc"}
    assert abs(formats[".pdf"] - formats[".docx"]) <= 4
    assert formats[".odt"] == formats[".xlsx"] == formats[".pptx"] == formats[".doc"] == 1


def test_the_legacy_doc_is_a_word_97_file_holding_the_catalogue_text(manifest: Path, tmp_path: Path) -> None:
    """The DOC is kept ready-made (only an office suite writes one): it is an OLE2 Word file, and
    LibreOffice reads the catalogue's headings, paragraphs and table cells out of it, so a change
    to the catalogue without making the file again fails here."""
    import pytest

    from toolbox.extract import detect_type
    from toolbox.extract.convert import convert, libreoffice

    [doc] = [doc for doc in DEMO_DOCUMENTS if doc.format == "doc"]
    path = manifest.parent / doc.filename
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert detect_type(path, doc.filename).format == "doc"
    if libreoffice() is None:
        pytest.skip("LibreOffice not installed: the DOC's text cannot be read here")
    outcome = convert(str(path), "doc", str(tmp_path / "umgewandelt.odt"), seconds=120, memory_mb=2048)
    assert outcome.status == "ok", outcome.detail
    flowing = " ".join(outcome.text.split())
    for text in _catalogue_strings(doc):
        assert " ".join(text.split()) in flowing, text


def test_documents_have_substance() -> None:
    """Text documents have 300–1500 words, headings and German letters; a third or more have tables."""
    text_documents = [doc for doc in DEMO_DOCUMENTS if not doc.scan]
    for doc in text_documents:
        strings = _catalogue_strings(doc)
        assert 300 <= len(" ".join(strings).split()) <= 1500, doc.filename
        assert sum(isinstance(block, Heading) for block in doc.body) >= 3, doc.filename
        assert GERMAN_LETTERS.search(" ".join(strings)), doc.filename
    with_tables = [doc for doc in text_documents if any(isinstance(b, Table) for b in doc.body)]
    assert len(with_tables) * 3 >= len(text_documents)


def test_pdf_text_keeps_umlauts_words_and_table_cells(manifest: Path) -> None:
    """pypdf reads back every word of every text PDF, table cells included, with umlauts and ß intact."""
    corpus_text = []
    for doc in _text_documents("pdf"):
        text = _pdf_text(manifest.parent / doc.filename)
        corpus_text.append(text)
        # A glued ("StraßeUnd") or split ("Stra ße") word would be missing from the tokens.
        tokens = set(_words(text))
        missing = [w for s in _catalogue_strings(doc) for w in _words(s) if w not in tokens]
        assert not missing, (doc.filename, missing[:10])
        assert doc.municipality.name in text
        table = next((b for b in doc.body if isinstance(b, Table)), None)
        if table is not None:
            assert " ".join(table.header) in text, doc.filename
    joined = "\n".join(corpus_text)
    for word in ("Straße", "Maßnahmen", "Bürgerbeteiligung", "Gemeindegröße", "Straßenbeleuchtung", "„", "€"):
        assert word in joined, word


def test_scan_pdf_has_no_text_layer(manifest: Path) -> None:
    """Exactly one demo document is an image-only PDF scan from which no text can be extracted."""
    scans = [doc for doc in DEMO_DOCUMENTS if doc.scan]
    assert len(scans) == 1 and scans[0].format == "pdf"
    reader = PdfReader(manifest.parent / scans[0].filename)
    assert len(reader.pages) >= 1
    assert all(page.extract_text().strip() == "" for page in reader.pages)


def test_docx_text_includes_table_cells_and_header(manifest: Path) -> None:
    """python-docx finds body text, every table cell and the header/footer text of every DOCX."""
    for doc in _text_documents("docx"):
        path = manifest.parent / doc.filename
        body, margins = _docx_text(path)
        for string in _catalogue_strings(doc):
            assert string in body, (doc.filename, string)
        assert doc.municipality.name in margins
        assert doc.license_label in margins
        properties = docx.Document(str(path)).core_properties
        assert properties.title == doc.title
        assert properties.author == doc.municipality.author
        assert properties.created is not None and properties.created.date() == doc.date


def test_search_compounds_are_present(manifest: Path) -> None:
    """The compounds the search tests rely on occur in the extracted texts."""
    texts = []
    for doc in DEMO_DOCUMENTS:
        path = manifest.parent / doc.filename
        if doc.scan:
            continue
        if doc.format == "pdf":
            texts.append(_pdf_text(path))
        elif doc.format == "docx":
            texts.append("\n".join(_docx_text(path)))
        else:
            texts.append(extract(path).text)
    joined = "\n".join(texts)
    for word in (
        "Datenstrategie",
        "Digitalisierungsstrategie",
        "Ausschreibung",
        "Ausschreibungen",
        "Bürgerbeteiligung",
        "Straßenbeleuchtung",
    ):
        assert re.search(rf"\b{word}\b", joined), word


def test_generation_is_deterministic(manifest: Path, tmp_path: Path) -> None:
    """A second run gives the same manifest and byte-identical documents."""
    second = generate_demo_corpus(tmp_path)
    assert second.read_bytes() == manifest.read_bytes()
    for doc in DEMO_DOCUMENTS:
        first_bytes = (manifest.parent / doc.filename).read_bytes()
        assert (tmp_path / doc.filename).read_bytes() == first_bytes, doc.filename
