"""The review workflow: queue, publish, reject with reason, edits, withdraw, trash and restore."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.models import AuditEntry, Document
from toolbox.permissions import PermissionDenied
from toolbox.search import SearchQuery, check_index, search
from toolbox.services import review
from toolbox.services.ingest import DocumentMetadata
from toolbox.storage import blob_store

from conftest import make_user
from contribute_helpers import blob_files, contribute, user


@pytest.fixture
def people(app):
    """A contributor, an editor and an admin (ids)."""
    return {
        "contributor": make_user(app, "projekt@example.org", role="contributor"),
        "editor": make_user(app, "redaktion@example.org", role="editor"),
        "admin": make_user(app, "admin@example.org", role="admin"),
    }


def _found(query: str) -> set[int]:
    return {hit.document_id for hit in search(SearchQuery(q=query)).hits}


def _document(document_id: int) -> Document:
    return db.session.get(Document, document_id)


def test_review_queue_shows_text_preview_and_extraction_status(app, client, auth, people):
    """Editors see each submitted document with its extracted text and extraction status."""
    contribute(app, people["contributor"], title="Konzept Sensorik",
               text="Sensorik für Pegelstände an der Lahn " + "und weiterer Text " * 300)
    auth.login("redaktion@example.org")
    html = client.get("/admin/review").get_data(as_text=True)
    assert "Konzept Sensorik" in html
    assert "Sensorik für Pegelstände an der Lahn" in html
    assert "Textauszug:</strong> Text extrahiert – Text erfolgreich extrahiert" in html  # a label, not the code "ok"
    preview = html.split('<pre class="text-preview">')[1].split("</pre>")[0]
    assert len(preview) <= 2000 + len(" …") and preview.endswith("…")


def test_review_queue_names_the_extraction_status_in_the_editors_language(app, client, auth, people):
    """The status code stays in the page's CSS class; the reader sees its label, in English too."""
    contribute(app, people["contributor"], title="Leere Vorlage", data=b" \n \n", filename="leer.txt")
    auth.login("redaktion@example.org")
    html = client.get("/admin/review", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="extraction extraction-empty"' in html
    assert "No text (scanned document?)" in html


def test_publish_makes_the_document_public_and_searchable(app, client, auth, people):
    """Until an editor publishes, visitors neither see nor find the document; afterwards both."""
    document_id = contribute(app, people["contributor"], text="Glasfaserausbau im Vogelsbergkreis")
    assert client.get(f"/documents/{document_id}").status_code == 404
    with app.app_context():
        assert document_id not in _found("Glasfaserausbau")
    auth.login("redaktion@example.org")
    response = client.post(f"/admin/documents/{document_id}/publish")
    assert response.status_code == 302
    auth.logout()
    assert client.get(f"/documents/{document_id}").status_code == 200
    with app.app_context():
        assert document_id in _found("Glasfaserausbau")
        document = _document(document_id)
        assert document.status == "published" and document.published_at is not None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.publish")).one()
        assert entry.user_id == people["editor"] and entry.object_id == document_id


def test_reject_needs_a_reason(app, client, auth, people):
    """Rejecting without a reason is refused with a message next to the field; status stays."""
    document_id = contribute(app, people["contributor"])
    with app.app_context():
        with pytest.raises(review.WorkflowError, match="Grund"):
            review.document_reject(user(people["editor"]), _document(document_id), "   ")
    auth.login("redaktion@example.org")
    response = client.post(f"/admin/documents/{document_id}/reject", data={f"d{document_id}-reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="d{document_id}-reason-error"' in html and "Grund für die Ablehnung" in html
    with app.app_context():
        assert _document(document_id).status == "submitted"


def test_rejection_reason_is_visible_to_the_contributor(app, client, auth, people):
    """The reason an editor gives appears on the contributor's /my/documents."""
    document_id = contribute(app, people["contributor"], title="Förderantrag Smarte Region")
    auth.login("redaktion@example.org")
    reason = "Bitte die Namen der Sachbearbeiter schwärzen."
    assert client.post(f"/admin/documents/{document_id}/reject",
                       data={f"d{document_id}-reason": reason}).status_code == 302
    auth.logout()
    auth.login("projekt@example.org")
    html = client.get("/my/documents").get_data(as_text=True)
    assert "Abgelehnt" in html and reason in html


def test_editors_edit_of_a_published_document_is_visible_at_once_and_audited_with_a_diff(app, client, auth,
                                                                                         people):
    """An editor's edit shows on the public page and in search at once (a contributor's waits for
    an editor: tests/test_pending_changes.py); the audit entry holds the diff."""
    document_id = contribute(app, people["contributor"], title="Alter Titel", publish_as=people["editor"])
    auth.login("redaktion@example.org")
    response = client.post(f"/my/documents/{document_id}/edit", data={
        "title": "Datenstrategie der Stadt Fulda",
        "description": "Neue Beschreibung",
        "topics": ["daten-plattformen"],
        "type": "konzept-strategie",
        "license": "cc-by-4.0",
        "project_choice": "",
        "year": "2023",
        "municipality": "Fulda",
        "population": "70000",
    })
    assert response.status_code == 302
    assert "Datenstrategie der Stadt Fulda" in client.get(f"/documents/{document_id}").get_data(as_text=True)
    with app.app_context():
        document = _document(document_id)
        assert document.status == "published"
        assert [t.slug for t in document.topics] == ["daten-plattformen"]
        assert document.municipality.size_class.slug == "mittelstadt"
        hits = search(SearchQuery(q="Datenstrategie", topic=("daten-plattformen",))).hits
        assert [h.document_id for h in hits] == [document_id]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.update")).one()
        changes = entry.details["changes"]
        assert changes["title"] == ["Alter Titel", "Datenstrategie der Stadt Fulda"]
        assert changes["topics"] == [["infrastruktur-netze-iot"], ["daten-plattformen"]]
        assert changes["type"] == ["leistungsbeschreibung-ausschreibung", "konzept-strategie"]
        assert changes["municipality"] == [None, "Fulda"]
        assert "license" not in changes
        assert entry.user_id == people["editor"]


def test_editing_a_rejected_document_sends_it_back_to_review(app, people):
    """After a rejection, the contributor's edit resubmits the document."""
    document_id = contribute(app, people["contributor"])
    with app.app_context():
        review.document_reject(user(people["editor"]), _document(document_id), "Lizenz fehlt")
        metadata = review.document_metadata(_document(document_id))
        metadata.license = "cc0-1.0"
        review.document_update(user(people["contributor"]), _document(document_id), metadata)
        document = _document(document_id)
        assert document.status == "submitted"
        assert document.rejection_reason is None
        assert document in review.review_queue(user(people["editor"]))


def test_edit_without_changes_writes_nothing(app, people):
    """Saving unchanged metadata is no edit: no audit entry."""
    document_id = contribute(app, people["contributor"])
    with app.app_context():
        metadata = review.document_metadata(_document(document_id))
        assert review.document_update(user(people["contributor"]), _document(document_id), metadata) == {}
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.update")).all()


def test_edit_needs_a_title_and_valid_slugs(app, people):
    """Bad edits are refused before anything changes."""
    document_id = contribute(app, people["contributor"], title="Bleibt")
    with app.app_context():
        with pytest.raises(review.WorkflowError, match="Titel"):
            review.document_update(user(people["contributor"]), _document(document_id), DocumentMetadata(title=" "))
        with pytest.raises(review.WorkflowError, match="Themenfeld"):
            review.document_update(user(people["contributor"]), _document(document_id),
                                   DocumentMetadata(title="Neu", topics=["gibt-es-nicht"]))
        assert _document(document_id).title == "Bleibt"


@pytest.mark.parametrize("before", ["submitted", "published", "rejected", "withdrawn"])
def test_trash_and_restore_returns_the_status_before(app, people, before):
    """A restored document has exactly the status it had before it went to the trash."""
    document_id = contribute(app, people["contributor"], text=f"Papierkorbtest {before}")
    editor = people["editor"]
    with app.app_context():
        if before == "published":
            review.document_publish(user(editor), _document(document_id))
        elif before == "rejected":
            review.document_reject(user(editor), _document(document_id), "Unvollständig")
        elif before == "withdrawn":
            review.document_withdraw(user(people["contributor"]), _document(document_id))
        review.document_trash(user(editor), _document(document_id))
        assert _document(document_id).status == "deleted"
        assert document_id not in _found("Papierkorbtest")
        review.document_restore(user(editor), _document(document_id))
        assert _document(document_id).status == before
        assert _document(document_id).status_before_delete is None
        assert (document_id in _found("Papierkorbtest")) == (before == "published")


def test_trashed_document_disappears_for_visitors_and_its_owner(app, client, auth, people):
    """In the trash a document is gone from the public pages and from /my/documents."""
    document_id = contribute(app, people["contributor"], title="Entsorgt", publish_as=people["editor"])
    auth.login("redaktion@example.org")
    assert client.post(f"/admin/documents/{document_id}/trash").status_code == 302
    assert "Entsorgt" in client.get("/admin/trash").get_data(as_text=True)
    auth.logout()
    assert client.get(f"/documents/{document_id}").status_code == 404
    auth.login("projekt@example.org")
    assert "Entsorgt" not in client.get("/my/documents").get_data(as_text=True)
    assert client.get(f"/my/documents/{document_id}/edit").status_code == 404


def test_trash_button_leads_to_a_confirmation_that_names_the_impact(app, client, auth, people):
    """The document page's button only opens a page that says what the trash means; its form
    posts the action. Nothing changes before that second step."""
    document_id = contribute(app, people["contributor"], title="Wärmeplan", publish_as=people["editor"])
    auth.login("redaktion@example.org")
    confirm_url = f"/admin/documents/{document_id}/trash"
    assert f'href="{confirm_url}"' in client.get(f"/admin/documents/{document_id}").get_data(as_text=True)
    page = client.get(confirm_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>„Wärmeplan“ in den Papierkorb legen?</h1>" in html
    assert "ist dann nicht mehr öffentlich sichtbar" in html and "wiederhergestellt werden" in html
    assert f'<form method="post" action="{confirm_url}"' in html
    with app.app_context():
        assert _document(document_id).status == "published"
    assert client.post(confirm_url).status_code == 302
    assert client.get(f"/documents/{document_id}").status_code == 404


def test_restore_through_the_page(app, client, auth, people):
    """The restore button brings a document back with its status."""
    document_id = contribute(app, people["contributor"], publish_as=people["editor"])
    with app.app_context():
        review.document_trash(user(people["editor"]), _document(document_id))
    auth.login("redaktion@example.org")
    assert client.post(f"/admin/documents/{document_id}/restore").status_code == 302
    assert client.get(f"/documents/{document_id}").status_code == 200


def test_only_admins_empty_the_trash(app, client, auth, people):
    """Editors may trash and restore but not delete for good."""
    document_id = contribute(app, people["contributor"])
    with app.app_context():
        review.document_trash(user(people["editor"]), _document(document_id))
        with pytest.raises(PermissionDenied):
            review.trash_empty(user(people["editor"]))
    auth.login("redaktion@example.org")
    assert client.post("/admin/trash/empty", data={"confirm": "y"}).status_code == 403
    with app.app_context():
        assert _document(document_id) is not None


def test_emptying_the_trash_deletes_documents_and_their_files(app, client, auth, people):
    """Empty trash removes trashed documents, their versions and unreferenced blobs; others stay."""
    kept = contribute(app, people["contributor"], text="Bleibt erhalten", publish_as=people["editor"])
    gone = contribute(app, people["contributor"], text="Wird gelöscht")
    with app.app_context():
        gone_sha = _document(gone).current_version.sha256
        kept_sha = _document(kept).current_version.sha256
        review.document_trash(user(people["editor"]), _document(gone))
    auth.login("admin@example.org")
    assert client.post("/admin/trash/empty", data={}).status_code == 400  # confirmation required
    with app.app_context():
        assert _document(gone) is not None
    assert client.post("/admin/trash/empty", data={"confirm": "y"}).status_code == 302
    with app.app_context():
        assert _document(gone) is None
        assert _document(kept) is not None
        assert not blob_store().exists(gone_sha)
        assert blob_store().exists(kept_sha)
        assert len(blob_files(app)) == 1
        assert _found("gelöscht") == set() and _found("erhalten") == {kept}
        assert check_index().ok
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "trash.empty")).one()
        assert entry.details["documents"][0]["id"] == gone


def test_status_steps_that_make_no_sense_are_refused(app, people):
    """Publishing a withdrawn document or restoring one not in the trash gives a German error."""
    document_id = contribute(app, people["contributor"])
    with app.app_context():
        review.document_withdraw(user(people["contributor"]), _document(document_id))
        with pytest.raises(review.WorkflowError, match="Zurückgezogen"):
            review.document_publish(user(people["editor"]), _document(document_id))
        with pytest.raises(review.WorkflowError, match="nicht im Papierkorb"):
            review.document_restore(user(people["editor"]), _document(document_id))


def test_contributor_cannot_withdraw_someone_elses_document(app, people):
    """Withdrawing is for the owner (and editors)."""
    document_id = contribute(app, people["contributor"])
    other = make_user(app, role="contributor")
    with app.app_context():
        with pytest.raises(PermissionDenied):
            review.document_withdraw(user(other), _document(document_id))


def test_editor_pages_render(app, client, auth, people):
    """Document list, document page, trash and version download work for editors."""
    document_id = contribute(app, people["contributor"], title="Sichtbar für die Redaktion", data=b"Inhalt\n")
    auth.login("redaktion@example.org")
    assert "Sichtbar für die Redaktion" in client.get("/admin/documents?status=submitted").get_data(as_text=True)
    page = client.get(f"/admin/documents/{document_id}")
    assert page.status_code == 200 and "Hochgeladen" in page.get_data(as_text=True)
    download = client.get(f"/admin/documents/{document_id}/versions/1/download")
    assert download.data == b"Inhalt\n"
    download.close()
    assert client.get("/admin/documents/999999").status_code == 404
