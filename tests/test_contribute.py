"""Uploading documents: two steps with a privacy preview, checks by content, duplicates, versions."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.message_render import render
from toolbox.models import AuditEntry, Document, FileVersion
from toolbox.permissions import PermissionDenied
from toolbox.services import contribute as contributions
from toolbox.services.ingest import DocumentMetadata
from toolbox.services.review import document_publish
from toolbox.storage import blob_store

from conftest import make_user
from contribute_helpers import (
    blob_files,
    contribute,
    counts,
    details_form,
    staged_files,
    upload_file,
    user,
)
from privacy_fixtures import AUTHOR, COMMENT, EDITOR, REVIEWER, all_part_bytes, docx_with_personal_data


@pytest.fixture
def contributor(app, auth):
    email = "projektleitung@musterstadt.example"
    user_id = make_user(app, email, role="contributor")
    auth.login(email)
    return user_id


def _token(response) -> str:
    match = re.search(r"/upload/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_upload_shows_what_the_file_reveals_before_anything_is_stored(app, client, contributor, tmp_path):
    """Step 1 stages the file outside the blob store and shows author, last editor, comments,
    tracked changes and the GDPR hint; nothing is in the database or blob store yet."""
    data = docx_with_personal_data(tmp_path / "lorawan.docx").read_bytes()
    response = upload_file(client, data, "Leistungsbeschreibung_LoRaWAN.docx")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for revealed in (AUTHOR, EDITOR, REVIEWER, COMMENT, "Zuletzt geändert von", "Nachverfolgte Änderungen",
                     "DSGVO", "Personenbezogene Angaben entfernen"):
        assert revealed in html, revealed
    assert blob_files(app) == []
    assert counts(app) == (0, 0)
    staged = staged_files(app)
    assert any(p.read_bytes() == data for p in staged)
    assert all("documents" not in p.parts for p in staged)


def test_removal_is_ticked_under_the_findings_when_something_was_found(app, client, contributor, tmp_path):
    """Found personal data: "Personenbezogene Angaben entfernen" is ticked and follows the findings
    before the first metadata field; the heading above the button matches the button."""
    data = docx_with_personal_data(tmp_path / "lorawan.docx").read_bytes()
    html = client.get(upload_file(client, data, "lorawan.docx").headers["Location"]).get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*id="strip_metadata"[^>]*>', html).group(0)
    assert "checked" in checkbox
    assert re.search(r'<label[^>]*for="strip_metadata"[^>]*>Personenbezogene Angaben entfernen</label>', html)
    assert html.index(COMMENT) < html.index('id="gdpr-hint"') < html.index('id="strip_metadata"') < html.index(
        'id="titles-0"')
    assert re.search(r"<h2>Zur Prüfung einreichen</h2>\s*.*?Zur Prüfung einreichen</span></button>", html, re.S)
    assert "<h2>Veröffentlichen</h2>" not in html


def test_removal_is_not_ticked_when_nothing_was_found(app, client, contributor):
    """A plain text file reveals nobody: the option is offered but not ticked."""
    html = client.get(upload_file(client, b"Nur Text.\n", "notiz.txt").headers["Location"]).get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*id="strip_metadata"[^>]*>', html).group(0)
    assert "checked" not in checkbox


def test_upload_in_two_steps_submits_a_document_for_review(app, client, contributor, tmp_path):
    """The submitted document has the metadata, is 'submitted', belongs to the uploader, is
    audited, and its staging copy is gone."""
    data = docx_with_personal_data(tmp_path / "lorawan.docx").read_bytes()
    token = _token(upload_file(client, data, "lorawan.docx"))
    response = client.post(f"/upload/{token}", data=details_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/documents")
    assert staged_files(app) == []
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        assert document.title == "Leistungsbeschreibung LoRaWAN-Gateways"
        assert document.status == "submitted"
        assert document.uploader_id == contributor
        assert [t.slug for t in document.topics] == ["infrastruktur-netze-iot"]
        assert document.document_type.slug == "leistungsbeschreibung-ausschreibung"
        assert document.license.slug == "cc-by-4.0"
        assert document.municipality.name == "Musterstadt"
        assert document.municipality.population == 8000
        assert document.municipality.size_class.slug == "kleinstadt"
        assert document.project.name == "LoRaWAN für Musterstadt"
        assert document.project.year_finished == 2023
        assert document.year == 2024
        assert document.current_version.metadata_stripped is False
        assert blob_store().path_for(document.current_version.sha256).read_bytes() == data
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.upload")).one()
        assert (entry.user_id, entry.object_id) == (contributor, document.id)
    listing = client.get("/my/documents").get_data(as_text=True)
    assert "Leistungsbeschreibung LoRaWAN-Gateways" in listing
    assert "In Prüfung" in listing


def test_removing_properties_stores_only_the_cleaned_copy(app, client, contributor, tmp_path):
    """With "Eigenschaften entfernen" the stored DOCX has no author and no comments, and the
    original bytes are not kept anywhere."""
    data = docx_with_personal_data(tmp_path / "lorawan.docx").read_bytes()
    token = _token(upload_file(client, data, "lorawan.docx"))
    response = client.post(f"/upload/{token}", data=details_form(strip_metadata="y"))
    assert response.status_code == 302
    with app.app_context():
        version = db.session.scalars(select(FileVersion)).one()
        assert version.metadata_stripped is True
        stored = blob_store().path_for(version.sha256)
    cleaned = docx.Document(str(stored))
    assert cleaned.core_properties.author == ""
    assert cleaned.core_properties.last_modified_by == ""
    assert len(list(cleaned.comments)) == 0
    raw = all_part_bytes(stored)
    assert AUTHOR.encode() not in raw and COMMENT.encode() not in raw
    assert "Leistungsbeschreibung für LoRaWAN-Gateways" in cleaned.paragraphs[0].text
    assert [p for p in blob_files(app) if p.read_bytes() == data] == []
    assert staged_files(app) == []


def test_duplicate_upload_links_to_the_existing_document(app, client, contributor, tmp_path):
    """The same bytes uploaded again create no second document, version or blob."""
    data = docx_with_personal_data(tmp_path / "lorawan.docx").read_bytes()
    client.post(f"/upload/{_token(upload_file(client, data, 'erste.docx'))}", data=details_form())
    assert counts(app) == (1, 1)
    second = upload_file(client, data, "nochmal.docx")
    preview = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "bereits vorhanden" in preview
    response = client.post(f"/upload/{_token(second)}", data=details_form(), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "ist bereits vorhanden" in html and "nicht noch einmal gespeichert" in html
    assert counts(app) == (1, 1)
    assert len(blob_files(app)) == 1


def test_duplicate_result_names_the_existing_document(app, contributor):
    """The service reports a duplicate with the existing document's id."""
    first = contribute(app, contributor, data=b"Gleicher Inhalt\n")
    with app.app_context():
        staging = contributions.upload_stage(user(contributor), [(io.BytesIO(b"Gleicher Inhalt\n"), "kopie.txt")])
        assert staging.files[0].duplicate_of == first
        [result] = contributions.upload_submit(user(contributor), staging.token, DocumentMetadata(title="Kopie"))
    assert (result.status, result.document_id) == ("duplicate", first)


