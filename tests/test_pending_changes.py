"""A published document cannot be swapped without review: a contributor's new version or metadata
edit waits for an editor, and until the editor accepts, everyone gets the published state."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.models import AuditEntry, Document, Municipality, PendingChange
from toolbox.services import pending_changes
from toolbox.services.consistency import consistency_check
from toolbox.storage import blob_store

from conftest import make_user
from contribute_helpers import blob_files, contribute, user
from job_helpers import requires_ocr
from privacy_fixtures import AUTHOR, COMMENT, docx_with_personal_data

OLD_WORD = "Pegelmessnetz"
NEW_WORD = "Hochwasserportal"


@pytest.fixture
def people(app, auth):
    """A contributor (logged in) and an editor."""
    contributor = make_user(app, "projektleitung@musterstadt.example", role="contributor")
    editor = make_user(app, "redaktion@toolbox.example", role="editor")
    auth.login("projektleitung@musterstadt.example")
    return {"contributor": contributor, "editor": editor}


@pytest.fixture
def published(app, people):
    """The contributor's published document: a text file about the old word."""
    return contribute(app, people["contributor"], title="Leistungsbeschreibung Pegel",
                      data=f"Ausschreibung für ein {OLD_WORD} an der Schwalm.\n".encode(), filename="pegel.txt",
                      publish_as=people["editor"])


def _new_version(client, document_id: int, data: bytes, filename: str, **step_two):
    """Both steps of the new-version form; returns the answer to the second."""
    first = client.post(f"/my/documents/{document_id}/version", data={"file": (io.BytesIO(data), filename)},
                        content_type="multipart/form-data")
    assert first.status_code == 302, first.get_data(as_text=True)
    assert re.search(rf"/my/documents/{document_id}/version/[A-Za-z0-9_-]+$", first.headers["Location"])
    return client.post(first.headers["Location"], data=step_two)


def _hit_ids(client, query: str) -> list[int]:
    return [hit["id"] for hit in client.get(f"/api/v1/search?q={query}").get_json()["hits"]]


def _switch_to_editor(auth) -> None:
    auth.logout()
    auth.login("redaktion@toolbox.example")


def test_a_contributors_new_version_of_a_published_document_waits(app, client, people, published):
    """The new file is stored as a waiting change; page, download, API, search and ZIP keep the
    published version, and the contributor reads "Änderung wartet auf Freigabe"."""
    response = _new_version(client, published, f"Neue Fassung mit {NEW_WORD}.\n".encode(), "pegel-v2.txt")
    assert response.status_code == 302
    assert "Änderung wartet auf Freigabe" in client.get(response.headers["Location"]).get_data(as_text=True)

    page = client.get(f"/documents/{published}").get_data(as_text=True)
    assert "Herunterladen: pegel.txt" in page and "Änderung wartet auf Freigabe" in page
    visitor = app.test_client().get(f"/documents/{published}").get_data(as_text=True)
    assert "pegel-v2.txt" not in visitor and "Änderung wartet" not in visitor
    download = client.get(f"/documents/{published}/download")
    assert OLD_WORD.encode() in download.data
    download.close()
    assert client.get(f"/api/v1/documents/{published}").get_json()["format"] == "txt"
    assert _hit_ids(client, OLD_WORD) == [published] and _hit_ids(client, NEW_WORD) == []
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/search/download.zip?q={OLD_WORD}").data))
    assert any(OLD_WORD.encode() in archive.read(name) for name in archive.namelist() if name.endswith(".txt"))
    assert "Änderung wartet auf Freigabe" in client.get("/my/documents").get_data(as_text=True)
    with app.app_context():
        document = db.session.get(Document, published)
        assert [v.number for v in document.versions] == [1]
        assert document.pending_change.proposed_file["original_filename"] == "pegel-v2.txt"
        assert blob_store().exists(document.pending_change.file_sha256)
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.change_submit")).one()
        assert (entry.user_id, entry.object_id) == (people["contributor"], published)


