"""Text recognition of scans and images: quality, the demo's scanned resolution, limits, and a
server without Tesseract."""
from __future__ import annotations

import re

import pytest

from toolbox.extensions import db
from toolbox.message_render import render
from toolbox.models import FileVersion, Job

from conftest import make_user
from job_helpers import job_of, requires_ocr, running_consumer, wait_for_jobs, write_scan

QUALITY_TEXT = [
    "Die Gemeindeverwaltung Großenlüder prüft die Digitalisierung der Bauanträge. Künftig sollen "
    "Bürgerinnen und Bürger Unterlagen über ein Onlineportal einreichen.",
    "Für die Übergangszeit bleibt die persönliche Abgabe im Bürgerbüro möglich. Die Schnittstelle "
    "zum Fachverfahren wird gemäß XBau-Standard ausgeschrieben.",
    "Maßnahmen: Straßenbeleuchtung, Glasfaseranschluss, Schulverwaltung, Außenstellen, Grünflächenamt.",
]
QUALITY_TABLE = [("Maßnahme", "Kosten"), ("Glasfaserausbau", "125.000 Euro"),
                 ("Bürgerportal", "48.500 Euro"), ("Schulungen", "7.200 Euro")]


def _distinctive_words() -> list[str]:
    text = " ".join(QUALITY_TEXT + [cell for row in QUALITY_TABLE for cell in row])
    return sorted({word for word in re.findall(r"[A-Za-zÄÖÜäöüß]+", text) if len(word) >= 7})


def _ingest(app, path, title="Scan"):
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title=title), filename=path.name, publish=True)
    assert outcome.status == "ingested", outcome.message
    return outcome.document_id


def _found(app, word: str) -> list[int]:
    from toolbox import search
    from toolbox.search import SearchQuery

    with app.app_context():
        return [hit.document_id for hit in search.search(SearchQuery(q=word)).hits]


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "dpi"), [("pdf", 300), ("jpeg", 200)])
def test_search_finds_at_least_95_percent_of_the_distinctive_words_of_a_scanned_page(app, tmp_path, fmt, dpi):
    """A German page with umlauts, ß and a table, scanned (skewed up to 0.7°, speckled, blurred):
    after OCR the search finds the document by at least 95 % of its longer words."""
    path = write_scan(tmp_path / f"bauantrag.{'jpg' if fmt == 'jpeg' else fmt}", QUALITY_TEXT, fmt=fmt, dpi=dpi,
                      table=QUALITY_TABLE, seed=fmt)
    document_id = _ingest(app, path, title="Verwaltungsvorlage")
    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "ocr")
    assert job.state == "done", job.last_error
    words = _distinctive_words()
    missed = [word for word in words if document_id not in _found(app, word)]
    assert len(missed) <= 0.05 * len(words), f"not found: {missed} of {len(words)} words"


@requires_ocr
@pytest.mark.slow
def test_the_demo_scan_of_the_signed_resolution_becomes_findable(app, tmp_path, client):
    """The demo's image-only resolution has no text layer; after the OCR job its body is found,
    and the search snippet shows the recognised text."""
    from toolbox.demo.catalogue import DEMO_DOCUMENTS
    from toolbox.demo.render_pdf import render_pdf

    (scan,) = [doc for doc in DEMO_DOCUMENTS if doc.filename == "Beschluss_Datenstrategie_unterschrieben_Scan.pdf"]
    path = tmp_path / scan.filename
    render_pdf(scan, path)
    document_id = _ingest(app, path, title=scan.title)
    with app.app_context():
        version = db.session.scalar(db.select(FileVersion).where(FileVersion.document_id == document_id))
        assert (version.extraction_status, version.text) == ("empty", "")
    assert _found(app, "Metadatenkatalog") == []
    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "ocr")
    assert job.state == "done", job.last_error
    assert _found(app, "Metadatenkatalog") == [document_id]
    assert _found(app, "Datenkompetenzzentrum") == [document_id]
    page = client.get("/search?q=Metadatenkatalog").get_data(as_text=True)
    assert "Metadatenkatalog" in re.sub(r"<[^>]+>", "", page)


@requires_ocr
def test_a_scan_over_the_page_cap_is_not_recognised_and_says_why(app_config, tmp_path, monkeypatch):
    from toolbox import create_app

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app({**app_config, "OCR_MAX_PAGES": 1})
    path = write_scan(tmp_path / "akte.tiff", ["Zwei Seiten Aktenvermerk"], fmt="tiff", pages=2)
    document_id = _ingest(app, path)
    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "ocr")
    assert job.state == "done"
    with app.app_context():
        version = db.session.scalar(db.select(FileVersion).where(FileVersion.document_id == document_id))
        assert render(version.extraction) == "Texterkennung nicht durchgeführt: 2 Seiten, höchstens 1 sind erlaubt."
        assert version.text == ""


def test_without_tesseract_a_scan_is_stored_and_the_page_says_ocr_is_not_available(app, client, auth, tmp_path,
                                                                                   monkeypatch):
    """On a server without the OCR programs an image is still accepted and stored, no job is made,
    and the document and "Meine Dokumente" say that text recognition is not available here."""
    from PIL import Image

    from toolbox.models import User
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    path = tmp_path / "plan.png"
    Image.new("L", (400, 300), 255).save(path, dpi=(200, 200))
    empty_bin = tmp_path / "no-programs"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    user_id = make_user(app, "projekt@example.org")
    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title="Lageplan"), filename="plan.png",
                              uploader=db.session.get(User, user_id), publish=True)
        assert (outcome.status, outcome.extraction_status) == ("ingested", "empty")
        assert db.session.scalar(db.select(Job).where(Job.kind != "preview")) is None
    page = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert "Texterkennung auf diesem Server nicht verfügbar." in page
    auth.login("projekt@example.org")
    mine = client.get("/my/documents").get_data(as_text=True)
    assert "Texterkennung auf diesem Server nicht verfügbar." in mine
