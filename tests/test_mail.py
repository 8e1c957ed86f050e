"""Mail (issue 14): a real SMTP server in this process (aiosmtpd) reads what the toolbox sent.

Mails go through the outbox and the real Huey consumer, as ``toolbox worker`` runs them; a
request only stores them.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from toolbox.config import ConfigError
from toolbox.extensions import db
from toolbox.mail import EmlBackend, mail_settings
from toolbox.models import AccountToken, AuditEntry, Document, Job, OutboxMail

from conftest import DEFAULT_PASSWORD, mail_config, make_user, running_app
from contribute_helpers import contribute, user
from job_helpers import running_consumer, wait_for_jobs

NEW_PASSWORD = "Drei Linden vor dem Rathaus 2027"


@pytest.fixture
def client(mail_app):
    return mail_app.test_client()


def _login(client, email: str, password: str = DEFAULT_PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _deliver(app) -> list[Job]:
    """Run the real consumer until every job is done or failed."""
    with running_consumer(app):
        return wait_for_jobs(app, timeout=60)


def _outbox(app) -> list[OutboxMail]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
    return rows


# --- settings --------------------------------------------------------------------------------


def test_the_mail_url_names_server_login_and_encryption():
    """smtp:// with starttls=1 is STARTTLS on 587, smtps:// is TLS on 465; user and password may be
    percent-encoded; a wrong scheme or parameter is refused with a message naming the setting."""
    starttls = mail_settings("smtp://toolbox%40kreis.de:p%C3%A4ss%2Fwort@mail.kreis.de:587?starttls=1")
    assert (starttls["MAIL_SERVER"], starttls["MAIL_PORT"], starttls["MAIL_USERNAME"], starttls["MAIL_PASSWORD"],
            starttls["MAIL_USE_TLS"], starttls["MAIL_USE_SSL"]) == (
        "mail.kreis.de", 587, "toolbox@kreis.de", "päss/wort", True, False)
    tls = mail_settings("smtps://u:p@mail.kreis.de")
    assert (tls["MAIL_PORT"], tls["MAIL_USE_SSL"], tls["MAIL_USE_TLS"]) == (465, True, False)
    assert mail_settings(None) == {"MAIL_BACKEND": EmlBackend}
    for wrong in ("http://mail.kreis.de", "smtp://mail.kreis.de?tls=1", "smtps://mail.kreis.de?starttls=1"):
        with pytest.raises(ConfigError, match="TOOLBOX_MAIL_URL"):
            mail_settings(wrong)


def test_without_a_mail_url_each_mail_is_an_eml_file_and_one_log_line(app_config, tmp_path, monkeypatch, caplog):
    """No server configured: the worker writes each mail to instance/mail/ as a readable .eml."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "MAIL_FROM": "Toolbox <toolbox@kreis.example>", "MAIL_MAX_ATTEMPTS": 1}) as app:
        with app.app_context():
            from toolbox.services.mail import mail_queue, mails_dispatch

            mail_queue("email_change_taken", "jemand@example.org", "de")
            db.session.commit()
            mails_dispatch()
        with caplog.at_level("INFO", logger="toolbox.mail"):
            _deliver(app)
    [eml] = list((tmp_path / "instance" / "mail").glob("*.eml"))
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert (message["To"], message["From"]) == ("jemand@example.org", "Toolbox <toolbox@kreis.example>")
    assert str(message["Subject"]) == "Diese Adresse hat bereits ein Konto"
    assert "bereits ein Konto" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)).get_content().startswith("<!DOCTYPE html>")
    lines = [r.getMessage() for r in caplog.records if r.name == "toolbox.mail"]
    assert len(lines) == 1 and "jemand@example.org" in lines[0] and str(eml) in lines[0]


# --- invitations -----------------------------------------------------------------------------