def test_a_contributors_metadata_edit_of_a_published_document_waits(app, client, people, published):
    """A new title and a new municipality are only proposed: the public page and the index keep
    the old title, no municipality is created yet, and the edit form shows the proposal."""
    with app.app_context():
        from toolbox.services.review import document_metadata

        form = document_metadata(db.session.get(Document, published))
    response = client.post(f"/my/documents/{published}/edit", data={
        "title": "Leistungsbeschreibung Pegel, zweite Fassung", "topics": form.topics, "type": form.type or "",
        "license": form.license or "", "municipality": "Neudorf an der Schwalm", "project_choice": "",
    }, follow_redirects=True)
    assert "Änderung wartet auf Freigabe" in response.get_data(as_text=True)
    page = client.get(f"/documents/{published}").get_data(as_text=True)
    assert "zweite Fassung" not in page.split("<h1>")[1].split("</h1>")[0]
    assert client.get(f"/api/v1/documents/{published}").get_json()["title"] == "Leistungsbeschreibung Pegel"
    hits = client.get("/api/v1/search?q=Fassung").get_json()["hits"]
    assert hits == []
    assert "zweite Fassung" in client.get(f"/my/documents/{published}/edit").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Municipality).where(Municipality.name == "Neudorf an der Schwalm")) is None
        assert db.session.get(Document, published).title == "Leistungsbeschreibung Pegel"


def test_the_editor_sees_the_change_and_accepting_makes_it_public(app, client, auth, people, published, tmp_path):
    """The review queue shows old and new title, the new file with its extraction status and what
    it reveals about people; after "freigeben" page, download, search and API show the change and
    version 1 still downloads."""
    with app.app_context():
        from toolbox.services.review import document_metadata, document_update

        edit = document_metadata(db.session.get(Document, published))
        edit.title = "Leistungsbeschreibung Pegel, zweite Fassung"
        document_update(user(people["contributor"]), db.session.get(Document, published), edit, )
    data = docx_with_personal_data(tmp_path / "v2.docx", body=f"Neue Fassung mit {NEW_WORD}.").read_bytes()
    _new_version(client, published, data, "pegel-v2.docx")  # removal left unticked: the editor sees it all
    _switch_to_editor(auth)
    queue = client.get("/admin/review").get_data(as_text=True)
    change = queue.split(f'id="change-{published}"')[1]
    for shown in ("Leistungsbeschreibung Pegel", "zweite Fassung", "pegel-v2.docx", "Text extrahiert", AUTHOR,
                  COMMENT, "Änderung freigeben", "Änderung ablehnen"):
        assert shown in change, shown
    download = client.get(f"/admin/documents/{published}/change/download")
    assert download.data == data
    download.close()

    response = client.post(f"/admin/documents/{published}/change/accept")
    assert response.status_code == 302
    page = client.get(f"/documents/{published}").get_data(as_text=True)
    assert "zweite Fassung" in page and "pegel-v2.docx" in page
    current = client.get(f"/documents/{published}/download")
    old = client.get(f"/documents/{published}/versions/1/download")
    assert current.data == data and OLD_WORD.encode() in old.data
    current.close()
    old.close()
    assert _hit_ids(client, NEW_WORD) == [published]
    assert client.get(f"/api/v1/documents/{published}").get_json()["format"] == "docx"
    with app.app_context():
        document = db.session.get(Document, published)
        assert [v.number for v in document.versions] == [1, 2]
        assert document.current_version.uploader_id == people["contributor"]
        assert document.pending_change is None
        assert db.session.scalar(select(PendingChange)) is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.change_accept")).one()
        assert entry.user_id == people["editor"] and entry.details["changes"]["title"][1].endswith("zweite Fassung")


def test_rejecting_a_change_keeps_the_published_state_and_tells_the_contributor(app, client, auth, people,
                                                                                 published):
    """A reason is required; after rejecting, the published file stays, the waiting file's bytes
    are deleted, and the contributor reads the reason."""
    _new_version(client, published, f"Neue Fassung mit {NEW_WORD}.\n".encode(), "pegel-v2.txt")
    with app.app_context():
        waiting = db.session.get(Document, published).pending_change.file_sha256
    _switch_to_editor(auth)
    missing = client.post(f"/admin/documents/{published}/change/reject", data={f"c{published}-reason": " "})
    assert missing.status_code == 400
    assert "Bitte geben Sie einen Grund für die Ablehnung an." in missing.get_data(as_text=True)
    response = client.post(f"/admin/documents/{published}/change/reject",
                           data={f"c{published}-reason": "Die neue Fassung nennt interne Ansprechpartner."})
    assert response.status_code == 302
    assert "Keine wartenden Änderungen." in client.get("/admin/review").get_data(as_text=True)
    download = client.get(f"/documents/{published}/download")
    assert OLD_WORD.encode() in download.data
    download.close()
    with app.app_context():
        document = db.session.get(Document, published)
        assert document.status == "published" and [v.number for v in document.versions] == [1]
        assert not blob_store().exists(waiting)
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.change_reject")).one()
    auth.logout()
    auth.login("projektleitung@musterstadt.example")
    listing = client.get("/my/documents").get_data(as_text=True)
    assert "Ihre Änderung wurde abgelehnt." in listing and "interne Ansprechpartner" in listing


