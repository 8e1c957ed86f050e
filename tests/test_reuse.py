""""Wir nutzen das nach" (issue 14, section 6): anyone reports, editors decide, the page shows it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conftest import make_document, make_user
from toolbox.extensions import db
from toolbox.models import REUSE_APPROVED, REUSE_PENDING, REUSE_REJECTED, AuditEntry, Municipality, ReuseReport

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}


@pytest.fixture
def document_id(app):
    return make_document(app, title="Leistungsbeschreibung LoRaWAN", municipality="Musterstadt",
                         population=8000).id


@pytest.fixture
def editor(app, auth):
    make_user(app, "redaktion@example.org", role="editor")
    return auth


def _report(client, document_id, **fields):
    data = {"municipality": "Beispielhausen", "note": "Als Vorlage für unsere Ausschreibung übernommen",
            "contact_email": "it@beispielhausen.de", **fields}
    return client.post(f"/documents/{document_id}/reuse", data=data, headers=BROWSER)


def _reports(app) -> list[ReuseReport]:
    with app.app_context():
        reports = list(db.session.scalars(select(ReuseReport).order_by(ReuseReport.id)))
        db.session.expunge_all()
        return reports


def test_a_visitor_reports_and_nothing_is_public_before_an_editor_approves(app, client, document_id):
    """A report without an account waits; the document page shows no reuse until it is approved."""
    form = client.get(f"/documents/{document_id}/reuse")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "Nur für Rückfragen der Redaktion" in page and "gelöscht" in page  # what the address is for

    response = _report(client, document_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/documents/{document_id}")
    assert "Die Redaktion prüft Ihre Meldung" in client.get(response.headers["Location"]).get_data(as_text=True)
    [report] = _reports(app)
    assert (report.status, report.municipality_name, report.contact_email) == (
        REUSE_PENDING, "Beispielhausen", "it@beispielhausen.de")

    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Beispielhausen" not in page
    assert "Noch keine Kommune hat gemeldet" in page


def test_approved_reuses_show_with_their_count_but_never_the_contact(app, client, document_id, editor):
    """After approval the page lists municipality and note and counts them; the e-mail stays hidden."""
    _report(client, document_id)
    _report(client, document_id, municipality="musterstadt", note="", contact_email="")
    first, second = _reports(app)
    assert second.municipality_name == "Musterstadt"  # a known name, matched whatever its case
    editor.login("redaktion@example.org")
    queue = client.get("/admin/reuse").get_data(as_text=True)
    assert "it@beispielhausen.de" in queue  # the editors may ask back
    assert "neu – wird bei Freigabe angelegt" in queue
    for report in (first, second):
        assert client.post(f"/admin/reuse/{report.id}/approve", data={}).status_code == 302
    editor.logout()

    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "2 Kommunen nutzen dieses Dokument nach" in page
    assert "Beispielhausen" in page and "Als Vorlage für unsere Ausschreibung übernommen" in page
    assert "it@beispielhausen.de" not in page
    with app.app_context():
        created = db.session.scalar(select(Municipality).where(Municipality.name == "Beispielhausen"))
        assert created is not None  # a new name became a municipality on approval
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("reuse.%"))).all()
        assert actions == ["reuse.approve", "reuse.approve"]


def test_the_editor_may_correct_the_name_before_approving(app, client, document_id, editor):
    """The name typed by the visitor is a proposal; the editor's correction is what is shown."""
    _report(client, document_id, municipality="Bsp.hausen")
    [report] = _reports(app)
    editor.login("redaktion@example.org")
    client.post(f"/admin/reuse/{report.id}/approve", data={f"r{report.id}-municipality": "Beispielhausen"})
    [report] = _reports(app)
    assert (report.status, report.municipality_name) == (REUSE_APPROVED, "Beispielhausen")
    assert report.municipality_id is not None


def test_rejecting_deletes_the_contact_and_is_audited(app, client, document_id, editor):
    """A rejected report keeps no e-mail address; the decision is in the audit log."""
    _report(client, document_id)
    [report] = _reports(app)
    editor.login("redaktion@example.org")
    response = client.post(f"/admin/reuse/{report.id}/reject", data={}, follow_redirects=True)
    assert "Kontaktangabe ist gelöscht" in response.get_data(as_text=True)
    [report] = _reports(app)
    assert (report.status, report.contact_email) == (REUSE_REJECTED, None)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reuse.reject"))
        assert entry.object_id == document_id
        assert "it@beispielhausen.de" not in str(entry.params) + str(entry.details)
    # Deciding twice is refused with a German message, not a 500.
    again = client.post(f"/admin/reuse/{report.id}/reject", data={}, follow_redirects=True)
    assert "bereits entschieden" in again.get_data(as_text=True)
    assert client.post("/admin/reuse/999999/approve", data={}).status_code == 404


