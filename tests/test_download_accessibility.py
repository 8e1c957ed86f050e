"""Is the download accessible (BITV 2.0)? Tags, language and title of a PDF, real headings of a
DOCX or ODT — checked at extraction, shown to the contributor, to editors in review, and as
"barrierearm" to visitors."""
from __future__ import annotations

from pathlib import Path

import pikepdf

from toolbox.extract import extract
from toolbox.extract.accessibility import findings

from conftest import german, make_user, write_docx
from job_helpers import typed_pdf
from office_factories import h, odf_body, p, write_odf

UNTAGGED = "Diese PDF ist nicht getaggt – bitte barrierefrei exportieren (mit Tags/Struktur)."


def _tagged_pdf(path: Path) -> Path:
    """A PDF as an accessible export leaves it: structure tree, marked content, language, title."""
    path.write_bytes(typed_pdf(["Barrierefreier Bericht über die Digitalisierung"]))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.Root.Lang = pikepdf.String("de-DE")
        pdf.docinfo["/Title"] = "Bericht Digitalisierung"
        pdf.save(path)
    return path


def _messages(path: Path) -> list[str]:
    result = extract(path)
    return [german(message) for message in findings(dict(result.properties), result.format)]


def test_an_untagged_pdf_without_language_and_title_gets_three_findings(tmp_path):
    path = tmp_path / "bericht.pdf"
    path.write_bytes(typed_pdf(["Ein Bericht aus dem Textprogramm, ohne Tags exportiert"]))
    assert _messages(path) == [
        UNTAGGED,
        "Die PDF nennt keine Dokumentsprache – bitte beim Export „Deutsch“ angeben.",
        "Die PDF hat keinen Titel in den Dokumenteigenschaften.",
    ]


def test_a_tagged_pdf_with_language_and_title_has_no_findings(tmp_path):
    path = _tagged_pdf(tmp_path / "barrierefrei.pdf")
    result = extract(path)
    assert result.properties["accessibility"] == {"tagged": True, "language": "de-DE", "title": True}
    assert _messages(path) == []


def test_word_and_opendocument_need_real_headings(tmp_path):
    import docx

    plain = write_docx(tmp_path / "fett.docx", ["Einleitung", "Nur fett formatierte Zwischenzeilen"])
    assert _messages(plain) == [
        "Das Dokument hat keine echten Überschriften – bitte Formatvorlagen für Überschriften verwenden."]
    document = docx.Document()
    document.add_heading("Einleitung", level=1)
    document.add_paragraph("Text unter einer echten Überschrift")
    document.save(tmp_path / "gegliedert.docx")
    assert _messages(tmp_path / "gegliedert.docx") == []
    assert _messages(write_odf(tmp_path / "gegliedert.odt", "odt", odf_body("odt", h("Ziele") + p("Text")))) == []
    assert len(_messages(write_odf(tmp_path / "flach.odt", "odt", odf_body("odt", p("Nur Absätze"))))) == 1


def test_the_contributor_editors_and_visitors_see_the_result(app, client, auth, tmp_path):
    from toolbox.extensions import db
    from toolbox.models import User
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    user_id = make_user(app, "projekt@example.org")
    make_user(app, "redaktion@example.org", role="editor")
    untagged = tmp_path / "entwurf.pdf"
    untagged.write_bytes(typed_pdf(["Entwurf ohne Tags"]))
    with app.app_context():
        user = db.session.get(User, user_id)
        submitted = ingest_file(untagged, DocumentMetadata(title="Entwurf"), uploader=user).document_id
        published = ingest_file(_tagged_pdf(tmp_path / "bericht.pdf"), DocumentMetadata(title="Bericht"),
                                uploader=user, publish=True).document_id
    auth.login("projekt@example.org")
    mine = client.get("/my/documents").get_data(as_text=True)
    assert UNTAGGED in mine
    auth.logout()
    auth.login("redaktion@example.org")
    assert UNTAGGED in client.get("/admin/review").get_data(as_text=True)
    auth.logout()
    page = client.get(f"/documents/{published}").get_data(as_text=True)
    assert "barrierearm" in page and UNTAGGED not in page
    assert submitted != published


def test_the_upload_step_names_the_barriers_before_anything_is_stored(app, client, auth, tmp_path):
    """At step 2 of the upload, beside the data-protection check, the contributor reads what
    keeps the file from being accessible, while the source file is still open; an accessible
    export gets a short all-clear instead."""
    from contribute_helpers import upload_file

    make_user(app, "projekt@example.org")
    auth.login("projekt@example.org")
    untagged = typed_pdf(["Entwurf ohne Tags"])
    step = upload_file(client, untagged, "entwurf.pdf")
    assert step.status_code == 302
    page = client.get(step.headers["Location"]).get_data(as_text=True)
    assert UNTAGGED in page
    assert "Die PDF nennt keine Dokumentsprache" in page
    assert "keine Mängel gefunden" not in page

    tagged = _tagged_pdf(tmp_path / "bericht.pdf").read_bytes()
    page = client.get(upload_file(client, tagged, "bericht.pdf").headers["Location"]).get_data(as_text=True)
    assert "Barrierefreiheit: keine Mängel gefunden." in page
    assert UNTAGGED not in page

    flat = write_docx(tmp_path / "fett.docx", ["Einleitung", "Nur fett formatierte Zwischenzeilen"]).read_bytes()
    page = client.get(upload_file(client, flat, "fett.docx").headers["Location"]).get_data(as_text=True)
    assert "keine echten Überschriften" in page


def test_visitors_can_narrow_a_search_to_accessible_downloads(app, client, tmp_path):
    """The facet "barrierearm" counts the published documents whose download passed the checks;
    choosing it leaves only those, on the page and in the API."""
    from toolbox.extensions import db
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    untagged = tmp_path / "entwurf.pdf"
    untagged.write_bytes(typed_pdf(["Radverkehrskonzept ohne Tags"]))
    with app.app_context():
        ingest_file(untagged, DocumentMetadata(title="Radverkehr untagged"), publish=True)
        tagged = ingest_file(_tagged_pdf(tmp_path / "bericht.pdf"), DocumentMetadata(title="Bericht"),
                             publish=True).document_id
        db.session.remove()

    body = client.get("/api/v1/search").get_json()
    assert body["total"] == 2
    assert body["facets"]["accessibility"] == [
        {"value": "barrierearm", "label": "Barrierearm (geprüft)", "count": 1, "selected": False}]
    narrowed = client.get("/api/v1/search?accessibility=barrierearm").get_json()
    assert [hit["id"] for hit in narrowed["hits"]] == [tagged]
    page = client.get("/search?accessibility=barrierearm").get_data(as_text=True)
    assert "Barrierefreiheit der Datei" in page and "Bericht" in page
    assert "Radverkehr untagged" not in page
