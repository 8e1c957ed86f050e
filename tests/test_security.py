"""Security bindings: CSRF on every form, security headers, cookie flags, no inline script or style."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolbox import create_app
from toolbox.extensions import db
from toolbox.security import CONTENT_SECURITY_POLICY

from conftest import DEFAULT_PASSWORD, make_user

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                     html).group(1) or ""


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
    application = create_app({**app_config, "TESTING": False, "WTF_CSRF_ENABLED": False})
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


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
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
