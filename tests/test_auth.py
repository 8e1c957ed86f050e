"""Login and logout: the form, redirects, rate limiting and the audit trail of attempts."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from toolbox import create_app
from toolbox.extensions import db
from toolbox.models import AuditEntry
from toolbox.web.auth import safe_next

from conftest import DEFAULT_PASSWORD, _port_open, make_user


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_login_page_renders_german_form(client):
    """The login page shows a form with e-mail and password fields in German."""
    response = client.get("/login")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "E-Mail-Adresse" in text and "Passwort" in text
    assert 'autocomplete="current-password"' in text


def test_login_and_logout(app, client, auth):
    """A correct login starts a session and is audited; logout (POST) ends it and is audited."""
    uid = make_user(app, "anna@example.org")
    response = auth.login("anna@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    [login] = _audit(app, "login")
    assert login.user_id == uid
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    [logout] = _audit(app, "logout")
    assert logout.user_id == uid
    with app.app_context():
        from toolbox.models import User

        assert db.session.get(User, uid).last_login_at is not None


def test_logout_needs_post(app, client, auth):
    """GET /logout does nothing (a link or image cannot log anybody out)."""
    make_user(app, "bleibt@example.org")
    auth.login("bleibt@example.org")
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_failed_login_is_audited_without_password(app, client, auth):
    """A failed login shows one neutral message and is audited with the address, never the password."""
    make_user(app, "bert@example.org")
    response = auth.login("Bert@Example.org", "Falsches-Passwort-123")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    auth.login("unbekannt@example.org", "Noch-ein-Versuch-456")
    failed = _audit(app, "login_failed")
    assert [(e.details["email"], e.details["reason"]) for e in failed] == [
        ("bert@example.org", "wrong_password"), ("unbekannt@example.org", "unknown_email")]
    for entry in failed:
        stored = f"{entry.summary} {entry.params} {entry.details}"
        assert "Falsches-Passwort-123" not in stored and "Noch-ein-Versuch-456" not in stored
    assert failed[0].ip_address == "127.0.0.1"


def test_login_follows_relative_next(app, auth):
    """After login the user returns to the page that asked for it."""
    make_user(app, "next@example.org")
    response = auth._client.post("/login?next=/account", data={
        "email": "next@example.org", "password": DEFAULT_PASSWORD, "next": "/account?tab=1"})
    assert response.headers["Location"] == "/account?tab=1"


def test_protected_page_sends_visitor_to_login_with_next(client):
    """A visitor asking for a protected page is sent to the login with a relative next."""
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"
    page = client.get("/login?next=%2Faccount")
    assert 'value="/account"' in page.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "javascript:alert(1)", "http:/evil.example", "evil.example", " //evil.example",
])
def test_open_redirect_is_blocked(app, auth, target):
    """``next`` pointing off the site is ignored: the user lands on the start page."""
    make_user(app, "redirect@example.org")
    response = auth._client.post("/login", data={
        "email": "redirect@example.org", "password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert safe_next(target) is None


def test_logged_in_user_visiting_login_is_redirected(app, client, auth):
    """A logged-in user who opens /login goes on to the start page (or a safe next)."""
    make_user(app, "schon@example.org")
    auth.login("schon@example.org")
    assert client.get("/login").headers["Location"] == "/"
    assert client.get("/login?next=//evil.example").headers["Location"] == "/"


def test_login_rate_limit(app, client, auth):
    """After 5 failed attempts for one address within a minute, the next gets a German 429 page."""
    make_user(app, "ziel@example.org")
    for _attempt in range(5):
        assert auth.login("ziel@example.org", "Falsch-geraten-0000").status_code == 200
    blocked = auth.login("ziel@example.org")
    assert blocked.status_code == 429
    assert "Zu viele Anmeldeversuche" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    assert client.get("/account").status_code == 302
    # Another address from the same client is not affected by this limit.
    make_user(app, "andere@example.org")
    assert auth.login("andere@example.org").status_code == 302


def test_successful_logins_do_not_count_against_the_limit(app, auth):
    """Only failed attempts are counted, so someone logging in often is never locked out."""
    make_user(app, "oft@example.org")
    for _attempt in range(8):
        assert auth.login("oft@example.org").status_code == 302
        auth.logout()


def test_login_rate_limit_is_configurable(app_config, tmp_path, monkeypatch):
    """TOOLBOX_LOGIN_RATE_LIMIT sets the per-address limit."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app({**app_config, "LOGIN_RATE_LIMIT": "2 per minute"})
    client = application.test_client()
    for _attempt in range(2):
        assert client.post("/login", data={"email": "x@example.org", "password": "falsch"}).status_code == 200
    assert client.post("/login", data={"email": "x@example.org", "password": "falsch"}).status_code == 429
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def redis_url() -> str:
    if not _port_open(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379; Redis rate-limit test skipped")
    return "redis://127.0.0.1:6379/15"


@pytest.mark.redis
def test_login_rate_limit_shared_through_redis(app_config, tmp_path, monkeypatch, redis_url):
    """With Redis storage the counter outlives the process's own storage: a newly started app
    (as another worker process would be) still refuses the sixth attempt."""
    import uuid

    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    config = {**app_config, "RATELIMIT_STORAGE_URI": redis_url}
    # A fresh e-mail and client address keep runs from seeing each other's counters in Redis.
    email = f"geteilt-{uuid.uuid4().hex}@example.org"
    remote = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
    first = create_app(config)
    statuses = [first.test_client().post("/login", data={"email": email, "password": "falsch-falsch"},
                                         environ_base=remote).status_code
                for _attempt in range(5)]
    assert statuses == [200] * 5
    second = create_app(config)  # binds the limiter to a new Redis connection
    blocked = second.test_client().post("/login", data={"email": email, "password": "falsch-falsch"},
                                        environ_base=remote)
    assert blocked.status_code == 429
    for application in (first, second):
        with application.app_context():
            db.engine.dispose()


def test_password_change_guessing_is_rate_limited(app, client, auth):
    """Wrong current passwords on /account/password are limited like logins (5 per minute)."""
    make_user(app, "sitzung@example.org")
    auth.login("sitzung@example.org")
    new = "Ein neues langes Passwort"
    for _attempt in range(5):
        response = client.post("/account/password", data={
            "current_password": "geraten-geraten", "password": new, "password_repeat": new})
        assert response.status_code == 200
    blocked = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": new, "password_repeat": new})
    assert blocked.status_code == 429
    assert "Zu viele Anmeldeversuche" in blocked.get_data(as_text=True)
