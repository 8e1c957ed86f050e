"""Saved searches and alerts (issue 14.4), read from a real SMTP server (aiosmtpd) in this process.

Mails go through the outbox and the real Huey consumer; digests are run by the service with a
chosen "now" (the next morning in German time), as the hourly queue task runs them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from toolbox.extensions import db
from toolbox.models import Alert, AlertItem, Document, OutboxMail

from conftest import DEFAULT_PASSWORD, make_document, make_user
from job_helpers import running_consumer, wait_for_jobs

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def client(mail_app):
    return mail_app.test_client()


def _deliver(app) -> list:
    with running_consumer(app):
        return wait_for_jobs(app, timeout=60)


def _login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def _morning(days: int = 1) -> datetime:
    """07:30 German time ``days`` from today: after the digest hour (7)."""
    return datetime.now(BERLIN).replace(hour=7, minute=30, second=0, microsecond=0) + timedelta(days=days)


def _digests(app, now: datetime) -> int:
    from toolbox.services.alerts import alert_digests_send

    with app.app_context():
        return alert_digests_send(now=now)


def _publish_at(app, document_id: int, moment: datetime) -> None:
    """Let ``document_id`` have been published at ``moment``, after a run at a time still to come."""
    with app.app_context():
        db.session.get(Document, document_id).published_at = moment
        db.session.commit()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


LORAWAN = dict(topics=["infrastruktur-netze-iot"], type="leistungsbeschreibung-ausschreibung",
               municipality="Gemeinde Mücke", population=9000)


# --- accounts --------------------------------------------------------------------------------


def test_a_user_saves_a_search_and_gets_a_digest_of_new_matches_once(mail_app, client, smtp):
    """The search is saved from /search (words and a filter); the next morning's digest lists the
    newly published documents that match, each with why it matched, and carries one-click
    unsubscribe headers; a second run sends nothing new, and a morning without news no mail."""
    make_document(mail_app, title="Alte Leistungsbeschreibung LoRaWAN", text="LoRaWAN Gateways", **LORAWAN)
    make_user(mail_app, "planung@muecke.example", name="Paula Planung")
    _login(client, "planung@muecke.example")
    page = client.get("/search?q=LoRaWAN&size_class=kleinstadt").get_data(as_text=True)
    assert 'action="/alerts/new"' in page and "Suche speichern" in page
    response = client.post("/alerts/new", data={"q": "LoRaWAN", "size_class": "kleinstadt", "frequency": "daily"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/search?q=LoRaWAN")
    listing = client.get("/account/alerts").get_data(as_text=True)
    assert "Suchwörter „LoRaWAN“" in listing and "Größenklasse: Kleinstadt" in listing

    new = make_document(mail_app, title="Leistungsbeschreibung LoRaWAN-Netz", text="Ausschreibung LoRaWAN", **LORAWAN)
    make_document(mail_app, title="LoRaWAN in der Großstadt", text="LoRaWAN Sensorik",
                  municipality="Frankfurt am Main", population=750000)
    make_document(mail_app, title="Parkraumkonzept Kleinstadt", text="Parken", municipality="Gemeinde Mücke",
                  population=9000)
    assert _digests(mail_app, _morning()) == 1
    assert _digests(mail_app, _morning() + timedelta(hours=3)) == 0
    _deliver(mail_app)
    [digest] = smtp.inbox.to("planung@muecke.example")
    assert digest.subject.strip() == "1 neues Dokument zu Ihrer Suche „LoRaWAN“"
    assert "Guten Tag Paula Planung," in digest.text
    assert "Leistungsbeschreibung LoRaWAN-Netz (Gemeinde Mücke)" in digest.text
    assert "Gefunden über: Größenklasse: Kleinstadt (5.000 bis unter 20.000 Einw.); Suchwörter „LoRaWAN“" in digest.text
    assert f"/documents/{new.id}" in digest.text and f"/documents/{new.id}" in digest.html
    assert "Alte Leistungsbeschreibung" not in digest.text and "Großstadt" not in digest.text
    assert "/account/alerts" in digest.text
    # A long header is folded onto a second line; unfolded, its value starts after the space.
    unsubscribe = str(digest.message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http://127.0.0.1:5000/alerts/unsubscribe/") and unsubscribe.endswith(">")
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in digest.text

    # The day after, nothing new: no empty digest.
    assert _digests(mail_app, _morning(2)) == 0
    _deliver(mail_app)
    assert len(smtp.inbox.to("planung@muecke.example")) == 1


def test_weekly_alerts_come_on_monday_and_the_frequency_and_deletion_are_the_users(mail_app, client):
    """A weekly alert is due at the first run on a Monday after the digest hour, not before; the
    owner changes the frequency and deletes the alert, nobody else can."""
    from toolbox.services.alerts import alert_due

    owner = make_user(mail_app, "woche@kreis.example")
    make_user(mail_app, "fremd@kreis.example")
    _login(client, "woche@kreis.example")
    client.post("/alerts/new", data={"topic": "mobilitaet-verkehr", "frequency": "weekly"})
    with mail_app.app_context():
        alert = db.session.scalar(select(Alert).where(Alert.user_id == owner))
        alert_id = alert.id
        alert.sent_until = datetime(2027, 1, 6, 12, tzinfo=BERLIN)  # a Wednesday
        assert not alert_due(alert, datetime(2027, 1, 11, 6, 59, tzinfo=BERLIN))  # Monday before 7
        assert alert_due(alert, datetime(2027, 1, 11, 7, 12, tzinfo=BERLIN))
        alert.frequency = "daily"
        assert alert_due(alert, datetime(2027, 1, 7, 7, 12, tzinfo=BERLIN))
        db.session.rollback()

    other = mail_app.test_client()
    _login(other, "fremd@kreis.example")
    assert other.post(f"/account/alerts/{alert_id}/delete").status_code == 404
    assert other.post(f"/account/alerts/{alert_id}", data={f"a{alert_id}-frequency": "daily"}).status_code == 404

    response = client.post(f"/account/alerts/{alert_id}", data={f"a{alert_id}-frequency": "daily"})
    assert response.status_code == 303
    assert client.post(f"/account/alerts/{alert_id}", data={f"a{alert_id}-frequency": "stündlich"}).status_code == 303
    with mail_app.app_context():
        assert db.session.get(Alert, alert_id).frequency == "daily"
    assert client.post(f"/account/alerts/{alert_id}/delete").status_code == 303
    with mail_app.app_context():
        assert db.session.get(Alert, alert_id) is None
    assert mail_app.test_client().get("/account/alerts").status_code == 302  # visitors log in first


def test_saving_the_same_search_twice_keeps_one_alert_and_a_bad_frequency_is_refused(mail_app, client):
    make_user(mail_app, "doppelt@kreis.example")
    _login(client, "doppelt@kreis.example")
    for frequency in ("daily", "weekly"):
        client.post("/alerts/new", data={"q": "Glasfaser", "topic": "infrastruktur-netze-iot", "frequency": frequency})
    response = client.post("/alerts/new", data={"q": "Glasfaser", "frequency": "jährlich"})
    assert response.status_code == 400
    with mail_app.app_context():
        alerts = list(db.session.scalars(select(Alert)))
    assert [(a.frequency, a.params) for a in alerts] == [
        ("weekly", [["q", "Glasfaser"], ["topic", "infrastruktur-netze-iot"]])]


# --- permissions -----------------------------------------------------------------------------


def test_unpublished_and_withdrawn_documents_never_appear_in_a_digest(mail_app, smtp):
    """The status is read when the digest runs: a submitted, a rejected and a withdrawn document
    that match the search are left out; with nothing else new, no mail is sent at all."""
    from toolbox.services.alerts import alert_create
    from toolbox.services.review import document_reject, document_withdraw

    editor = make_user(mail_app, "redaktion@kreis.example", role="editor")
    reader = make_user(mail_app, "leser@kreis.example")
    with mail_app.app_context():
        from werkzeug.datastructures import MultiDict

        from toolbox.models import User

        alert_create(db.session.get(User, reader), MultiDict([("q", "Pegelmessung")]), "daily")
    make_document(mail_app, title="Pegelmessung Entwurf", text="Pegelmessung", publish=False)
    rejected = make_document(mail_app, title="Pegelmessung abgelehnt", text="Pegelmessung", publish=False)
    withdrawn = make_document(mail_app, title="Pegelmessung zurückgezogen", text="Pegelmessung")
    with mail_app.app_context():
        from toolbox.models import User

        document_reject(db.session.get(User, editor), db.session.get(Document, rejected.id), "Unvollständig")
        document_withdraw(db.session.get(User, editor), db.session.get(Document, withdrawn.id))
    assert _digests(mail_app, _morning()) == 0
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 0
        assert db.session.scalar(select(func.count(AlertItem.id))) == 0

    visible = make_document(mail_app, title="Pegelmessung veröffentlicht", text="Pegelmessung")
    _publish_at(mail_app, visible.id, _morning() + timedelta(hours=2))
    assert _digests(mail_app, _morning(2)) == 1
    _deliver(mail_app)
    [digest] = smtp.inbox.to("leser@kreis.example")
    assert "Pegelmessung veröffentlicht" in digest.text and f"/documents/{visible.id}" in digest.text
    for hidden in ("Entwurf", "abgelehnt", "zurückgezogen"):
        assert hidden not in digest.text


def test_an_inactive_account_gets_no_digest(mail_app):
    from toolbox.services.alerts import alert_create
    from toolbox.services.users import user_deactivate

    reader = make_user(mail_app, "weg@kreis.example")
    with mail_app.app_context():
        from werkzeug.datastructures import MultiDict

        from toolbox.models import User

        alert_create(db.session.get(User, reader), MultiDict(), "daily")
        user_deactivate(db.session.get(User, reader))
    make_document(mail_app, title="Neues Dokument")
    assert _digests(mail_app, _morning()) == 0


# --- visitors: double opt-in -----------------------------------------------------------------


def _request_as_visitor(client, email: str, **search) -> None:
    form = {**search, "email": email, "frequency": "daily"}
    response = client.post("/alerts/new", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Bitte sehen Sie in Ihr Postfach" in response.get_data(as_text=True)


def test_a_visitor_confirms_by_mail_and_the_confirmation_time_is_recorded(mail_app, client, smtp):
    """Double opt-in: the request sends one mail with a link; opening it only asks, the button
    confirms (the time is kept); then digests come, in the visitor's language (English here)."""
    page = client.get("/search?q=Klimaschutz").get_data(as_text=True)
    assert 'action="/alerts/new"' in page and 'method="get"' in page and "csrf_token" not in page
    form_page = client.get("/alerts/new?q=Klimaschutz&topic=energie-klimaschutz")
    assert form_page.status_code == 200 and "Themenfeld: Energie &amp; Klimaschutz" in form_page.get_data(as_text=True)
    hostile = client.get("/alerts/new?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)" not in hostile and "&lt;script&gt;alert(1)" in hostile
    english = mail_app.test_client()
    english.get("/search?lang=en")
    response = english.post("/alerts/new", data={"q": "Klimaschutz", "topic": "energie-klimaschutz",
                                                  "email": " Besucher@Gemeinde.example ", "frequency": "weekly"})
    assert response.status_code == 200
    with mail_app.app_context():
        [alert] = db.session.scalars(select(Alert))
        assert (alert.email, alert.language, alert.confirmed_at, alert.frequency) == (
            "besucher@gemeinde.example", "en", None, "weekly")
    make_document(mail_app, title="Klimaschutzkonzept", text="Klimaschutz", topics=["energie-klimaschutz"])
    # Unconfirmed: nothing but the confirmation request goes out.
    assert _digests(mail_app, _morning(7)) == 0
    _deliver(mail_app)
    [request_mail] = smtp.inbox.to("besucher@gemeinde.example")
    assert request_mail.subject == "Please confirm your alert"
    assert "Search words “Klimaschutz”; Topic: Energy & climate protection" in request_mail.text
    assert "weekly (Mondays)" in request_mail.text
    link = request_mail.link("/alerts/confirm/")
    assert client.get(_path(link)).status_code == 200
    with mail_app.app_context():
        assert db.session.scalar(select(Alert.confirmed_at)) is None  # opening the link confirms nothing
    confirmed = client.post(_path(link))
    assert confirmed.status_code == 200 and "Benachrichtigung eingerichtet" in confirmed.get_data(as_text=True)
    with mail_app.app_context():
        confirmed_at = db.session.scalar(select(Alert.confirmed_at))
        assert confirmed_at is not None and db.session.scalar(select(Alert.confirm_token_hash)) is None
    assert client.post(_path(link)).status_code == 404  # used up

    make_document(mail_app, title="Klimaschutzkonzept Landkreis", text="Klimaschutz", topics=["energie-klimaschutz"])
    monday = _morning(1)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    assert _digests(mail_app, monday) == 1
    _deliver(mail_app)
    digest = smtp.inbox.to("besucher@gemeinde.example")[-1]
    assert digest.subject.strip() == "1 new document for your search “Klimaschutz”"
    assert "Klimaschutzkonzept Landkreis" in digest.text and "Klimaschutzkonzept\n" not in digest.text
    assert "/account/alerts" not in digest.text and "/alerts/unsubscribe/" in digest.text


def test_unconfirmed_requests_are_deleted_with_their_address_after_48_hours(mail_app, client, smtp):
    """The hourly job deletes requests older than 48 hours, and the address leaves the outbox too;
    a confirmed alert and a younger request stay, and an expired link says so (410)."""
    from toolbox.services.alerts import alert_requests_expire

    _request_as_visitor(client, "vergessen@gemeinde.example", q="Breitband")
    _request_as_visitor(client, "bestaetigt@gemeinde.example", q="Breitband")
    _deliver(mail_app)
    link = smtp.inbox.to("bestaetigt@gemeinde.example")[0].link("/alerts/confirm/")
    client.post(_path(link))
    forgotten_link = smtp.inbox.to("vergessen@gemeinde.example")[0].link("/alerts/confirm/")
    with mail_app.app_context():
        now = datetime.now(BERLIN)
        assert alert_requests_expire(now + timedelta(hours=47)) == 0
    with pytest.MonkeyPatch.context() as patch:
        from toolbox.services import alerts

        patch.setattr(alerts, "utcnow", lambda: now + timedelta(hours=48, minutes=1))
        assert client.get(_path(forgotten_link)).status_code == 410
    with mail_app.app_context():
        assert alert_requests_expire(now + timedelta(hours=48, minutes=1)) == 1
        assert list(db.session.scalars(select(Alert.email))) == ["bestaetigt@gemeinde.example"]
        recipients = list(db.session.scalars(select(OutboxMail.recipient)))
    assert "vergessen@gemeinde.example" not in recipients and "bestaetigt@gemeinde.example" in recipients
    assert client.get(_path(forgotten_link)).status_code == 404


def test_the_hourly_queue_tasks_send_digests_and_expire_requests(mail_app):
    """The worker's periodic tasks: digests and the expiry run hourly, apart from the editors' digest."""
    from toolbox.jobs import queue_for

    huey = queue_for(mail_app)
    assert [task.name for task in huey.read_periodic(datetime(2027, 1, 4, 6, 12))] == ["toolbox.alert_digests"]
    assert [task.name for task in huey.read_periodic(datetime(2027, 1, 4, 6, 42))] == ["toolbox.alert_requests_expire"]


def test_a_malformed_address_gets_a_german_message(mail_app, client):
    response = client.post("/alerts/new", data={"q": "Glasfaser", "email": "kein-at-zeichen", "frequency": "daily"})
    assert response.status_code == 400
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in response.get_data(as_text=True)
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(Alert.id))) == 0


