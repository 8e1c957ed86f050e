"""The ingest service: validate → store → extract → database → index."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from toolbox.extensions import db
from toolbox.models import Document, FileVersion, Municipality, Project
from toolbox.services.ingest import DocumentMetadata, ingest_file, ingest_files, iter_files
from toolbox.storage import BlobStore

from conftest import german, write_docx


def _blob_files(app) -> list[Path]:
    root = Path(app.config["TOOLBOX_DOCUMENTS_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"]


def test_docx_is_stored_extracted_and_recorded(app, tmp_path):
    """A DOCX ends as a document with its file version, extracted text and metadata."""
    path = write_docx(tmp_path / "Datenstrategie_Fulda.docx",
                      ["Die Datenstrategie der Stadt regelt offene Daten."],
                      table=[["Maßnahme", "Zuständigkeit"], ["Open-Data-Portal", "Stabsstelle"]],
                      header="Stadt Fulda – Stabsstelle Digitalisierung")
    metadata = DocumentMetadata(
        title="Datenstrategie der Stadt Fulda", topics=["daten-plattformen", "strategie-organisation"],
        type="konzept-strategie", municipality="Stadt Fulda", population=68_000, state="Hessen",
        project="Smarte Region Fulda", project_year=2024, year=2023, license="cc-by-4.0",
    )
    with app.app_context():
        outcome = ingest_file(path, metadata, publish=True)
        assert outcome.status == "ingested", german(outcome.message)
        document = db.session.get(Document, outcome.document_id)
        assert document.title == "Datenstrategie der Stadt Fulda"
        assert document.status == "published"
        assert document.published_at is not None
        assert [t.slug for t in document.topics] == ["strategie-organisation", "daten-plattformen"]
        assert document.document_type.slug == "konzept-strategie"
        assert document.license.slug == "cc-by-4.0"
        assert document.municipality.size_class.slug == "mittelstadt"
        assert document.project.name == "Smarte Region Fulda"
        assert document.project.year_finished == 2024
        version = document.current_version
        assert version.format == "docx"
        assert version.original_filename == "Datenstrategie_Fulda.docx"
        assert version.extraction_status == "ok"
        assert "Open-Data-Portal" in version.text and "Stabsstelle Digitalisierung" in version.text
        assert BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"]).verify(version.sha256)


def test_ingest_without_publish_submits_for_review(app, tmp_path):
    """Documents wait for review unless the caller publishes them."""
    path = tmp_path / "notiz.txt"
    path.write_text("Protokoll der Lenkungsgruppe", encoding="utf-8")
    with app.app_context():
        outcome = ingest_file(path)
        document = db.session.get(Document, outcome.document_id)
        assert document.status == "submitted"
        assert document.published_at is None
        assert document.title == "notiz"


def test_duplicate_is_reported_with_existing_document(app, tmp_path):
    """The same bytes under another name are not stored again; the outcome names the original."""
    first = tmp_path / "Vertrag.txt"
    first.write_text("Muster-Dienstleistungsvertrag für LoRaWAN", encoding="utf-8")
    second = tmp_path / "Kopie von Vertrag.txt"
    second.write_bytes(first.read_bytes())
    with app.app_context():
        original = ingest_file(first, DocumentMetadata(title="Mustervertrag"))
        duplicate = ingest_file(second)
        assert duplicate.status == "duplicate"
        assert duplicate.document_id == original.document_id
        assert "Mustervertrag" in german(duplicate.message)
        assert db.session.scalar(select(func.count()).select_from(FileVersion)) == 1
    assert len(_blob_files(app)) == 1


def test_same_file_twice_in_one_batch_is_one_document(app, tmp_path):
    """A batch holding the same bytes twice stores the first and reports the second as duplicate."""
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("Leerstandskataster Innenstadt", encoding="utf-8")
    b.write_text("Leerstandskataster Innenstadt", encoding="utf-8")
    with app.app_context():
        outcomes = ingest_files([(a, DocumentMetadata(), None), (b, DocumentMetadata(), None)])
        assert [o.status for o in outcomes] == ["ingested", "duplicate"]
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_unsupported_format_is_refused_before_storing(app, tmp_path):
    """A file that is not PDF, DOCX or text fails with a German reason, and nothing is stored."""
    path = tmp_path / "programm.pdf"
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 20)
    with app.app_context():
        outcome = ingest_file(path)
        assert outcome.status == "failed"
        assert german(outcome.message)
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert _blob_files(app) == []


def test_empty_file_is_refused(app, tmp_path):
    """A 0-byte file fails with a clear message."""
    path = tmp_path / "leer.pdf"
    path.write_bytes(b"")
    with app.app_context():
        outcome = ingest_file(path)
    assert outcome.status == "failed"
    assert "leer" in german(outcome.message)


def test_oversize_file_is_refused(app, tmp_path):
    """A file above TOOLBOX_MAX_UPLOAD_MB fails and is not stored."""
    app.config["TOOLBOX_MAX_UPLOAD_MB"] = 1
    path = tmp_path / "gross.txt"
    path.write_bytes(b"Daten " * 200_000)
    with app.app_context():
        outcome = ingest_file(path)
    assert outcome.status == "failed"
    assert "1 MB" in german(outcome.message)
    assert _blob_files(app) == []


def test_unknown_slug_fails_and_names_valid_ones(app, tmp_path):
    """An unknown topic fails the file with a message listing the valid slugs."""
    path = tmp_path / "x.txt"
    path.write_text("Text", encoding="utf-8")
    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(topics=["smart-home"]))
    assert outcome.status == "failed"
    assert "smart-home" in german(outcome.message)
    assert "mobilitaet-verkehr" in german(outcome.message)
    assert _blob_files(app) == []


def test_unreadable_text_keeps_the_stored_file(app, tmp_path):
    """A PDF without a text layer is still stored and recorded, with status empty."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    path = tmp_path / "Scan_Beschluss.pdf"
    pdf.output(str(path))
    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title="Unterschriebener Beschluss"))
        assert outcome.status == "ingested"
        assert outcome.extraction_status == "empty"
        version = db.session.get(Document, outcome.document_id).current_version
        assert version.extraction_status == "empty"
        assert german(version.extraction)
        assert BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"]).exists(version.sha256)


