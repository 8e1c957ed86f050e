"""The audit log: what the account actions record, and the filterable admin page /admin/audit."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.models import AuditEntry, User
from toolbox.services import users as user_service
from toolbox.services.audit import audit_record
from toolbox.web.admin_users import AUDIT_PER_PAGE

from conftest import DEFAULT_PASSWORD, make_user

ADMIN = "admin@example.org"
NEW = "Ein neues langes Passwort"


def _actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_account_actions_are_audited(app, client, auth):
    """Logins, failed logins, logouts, invites, invite use, role changes, deactivations, password
    changes and token creation/revocation each leave an entry by whom, with a time and address."""
    make_user(app, ADMIN, role="admin")
    auth.login(ADMIN, "falsch-falsch-falsch")
    auth.login(ADMIN)
    text = client.post("/admin/users", data={"email": "neu@example.org", "role": "contributor"}).get_data(
        as_text=True)
    link = text[text.index("/invite/"):text.index("</code>")]
    app.test_client().post(link, data={"password": NEW, "password_repeat": NEW})
    with app.app_context():
        new_id = user_service.user_by_email("neu@example.org").id
    client.post(f"/admin/users/{new_id}/role", data={f"u{new_id}-role": "editor"})
    client.post(f"/admin/users/{new_id}/deactivate")
    client.post(f"/admin/users/{new_id}/reactivate")
    client.post("/account/token")
    client.post("/account/token/revoke")
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW, "password_repeat": NEW})
    auth.logout()
    assert _actions(app) == [
        "user_create",  # make_user
        # Setting the password through the invitation logs the new person in.
        "login_failed", "login", "user_create", "invite", "invite_used", "login", "role_change",
        "user_deactivate", "user_reactivate", "api_token_create", "api_token_revoke", "password_change", "logout",
    ]
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        by_admin = [e for e in entries[2:] if e.action != "invite_used" and e.user_id != new_id]
        assert all(e.user and e.user.email == ADMIN for e in by_admin)
        assert all(e.ip_address == "127.0.0.1" for e in entries[1:])
        assert all(e.at <= datetime.now(timezone.utc) for e in entries)
        assert entries[1].user_id is None and entries[1].details["email"] == ADMIN
        assert "falsch-falsch-falsch" not in f"{entries[1].details} {entries[1].params} {entries[1].summary}"


def test_audit_entry_is_stored_only_with_the_change(app):
    """An entry belongs to the caller's transaction: a rolled-back change leaves no entry."""
    with app.app_context():
        audit_record("probe", summary="wird zurückgerollt")
        db.session.rollback()
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "probe")) is None


@pytest.fixture
def admin_client(app, client, auth):
    make_user(app, ADMIN, role="admin")
    auth.login(ADMIN)
    return client


def _record(app, action, *, user_email=None, object_type=None, at=None, summary=""):
    with app.app_context():
        user = user_service.user_by_email(user_email) if user_email else None
        entry = audit_record(action, user=user, object_type=object_type, summary=summary)
        if at:
            entry.at = at
        db.session.commit()


def _rows(response) -> str:
    text = response.get_data(as_text=True)
    return text[text.find("<tbody>"):text.find("</tbody>")]


def test_audit_page_filters(app, admin_client):
    """The log filters by action, user, object type and (local) date range, combined."""
    make_user(app, "red@example.org", role="editor")
    _record(app, "document_publish", user_email="red@example.org", object_type="document", summary="Eins-Publish",
            at=datetime(2026, 3, 1, 10, tzinfo=timezone.utc))
    _record(app, "topic_merge", user_email="red@example.org", object_type="topic", summary="Zwei-Merge",
            at=datetime(2026, 3, 5, 23, 30, tzinfo=timezone.utc))  # 00:30 on 6 March in Germany (CET)
    _record(app, "document_publish", user_email=ADMIN, object_type="document", summary="Drei-Publish",
            at=datetime(2026, 3, 10, 9, tzinfo=timezone.utc))
    with app.app_context():
        red = user_service.user_by_email("red@example.org").id

    rows = _rows(admin_client.get("/admin/audit?action=document_publish"))
    assert "Eins-Publish" in rows and "Drei-Publish" in rows and "Zwei-Merge" not in rows
    rows = _rows(admin_client.get(f"/admin/audit?user={red}"))
    assert "Eins-Publish" in rows and "Zwei-Merge" in rows and "Drei-Publish" not in rows
    rows = _rows(admin_client.get("/admin/audit?object_type=topic"))
    assert "Zwei-Merge" in rows and "Publish" not in rows
    rows = _rows(admin_client.get("/admin/audit?from=2026-03-06&to=2026-03-06"))
    assert "Zwei-Merge" in rows and "Publish" not in rows
    rows = _rows(admin_client.get("/admin/audit?from=2026-03-02&to=2026-03-10"))
    assert "Zwei-Merge" in rows and "Drei-Publish" in rows and "Eins-Publish" not in rows
    rows = _rows(admin_client.get(f"/admin/audit?action=document_publish&user={red}"))
    assert "Eins-Publish" in rows and "Drei-Publish" not in rows
    rows = _rows(admin_client.get("/admin/audit?user=none"))
    assert "Publish" not in rows and "Merge" not in rows