def test_an_approved_reuse_can_be_taken_back(app, client, document_id, editor):
    """Taking back an approved report removes it from the page and deletes its contact."""
    _report(client, document_id)
    [report] = _reports(app)
    editor.login("redaktion@example.org")
    client.post(f"/admin/reuse/{report.id}/approve", data={})
    assert "Beispielhausen" in client.get("/admin/reuse").get_data(as_text=True)
    client.post(f"/admin/reuse/{report.id}/reject", data={}, follow_redirects=True)  # shows the flash
    editor.logout()
    assert "Beispielhausen" not in client.get(f"/documents/{document_id}").get_data(as_text=True)
    [report] = _reports(app)
    assert report.contact_email is None


@pytest.mark.parametrize("fields, message", [
    ({"municipality": "  "}, "Bitte nennen Sie die Kommune"),
    ({"contact_email": "keine-adresse"}, "gültige E-Mail-Adresse"),
    ({"note": "x" * 1001}, "Höchstens 1.000 Zeichen"),
    ({"municipality": "K" * 201}, "Höchstens 200 Zeichen"),
])
def test_bad_input_gets_a_german_message_and_400(app, client, document_id, fields, message):
    """A report that cannot be stored says why at the field; nothing is stored."""
    response = _report(client, document_id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _reports(app) == []


def test_only_published_documents_take_reports(app, client):
    """An unpublished document has no report form: 404, as its page."""
    draft = make_document(app, title="Entwurf", publish=False).id
    assert client.get(f"/documents/{draft}/reuse").status_code == 404
    assert _report(client, draft).status_code == 404
    assert _reports(app) == []


def test_the_form_suggests_only_municipalities_already_public(app, client, document_id):
    """The name list never gives away a municipality known only from an unpublished upload."""
    make_document(app, title="Geheimer Entwurf", publish=False, municipality="Geheimstadt")
    page = client.get(f"/documents/{document_id}/reuse").get_data(as_text=True)
    names = re.findall(r'<option value="([^"]+)">', page)
    assert "Musterstadt" in names
    assert "Geheimstadt" not in names


def test_reports_are_rate_limited_per_address(app, client, document_id):
    """After the limit, further reports from one address get a German 429 page."""
    app.config["TOOLBOX_REUSE_RATE_LIMIT"] = "2 per hour"
    assert [_report(client, document_id).status_code for _ in range(2)] == [302, 302]
    blocked = _report(client, document_id)
    assert blocked.status_code == 429
    assert "Zu viele Meldungen" in blocked.get_data(as_text=True)
    assert len(_reports(app)) == 2


def test_the_form_needs_a_csrf_token(app, client, document_id):
    """With CSRF protection on, as in production, a report without the token is refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    response = _report(client, document_id)
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    page = client.get(f"/documents/{document_id}/reuse").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert _report(client, document_id, csrf_token=token).status_code == 302


def test_the_queue_is_for_editors(app, client, auth):
    """Visitors are sent to the login, contributors get 403, editors see the queue."""
    assert client.get("/admin/reuse").headers["Location"].startswith("/login")
    make_user(app, "projekt@example.org")
    auth.login("projekt@example.org")
    assert client.get("/admin/reuse").status_code == 403
    assert client.post("/admin/reuse/1/approve", data={}).status_code == 403


def test_a_merged_municipality_keeps_its_reuses_under_the_new_name(app, client, document_id):
    """Merging a duplicate municipality moves its approved reuses; the page shows the target."""
    from toolbox.models import Document, User
    from toolbox.services.curation import municipality_merge
    from toolbox.services.places import municipality_get_or_create
    from toolbox.services.reuse import reuse_report_approve, reuse_report_submit

    editor_id = make_user(app, "redaktion@example.org", role="editor")
    with app.app_context():
        editor = db.session.get(User, editor_id)
        report = reuse_report_submit(db.session.get(Document, document_id), "Lübeck", "übernommen")
        reuse_report_approve(editor, report.id)
        target = municipality_get_or_create("Hansestadt Lübeck")
        db.session.commit()
        source = db.session.scalar(select(Municipality).where(Municipality.name == "Lübeck"))
        municipality_merge(editor, source, target)
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "<strong>Hansestadt Lübeck</strong>" in page
    [report] = _reports(app)
    assert report.status == REUSE_APPROVED and report.municipality_id is not None
