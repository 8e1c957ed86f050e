"""The preview before download: the extracted text by page, sheet or slide as HTML without
JavaScript, made by the preview job, shown only to those who may download the document, and the
PDF the viewer draws."""
from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest

from conftest import make_document, make_user
from office_factories import write_feature_ods, write_feature_pptx, write_feature_xlsx
from toolbox.extensions import db
from toolbox.models import Document, FileVersion

from job_helpers import job_of, requires_ocr, running_consumer, wait_for_jobs


def _ingest(app, path: Path, title: str, publish: bool = True, uploader_id: int | None = None) -> int:
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title=title), filename=path.name, publish=publish)
        assert outcome.status == "ingested", outcome.message
        if uploader_id is not None:
            db.session.get(Document, outcome.document_id).uploader_id = uploader_id
            db.session.commit()
    return outcome.document_id


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _headings(html: str, level: int) -> list[str]:
    return [_text(found) for found in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, re.S)]


def test_a_pdf_is_previewed_page_by_page_once_its_job_has_run(app, client):
    """Each page of a PDF gets its own heading with its text, and the document page links there."""
    document = make_document(app, title="Glasfaserkonzept", fmt="pdf",
                             pages=["Ausbaugebiete im Norden", "Kosten je Anschluss", "Zeitplan bis 2028"])
    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "preview")
    assert job.state == "done", job.last_error
    html = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert f'href="/documents/{document.id}/preview"' in html
    response = client.get(f"/documents/{document.id}/preview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _headings(html, 1) == ["Vorschau: Glasfaserkonzept"]
    assert _headings(html, 3) == ["Seite 1", "Seite 2", "Seite 3"]
    pages = re.split(r"<h3[^>]*>", html)[1:]
    assert "Ausbaugebiete im Norden" in pages[0] and "Kosten je Anschluss" not in pages[0]
    assert "Kosten je Anschluss" in pages[1] and "Zeitplan bis 2028" in pages[2]
    assert "<script" not in html.split("<main", 1)[1]  # nothing of the preview needs JavaScript


def test_the_viewers_pdf_is_shown_inline_under_the_documents_name(app, client):
    """The viewer's PDF opened on its own shows in the browser, not as a download, and "Save as"
    offers the uploaded name; the sandbox keeps any script of the file from running."""
    document = make_document(app, title="Glasfaserkonzept", fmt="pdf", filename="Glasfaser Konzept.pdf",
                             pages=["Ausbaugebiete im Norden"])
    with client.get(f"/documents/{document.id}/view.pdf") as response:
        assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
        disposition = response.headers["Content-Disposition"]
        assert disposition == 'inline; filename="Glasfaser Konzept.pdf"'
        assert response.headers["Content-Security-Policy"] == "sandbox"
    with client.get(f"/documents/{document.id}/download") as download:
        assert download.headers["Content-Disposition"].startswith("attachment;")

def test_before_the_job_the_stored_text_is_shown_in_one_piece(app, client):
    """While the job waits, the page shows the text already extracted, without page headings."""
    document = make_document(app, title="Bericht", fmt="pdf", pages=["Erste Seite Breitband", "Zweite Seite Mobilfunk"])
    html = client.get(f"/documents/{document.id}/preview").get_data(as_text=True)
    assert "Erste Seite Breitband" in html and "Zweite Seite Mobilfunk" in html
    assert _headings(html, 3) == []


def test_the_first_sheet_of_a_workbook_is_a_table_with_caption_and_header_cells(app, client, runner, tmp_path):
    """Empty cells keep their column, cached formula values are shown, every sheet gets a heading."""
    document_id = _ingest(app, write_feature_xlsx(tmp_path / "kosten.xlsx"), "Kostenplan")
    result = runner.invoke(args=["previews"])
    assert "Textvorschauen nach Seiten, Tabellenblättern oder Folien erstellt: 1; nicht lesbar: 0" in result.output
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert _headings(html, 3) == ["Tabellenblatt „Kostenplan 2025“", "Tabellenblatt „Zeitplan“"]
    table = html.split('<table class="kern-table', 1)[1].split("</table>", 1)[0]
    assert _text(re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S).group(1)) == "Kostenplan 2025"
    assert re.findall(r'<th class="kern-table__header" scope="col">([^<]*)</th>', table) == [
        "Posten", "Menge", "Einzelpreis", "Summe"]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    assert ["Parksensor", "40", "95,5", "3820"] in rows
    assert ["Gesamt", "", "", "6220"] in rows  # the total stays under "Summe"