def test_audit_page_reports_bad_dates(admin_client):
    """An invalid date gets a German message and is ignored, not a 500."""
    response = admin_client.get("/admin/audit?from=gestern")
    assert response.status_code == 200
    assert "kein Datum" in response.get_data(as_text=True)


def test_audit_page_shows_german_labels_and_details(app, admin_client):
    """Entries show the person, a German action name and the details."""
    admin_client.post("/logout")
    app.test_client().post("/login", data={"email": "wer@example.org", "password": "geraten-geraten"})
    make_user(app, "zweit@example.org", role="admin")
    client = app.test_client()
    client.post("/login", data={"email": "zweit@example.org", "password": DEFAULT_PASSWORD})
    text = client.get("/admin/audit").get_data(as_text=True)
    assert "Fehlgeschlagene Anmeldung für wer@example.org: unbekannte E-Mail-Adresse" in text
    assert "unknown_email" not in text
    assert "Abmeldung" in text


def test_audit_entries_read_as_sentences_in_the_page_language(app, admin_client, make_doc):
    """Each entry is a sentence in the reader's language: roles, statuses, changed fields, the
    invitation's expiry and the object type are named, not shown as stored keys and lists."""
    from toolbox.models import Document
    from toolbox.services import review

    document_id = make_doc(title="Parkraumkonzept", publish=False)
    with app.app_context():
        admin = user_service.user_by_email(ADMIN)
        invited, _token = user_service.user_invite("neu@example.org", "contributor", actor=admin)
        user_service.user_set_role(invited, "editor", actor=admin)
        document = db.session.get(Document, document_id)
        review.document_publish(admin, document)
        edit = review.document_metadata(document)
        edit.title = "Parkraumkonzept 2030"
        review.document_update(admin, document, edit)
        review.document_trash(admin, document)
        expires = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "invite")).one().details[
            "expires_at"]
    german = _rows(admin_client.get("/admin/audit?lang=de"))
    english = _rows(admin_client.get("/admin/audit?lang=en"))
    assert "Rolle von neu@example.org: Projektleitung → Redaktion" in german
    assert "Role of neu@example.org: Project lead → Editorial" in english
    assert "Einladungslink für neu@example.org erzeugt (Projektleitung, gültig bis " in german
    assert "Invitation link created for neu@example.org (Project lead, valid until " in english
    assert "Status: In Prüfung → Veröffentlicht" in german and "Status: Veröffentlicht → Im Papierkorb" in german
    assert "Status: In review → Published" in english and "Status: Published → In the trash" in english
    assert "Titel: „Parkraumkonzept“ → „Parkraumkonzept 2030“" in german
    assert "Title: “Parkraumkonzept” → “Parkraumkonzept 2030”" in english
    assert f"Dokument #{document_id}" in german and f"Document #{document_id}" in english
    for page in (german, english):
        for raw in ("expires_at", expires, "['", "'submitted'", "'published'", "from</dt>", "<dt>", ">document<",
                    "'title'", "changes"):
            assert raw not in page, raw


def test_audit_page_is_paginated_newest_first(app, admin_client):
    """The log shows the newest entries first, a page at a time, keeping the filters on page 2."""
    with app.app_context():
        for number in range(AUDIT_PER_PAGE + 5):
            audit_record("probe", summary=f"Eintrag-{number:03d}.")
        db.session.commit()
    first = admin_client.get("/admin/audit?action=probe")
    rows = _rows(first)
    assert f"Eintrag-{AUDIT_PER_PAGE + 4:03d}." in rows and "Eintrag-000." not in rows
    assert rows.count("<tr>") == AUDIT_PER_PAGE
    assert "page=2" in first.get_data(as_text=True) and "action=probe" in first.get_data(as_text=True)
    second = _rows(admin_client.get("/admin/audit?action=probe&page=2"))
    assert second.count("<tr>") == 5 and "Eintrag-000." in second
    assert admin_client.get("/admin/audit?page=999").status_code == 200
    assert admin_client.get("/admin/audit?page=abc").status_code == 200


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_audit_page_is_for_admins_only(app, client, auth, role):
    """Only admins see the audit log."""
    make_user(app, "nicht-admin@example.org", role=role)
    auth.login("nicht-admin@example.org")
    assert client.get("/admin/audit").status_code == 403


def test_deleted_user_reference_is_kept(app):
    """Entries keep pointing at the user who acted."""
    uid = make_user(app, "a@example.org")
    with app.app_context():
        user = db.session.get(User, uid)
        user_service.api_token_create(user)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token_create"))
        assert entry.user_id == uid and entry.object_type == "user" and entry.object_id == uid


def test_actions_of_other_modules_get_german_names(app, admin_client):
    """Actions named "<object>.<verb>" by the document and curation services are shown in German."""
    from toolbox.web.admin_users import action_label

    assert action_label("document.publish") == "Dokument veröffentlicht"
    assert action_label("topic.merge") == "Themenfeld zusammengeführt"
    assert action_label("login_failed") == "Fehlgeschlagene Anmeldung"
    assert action_label("etwas_neues") == "etwas_neues"
    _record(app, "municipality.merge", object_type="municipality", summary="Lübeck zusammengeführt")
    assert "Kommune zusammengeführt" in _rows(admin_client.get("/admin/audit"))