def test_editors_change_published_documents_at_once(app, client, auth, people, published):
    """An editor's new version and edit need no second editor: they are public at once."""
    _switch_to_editor(auth)
    response = _new_version(client, published, f"Neue Fassung mit {NEW_WORD}.\n".encode(), "pegel-v2.txt")
    assert response.status_code == 302
    assert _hit_ids(client, NEW_WORD) == [published]
    with app.app_context():
        assert db.session.get(Document, published).pending_change is None
        assert [v.number for v in db.session.get(Document, published).versions] == [1, 2]


def test_changes_of_unpublished_documents_apply_at_once(app, people):
    """A document under review is not public: its new version needs no separate approval."""
    document_id = contribute(app, people["contributor"])
    with app.app_context():
        from toolbox.services.contribute import document_version_add

        document = db.session.get(Document, document_id)
        result = document_version_add(user(people["contributor"]), document, io.BytesIO(b"Zweite Fassung\n"),
                                      "zwei.txt")
        assert result.pending is False
        assert [v.number for v in db.session.get(Document, document_id).versions] == [1, 2]


def test_withdrawing_takes_the_waiting_change_along(app, client, people, published):
    """Withdrawn, the document is no longer public; its waiting version becomes part of it, to be
    reviewed with it when it is submitted again."""
    _new_version(client, published, f"Neue Fassung mit {NEW_WORD}.\n".encode(), "pegel-v2.txt")
    assert client.post(f"/my/documents/{published}/withdraw").status_code == 302
    with app.app_context():
        document = db.session.get(Document, published)
        assert document.status == "withdrawn" and document.pending_change is None
        assert [v.original_filename for v in document.versions] == ["pegel.txt", "pegel-v2.txt"]


def test_the_consistency_check_keeps_a_waiting_file(app, client, people, published):
    """The bytes of a waiting version are no stray blob: a repair must not move them away."""
    _new_version(client, published, f"Neue Fassung mit {NEW_WORD}.\n".encode(), "pegel-v2.txt")
    with app.app_context():
        waiting = db.session.get(Document, published).pending_change.file_sha256
        report = consistency_check(repair=True, stray_grace_seconds=0)
        assert not [f for f in report.findings if f.kind == "blob_stray"]
        assert blob_store().exists(waiting)
    assert len(blob_files(app)) == 2


def test_only_editors_decide_changes(app, client, people, published):
    """The contributor can neither accept nor reject their own change, by page or service."""
    _new_version(client, published, f"Neue Fassung mit {NEW_WORD}.\n".encode(), "pegel-v2.txt")
    assert client.post(f"/admin/documents/{published}/change/accept").status_code == 403
    assert client.get(f"/admin/documents/{published}/change/download").status_code == 403
    from toolbox.permissions import PermissionDenied

    with app.app_context():
        with pytest.raises(PermissionDenied):
            pending_changes.change_accept(user(people["contributor"]), db.session.get(Document, published))
        assert db.session.get(Document, published).pending_change.waiting


@requires_ocr
@pytest.mark.parametrize("decision", ["accept", "withdraw"])
def test_a_scan_that_becomes_a_version_gets_its_text_recognition_job(app, client, auth, people, published, tmp_path,
                                                                     decision):
    """A waiting scan is not read yet; once it is a version (accepted, or folded in when the
    document is withdrawn) its OCR job is queued like any new version's."""
    from toolbox.models import Job

    from job_helpers import write_scan

    scan = write_scan(tmp_path / "beschluss.png", ["Beschluss des Gemeinderats über das Pegelnetz."])
    _new_version(client, published, scan.read_bytes(), "beschluss.png")
    with app.app_context():
        # (the editors' mail about the first submission is the only job so far)
        assert db.session.scalar(select(Job).where(Job.kind != "mail")) is None
    if decision == "accept":
        _switch_to_editor(auth)
        assert client.post(f"/admin/documents/{published}/change/accept").status_code == 302
    else:
        assert client.post(f"/my/documents/{published}/withdraw").status_code == 302
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.kind == "ocr")).one()  # its thumbnail job beside it
        version = db.session.get(Document, published).current_version
        assert (job.kind, job.file_version_id, version.original_filename) == ("ocr", version.id, "beschluss.png")