def test_extraction_timeout_keeps_the_document(app, tmp_path):
    """An extractor killed by the time limit leaves the document stored with status timeout."""
    app.config["TOOLBOX_EXTRACT_TIMEOUT"] = 0.001
    path = write_docx(tmp_path / "langsam.docx", ["Absatz"] * 50)
    with app.app_context():
        outcome = ingest_file(path)
        assert outcome.status == "ingested"
        assert outcome.extraction_status == "timeout"
        document = db.session.get(Document, outcome.document_id)
        assert document.current_version.extraction_status == "timeout"
        assert BlobStore(app.config["TOOLBOX_DOCUMENTS_DIR"]).exists(document.current_version.sha256)


def test_municipality_and_project_are_reused(app, tmp_path):
    """Two documents of one project share the municipality and project rows."""
    items = []
    for n in range(2):
        path = tmp_path / f"d{n}.txt"
        path.write_text(f"Dokument {n} zur Parksensorik", encoding="utf-8")
        items.append((path, DocumentMetadata(municipality="Gemeinde Mücke", population=9_000,
                                             project="Parksensorik"), None))
    with app.app_context():
        ingest_files(items)
        assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1
        assert db.session.scalar(select(func.count()).select_from(Project)) == 1
        assert db.session.scalar(select(Municipality)).size_class.slug == "kleinstadt"