@pytest.fixture
def one_mb_limit(app_config):
    """Request before ``app``: the app is then built with TOOLBOX_MAX_UPLOAD_MB=1."""
    app_config["MAX_UPLOAD_MB"] = 1


def test_oversize_upload_is_refused_and_nothing_is_stored(one_mb_limit, app, client, contributor):
    """A file over the limit gets a German message next to the file field; no blob, no row, no staging."""
    big = b"Zeile mit Text\n" * (110 * 1024)  # about 1.6 MB: under the request limit, over the file limit
    response = upload_file(client, big, "gross.txt")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "größer als 1 MB" in html
    assert 'id="files-error"' in html and 'aria-describedby="files-error' in html
    assert blob_files(app) == [] and staged_files(app) == []
    assert counts(app) == (0, 0)


def test_upload_beyond_the_request_limit_gets_the_form_with_a_message(one_mb_limit, app, client, contributor):
    """A request too large to read at all (413) still answers with the form and a German message."""
    response = upload_file(client, b"x" * (3 * 1024 * 1024), "riesig.txt")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Die Datei ist zu groß. Erlaubt sind höchstens 1 MB." in html
    assert 'id="files-error"' in html
    assert blob_files(app) == [] and staged_files(app) == []
    assert counts(app) == (0, 0)


