"""Word, Excel and PowerPoint 97–2003 read by LibreOffice in a background job (issue 13.3): the
upload answers at once, the job converts the stored original to OpenDocument in the sandbox, and
the text becomes searchable; without LibreOffice the document says the format needs it."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

import office_factories as of
from conftest import make_user
from job_helpers import running_consumer, wait_for_jobs
from toolbox.extensions import db
from toolbox.extract.convert import libreoffice
from toolbox.models import FileVersion, Job

requires_libreoffice = pytest.mark.skipif(
    libreoffice() is None,
    reason="LibreOffice (soffice) not installed; install the Debian packages libreoffice-core-nogui "
           "libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui to run these tests")

MINUTES_TEXT = "Niederschrift der Sitzung des Ortsbeirats Ruppertenrod über die Dorfmoderation"


def legacy_file(source: Path, target_format: str) -> Path:
    """`source` saved by LibreOffice as Word/Excel/PowerPoint 97–2003 (as an old office would)."""
    outdir = source.parent / f"legacy-{target_format}"
    subprocess.run([libreoffice(), "--headless", "--norestore", "--nologo",
                    f"-env:UserInstallation={(source.parent / 'lo-profile').as_uri()}",
                    "--convert-to", target_format, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    return outdir / f"{source.stem}.{target_format}"


def _ingest(app, path, title="Altes Dokument"):
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title=title), filename=path.name, publish=True)
    assert outcome.status == "ingested", outcome.message
    return outcome


def _found(client, word: str) -> list[int]:
    return [hit["id"] for hit in client.get(f"/api/v1/search?q={word}").get_json()["hits"]]


@requires_libreoffice
@pytest.mark.slow
def test_word_97_document_is_converted_in_a_job_and_found(app, client, tmp_path):
    """At upload the DOC is stored with nothing read and a job queued; the document page says the
    conversion waits; after the job the text is found, the status is ok and the ODT is kept."""
    text_file = tmp_path / "niederschrift.txt"
    text_file.write_text(MINUTES_TEXT + "\n\nTagesordnungspunkt 3: Wärmenetz\n", encoding="utf-8")
    doc = legacy_file(text_file, "doc")
    assert doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    outcome = _ingest(app, doc, title="Niederschrift Ortsbeirat")
    assert outcome.extraction_status == "empty"
    assert _found(client, "Dorfmoderation") == []
    assert "Umwandlung mit LibreOffice wartet" in client.get(f"/documents/{outcome.document_id}").get_data(
        as_text=True)
    with running_consumer(app):
        (job,) = wait_for_jobs(app)
    assert (job.kind, job.state) == ("convert", "done"), job.last_error
    assert _found(client, "Dorfmoderation") == [outcome.document_id]
    with app.app_context():
        version = db.session.scalars(select(FileVersion)).one()
        assert (version.format, version.extraction_status) == ("doc", "ok")
        assert "Wärmenetz" in version.text
        from toolbox.derived import derived_store

        assert derived_store().path_for(version.sha256, "libreoffice.odt").is_file()
        # The original stays as uploaded.
        from toolbox.storage import blob_store

        assert blob_store().path_for(version.sha256).read_bytes() == doc.read_bytes()
    page = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert "Text mit LibreOffice gelesen" in page


@requires_libreoffice
@pytest.mark.slow
def test_excel_97_workbook_is_converted_with_its_sheets(app, client, tmp_path):
    xls = legacy_file(of.write_feature_xlsx(tmp_path / "kostenplan.xlsx"), "xls")
    outcome = _ingest(app, xls, title="Kostenplan alt")
    with running_consumer(app):
        (job,) = wait_for_jobs(app)
    assert job.state == "done", job.last_error
    with app.app_context():
        version = db.session.scalars(select(FileVersion)).one()
        assert version.format == "xls" and version.extraction_status == "ok"
        assert f"Tabelle: {of.XLSX_SHEET}" in version.text and "Parksensor" in version.text
    assert _found(client, "Parksensor") == [outcome.document_id]


@requires_libreoffice
@pytest.mark.slow
def test_a_file_libreoffice_cannot_read_ends_with_a_reason(app, client, tmp_path):
    """An OLE file that says it is a Word document but holds nothing LibreOffice can read: the job
    ends, the version says why, nothing is indexed."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "hostile"))
    import hostile_files

    path = tmp_path / "protokoll.doc"
    hostile_files.build_legacy_doc(path, tmp_path)
    outcome = _ingest(app, path)
    with running_consumer(app):
        (job,) = wait_for_jobs(app)
    with app.app_context():
        version = db.session.scalars(select(FileVersion)).one()
        assert (job.state, version.extraction_status, version.text) == ("done", "failed", "")
    page = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert "LibreOffice konnte die Datei nicht lesen (Error: source file could not be loaded)." in page
    assert _found(client, "Protokoll") == []


def test_without_libreoffice_the_document_says_the_format_needs_it(app, client, tmp_path, monkeypatch):
    """No job is made; the file is kept and the page says 'Format nur mit LibreOffice lesbar'."""
    empty_bin = tmp_path / "no-programs"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    path = tmp_path / "alt.doc"
    path.write_bytes(of.ole2_with("WordDocument"))
    outcome = _ingest(app, path)
    assert outcome.extraction_status == "empty"
    with app.app_context():
        assert db.session.scalar(select(Job)) is None
    page = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert "Format nur mit LibreOffice lesbar" in page
    assert "Erste Seite" not in page  # no thumbnail


def test_without_libreoffice_a_legacy_file_has_no_drawn_preview_and_says_why(app, client, tmp_path, monkeypatch):
    """Without LibreOffice, ``toolbox previews`` makes no thumbnail for a DOC, XLS or PPT and does
    not fail; the preview page offers no page view and names the reason."""
    from toolbox.services.previews import previews_rebuild

    empty_bin = tmp_path / "no-programs"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    ids = []
    for name, stream in (("alt.doc", "WordDocument"), ("alt.xls", "Workbook"), ("alt.ppt", "PowerPoint Document")):
        path = tmp_path / name
        path.write_bytes(of.ole2_with(stream))
        ids.append(_ingest(app, path).document_id)
    with app.app_context():
        assert previews_rebuild(rebuild=True) == (0, 3)
    for document_id in ids:
        page = client.get(f"/documents/{document_id}/preview")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Format nur mit LibreOffice lesbar" in text
        assert "pdf-viewer" not in text
        assert client.get(f"/documents/{document_id}/view.pdf").status_code == 404