def test_an_invitation_is_mailed_and_the_admin_still_sees_the_link(mail_app, client, smtp):
    """The request only stores the mail; the worker sends it. Mail and page carry the same link,
    which sets the password."""
    admin = make_user(mail_app, "admin@kreis.example", role="admin")
    _login(client, "admin@kreis.example")
    page = client.post("/admin/users", data={"email": "neu@gemeinde.example", "role": "contributor",
                                             "name": "Nora Neu"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "per E-Mail an neu@gemeinde.example geschickt" in html
    assert smtp.inbox.arrived == []  # nothing is sent inside the request
    _deliver(mail_app)
    [mail] = smtp.inbox.to("neu@gemeinde.example")
    assert mail.subject == "Einladung zur Smart Region Toolbox"
    assert "Guten Tag Nora Neu," in mail.text and "Projektleitung" in mail.text
    link = mail.link("/invite/")
    assert link in html and f'href="{link}"' in mail.html
    assert admin  # the admin's name is the inviter
    invite_client = mail_app.test_client()
    path = link.split("5000", 1)[1]
    assert invite_client.post(path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}).status_code == 302
    [row] = _outbox(mail_app)
    assert row.sent_at is not None and row.body_text == "" and row.body_html == ""  # the link is not kept


# --- forgotten password ----------------------------------------------------------------------


def _forgot(client, email: str):
    started = time.perf_counter()
    response = client.post("/password/forgot", data={"email": email})
    return response, time.perf_counter() - started


def test_reset_answers_known_and_unknown_addresses_alike_and_mails_only_the_account(
        app_config, tmp_path, monkeypatch, smtp):
    """The page, its status and the work in the request are the same for a known and an unknown
    address (one queued job each, no mail, no lookup); the worker mails the account holder
    only. Timing: the median of ten requests each differs by less than 50 ms."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    config = mail_config(app_config, smtp, RESET_RATE_LIMIT="100 per hour", RESET_IP_RATE_LIMIT="100 per hour")
    with running_app(config) as app:
        make_user(app, "bekannt@kreis.example")
        client = app.test_client()
        known, unknown = [], []
        for round_ in range(10):
            response_known, seconds_known = _forgot(client, "Bekannt@Kreis.example")
            response_unknown, seconds_unknown = _forgot(client, f"unbekannt{round_}@kreis.example")
            known.append(seconds_known)
            unknown.append(seconds_unknown)
            assert response_known.status_code == response_unknown.status_code == 200
            text_known = response_known.get_data(as_text=True).replace("bekannt@kreis.example", "ADDRESS")
            text_unknown = response_unknown.get_data(as_text=True).replace(f"unbekannt{round_}@kreis.example",
                                                                             "ADDRESS")
            assert text_known == text_unknown
        assert abs(statistics.median(known) - statistics.median(unknown)) < 0.05, (known, unknown)
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(Job.id))) == 20
            assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 0
        jobs = _deliver(app)
        assert {job.state for job in jobs} == {"done"}
        assert all(job.params is None for job in jobs if job.kind == "password_reset")  # addresses not kept
        assert {m.to for m in smtp.inbox.arrived} == {"bekannt@kreis.example"}
        # Ten requests, ten mails; only the newest link works.
        assert len(smtp.inbox.arrived) == 10
        links = [mail.link("/password/reset/") for mail in smtp.inbox.arrived]
        paths = [link.split("5000", 1)[1] for link in links]
        statuses = [client.get(path).status_code for path in paths]
        assert statuses.count(200) == 1 and statuses.count(410) == 9


def test_a_reset_link_sets_the_password_once_and_ends_every_session_and_the_api_token(mail_app, smtp):
    """Setting the password through the link logs out every browser of the account, revokes its
    API token, and uses the link up; the old password no longer works."""
    account = make_user(mail_app, "anna@kreis.example", name="Anna")
    browser = mail_app.test_client()
    _login(browser, "anna@kreis.example")
    with mail_app.app_context():
        from toolbox.services.users import api_token_create, user_for_api_token

        token = api_token_create(user(account))
    assert browser.get("/account").status_code == 200

    stranger = mail_app.test_client()
    assert stranger.post("/password/forgot", data={"email": "anna@kreis.example"}).status_code == 200
    _deliver(mail_app)
    [mail] = smtp.inbox.to("anna@kreis.example")
    assert mail.subject == "Neues Passwort für die Smart Region Toolbox"
    assert "60 Minuten gültig" in mail.text
    path = mail.link("/password/reset/").split("5000", 1)[1]

    weak = stranger.post(path, data={"password": "kurz", "password_repeat": "kurz"})
    assert weak.status_code == 400 and "mindestens 12 Zeichen" in weak.get_data(as_text=True)
    done = stranger.post(path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")

    assert browser.get("/account").status_code == 302  # the open session ended
    with mail_app.app_context():
        assert user_for_api_token(token) is None
        actions = list(db.session.scalars(db.select(AuditEntry.action)))
    assert "password_reset" in actions
    again = stranger.post(path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert again.status_code == 410 and "bereits verwendet" in again.get_data(as_text=True)
    assert browser.post("/login", data={"email": "anna@kreis.example", "password": DEFAULT_PASSWORD}).status_code == 200
    _login(browser, "anna@kreis.example", NEW_PASSWORD)


def test_a_reset_link_expires_after_one_hour(mail_app, smtp, monkeypatch):
    """61 minutes later the link is refused with 410 and a German message; an unknown link is 404."""
    from toolbox.services import users

    make_user(mail_app, "bernd@kreis.example")
    client = mail_app.test_client()
    client.post("/password/forgot", data={"email": "bernd@kreis.example"})
    _deliver(mail_app)
    path = smtp.inbox.to("bernd@kreis.example")[0].link("/password/reset/").split("5000", 1)[1]
    real_now = users.now
    monkeypatch.setattr(users, "now", lambda: real_now() + timedelta(minutes=61))
    expired = client.get(path)
    assert expired.status_code == 410 and "abgelaufen" in expired.get_data(as_text=True)
    assert client.get("/password/reset/erfunden").status_code == 404


def test_reset_requests_are_rate_limited_alike_for_every_address(mail_app):
    """The fourth request for one address within an hour gets 429 with a German message, whether
    the address has an account or not."""
    make_user(mail_app, "carla@kreis.example")
    client = mail_app.test_client()
    for address in ("carla@kreis.example", "niemand@kreis.example"):
        statuses = [client.post("/password/forgot", data={"email": address}).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    limited = client.post("/password/forgot", data={"email": "carla@kreis.example"})
    assert "Zu viele Anfragen für ein neues Passwort" in limited.get_data(as_text=True)


def test_a_malformed_address_gets_a_german_message(mail_app):
    response = mail_app.test_client().post("/password/forgot", data={"email": "kein-at-zeichen"})
    assert response.status_code == 400 and "gültige E-Mail-Adresse" in response.get_data(as_text=True)


# --- e-mail change ---------------------------------------------------------------------------


def test_an_email_change_is_confirmed_by_the_new_address_and_told_to_the_old(mail_app, client, smtp):
    """The address changes only after the link to the new one is confirmed by the button (a mail
    scanner opening the link changes nothing); the old address is told, in the account's
    language (English here)."""
    account = make_user(mail_app, "alt@kreis.example", name="Dora")
    _login(client, "alt@kreis.example")
    assert client.post("/account/settings", data={"language": "en"}).status_code == 302
    wrong = client.post("/account/email", data={"email": "neu@kreis.example", "current_password": "falsch"})
    assert wrong.status_code == 400 and "aktuelle Passwort ist falsch" in wrong.get_data(as_text=True)
    assert client.post("/account/email", data={"email": "Neu@Kreis.example",
                                               "current_password": DEFAULT_PASSWORD}).status_code == 302
    _deliver(mail_app)
    [confirm] = smtp.inbox.to("neu@kreis.example")
    assert confirm.subject == "Please confirm your new e-mail address"
    path = confirm.link("/email/confirm/").split("5000", 1)[1]
    assert client.get(path).status_code == 200
    with mail_app.app_context():
        assert user(account).email == "alt@kreis.example"
    assert client.post(path).status_code == 302
    with mail_app.app_context():
        assert user(account).email == "neu@kreis.example"
    _deliver(mail_app)
    [notice] = smtp.inbox.to("alt@kreis.example")
    assert notice.subject == "Your e-mail address was changed"
    assert "neu@kreis.example" in notice.text and "Hello Dora," in notice.text
    assert client.post(path).status_code == 410
    _login(mail_app.test_client(), "neu@kreis.example")


def test_an_address_of_another_account_gets_a_note_and_changes_nothing(mail_app, client, smtp):
    make_user(mail_app, "eins@kreis.example")
    make_user(mail_app, "zwei@kreis.example")
    _login(client, "eins@kreis.example")
    response = client.post("/account/email", data={"email": "zwei@kreis.example", "current_password": DEFAULT_PASSWORD})
    assert response.status_code == 302  # the same answer as for a free address
    _deliver(mail_app)
    [note] = smtp.inbox.to("zwei@kreis.example")
    assert note.subject == "Diese Adresse hat bereits ein Konto" and "/email/confirm/" not in note.text
    with mail_app.app_context():
        assert db.session.scalar(db.select(db.func.count(AccountToken.id))) == 0


# --- workflow notifications ------------------------------------------------------------------


def _set_notify(app, user_id: int, value: str, language: str = "de") -> None:
    with app.app_context():
        from toolbox.services.users import user_mail_settings

        user_mail_settings(user(user_id), language, value)


def test_a_new_submission_reaches_editors_at_once_or_in_their_daily_digest(mail_app, smtp):
    """Editor A (at once) gets a mail per upload; editor B (daily) nothing until the digest, which
    lists the submissions still waiting; a second digest run the same day sends nothing; C (off)
    gets nothing at all."""
    editor_a = make_user(mail_app, "a@redaktion.example", role="editor", name="Ada")
    editor_b = make_user(mail_app, "b@redaktion.example", role="editor")
    editor_c = make_user(mail_app, "c@redaktion.example", role="editor")
    _set_notify(mail_app, editor_b, "daily")
    _set_notify(mail_app, editor_c, "off")
    contributor = make_user(mail_app, "projekt@gemeinde.example", name="Paul Projekt")
    first = contribute(mail_app, contributor, title="Leistungsbeschreibung LoRaWAN")
    second = contribute(mail_app, contributor, title="Beschlussvorlage Bürgerportal")
    _deliver(mail_app)
    mails_a = smtp.inbox.to("a@redaktion.example")
    assert [m.subject for m in mails_a] == ["Neue Einreichung: Leistungsbeschreibung LoRaWAN",
                                            "Neue Einreichung: Beschlussvorlage Bürgerportal"]
    assert "Paul Projekt hat Dokumente zur Prüfung eingereicht" in mails_a[0].text
    assert f"/admin/documents/{first}" in mails_a[0].text
    assert smtp.inbox.to("b@redaktion.example") == [] and smtp.inbox.to("c@redaktion.example") == []

    from toolbox.services.notifications import submission_digests_send
    from toolbox.services.review import document_publish

    with mail_app.app_context():
        document_publish(user(editor_a), db.session.get(Document, first))  # no longer waiting
        tomorrow = datetime.now(ZoneInfo("Europe/Berlin")).replace(hour=7, minute=30) + timedelta(days=1)
        assert submission_digests_send(now=tomorrow) == 1
        assert submission_digests_send(now=tomorrow + timedelta(hours=2)) == 0
    _deliver(mail_app)
    [digest] = smtp.inbox.to("b@redaktion.example")
    assert digest.subject == "Tägliche Übersicht: 1 neue Einreichungen"
    assert "Beschlussvorlage Bürgerportal (Paul Projekt)" in digest.text and "LoRaWAN" not in digest.text
    assert f"/admin/documents/{second}" in digest.html
    assert smtp.inbox.to("c@redaktion.example") == []
    with mail_app.app_context():
        # the day after, nothing new has arrived: no empty digest
        assert submission_digests_send(now=tomorrow + timedelta(days=1)) == 0
    assert editor_a and editor_c


def test_the_contributor_hears_of_publication_and_of_a_rejection_with_its_reason(mail_app, smtp):
    editor = make_user(mail_app, "redaktion@kreis.example", role="editor")
    _set_notify(mail_app, editor, "off")
    contributor = make_user(mail_app, "projekt@gemeinde.example")
    _set_notify(mail_app, contributor, None, language="en")
    published = contribute(mail_app, contributor, title="Datenschutz-Folgenabschätzung", publish_as=editor)
    rejected = contribute(mail_app, contributor, title="Entwurf ohne Lizenz")
    from toolbox.services.review import document_reject

    with mail_app.app_context():
        document_reject(user(editor), db.session.get(Document, rejected),
                        "Bitte die Lizenz angeben.\nDie Kontaktdaten fehlen.")
    _deliver(mail_app)
    mails = smtp.inbox.to("projekt@gemeinde.example")
    assert [m.subject for m in mails] == ["Published: Datenschutz-Folgenabschätzung",
                                          "Not published: Entwurf ohne Lizenz"]
    assert f"/documents/{published}" in mails[0].text
    assert "Bitte die Lizenz angeben.\nDie Kontaktdaten fehlen." in mails[1].text
    assert "Bitte die Lizenz angeben.<br>" in mails[1].html


def test_an_editor_publishing_their_own_upload_gets_no_mail(mail_app, smtp):
    editor = make_user(mail_app, "selbst@kreis.example", role="editor")
    contribute(mail_app, editor, title="Eigenes Dokument", publish_as=editor)
    with mail_app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 0


# --- delivery --------------------------------------------------------------------------------


def test_a_failing_server_is_tried_again_later_and_the_mail_arrives_once(mail_app, smtp):
    """Two temporary refusals (451), then acceptance: one mail, three attempts, waits doubling."""
    smtp.inbox.refusing = 2
    with mail_app.app_context():
        from toolbox.services.jobs import retry_delay
        from toolbox.services.mail import mail_queue, mails_dispatch

        row = mail_queue("email_change_taken", "x@kreis.example", "de")
        db.session.commit()
        mails_dispatch()
        job_id = row.job_id
    [job] = _deliver(mail_app)
    assert (job.id, job.state, job.attempts) == (job_id, "done", 3)
    assert len(smtp.inbox.to("x@kreis.example")) == 1 and smtp.inbox.attempts == 3
    with mail_app.app_context():
        stored = db.session.get(Job, job_id)
        delays = []
        for attempts in (1, 2, 3, 20):
            stored.attempts = attempts
            delays.append(retry_delay(stored))
        db.session.rollback()
    assert delays == [0.2, 0.4, 0.8, 3600.0]


def _start_worker(app_config, tmp_path, smtp) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "TOOLBOX_SECRET_KEY": "test-secret-key",
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"],
        "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
        "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"],
        "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "TOOLBOX_WORKER_THREADS": "1",
        "TOOLBOX_MAIL_URL": smtp.url,
        "TOOLBOX_MAIL_RETRY_SECONDS": "0.2",
    }
    with open(tmp_path / "worker.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-c", "from toolbox.cli import main; main()", "worker"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.mark.slow
def test_a_worker_killed_while_sending_loses_no_queued_mail_and_sends_none_twice(mail_app, app_config, tmp_path, smtp):
    """Five mails are queued; ``toolbox worker`` is killed with SIGKILL while the server holds the
    first in DATA (and then refuses it). The next worker start queues the dead worker's job
    again: all five arrive, each exactly once."""
    smtp.inbox.hold_next()
    with mail_app.app_context():
        from toolbox.services.mail import mail_queue, mails_dispatch

        for number in range(5):
            mail_queue("email_change_taken", f"empfaenger{number}@kreis.example", "de")
        db.session.commit()
        mails_dispatch()
    worker = _start_worker(app_config, tmp_path, smtp)
    try:
        assert smtp.inbox.holding.wait(60), (tmp_path / "worker.log").read_text()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    smtp.inbox.release()
    assert smtp.inbox.arrived == []
    with mail_app.app_context():
        states = sorted(job.state for job in db.session.scalars(db.select(Job)))
    assert states == ["queued"] * 4 + ["running"]

    jobs = _deliver(mail_app)
    assert [job.state for job in jobs] == ["done"] * 5
    arrived = smtp.inbox.wait_for(5)
    assert sorted(m.to for m in arrived) == [f"empfaenger{n}@kreis.example" for n in range(5)]
    assert len({m.message["Message-ID"] for m in arrived}) == 5
    time.sleep(0.5)
    assert len(smtp.inbox.arrived) == 5
    assert all(row.sent_at is not None for row in _outbox(mail_app))


def test_the_hourly_queue_task_sends_the_digests_that_are_due(mail_app, smtp, monkeypatch):
    """The worker's periodic task (hourly) runs the digest: at 07:10 German time an editor with the
    daily choice gets the submissions of the last day; the run an hour later sends nothing."""
    from toolbox.jobs import queue_for
    from toolbox.jobs.tasks import send_submission_digests
    from toolbox.services import notifications

    huey = queue_for(mail_app)
    assert [task.name for task in huey.read_periodic(datetime(2027, 1, 4, 6, 7))] == ["toolbox.submission_digests"]
    assert huey.read_periodic(datetime(2027, 1, 4, 6, 8)) == []
    editor = make_user(mail_app, "taeglich@redaktion.example", role="editor")
    _set_notify(mail_app, editor, "daily")
    contribute(mail_app, make_user(mail_app), title="Förderantrag Glasfaser")
    morning = datetime.now(ZoneInfo("Europe/Berlin")).replace(hour=7, minute=10) + timedelta(days=1)
    for moment in (morning, morning + timedelta(hours=1)):
        monkeypatch.setattr(notifications, "utcnow", lambda moment=moment: moment)
        send_submission_digests(mail_app)
    _deliver(mail_app)
    [digest] = smtp.inbox.to("taeglich@redaktion.example")
    assert "Förderantrag Glasfaser" in digest.text


def test_who_proposed_a_change_of_a_published_document_hears_how_it_was_decided(mail_app, smtp):
    """A new version of a published document waits for an editor; its rejection (with the reason)
    and a later acceptance are each mailed to the contributor who proposed it."""
    import io

    from toolbox.services import contribute as contributions
    from toolbox.services import pending_changes

    editor = make_user(mail_app, "redaktion@kreis.example", role="editor")
    _set_notify(mail_app, editor, "off")
    contributor = make_user(mail_app, "projekt@gemeinde.example")
    document_id = contribute(mail_app, contributor, title="Pegelmessnetz", publish_as=editor)
    with mail_app.app_context():
        contributions.document_version_add(user(contributor), db.session.get(Document, document_id),
                                           io.BytesIO(b"Zweite Fassung des Pegelmessnetzes"), "pegel-2.txt")
        pending_changes.change_reject(user(editor), db.session.get(Document, document_id),
                                      "Die Fassung enthält Telefonnummern.")
        contributions.document_version_add(user(contributor), db.session.get(Document, document_id),
                                           io.BytesIO(b"Dritte Fassung ohne Telefonnummern"), "pegel-3.txt")
        pending_changes.change_accept(user(editor), db.session.get(Document, document_id))
    _deliver(mail_app)
    mails = smtp.inbox.to("projekt@gemeinde.example")
    assert [m.subject for m in mails] == ["Veröffentlicht: Pegelmessnetz", "Änderung nicht übernommen: Pegelmessnetz",
                                          "Änderung übernommen: Pegelmessnetz"]
    assert "Die Fassung enthält Telefonnummern." in mails[1].text
    assert f"/documents/{document_id}" in mails[2].text