def test_an_opendocument_sheet_becomes_a_table_too(app, client, runner, tmp_path):
    document_id = _ingest(app, write_feature_ods(tmp_path / "plan.ods"), "Kostenplan Sensorik")
    runner.invoke(args=["previews"])
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert _headings(html, 3) == ["Tabellenblatt „Kostenplan“", "Tabellenblatt „Förderung“"]
    assert re.findall(r'scope="col">([^<]*)</th>', html)[:2] == ["Posten", "Betrag"]
    assert "<td class=\"kern-table__cell\">18.500,00</td>" in html


def test_slides_are_previewed_with_their_notes(app, client, runner, tmp_path):
    document_id = _ingest(app, write_feature_pptx(tmp_path / "rat.pptx", slides=3), "Ratspräsentation")
    runner.invoke(args=["previews"])
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert _headings(html, 3) == ["Folie 1", "Folie 2", "Folie 3"]
    assert _headings(html, 4) == ["Notizen zur Folie"]
    first = html.split('id="slide-1"', 1)[1].split('id="slide-2"', 1)[0]
    assert "Smarte Straßenbeleuchtung" in first and "Fördersumme erst am Ende" in first


def test_the_preview_speaks_english(app, client, runner, tmp_path):
    document_id = _ingest(app, write_feature_xlsx(tmp_path / "kosten.xlsx"), "Kostenplan")
    runner.invoke(args=["previews"])
    html = client.get(f"/documents/{document_id}/preview", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _headings(html, 1) == ["Preview: Kostenplan"]
    assert "Sheet “Kostenplan 2025”" in _headings(html, 3)


def test_only_those_who_may_download_a_document_see_its_preview(app, client, auth, runner):
    """Visitors see published documents; an unpublished one its uploader and the editors."""
    owner = make_user(app, "projekt@example.org")
    make_user(app, "andere@example.org")
    make_user(app, "redaktion@example.org", role="editor")
    published = make_document(app, title="Veröffentlicht", fmt="pdf", pages=["Öffentlicher Text"])
    draft = make_document(app, title="Entwurf", fmt="pdf", pages=["Geheimer Entwurfstext"], publish=False)
    with app.app_context():
        db.session.get(Document, draft.id).uploader_id = owner
        db.session.commit()
    runner.invoke(args=["previews"])
    for path in (f"/documents/{draft.id}/preview", f"/documents/{draft.id}/view.pdf"):
        with client.get(path) as response:
            assert response.status_code == 404
    assert client.get(f"/documents/{published.id}/preview").status_code == 200
    auth.login("andere@example.org")
    assert client.get(f"/documents/{draft.id}/preview").status_code == 404
    auth.logout()
    own_pages = {"projekt@example.org": f"/my/documents/{draft.id}/edit",
                 "redaktion@example.org": f"/admin/documents/{draft.id}"}
    for email, own_page in own_pages.items():
        auth.login(email)
        response = client.get(f"/documents/{draft.id}/preview")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Geheimer Entwurfstext" in html
        # back to where they work on the document, which links to the preview in turn
        assert f'<a href="{own_page}"><span aria-hidden="true">← </span>Zurück zum Dokument</a>' in html
        assert f'href="/documents/{draft.id}/preview"' in client.get(own_page).get_data(as_text=True)
        with client.get(f"/documents/{draft.id}/view.pdf") as pdf:
            assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "no-store"
        auth.logout()
    assert client.get("/documents/999999/preview").status_code == 404


def test_the_viewer_gets_the_pdf_inline_without_counting_a_download(app, client):
    document = make_document(app, title="Satzung", fmt="pdf", pages=["Satzung über die Datennutzung"])
    with app.app_context():
        sha = db.session.scalar(db.select(FileVersion.sha256).where(FileVersion.document_id == document.id))
    with client.get(f"/documents/{document.id}/view.pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "attachment" not in response.headers.get("Content-Disposition", "")
        assert response.headers["Content-Security-Policy"] == "sandbox"
        assert response.data.startswith(b"%PDF")
        stored = Path(app.config["TOOLBOX_DOCUMENTS_DIR"])
        assert any(path.read_bytes() == response.data for path in stored.rglob(f"{sha}*"))
    with app.app_context():
        assert db.session.get(Document, document.id).download_count == 0
    text = make_document(app, title="Notiz", text="Nur Text")
    assert client.get(f"/documents/{text.id}/view.pdf").status_code == 404


@pytest.mark.parametrize("installed", [True, False])
def test_the_viewer_is_offered_only_where_pdfjs_is_vendored(app, client, installed):
    """Without the vendored PDF.js the page has no script and no viewer; the text is there either way."""
    document = make_document(app, title="Leitfaden", fmt="pdf", pages=["Leitfaden Datenschutz"])
    app.config["TOOLBOX_PDFJS_ACTIVE"] = installed
    html = client.get(f"/documents/{document.id}/preview").get_data(as_text=True)
    assert ('src="/static/pdf-viewer.js"' in html) is installed
    assert (f'data-src="/documents/{document.id}/view.pdf"' in html) is installed
    assert "Leitfaden Datenschutz" in html
    text = make_document(app, title="Notiz", text="Nur Text")
    assert 'pdf-viewer.js' not in client.get(f"/documents/{text.id}/preview").get_data(as_text=True)


def test_a_document_without_text_says_so(app, client, tmp_path):
    from PIL import Image

    path = tmp_path / "foto.png"
    Image.new("RGB", (300, 200), (200, 220, 240)).save(path)
    document_id = _ingest(app, path, "Foto ohne Text")
    app.config["TOOLBOX_OCR"] = False
    response = client.get(f"/documents/{document_id}/preview")
    assert response.status_code == 200
    assert "Aus dieser Datei wurde kein Text gelesen." in response.get_data(as_text=True)


def test_toolbox_pdfjs_0_leaves_the_viewer_out(app_config, monkeypatch):
    """An operator can switch the viewer off; the preview is then the text alone."""
    from toolbox import create_app

    monkeypatch.setenv("TOOLBOX_PDFJS", "0")
    assert create_app(app_config).config["TOOLBOX_PDFJS_ACTIVE"] is False


needs_libreoffice = pytest.mark.skipif(
    __import__("shutil").which("soffice") is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-core-nogui libreoffice-writer-nogui "
           "libreoffice-calc-nogui libreoffice-impress-nogui)")


@needs_libreoffice
def test_an_office_file_is_drawn_as_pdf_for_its_thumbnail_and_the_viewer(app, client, tmp_path):
    """The preview job has LibreOffice draw a DOCX as PDF, a derived file beside the original:
    the thumbnail is its first page, the viewer shows it and the text preview follows its pages."""
    from conftest import write_docx

    path = tmp_path / "satzung.docx"
    write_docx(path, ["Satzung über die Nutzung offener Daten der Gemeinde"])
    document_id = _ingest(app, path, "Satzung")
    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "preview")
    assert job.state == "done", job.last_error
    with app.app_context():
        sha = db.session.scalar(db.select(FileVersion.sha256).where(FileVersion.document_id == document_id))
    drawn = tmp_path / "derived" / sha[:2] / f"{sha}.libreoffice.pdf"
    assert drawn.read_bytes().startswith(b"%PDF")
    with client.get(f"/documents/{document_id}/thumbnail.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
    with client.get(f"/documents/{document_id}/view.pdf") as response:
        assert response.status_code == 200 and response.data == drawn.read_bytes()
    app.config["TOOLBOX_PDFJS_ACTIVE"] = True
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert f'data-src="/documents/{document_id}/view.pdf"' in html
    # the text is divided by the pages LibreOffice drew
    assert _headings(html, 3) == ["Seite 1"]
    assert "Satzung über die Nutzung offener Daten" in html.split('id="page-1"', 1)[1]


def test_without_libreoffice_an_office_file_keeps_its_text_preview_only(app, client, runner, tmp_path, monkeypatch):
    empty_bin = tmp_path / "no-programs"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    document_id = _ingest(app, write_feature_pptx(tmp_path / "rat.pptx"), "Ratspräsentation")
    assert "Vorschaubilder erstellt: 0; ohne Vorschaubild: 1" in runner.invoke(args=["previews"]).output
    with client.get(f"/documents/{document_id}/view.pdf") as response:
        assert response.status_code == 404
    assert _headings(client.get(f"/documents/{document_id}/preview").get_data(as_text=True), 3) == ["Folie 1", "Folie 2"]


@requires_ocr
@pytest.mark.slow
def test_a_recognised_scan_is_previewed_page_by_page_from_its_searchable_pdf(app, client, tmp_path):
    """The OCR job divides the recognised text by page; the viewer shows the searchable PDF."""
    from job_helpers import write_scan

    scan = write_scan(tmp_path / "beschluss.pdf", ["Beschluss des Gemeinderats zur Datenstrategie"], fmt="pdf",
                      pages=2)
    document_id = _ingest(app, scan, "Beschluss")
    with running_consumer(app):
        jobs = wait_for_jobs(app)
    assert job_of(jobs, "ocr").state == "done", job_of(jobs, "ocr").last_error
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert _headings(html, 3) == ["Seite 1", "Seite 2"]
    assert "Gemeinderats" in html.split('id="page-1"', 1)[1].split('id="page-2"', 1)[0]
    with app.app_context():
        sha = db.session.scalar(db.select(FileVersion.sha256).where(FileVersion.document_id == document_id))
    with client.get(f"/documents/{document_id}/view.pdf") as response:
        assert response.data == (tmp_path / "derived" / sha[:2] / f"{sha}.ocr.pdf").read_bytes()


@needs_libreoffice
@pytest.mark.slow
def test_an_excel_97_workbook_is_previewed_from_its_conversion_with_a_thumbnail(app, client, tmp_path):
    """After the conversion job, the sheet is a table read from the OpenDocument conversion and
    the workbook has a thumbnail drawn from its PDF."""
    from office_factories import XLSX_SHEET

    source = write_feature_xlsx(tmp_path / "kostenplan.xlsx")
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "xls", "--outdir", str(tmp_path / "alt"), str(source)],
                   check=True, capture_output=True, timeout=180)
    document_id = _ingest(app, tmp_path / "alt" / "kostenplan.xls", "Kostenplan alt")
    with running_consumer(app):
        (job,) = wait_for_jobs(app)
    assert job.state == "done", job.last_error
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert _headings(html, 3)[0] == f"Tabellenblatt „{XLSX_SHEET}“"
    assert re.findall(r'scope="col">([^<]*)</th>', html)[:4] == ["Posten", "Menge", "Einzelpreis", "Summe"]
    with client.get(f"/documents/{document_id}/thumbnail.png") as response:
        assert response.status_code == 200


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_a_large_sheet_is_cut_to_200_rows_and_26_columns_and_the_page_says_so(app, client, runner, tmp_path, format):
    from office_factories import write_ods_cells, write_xlsx_cells

    writer = write_xlsx_cells if format == "xlsx" else write_ods_cells
    document_id = _ingest(app, writer(tmp_path / f"messwerte.{format}", 400, 40, last_row="Letzte Zeile"), "Messwerte")
    assert "erstellt: 1; nicht lesbar: 0" in runner.invoke(args=["previews"]).output
    html = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert "(die ersten 200 Zeilen)" in _text(re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S).group(1))
    assert table.count("<tr>") == 200 and table.count('scope="col"') == 26
    assert "Letzte Zeile" not in html