def test_explicit_size_class_wins_for_districts(app, tmp_path):
    """A district gets the class an editor names, not one derived from its population."""
    path = tmp_path / "kreis.txt"
    path.write_text("Kreisentwicklungskonzept", encoding="utf-8")
    with app.app_context():
        ingest_file(path, DocumentMetadata(municipality="Landkreis Gießen", population=270_000,
                                           size_class="landkreis"))
        municipality = db.session.scalar(select(Municipality))
        assert municipality.size_class.slug == "landkreis"
        assert municipality.size_class_manual


def test_filename_is_metadata_only(app, tmp_path):
    """Directory parts and control characters of a supplied filename are dropped."""
    path = tmp_path / "x.txt"
    path.write_text("Inhalt", encoding="utf-8")
    with app.app_context():
        outcome = ingest_file(path, filename="../../etc/Prüf\x00bericht.txt")
        version = db.session.get(Document, outcome.document_id).current_version
        assert version.original_filename == "Prüfbericht.txt"


def test_iter_files_walks_folders_and_skips_hidden(tmp_path):
    """Folders are expanded recursively in a stable order; hidden files are ignored."""
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b" / "c.txt").write_text("c")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / ".DS_Store").write_text("x")
    assert iter_files([tmp_path]) == [tmp_path / "a.txt", tmp_path / "b" / "c.txt"]


@pytest.mark.corpus
def test_shared_corpus_ingests_without_crash(app):
    """Every file of ../shared/corpus ends ok, empty, encrypted, or failed with a reason."""
    from conftest import corpus_path

    corpus = corpus_path()
    files = [p for p in iter_files([corpus]) if p.suffix.lower() in {".pdf", ".docx", ".odt"}]
    with app.app_context():
        outcomes = ingest_files([(p, DocumentMetadata(), None) for p in files])
    assert len(outcomes) == len(files)
    by_name = {Path(o.source).name: o for o in outcomes}
    for outcome in outcomes:
        if outcome.status == "ingested":
            assert outcome.extraction_status in {"ok", "empty", "encrypted", "failed", "timeout"}
            assert outcome.extraction_status != "timeout", outcome.source
        else:
            assert german(outcome.message), outcome.source
    assert by_name["005-libreoffice-writer-password_libreoffice-writer-password.pdf"].extraction_status == "encrypted"
    assert by_name["009-pdflatex-geotopo_GeoTopo-komprimiert.pdf"].extraction_status == "ok"
    assert by_name["blk-paras-and-tables.docx"].extraction_status == "ok"
    assert by_name["tbl-having-tables.docx"].extraction_status == "empty"  # its tables have no text
    assert by_name["002-trivial-libre-office-writer_source.odt"].extraction_status == "ok"


def test_merged_municipality_name_files_under_the_target(app, tmp_path):
    """After an editor merged "Lübeck" into "Hansestadt Lübeck", ingesting with "Lübeck" uses the target."""
    from toolbox.models import User
    from toolbox.services.curation import municipality_merge
    from conftest import make_user

    first = tmp_path / "a.txt"
    first.write_text("Hafen-Sensorik", encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_text("Kreuzfahrtterminal WLAN", encoding="utf-8")
    editor_id = make_user(app, role="editor")
    with app.app_context():
        ingest_file(first, DocumentMetadata(municipality="Lübeck", population=216_000))
        target = municipality_get_or_create_for_test("Hansestadt Lübeck")
        source = db.session.scalar(select(Municipality).where(Municipality.name == "Lübeck"))
        municipality_merge(db.session.get(User, editor_id), source, target)
        outcome = ingest_file(second, DocumentMetadata(municipality="Lübeck"))
        document = db.session.get(Document, outcome.document_id)
        assert document.municipality.name == "Hansestadt Lübeck"
        assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1


def municipality_get_or_create_for_test(name: str) -> Municipality:
    from toolbox.services.places import municipality_get_or_create

    municipality = municipality_get_or_create(name, population=216_000)
    db.session.commit()
    return municipality
