"""Security bindings: CSRF on every form, security headers, cookie flags, no inline script or style,
the client address behind a proxy, session lifetime and the caching of private answers."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from toolbox import create_app
from toolbox.extensions import db
from toolbox.security import CONTENT_SECURITY_POLICY

from conftest import DEFAULT_PASSWORD, make_user

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    return match.group(1) or match.group(2)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_login_without_csrf_token_is_rejected(csrf_app):
    """With CSRF on, a login POST without a token gets the German 400 page and logs nobody in."""
    make_user(csrf_app, "csrf@example.org")
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "csrf@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_login_with_csrf_token_works(csrf_app):
    """The token from the login page makes the same POST succeed (the check is not just closed)."""
    make_user(csrf_app, "csrf@example.org")
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": "csrf@example.org", "password": DEFAULT_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def _logged_in_with_csrf(app, email: str, role: str = "contributor"):
    make_user(app, email, role=role)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def test_other_forms_reject_missing_csrf_token(csrf_app):
    """Password change, logout, API token and admin actions refuse a POST without token."""
    client = _logged_in_with_csrf(csrf_app, "admin@example.org", role="admin")
    new = "Ein ganz neues Passwort"
    for url, data in [
        ("/account/password", {"current_password": DEFAULT_PASSWORD, "password": new, "password_repeat": new}),
        ("/account/token", {}),
        ("/admin/users", {"email": "neu@example.org", "role": "admin"}),
        ("/logout", {}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    with csrf_app.app_context():
        from toolbox.services.users import user_by_email

        assert user_by_email("neu@example.org") is None
        assert user_by_email("admin@example.org").api_token_hash is None


def test_logout_form_in_page_header_carries_token(csrf_app):
    """The logout button in the header sends a valid token."""
    client = _logged_in_with_csrf(csrf_app, "raus@example.org")
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


def test_bearer_api_post_is_exempt_but_cookie_api_post_is_not(csrf_app):
    """A JSON API POST with Authorization: Bearer skips CSRF; the same POST without it does not,
    and its CSRF error is JSON."""
    csrf_app.add_url_rule("/api/v1/_csrf_probe", "csrf_probe", lambda: {"ok": True}, methods=["POST"])
    client = csrf_app.test_client()
    ok = client.post("/api/v1/_csrf_probe", headers={"Authorization": "Bearer tbx_irgendwas"})
    assert ok.status_code == 200
    refused = client.post("/api/v1/_csrf_probe")
    assert refused.status_code == 400
    assert "abgelaufen" in refused.get_json()["error"]["message"]
    # A bearer header does not open non-API forms.
    login = client.post("/login", data={"email": "a@example.org", "password": "x"},
                        headers={"Authorization": "Bearer tbx_irgendwas"})
    assert login.status_code == 400


EXPECTED_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.parametrize("url, status", [("/", 200), ("/login", 200), ("/gibt-es-nicht", 404),
                                         ("/api/v1/documents/999999", 404)])
def test_security_headers_on_pages_and_errors(client, url, status):
    """Every response, error pages and JSON included, carries the security headers."""
    response = client.get(url)
    assert response.status_code == status
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp


def test_csrf_error_page_has_security_headers(csrf_app):
    """The CSRF error page too carries the headers."""
    response = csrf_app.test_client().post("/login", data={})
    assert response.status_code == 400
    assert response.headers["X-Frame-Options"] == "DENY"


def test_cookie_flags_outside_testing(app_config, tmp_path, monkeypatch):
    """Outside debug and testing the session cookie is Secure, HttpOnly and SameSite=Lax."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app({**app_config, "TESTING": False, "WTF_CSRF_ENABLED": False,
                              "BASE_URL": "http://127.0.0.1:5000"})
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["REMEMBER_COOKIE_SECURE"] is True
    make_user(application, "cookie@example.org")
    client = application.test_client()
    response = client.post("/login", data={"email": "cookie@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with application.app_context():
        db.engine.dispose()


def test_cookie_flags_in_testing_and_override(app, app_config, tmp_path, monkeypatch):
    """Tests and debug run over plain HTTP; TOOLBOX_COOKIE_SECURE can force the flag."""
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance2"))
    forced = create_app({**app_config, "COOKIE_SECURE": True})
    assert forced.config["SESSION_COOKIE_SECURE"] is True


# A JSON-LD data block (schema.org on the document page) is data, never run, and no CSP
# directive applies to it; any other <script> without src would need 'unsafe-inline'.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/ld\+json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids inline code: no template has an inline <script>, <style>, style="" or on…="" handler."""
    offenders = []
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates, "no templates found"
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for name, pattern in [("inline <script>", INLINE_SCRIPT), ('style=""', INLINE_STYLE_ATTR),
                              ("<style>", STYLE_ELEMENT), ("on…= handler", EVENT_HANDLER),
                              ("javascript: URL", JAVASCRIPT_URL)]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES)}:{line}: {name}")
    assert not offenders, "\n".join(offenders)