def test_wrong_type_is_refused_by_content_whatever_the_name(app, client, contributor):
    """A GIF named .pdf is refused with the detector's German message; nothing is stored."""
    gif = b"GIF89a" + b"\x00" * 2048
    response = upload_file(client, gif, "bericht.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nicht unterstützt" in html or "nicht erkannt" in html
    assert 'id="files-error"' in html
    assert blob_files(app) == [] and staged_files(app) == []
    assert counts(app) == (0, 0)


def test_macro_word_file_disguised_as_docx_is_refused(app, client, contributor, tmp_path):
    """The content decides: a DOCM renamed to .docx is still refused."""
    source = docx_with_personal_data(tmp_path / "makro.docx")
    target = tmp_path / "makro-renamed.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            zout.writestr(item, data)
    response = upload_file(client, target.read_bytes(), "harmlos.docx")
    assert response.status_code == 400
    assert "Makros" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_missing_metadata_gets_german_messages_next_to_the_fields(app, client, contributor):
    """Without topics, type, licence and confirmation, step 2 answers 400 and names each problem
    right at its field, linked by aria-describedby."""
    token = _token(upload_file(client, b"Notiz zur Ausschreibung\n", "notiz.txt"))
    response = client.post(f"/upload/{token}", data=details_form(
        topics=None, type="", license="", confirm_rights=None, year="neunzehn", **{"titles-0": ""}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field, message in (("topics", "mindestens ein Themenfeld"), ("type", "Dokumenttyp"),
                           ("license", "Lizenz"), ("confirm_rights", "veröffentlichen dürfen"),
                           ("year", "ganze Zahl"), ("titles-0", "Titel an")):
        match = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]*)</p>', html)
        assert match and message in match.group(1), field
        assert re.search(rf'aria-describedby="[^"]*{re.escape(field)}-error', html), field
    assert counts(app) == (0, 0)


def test_unknown_staging_token_sends_back_to_step_one(app, client, contributor):
    """An expired or foreign upload token never shows someone else's files."""
    response = client.get("/upload/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 302 and response.headers["Location"].endswith("/upload")


def test_staged_upload_belongs_to_its_uploader(app, contributor):
    """Another contributor cannot submit or even see a staged upload."""
    other = make_user(app, role="contributor")
    with app.app_context():
        staging = contributions.upload_stage(user(contributor), [(io.BytesIO(b"Text\n"), "a.txt")])
        with pytest.raises(contributions.StagingNotFound):
            contributions.upload_get(user(other), staging.token)
        with pytest.raises(contributions.StagingNotFound):
            contributions.upload_submit(user(other), staging.token, DocumentMetadata(title="x"))


def test_discarding_a_staged_upload_leaves_nothing(app, client, contributor):
    """Verwerfen deletes the staged files; nothing was stored."""
    token = _token(upload_file(client, b"Entwurf\n", "entwurf.txt"))
    assert staged_files(app)
    assert client.post(f"/upload/{token}/discard").status_code == 302
    assert staged_files(app) == [] and blob_files(app) == []


def test_old_staging_folders_are_swept(app, contributor):
    """Uploads nobody submitted disappear after a day."""
    import os
    import time

    with app.app_context():
        staging = contributions.upload_stage(user(contributor), [(io.BytesIO(b"Alt\n"), "alt.txt")])
        folder = next(p for p in staged_files(app) if p.name == "manifest.json").parent
        old = time.time() - contributions.STAGING_MAX_AGE - 10
        os.utime(folder, (old, old))
        assert contributions.staging_sweep() == 1
        with pytest.raises(contributions.StagingNotFound):
            contributions.upload_get(user(contributor), staging.token)


def test_visitors_are_sent_to_the_login_page(client):
    """Uploading needs an account."""
    response = client.get("/upload")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/my/documents").status_code == 302


def test_services_refuse_users_without_the_contributor_role(app):
    """The upload services check the acting user first."""
    with app.app_context():
        with pytest.raises(PermissionDenied):
            contributions.upload_stage(None, [(io.BytesIO(b"x"), "x.txt")])


# --- own documents ---------------------------------------------------------------------------


def _version_step_one(client, document_id: int, data: bytes, filename: str):
    response = client.post(f"/my/documents/{document_id}/version", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert re.search(rf"/my/documents/{document_id}/version/[A-Za-z0-9_-]+$", response.headers["Location"])
    return response.headers["Location"]


def test_new_version_keeps_the_old_one_downloadable(app, client, auth, contributor):
    """After a new version (here by an editor, whose versions need no approval) the document shows
    the new file, and version 1 still downloads."""
    make_user(app, "redaktion@example.org", role="editor")
    document_id = contribute(app, contributor, data=b"Version eins der Leistungsbeschreibung\n",
                             filename="leistung.txt")
    auth.logout()
    auth.login("redaktion@example.org")
    client.post(f"/admin/documents/{document_id}/publish")
    step_two = _version_step_one(client, document_id, b"Version zwei der Leistungsbeschreibung\n", "leistung-v2.txt")
    assert client.post(step_two).status_code == 302
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "leistung-v2.txt" in page and "Version 1" in page
    current = client.get(f"/documents/{document_id}/download")
    old = client.get(f"/documents/{document_id}/versions/1/download")
    assert current.data == b"Version zwei der Leistungsbeschreibung\n"
    assert old.data == b"Version eins der Leistungsbeschreibung\n"
    current.close()
    old.close()
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert [v.number for v in document.versions] == [1, 2]
        assert document.status == "published"
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.version_add")).one()


def test_new_version_shows_what_the_file_reveals_before_anything_is_stored(app, client, contributor, tmp_path):
    """A new version goes through the same privacy check as a first upload: its findings, the GDPR
    hint and "Personenbezogene Angaben entfernen", ticked; nothing is stored before the submit."""
    document_id = contribute(app, contributor)
    data = docx_with_personal_data(tmp_path / "v2.docx").read_bytes()
    step_two = _version_step_one(client, document_id, data, "v2.docx")
    html = client.get(step_two).get_data(as_text=True)
    for revealed in (AUTHOR, EDITOR, REVIEWER, COMMENT, "Zuletzt geändert von", "Nachverfolgte Änderungen", "DSGVO"):
        assert revealed in html, revealed
    checkbox = re.search(r'<input[^>]*id="strip_metadata"[^>]*>', html).group(0)
    assert "checked" in checkbox
    assert re.search(r'<label[^>]*for="strip_metadata"[^>]*>Personenbezogene Angaben entfernen</label>', html)
    assert counts(app) == (1, 1)
    assert [p for p in blob_files(app) if p.read_bytes() == data] == []


def test_new_version_stores_only_the_cleaned_copy_when_removal_is_ticked(app, client, contributor, tmp_path):
    """Submitted with the removal ticked, the stored version names nobody and the original bytes
    are kept nowhere; the version remembers that it was cleaned and what it still reveals."""
    document_id = contribute(app, contributor)
    data = docx_with_personal_data(tmp_path / "v2.docx").read_bytes()
    step_two = _version_step_one(client, document_id, data, "v2.docx")
    assert client.post(step_two, data={"strip_metadata": "y"}).status_code == 302
    with app.app_context():
        version = db.session.get(Document, document_id).current_version
        assert version.number == 2 and version.metadata_stripped
        assert version.privacy_report["fields"] == [] and version.privacy_report["comment_count"] == 0
        raw = all_part_bytes(blob_store().path_for(version.sha256))
    assert AUTHOR.encode() not in raw and COMMENT.encode() not in raw
    assert [p for p in blob_files(app) if p.read_bytes() == data] == []
    assert staged_files(app) == []


def test_a_staged_version_belongs_to_its_document(app, client, contributor):
    """A token staged for one document's version is neither a first upload nor another document's version."""
    first = contribute(app, contributor)
    second = contribute(app, contributor)
    step_two = _version_step_one(client, first, b"Neue Fassung\n", "neu.txt")
    token = step_two.rsplit("/", 1)[1]
    assert client.get(f"/my/documents/{second}/version/{token}").status_code == 302
    assert client.get(f"/upload/{token}").status_code == 302
    assert counts(app) == (2, 2)


def test_editors_see_what_a_submitted_file_reveals_about_people(app, client, auth, contributor, tmp_path):
    """The review queue and the document page show the file's author, last editor, comments and
    tracked changes, not only its text."""
    data = docx_with_personal_data(tmp_path / "lorawan.docx").read_bytes()
    client.post(f"/upload/{_token(upload_file(client, data, 'lorawan.docx'))}", data=details_form())
    make_user(app, "redaktion@example.org", role="editor")
    auth.logout()
    auth.login("redaktion@example.org")
    with app.app_context():
        document_id = db.session.scalars(select(Document.id)).one()
    for url in ("/admin/review", f"/admin/documents/{document_id}"):
        html = client.get(url).get_data(as_text=True)
        for revealed in ("Was die Datei über Personen verrät", AUTHOR, EDITOR, COMMENT, REVIEWER,
                         "Nachverfolgte Änderungen"):
            assert revealed in html, (url, revealed)


def test_new_version_with_the_same_bytes_is_refused(app, client, contributor):
    """A version identical to one already stored is refused with a message next to the file field."""
    document_id = contribute(app, contributor, data=b"Gleich\n", filename="gleich.txt")
    response = client.post(f"/my/documents/{document_id}/version", data={
        "file": (io.BytesIO(b"Gleich\n"), "gleich.txt")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "bereits eine Version dieses Dokuments" in response.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_new_version_can_be_stripped(app, contributor, tmp_path):
    """A new version may have its properties removed too; then only the cleaned copy is stored."""
    document_id = contribute(app, contributor)
    path = docx_with_personal_data(tmp_path / "v2.docx")
    with app.app_context():
        document = db.session.get(Document, document_id)
        with path.open("rb") as stream:
            contributions.document_version_add(user(contributor), document, stream, "v2.docx", strip_metadata=True)
        version = db.session.get(Document, document_id).current_version
        assert version.metadata_stripped
        assert docx.Document(str(blob_store().path_for(version.sha256))).core_properties.author == ""


def test_withdraw_takes_a_published_document_off_the_public_pages(app, client, contributor):
    """The owner withdraws; visitors get 404 afterwards."""
    editor = make_user(app, role="editor")
    document_id = contribute(app, contributor, publish_as=editor)
    assert client.get(f"/documents/{document_id}").status_code == 200
    assert client.post(f"/my/documents/{document_id}/withdraw").status_code == 302
    assert client.get(f"/documents/{document_id}").status_code == 404
    assert "Zurückgezogen" in client.get("/my/documents").get_data(as_text=True)


def test_withdraw_asks_first_and_says_what_it_does(app, client, contributor):
    """"Zurückziehen" in the list opens a confirmation; the published document stays public
    until its button is pressed."""
    editor = make_user(app, role="editor")
    document_id = contribute(app, contributor, title="Mitfahrbank-Konzept", publish_as=editor)
    confirm_url = f"/my/documents/{document_id}/withdraw"
    assert f'href="{confirm_url}"' in client.get("/my/documents").get_data(as_text=True)
    page = client.get(confirm_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>„Mitfahrbank-Konzept“ zurückziehen?</h1>" in html
    assert "ist dann nicht mehr öffentlich sichtbar" in html
    assert client.get(f"/documents/{document_id}").status_code == 200
    submitted = contribute(app, contributor, title="Entwurf Parkraum")
    assert "Die Redaktion prüft „Entwurf Parkraum“ dann nicht mehr." in client.get(
        f"/my/documents/{submitted}/withdraw").get_data(as_text=True)


def test_contributor_cannot_see_or_change_someone_elses_documents(app, client, contributor):
    """Another contributor's document is 404 on every own-document page and absent from the list."""
    other = make_user(app, role="contributor")
    document_id = contribute(app, other, title="Fremdes Dokument")
    assert "Fremdes Dokument" not in client.get("/my/documents").get_data(as_text=True)
    assert client.get(f"/my/documents/{document_id}/edit").status_code == 404
    assert client.post(f"/my/documents/{document_id}/edit", data={"title": "Gekapert"}).status_code == 404
    assert client.get(f"/my/documents/{document_id}/version").status_code == 404
    assert client.get(f"/my/documents/{document_id}/withdraw").status_code == 404
    assert client.post(f"/my/documents/{document_id}/withdraw").status_code == 404
    assert client.get(f"/my/documents/{document_id}/versions/1/download").status_code == 404
    with app.app_context():
        assert db.session.get(Document, document_id).title == "Fremdes Dokument"
        assert db.session.get(Document, document_id).status == "submitted"


def test_contributor_cannot_publish(app, client, contributor):
    """Publishing is for editors: 403 on the page, PermissionDenied in the service."""
    from toolbox.services.review import document_publish

    document_id = contribute(app, contributor)
    assert client.post(f"/admin/documents/{document_id}/publish").status_code == 403
    assert client.get("/admin/review").status_code == 403
    with app.app_context():
        with pytest.raises(PermissionDenied):
            document_publish(user(contributor), db.session.get(Document, document_id))
        assert db.session.get(Document, document_id).status == "submitted"


def test_editor_may_edit_any_document(app, client, auth, contributor):
    """The edit page works for editors on documents they did not upload."""
    document_id = contribute(app, contributor)
    make_user(app, "redaktion@example.org", role="editor")
    auth.logout()
    auth.login("redaktion@example.org")
    assert client.get(f"/my/documents/{document_id}/edit").status_code == 200


def test_several_files_at_once_each_with_its_title(app, client, contributor):
    """One upload of several files gives one document per file with the shared metadata; a file of
    a refused format is named in a message and left out."""
    response = client.post("/upload", data={"files": [
        (io.BytesIO(b"Datenschutz-Folgenabschaetzung Kita-App\n"), "dsfa.txt"),
        (io.BytesIO(b"Verarbeitungsverzeichnis Kita-App\n"), "vvt.md"),
        (io.BytesIO(b"GIF89a" + b"\x00" * 64), "foto.gif"),
    ]}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nicht angenommen: „foto.gif“" in page
    assert 'id="titles-0"' in page and 'id="titles-1"' in page and 'id="titles-2"' not in page
    submitted = client.post(f"/upload/{_token(response)}", data=details_form(**{
        "titles-0": "DSFA Kita-App", "titles-1": "Verarbeitungsverzeichnis Kita-App", "topics": ["bildung-schule"],
        "type": "datenschutz"}))
    assert submitted.status_code == 302
    with app.app_context():
        documents = db.session.scalars(select(Document).order_by(Document.id)).all()
        assert [d.title for d in documents] == ["DSFA Kita-App", "Verarbeitungsverzeichnis Kita-App"]
        assert [d.current_version.format for d in documents] == ["txt", "md"]
        assert all(d.document_type.slug == "datenschutz" and d.uploader_id == contributor for d in documents)
        assert documents[0].project_id == documents[1].project_id is not None


def test_several_files_can_each_say_what_they_describe_differently(app, client, contributor):
    """A DSFA and a Beschlussvorlage in one upload: the fields for all files apply to both, and the
    Beschlussvorlage sets its own description, topics, type and licence under "Abweichende
    Angaben" (issue 12.4); what a file leaves empty comes from the fields for all files."""
    response = client.post("/upload", data={"files": [
        (io.BytesIO(b"Datenschutz-Folgenabschaetzung Parksensorik\n"), "dsfa.txt"),
        (io.BytesIO(b"Beschlussvorlage Parksensorik fuer den Gemeinderat\n"), "beschluss.txt"),
    ]}, content_type="multipart/form-data")
    token = _token(response)
    page = client.get(f"/upload/{token}").get_data(as_text=True)
    assert "Abweichende Angaben für „beschluss.txt“" in page
    assert 'id="files_extra-1-description"' in page and 'id="files_extra-1-topics-0"' in page
    assert "– wie für alle Dateien –" in page
    notice = page.index("Angaben für alle 2 Dateien“ gelten für jede Datei")
    assert notice < page.index('id="titles-0"') < page.index('id="description"')

    submitted = client.post(f"/upload/{token}", data=details_form(**{
        "titles-0": "DSFA Parksensorik", "titles-1": "Beschlussvorlage Parksensorik",
        "topics": ["mobilitaet-verkehr"], "type": "datenschutz",
        "description": "Folgenabschätzung für die Sensoren.",
        "files_extra-0-type": "", "files_extra-0-license": "", "files_extra-0-description": "",
        "files_extra-1-description": "Vorlage für den Beschluss im Gemeinderat.",
        "files_extra-1-topics": ["verwaltung-e-government", "mobilitaet-verkehr"],
        "files_extra-1-type": "beschlussvorlage", "files_extra-1-license": "cc0-1.0"}))
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    with app.app_context():
        dsfa, vorlage = db.session.scalars(select(Document).order_by(Document.id)).all()
        assert (dsfa.title, dsfa.description, dsfa.document_type.slug, dsfa.license.slug) == (
            "DSFA Parksensorik", "Folgenabschätzung für die Sensoren.", "datenschutz", "cc-by-4.0")
        assert [t.slug for t in dsfa.topics] == ["mobilitaet-verkehr"]
        assert (vorlage.description, vorlage.document_type.slug, vorlage.license.slug) == (
            "Vorlage für den Beschluss im Gemeinderat.", "beschlussvorlage", "cc0-1.0")
        assert sorted(t.slug for t in vorlage.topics) == ["mobilitaet-verkehr", "verwaltung-e-government"]
        assert vorlage.municipality_id == dsfa.municipality_id and vorlage.project_id == dsfa.project_id


def test_a_file_of_its_own_cannot_choose_what_the_list_does_not_offer(app, client, contributor):
    response = client.post("/upload", data={"files": [(io.BytesIO(b"Eins\n"), "a.txt"),
                                                      (io.BytesIO(b"Zwei\n"), "b.txt")]},
                           content_type="multipart/form-data")
    token = _token(response)
    refused = client.post(f"/upload/{token}", data=details_form(**{
        "titles-1": "Zwei", "files_extra-0-type": "", "files_extra-0-license": "",
        "files_extra-1-type": "erfunden", "files_extra-1-license": ""}))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'href="#files_extra-1-type"' in html and "Bitte einen Eintrag aus der Liste wählen." in html
    assert '<details class="file-overrides" open>' in html
    with app.app_context():
        assert db.session.scalars(select(Document)).all() == []


# --- what a contributor learns about other contributors' unpublished documents ----------------

SECRET = {"title": "Geheime Machbarkeitsstudie", "municipality": "Verschwiegenhausen",
          "project": "Stilles Vorhaben"}


@pytest.fixture
def unpublished_of_another(app):
    """A document another contributor uploaded and nobody published yet, with its own names."""
    other = make_user(app, "andere@nachbarort.example", role="contributor")
    return contribute(app, other, data=b"Vertrauliche Studie\n", **SECRET)


def _leaks(text: str, document_id: int) -> list[str]:
    return [s for s in (*SECRET.values(), f"Dokument {document_id}", f"Nr. {document_id}",
                        f"/my/documents/{document_id}") if s in text]


def test_duplicate_of_anothers_unpublished_document_says_only_that_it_exists(
        app, client, contributor, unpublished_of_another):
    """The same bytes as another contributor's unpublished document: the preview and the result
    say "bereits vorhanden" and nothing about that document, neither title nor number."""
    second = upload_file(client, b"Vertrauliche Studie\n", "kopie.txt")
    preview = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Diese Datei ist bereits vorhanden." in preview
    assert _leaks(preview, unpublished_of_another) == []
    page = client.post(f"/upload/{_token(second)}", data=details_form(), follow_redirects=True).get_data(as_text=True)
    assert "„kopie.txt“ ist bereits vorhanden und wurde nicht noch einmal gespeichert." in page
    assert _leaks(page, unpublished_of_another) == []
    with app.app_context():
        staging = contributions.upload_stage(user(contributor), [(io.BytesIO(b"Vertrauliche Studie\n"), "k.txt")])
        [result] = contributions.upload_submit(user(contributor), staging.token, DocumentMetadata(title="Kopie"))
        assert (result.status, result.document_id) == ("duplicate", None)
        assert render(result.message, "de") == "Diese Datei ist bereits vorhanden."
        assert render(result.message, "en") == "This file already exists."
    assert counts(app) == (1, 1)


def test_new_version_with_the_bytes_of_anothers_unpublished_document_names_nothing(
        app, client, contributor, unpublished_of_another):
    """A new version whose bytes another contributor's unpublished document holds is refused
    with "bereits vorhanden", without that document's number."""
    own = contribute(app, contributor, data=b"Eigene Fassung\n")
    response = client.post(f"/my/documents/{own}/version", data={
        "file": (io.BytesIO(b"Vertrauliche Studie\n"), "studie.txt")}, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Diese Datei ist bereits vorhanden." in html
    assert _leaks(html, unpublished_of_another) == []


def test_duplicates_keep_their_meaning_for_whoever_may_see_the_document(app, contributor, unpublished_of_another):
    """An editor sees every document, so the duplicate names it to them; once it is published,
    it is named to every contributor."""
    editor = make_user(app, "redaktion@example.org", role="editor")

    def duplicate_as(user_id: int):
        with app.app_context():
            staging = contributions.upload_stage(user(user_id), [(io.BytesIO(b"Vertrauliche Studie\n"), "k.txt")])
            [result] = contributions.upload_submit(user(user_id), staging.token, DocumentMetadata(title="Kopie"))
            return result.document_id, render(result.message, "de")

    assert duplicate_as(editor) == (
        unpublished_of_another, f"Bereits vorhanden als Dokument {unpublished_of_another}: „{SECRET['title']}“.")
    with app.app_context():
        document_publish(user(editor), db.session.get(Document, unpublished_of_another))
    assert duplicate_as(contributor)[0] == unpublished_of_another


def test_forms_offer_only_public_or_own_names(app, client, auth, contributor, unpublished_of_another):
    """The project list and the municipality suggestions of the upload and edit pages name the
    municipalities and projects of published documents and of one's own, not those of another
    contributor's unpublished upload; a hidden project cannot be chosen by its number either.
    Editors are offered every name."""
    editor = make_user(app, "redaktion@example.org", role="editor")
    contribute(app, editor, data=b"Veroeffentlicht\n", municipality="Offenbach am Main",
               project="Offenes Rathaus", publish_as=editor)
    own = contribute(app, contributor, data=b"Eigenes\n", municipality="Eigenheim", project="Eigenes Projekt")
    with app.app_context():
        hidden_project = db.session.get(Document, unpublished_of_another).project_id
    staged = upload_file(client, b"Neu\n", "neu.txt")
    preview = client.get(staged.headers["Location"]).get_data(as_text=True)
    edit = client.get(f"/my/documents/{own}/edit").get_data(as_text=True)
    for page in (preview, edit):
        assert "Offenbach am Main" in page and "Offenes Rathaus" in page
        assert "Eigenheim" in page and "Eigenes Projekt" in page
        assert SECRET["municipality"] not in page and SECRET["project"] not in page
    with app.app_context():
        own_project = db.session.get(Document, own).project_id
    for project, status in ((hidden_project, 400), (own_project, 302)):
        chosen = client.post(f"/my/documents/{own}/edit", data=details_form(
            title="Eigenes", project_choice=str(project), new_project=None))
        assert chosen.status_code == status
    with app.app_context():
        assert db.session.get(Document, own).project.name == "Eigenes Projekt"

    auth.logout()
    auth.login("redaktion@example.org")
    edit = client.get(f"/my/documents/{own}/edit").get_data(as_text=True)
    assert SECRET["municipality"] in edit and SECRET["project"] in edit


def test_refused_files_are_named_on_the_second_step_in_the_page_language(app, client, contributor):
    """A file refused in step 1 stays named on step 2, read from the stored upload in the page's
    language each time the page is shown, not only once in a flash."""
    response = client.post("/upload", data={"files": [
        (io.BytesIO(b"Verarbeitungsverzeichnis Kita-App\n"), "vvt.txt"),
        (io.BytesIO(b"GIF89a" + b"\x00" * 64), "plan.gif"),
    ]}, content_type="multipart/form-data")
    assert response.status_code == 302
    step2 = response.headers["Location"]
    english = client.get(f"{step2}?lang=en").get_data(as_text=True)
    german = client.get(f"{step2}?lang=de").get_data(as_text=True)
    assert ("Not accepted: “plan.gif” – The file format GIF (image) is not supported. Please upload it as a PDF."
            in english)
    assert "Nicht angenommen: „plan.gif“ – Das Dateiformat GIF (Bild) wird nicht unterstützt." in german
    assert "Bitte als PDF hochladen." in german and "Bild" not in english


def test_a_file_that_cannot_be_cleaned_says_why_next_to_the_choice(app, client, contributor, tmp_path):
    """When removing the properties fails (a password-protected PDF), step 2 names the file and the
    reason in words next to the removal choice; nothing is stored."""
    from extract_fixtures import write_encrypted_pdf

    data = write_encrypted_pdf(tmp_path / "geschuetzt.pdf", "Vertrauliche Planung", "geheim").read_bytes()
    response = upload_file(client, data, "geschuetzt.pdf")
    assert response.status_code == 302
    answer = client.post(response.headers["Location"], data=details_form(strip_metadata="y"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert ("„geschuetzt.pdf“: Die PDF-Datei ist passwortgeschützt; ihre Eigenschaften können nicht entfernt "
            "werden.") in page
    assert "Message(" not in page and "strip.pdf_password" not in page
    assert counts(app) == (0, 0)


def test_withdrawing_an_unpublished_document_does_not_speak_of_publicity(app, client, contributor):
    """A document under review was never public: the message says the review stops, not that it
    is "nicht mehr öffentlich sichtbar"."""
    document_id = contribute(app, contributor, title="Entwurf Parkraumkonzept")
    html = client.post(f"/my/documents/{document_id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "„Entwurf Parkraumkonzept“ wurde zurückgezogen; die Redaktion prüft es nicht mehr." in html
    assert "nicht mehr öffentlich sichtbar" not in html


def test_withdrawn_and_rejected_documents_can_be_submitted_again(app, client, auth, contributor):
    """"Erneut einreichen" sends a withdrawn or rejected document back to the review queue (the
    rejection reason goes); a published one offers no such button and the service refuses it."""
    from toolbox.services.review import document_reject

    editor = make_user(app, "redaktion@example.org", role="editor")
    withdrawn = contribute(app, contributor, title="Zurückgezogenes Konzept")
    rejected = contribute(app, contributor, title="Abgelehntes Konzept")
    published = contribute(app, contributor, title="Veröffentlichtes Konzept", publish_as=editor)
    client.post(f"/my/documents/{withdrawn}/withdraw")
    with app.app_context():
        document_reject(user(editor), db.session.get(Document, rejected), "Lizenz fehlt.")
    listing = client.get("/my/documents").get_data(as_text=True)
    for document_id in (withdrawn, rejected):
        assert f'action="/my/documents/{document_id}/resubmit"' in listing
    assert f'action="/my/documents/{published}/resubmit"' not in listing

    for document_id in (withdrawn, rejected):
        response = client.post(f"/my/documents/{document_id}/resubmit", follow_redirects=True)
        assert "ist erneut eingereicht und wird von der Redaktion geprüft" in response.get_data(as_text=True)
    refused = client.post(f"/my/documents/{published}/resubmit", follow_redirects=True).get_data(as_text=True)
    assert "kann nicht erneut eingereicht werden" in refused
    with app.app_context():
        assert [db.session.get(Document, i).status for i in (withdrawn, rejected, published)] == [
            "submitted", "submitted", "published"]
        assert db.session.get(Document, rejected).rejection_reason is None
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.resubmit")).all()) == 2
    auth.logout()
    auth.login("redaktion@example.org")
    queue = client.get("/admin/review").get_data(as_text=True)
    assert "Zurückgezogenes Konzept" in queue and "Abgelehntes Konzept" in queue