def test_visitor_requests_are_rate_limited_per_address(mail_app, client):
    for _ in range(3):
        _request_as_visitor(client, "viel@gemeinde.example", q="Glasfaser")
    response = client.post("/alerts/new", data={"q": "Glasfaser", "email": "viel@gemeinde.example", "frequency": "daily"})
    assert response.status_code == 429


# --- unsubscribe -----------------------------------------------------------------------------


def test_one_click_unsubscribe_by_post_removes_the_alert_and_the_visitors_address(mail_app, client, smtp):
    """RFC 8058: a POST of "List-Unsubscribe=One-Click" to the header's address, without login or
    CSRF token (CSRF protection on, as in production), ends the alert and deletes the address;
    a second POST is harmless. A GET only shows the button."""
    _request_as_visitor(client, "abmelden@gemeinde.example", q="Wärmeplanung")
    _deliver(mail_app)
    client.post(_path(smtp.inbox.to("abmelden@gemeinde.example")[0].link("/alerts/confirm/")))
    make_document(mail_app, title="Kommunale Wärmeplanung", text="Wärmeplanung")
    assert _digests(mail_app, _morning()) == 1
    _deliver(mail_app)
    digest = smtp.inbox.to("abmelden@gemeinde.example")[-1]
    url = str(digest.message["List-Unsubscribe"]).strip().strip("<>")

    mail_app.config["WTF_CSRF_ENABLED"] = True
    mail_client = mail_app.test_client()  # a mail program: no cookie, no token
    page = mail_client.get(_path(url))
    assert page.status_code == 200 and "Abbestellen" in page.get_data(as_text=True)
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(Alert.id))) == 1
    response = mail_client.post(_path(url), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Benachrichtigung abbestellt" in response.get_data(as_text=True)
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(Alert.id))) == 0
        assert db.session.scalar(select(func.count(AlertItem.id))) == 0
        assert db.session.scalar(select(func.count(OutboxMail.id)).where(
            OutboxMail.recipient == "abmelden@gemeinde.example")) == 0
    assert mail_client.post(_path(url), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert mail_client.get(_path(url)).status_code == 404
    later = make_document(mail_app, title="Wärmeplanung Teil 2", text="Wärmeplanung")
    _publish_at(mail_app, later.id, _morning() + timedelta(hours=2))
    assert _digests(mail_app, _morning(2)) == 0


def test_a_users_alert_is_unsubscribed_by_one_click_and_the_account_stays(mail_app, client):
    from toolbox.services.alerts import alert_create

    reader = make_user(mail_app, "konto@kreis.example")
    with mail_app.app_context():
        from werkzeug.datastructures import MultiDict

        from toolbox.models import User

        token = alert_create(db.session.get(User, reader), MultiDict([("q", "Radweg")]), "daily")[0].unsubscribe_token
    assert mail_app.test_client().post(f"/alerts/unsubscribe/{token}").status_code == 200
    with mail_app.app_context():
        from toolbox.models import User

        assert db.session.scalar(select(func.count(Alert.id))) == 0 and db.session.get(User, reader).active


# --- a run that dies -------------------------------------------------------------------------


_KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime
    from toolbox import create_app
    from toolbox.services import alerts

    app = create_app()
    calls = {"n": 0}
    real_queue = alerts.mail_queue

    def queue_then_die(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # inside the third alert's transaction: claimed, not committed
            os.kill(os.getpid(), signal.SIGKILL)
        return real_queue(*args, **kwargs)

    alerts.mail_queue = queue_then_die
    with app.app_context():
        alerts.alert_digests_send(now=datetime.fromisoformat(sys.argv[1]))
    sys.exit(3)
""")


@pytest.mark.slow
def test_a_digest_run_killed_midway_is_resumed_without_duplicates(mail_app, app_config, tmp_path, smtp):
    """Four readers have an alert; the digest process is killed with SIGKILL inside the third
    alert's transaction. The next run mails the third and fourth reader; nobody gets a document
    twice, and the first two get nothing more."""
    from toolbox.services.alerts import alert_create

    readers = [make_user(mail_app, f"leser{n}@kreis.example") for n in range(4)]
    with mail_app.app_context():
        from werkzeug.datastructures import MultiDict

        from toolbox.models import User

        for reader in readers:
            alert_create(db.session.get(User, reader), MultiDict([("q", "Hochwasser")]), "daily")
    make_document(mail_app, title="Hochwasserschutzkonzept", text="Hochwasser")
    make_document(mail_app, title="Hochwasser-Warnsystem", text="Hochwasser")
    morning = _morning()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "TOOLBOX_SECRET_KEY": "test-secret-key", "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
           "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"], "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
           "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"], "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
           "TOOLBOX_MAIL_URL": smtp.url}
    run = subprocess.run([sys.executable, "-c", _KILLED_RUN, morning.isoformat()], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    with mail_app.app_context():
        mailed = sorted(db.session.scalars(select(OutboxMail.recipient)))
        assert mailed == ["leser0@kreis.example", "leser1@kreis.example"]
        assert db.session.scalar(select(func.count(AlertItem.id))) == 4

    assert _digests(mail_app, morning + timedelta(hours=1)) == 2
    assert _digests(mail_app, morning + timedelta(hours=2)) == 0
    _deliver(mail_app)
    arrived = smtp.inbox.wait_for(4)
    assert sorted(mail.to for mail in arrived) == [f"leser{n}@kreis.example" for n in range(4)]
    for mail in arrived:
        assert mail.text.count("Hochwasserschutzkonzept") == 1 and mail.text.count("Hochwasser-Warnsystem") == 1
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(AlertItem.id))) == 8


def test_an_alert_keeps_to_all_its_words_and_takes_them_as_saved(mail_app, smtp):
    """The search page falls back to "any of the words" when no document has all of them; an
    alert does not: a new document with one of two words is not mailed, one with both is."""
    from toolbox.services.alerts import alert_create

    reader = make_user(mail_app, "genau@kreis.example")
    with mail_app.app_context():
        from werkzeug.datastructures import MultiDict

        from toolbox.models import User

        alert_create(db.session.get(User, reader), MultiDict([("q", "Starkregen Sirenen")]), "daily")
    make_document(mail_app, title="Starkregengefahrenkarte", text="Starkregen Hinweiskarte")
    assert _digests(mail_app, _morning()) == 0
    both = make_document(mail_app, title="Warnung bei Starkregen", text="Starkregen Sirenen Warnmittel")
    _publish_at(mail_app, both.id, _morning() + timedelta(hours=2))
    assert _digests(mail_app, _morning(2)) == 1
    _deliver(mail_app)
    [digest] = smtp.inbox.to("genau@kreis.example")
    assert "Warnung bei Starkregen" in digest.text and "Starkregengefahrenkarte" not in digest.text


def test_confirming_a_search_the_address_has_already_keeps_one_alert(mail_app, client, smtp):
    """Asked for twice and confirmed twice, the same search of one address is one alert, with the
    frequency of the later confirmation."""
    _request_as_visitor(client, "zweimal@gemeinde.example", q="Radverkehr")
    client.post("/alerts/new", data={"q": "Radverkehr", "email": "zweimal@gemeinde.example", "frequency": "weekly"})
    _deliver(mail_app)
    first, second = smtp.inbox.to("zweimal@gemeinde.example")
    client.post(_path(first.link("/alerts/confirm/")))
    assert client.post(_path(second.link("/alerts/confirm/"))).status_code == 200
    with mail_app.app_context():
        alerts = list(db.session.scalars(select(Alert)))
    assert [(a.email, a.frequency, a.confirmed_at is not None) for a in alerts] == [
        ("zweimal@gemeinde.example", "weekly", True)]


def test_an_address_with_the_most_alerts_gets_no_further_request(mail_app, client, monkeypatch):
    """Beyond the cap a request is answered alike but neither stored nor mailed."""
    from toolbox.services import alerts

    monkeypatch.setattr(alerts, "ALERTS_MAX", 2)
    for words in ("Glasfaser", "Breitband", "Mobilfunk"):
        _request_as_visitor(client, "sammler@gemeinde.example", q=words)
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(Alert.id))) == 2
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 2
