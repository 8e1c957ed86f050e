"""First-page thumbnails: made by a job or `toolbox previews`, stored apart from the originals,
shown on the document page and in result lists, only for documents the visitor may see."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from toolbox.extensions import db
from toolbox.models import FileVersion

from job_helpers import job_of, running_consumer, wait_for_jobs, typed_pdf


def _ingest(app, path: Path, title: str, publish: bool = True) -> int:
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title=title), filename=path.name, publish=publish)
    assert outcome.status == "ingested", outcome.message
    return outcome.document_id


def _sha(app, document_id: int) -> str:
    with app.app_context():
        return db.session.scalar(db.select(FileVersion.sha256).where(FileVersion.document_id == document_id))


def test_a_pdf_gets_a_thumbnail_from_its_job_shown_on_its_page_and_in_results(app, client, tmp_path):
    path = tmp_path / "konzept.pdf"
    path.write_bytes(typed_pdf(["Vorschaubild Glasfaserkonzept der Gemeinde"]))
    document_id = _ingest(app, path, "Glasfaserkonzept")
    assert client.get(f"/documents/{document_id}/thumbnail.png").status_code == 404
    with running_consumer(app):
        job = job_of(wait_for_jobs(app), "preview")
    assert job.state == "done", job.last_error
    sha = _sha(app, document_id)
    derived = tmp_path / "derived" / sha[:2] / f"{sha}.thumb.png"
    assert derived.is_file()
    assert not list((tmp_path / "documents").rglob("*.png"))  # the blob store holds originals only
    with client.get(f"/documents/{document_id}/thumbnail.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        assert image.width == 200 and 270 < image.height < 290  # A4 proportions
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert f'src="/documents/{document_id}/thumbnail.png"' in page and 'alt="Erste Seite"' in page
    results = client.get("/search?q=Glasfaserkonzept").get_data(as_text=True)
    assert f'src="/documents/{document_id}/thumbnail.png"' in results


def test_toolbox_previews_makes_missing_thumbnails_and_rebuild_makes_all(app, runner, tmp_path):
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(typed_pdf(["Jahresbericht Digitalisierung"]))
    png = tmp_path / "plan.png"
    Image.new("L", (1200, 800), 230).save(png)
    txt = tmp_path / "notiz.txt"
    txt.write_text("Eine Notiz ohne erste Seite zum Zeichnen.", encoding="utf-8")
    ids = [_ingest(app, path, path.stem) for path in (pdf, png, txt)]
    result = runner.invoke(args=["previews"])
    assert result.exit_code == 0, result.output
    assert "Vorschaubilder erstellt: 2; ohne Vorschaubild: 1" in result.output
    thumbnail = tmp_path / "derived" / _sha(app, ids[1])[:2] / f"{_sha(app, ids[1])}.thumb.png"
    with Image.open(thumbnail) as image:
        assert image.size == (200, 133)
    assert "Vorschaubilder erstellt: 0; ohne Vorschaubild: 1" in runner.invoke(args=["previews"]).output
    assert "Vorschaubilder erstellt: 2; ohne Vorschaubild: 1" in runner.invoke(args=["previews", "--rebuild"]).output


def test_an_unpublished_document_shows_no_thumbnail_to_visitors(app, client, runner, tmp_path):
    path = tmp_path / "entwurf.pdf"
    path.write_bytes(typed_pdf(["Entwurf, nicht veröffentlicht"]))
    document_id = _ingest(app, path, "Entwurf", publish=False)
    assert "Vorschaubilder erstellt: 1" in runner.invoke(args=["previews"]).output
    assert client.get(f"/documents/{document_id}/thumbnail.png").status_code == 404