def test_inline_checks_catch_offenders():
    """The template check recognises the forbidden patterns (so the test above can fail)."""
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/a.js"></script>')
    assert INLINE_STYLE_ATTR.search('<p style="color:red">')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert STYLE_ELEMENT.search("<style>p{}</style>")


# --- reverse proxy ------------------------------------------------------------------------------

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches the app from the proxy


def _failed_login(client, forwarded_for: str):
    return client.post("/login", data={"email": "ziel@example.org", "password": "Falsch-geraten-0000"},
                       environ_base=PROXY, headers={"X-Forwarded-For": forwarded_for})


def _app_with_hops(app_config, tmp_path, monkeypatch, hops: int):
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / f"instance-{hops}"))
    application = create_app({**app_config, "PROXY_HOPS": hops})
    make_user(application, "ziel@example.org")
    return application


def test_clients_behind_the_proxy_are_throttled_separately(app_config, tmp_path, monkeypatch):
    """With TOOLBOX_PROXY_HOPS=1 the limits count the address the proxy forwards: one visitor's
    failed logins lock out that visitor, not the next one behind the same proxy; the audit log
    names the visitor's address."""
    from toolbox.models import AuditEntry

    application = _app_with_hops(app_config, tmp_path, monkeypatch, 1)
    client = application.test_client()
    for _attempt in range(5):
        assert _failed_login(client, "203.0.113.5").status_code == 200
    assert _failed_login(client, "203.0.113.5").status_code == 429
    assert _failed_login(client, "198.51.100.7").status_code == 200
    with application.app_context():
        addresses = {entry.ip_address for entry in db.session.query(AuditEntry).filter_by(action="login_failed")}
        db.engine.dispose()
    assert addresses == {"203.0.113.5", "198.51.100.7"}


def test_without_proxy_hops_x_forwarded_for_is_ignored(app_config, tmp_path, monkeypatch):
    """With the default 0 hops the header is the client's own claim: changing it does not escape
    the limit."""
    application = _app_with_hops(app_config, tmp_path, monkeypatch, 0)
    client = application.test_client()
    for attempt in range(5):
        assert _failed_login(client, f"203.0.113.{attempt}").status_code == 200
    assert _failed_login(client, "198.51.100.7").status_code == 429
    with application.app_context():
        db.engine.dispose()


def test_proxy_hops_take_the_scheme_from_the_proxy(app_config, tmp_path, monkeypatch):
    """Behind a TLS-terminating proxy the app knows the request was HTTPS (HSTS is sent)."""
    application = _app_with_hops(app_config, tmp_path, monkeypatch, 1)
    response = application.test_client().get("/", environ_base=PROXY,
                                              headers={"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    with application.app_context():
        db.engine.dispose()


# --- session lifetime ---------------------------------------------------------------------------


class Clock:
    """The session clock (``security.clock``), moved by the test."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from toolbox import security

    fake = Clock()
    monkeypatch.setattr(security, "clock", fake)
    return fake


def _logged_in(app, role: str):
    email = f"{role}-sitzung@example.org"
    make_user(app, email, role=role)
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("role, idle_minutes", [("contributor", 120), ("editor", 30), ("admin", 30)])
def test_idle_session_ends_with_a_message_on_the_login_page(app, clock, role, idle_minutes):
    """Idle for longer than the role's limit, the next page logs the user out and shows the login
    page with a German note; just inside the limit the session goes on."""
    client = _logged_in(app, role)
    clock.advance(minutes=idle_minutes - 1)
    assert client.get("/account").status_code == 200
    clock.advance(minutes=idle_minutes + 1)
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Sie wurden nach {idle_minutes} Minuten ohne Aktivität abgemeldet." in page
    assert client.get("/account").status_code == 302


def test_activity_keeps_the_session_until_its_absolute_end(app, clock):
    """A contributor active every 100 minutes stays logged in, but not beyond 12 hours."""
    client = _logged_in(app, "contributor")
    for _step in range(7):  # 11 h 40 min
        clock.advance(minutes=100)
        assert client.get("/my/documents").status_code == 200
    clock.advance(minutes=21)
    response = client.get("/my/documents", follow_redirects=True)
    assert "höchstens 12 Stunden" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_session_limits_are_configurable(app_config, tmp_path, monkeypatch, clock):
    """TOOLBOX_SESSION_IDLE_MINUTES(_CONTRIBUTOR) and TOOLBOX_SESSION_MAX_HOURS set the limits."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app({**app_config, "SESSION_IDLE_MINUTES": 5, "SESSION_IDLE_MINUTES_CONTRIBUTOR": 10,
                              "SESSION_MAX_HOURS": 1})
    editor, contributor = _logged_in(application, "editor"), _logged_in(application, "contributor")
    clock.advance(minutes=6)
    assert editor.get("/account").status_code == 302
    assert contributor.get("/account").status_code == 200
    for _step in range(6):  # 60 minutes since the login, never 10 idle
        clock.advance(minutes=9)
        assert contributor.get("/account").status_code == 200
    clock.advance(minutes=1)
    assert contributor.get("/account").status_code == 302
    with application.app_context():
        db.engine.dispose()


