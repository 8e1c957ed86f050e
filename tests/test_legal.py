"""Legal pages: the operator's texts from the instance folder, defaults that ask for them, feedback."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_user

PAGES = ["/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache"]


@pytest.mark.parametrize("path", PAGES)
def test_footer_links_every_legal_page(client, path):
    """Every page's footer links the imprint, privacy, accessibility and Leichte-Sprache pages."""
    html = client.get("/").get_data(as_text=True)
    footer = html.split('<footer', 1)[1]
    assert f'href="{path}"' in footer
    assert client.get(path).status_code == 200


def test_default_texts_say_what_the_operator_must_fill_in(client):
    """Without the operator's file the page shows a template that names the file to create."""
    html = client.get("/impressum").get_data(as_text=True)
    assert "Dieser Text ist eine Vorlage" in html and "impressum.html" in html
    assert "Anschrift" in html
    english = client.get("/impressum?lang=en").get_data(as_text=True)
    assert "This text is a template" in english and "Address" in english


def test_operator_file_replaces_the_default(client, app):
    """A file in <instance>/legal/ is shown as it is; an English file wins in English."""
    folder = Path(app.instance_path) / "legal"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "impressum.html").write_text("<p>Stadt Musterstadt, Marktplatz 1</p>", encoding="utf-8")
    html = client.get("/impressum").get_data(as_text=True)
    assert "<p>Stadt Musterstadt, Marktplatz 1</p>" in html and "Vorlage" not in html
    # No English file yet: the German text is shown and marked as German.
    english = client.get("/impressum?lang=en").get_data(as_text=True)
    assert '<div class="legal-text" lang="de">' in english
    (folder / "impressum.en.html").write_text("<p>Town of Musterstadt</p>", encoding="utf-8")
    assert "<p>Town of Musterstadt</p>" in client.get("/impressum").get_data(as_text=True)


def test_accessibility_statement_names_what_is_missing(client):
    """Without the settings the statement says that contact and "Stand" are not filled in yet,
    and under which setting the operator enters them."""
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    facts = html.split('id="facts-heading"', 1)[1].split("</section>", 1)[0]
    assert "Noch nicht eingetragen:" in facts
    assert "TOOLBOX_ACCESSIBILITY_CONTACT" in facts and "TOOLBOX_ACCESSIBILITY_REVIEWED" in facts
    assert facts.count("noch nicht eingetragen") == 2


def test_accessibility_statement_takes_contact_and_date_from_the_settings(app, client):
    """Set, both appear on the page (the date in the reader's language) and nothing is missing."""
    from datetime import date

    app.config["TOOLBOX_ACCESSIBILITY_CONTACT"] = "Stadt Musterstadt, Fachdienst IT, barrierefrei@musterstadt.de"
    app.config["TOOLBOX_ACCESSIBILITY_REVIEWED"] = date(2026, 11, 30)
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    facts = html.split('id="facts-heading"', 1)[1].split("</section>", 1)[0]
    assert "Stadt Musterstadt, Fachdienst IT, barrierefrei@musterstadt.de" in facts
    assert "30.11.2026" in facts
    assert "eingetragen" not in facts
    english = client.get("/barrierefreiheit?lang=en").get_data(as_text=True).split('id="facts-heading"', 1)[1]
    assert "Nov" in english and "30.11.2026" not in english


def test_feedback_is_stored_and_shown_to_admins(client, app, auth):
    """A visitor's report is stored; admins see it, editors do not."""
    response = client.post("/barrierefreiheit", data={
        "page": "/search", "message": "Der Filter-Knopf ist mit dem Screenreader nicht zu finden.",
        "name": "Erika", "email": "erika@example.org"})
    assert response.status_code == 302 and response.headers["Location"] == "/barrierefreiheit"
    from toolbox.extensions import db
    from toolbox.models import AccessibilityFeedback

    with app.app_context():
        entry = db.session.query(AccessibilityFeedback).one()
        assert entry.page == "/search" and entry.email == "erika@example.org" and entry.locale == "de"
    make_user(app, "redaktion@example.org", role="editor")
    make_user(app, "admin@example.org", role="admin")
    auth.login("redaktion@example.org")
    assert client.get("/admin/feedback").status_code == 403
    auth.logout()
    auth.login("admin@example.org")
    html = client.get("/admin/feedback").get_data(as_text=True)
    assert "Der Filter-Knopf ist mit dem Screenreader nicht zu finden." in html and "erika@example.org" in html


def test_feedback_without_message_names_the_error_at_the_field(client):
    """An empty report is refused, and the error is linked to the field by aria-describedby."""
    response = client.post("/barrierefreiheit", data={"message": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-describedby="message-error"' in html and 'aria-invalid="true"' in html
    assert 'id="message-error"' in html and "Bitte beschreiben Sie die Barriere." in html


def test_feedback_status_records_when_and_who(client, app, auth):
    """The inbox promises an answer within a month: each report is "offen" until an admin sets
    it to "beantwortet" or "erledigt", and the inbox shows when and by whom."""
    from toolbox.extensions import db
    from toolbox.models import AccessibilityFeedback

    make_user(app, "admin@example.org", role="admin", name="Ada Admin")
    client.post("/barrierefreiheit", data={"message": "Die Tabelle ist nicht vorlesbar."})
    with app.app_context():
        entry_id = db.session.scalar(db.select(AccessibilityFeedback.id))
    auth.login("admin@example.org")
    inbox = client.get("/admin/feedback").get_data(as_text=True)
    row = inbox.split(f'id="feedback-{entry_id}"', 1)[1].split("</tr>", 1)[0]
    assert "offen" in row and "Ada Admin" not in row
    assert "1 Rückmeldung ist offen." in inbox

    answered = client.post(f"/admin/feedback/{entry_id}/status", data={f"f{entry_id}-status": "answered"})
    assert answered.status_code == 302 and answered.headers["Location"].endswith(f"#feedback-{entry_id}")
    inbox = client.get("/admin/feedback").get_data(as_text=True)
    row = inbox.split(f'id="feedback-{entry_id}"', 1)[1].split("</tr>", 1)[0]
    assert "status-answered" in row and "beantwortet" in row and "von Ada Admin" in row
    assert "0 Rückmeldungen sind offen." in inbox
    with app.app_context():
        entry = db.session.get(AccessibilityFeedback, entry_id)
        assert entry.status == "answered" and entry.status_changed_at is not None
        assert entry.handled_by.email == "admin@example.org"

    client.post(f"/admin/feedback/{entry_id}/status", data={f"f{entry_id}-status": "done"})
    assert "status-done" in client.get("/admin/feedback").get_data(as_text=True)
    # the audit log tells the same story, as sentences
    audit = client.get("/admin/audit?object_type=feedback").get_data(as_text=True)
    assert "offen → beantwortet" in audit and "beantwortet → erledigt" in audit
    assert "Rückmeldung Status gesetzt" in audit
    # a status that does not exist changes nothing; an unknown report is 404
    client.post(f"/admin/feedback/{entry_id}/status", data={f"f{entry_id}-status": "vergessen"})
    with app.app_context():
        assert db.session.get(AccessibilityFeedback, entry_id).status == "done"
    assert client.post("/admin/feedback/999999/status", data={"f999999-status": "done"}).status_code == 404