def test_expired_session_cannot_submit_a_form(app, clock):
    """A form sent after the idle limit is not carried out; the user is asked to log in again."""
    client = _logged_in(app, "contributor")
    clock.advance(minutes=121)
    response = client.post("/account/token")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    with app.app_context():
        from toolbox.services.users import user_by_email

        assert user_by_email("contributor-sitzung@example.org").api_token_hash is None


def test_timed_out_user_opening_the_login_page_gets_it_without_a_loop(app, clock):
    """An expired session that opens /login is sent to the plain login page, not back to itself."""
    client = _logged_in(app, "editor")
    clock.advance(minutes=31)
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Minuten ohne Aktivität" in client.get("/login").get_data(as_text=True)


def test_public_pages_stay_open_after_the_timeout(app, clock):
    """The JSON API answers a timed-out browser as a visitor instead of redirecting it."""
    client = _logged_in(app, "editor")
    clock.advance(minutes=31)
    assert client.get("/api/v1/search?q=Daten").status_code == 200
    assert client.get("/account").status_code == 302


def test_csrf_token_from_before_the_login_is_void_after_it(csrf_app):
    """The login rotates the CSRF token: a token taken from the anonymous session (a shared
    computer, a planted cookie) does not carry a form of the logged-in user."""
    make_user(csrf_app, "rotation@example.org")
    client = csrf_app.test_client()
    before = _csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": "rotation@example.org", "password": DEFAULT_PASSWORD,
                                       "csrf_token": before}).status_code == 302
    response = client.post("/account/token", data={"csrf_token": before})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    after = _csrf_token(client.get("/account").get_data(as_text=True))
    assert after != before
    assert client.post("/account/token", data={"csrf_token": after}).status_code == 200


# --- caching ------------------------------------------------------------------------------------


def test_unpublished_download_of_an_editor_is_not_stored(app, make_doc):
    """An editor's download of an unpublished document, and a contributor's of her own, send
    Cache-Control: no-store; so does the page that lists them."""
    contributor = _logged_in(app, "contributor")
    staged = contributor.post("/upload", data={"files": (io.BytesIO(b"Entwurf der Datenstrategie\n"), "entwurf.txt")},
                              content_type="multipart/form-data")
    assert staged.status_code == 302
    with app.app_context():
        from toolbox.models import Document

        document_id = make_doc(title="Unveröffentlicht", text="Noch geheim.", publish=False)
        assert db.session.get(Document, document_id).status != "published"
    editor = _logged_in(app, "editor")
    download = editor.get(f"/admin/documents/{document_id}/versions/1/download")
    download.close()
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert contributor.get("/my/documents").headers["Cache-Control"] == "no-store"
    assert contributor.get(staged.headers["Location"]).headers["Cache-Control"] == "no-store"


def test_public_pages_and_downloads_keep_their_caching(client, make_doc):
    """A visitor's start page, document page and published download are not marked no-store; the
    download revalidates with its ETag."""
    document_id = make_doc(title="Öffentlich", text="Für alle.")
    for url in ("/", f"/documents/{document_id}", "/search?q=alle"):
        assert "no-store" not in client.get(url).headers.get("Cache-Control", ""), url
    download = client.get(f"/documents/{document_id}/download")
    download.close()
    assert "no-store" not in download.headers.get("Cache-Control", "")
    assert download.headers["ETag"]


def test_static_files_stay_cacheable_for_logged_in_users(app):
    """The stylesheet is the same for everyone, so it stays cacheable after the login."""
    client = _logged_in(app, "editor")
    response = client.get("/static/toolbox.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_api_answers_to_a_token_are_not_stored(app):
    """A response to a request with an API token (an unpublished upload's JSON) is not stored."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from toolbox.services.users import api_token_create, user_get

    user_id = make_user(app, "skript@example.org")
    with app.app_context():
        token = api_token_create(user_get(user_id))
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"Ein Bericht\n"), filename="bericht.txt"),
                                       "title": "Bericht"})
    response = app.test_client().post("/api/v1/documents", data=body, headers={"Authorization": f"Bearer {token}"},
                                      content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
