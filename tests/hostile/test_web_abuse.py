"""Web-layer abuse (issue #5, part 2): CSRF, forged and expired tokens, open redirects, SQL-looking
input, absurd paging, invalid facet values and path traversal, for the pages and the JSON API.

Every answer is checked for the right status and a German message; none may be a 500, and
nothing stored may change. Escaping lives in test_web_escaping.py, size limits in
test_web_limits.py.
"""
from __future__ import annotations

import io
import re
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_support import DEFAULT_PASSWORD, make_user  # noqa: E402

from toolbox.extensions import db  # noqa: E402
from toolbox.models import AuditEntry, Document, User  # noqa: E402

CSRF_MESSAGE = "Das Formular ist abgelaufen"


def _user(app, user_id: int) -> User:
    return db.session.get(User, user_id)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production (the test default turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _login_with_csrf(app, email: str, role: str = "contributor"):
    make_user(app, email, role=role)
    client = app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


# --- CSRF ---------------------------------------------------------------------------------------


def _post_routes(app) -> list[str]:
    """Every URL that takes a POST, with plausible values for its variables."""
    values = {"document_id": 1, "entry_id": 1, "user_id": 1, "municipality_id": 1, "project_id": 1, "number": 1,
              "vocabulary": "topic", "token": "x" * 32, "feedback_id": 1, "group_id": 1, "alert_id": 1,
              "report_id": 1}
    urls = []
    for rule in app.url_map.iter_rules():
        # The API upload authenticates by token only; the one-click unsubscribe of an alert (RFC
        # 8058) is posted by mail programs, with the token in its address as the authorisation.
        if "POST" not in rule.methods or rule.endpoint in ("api_contribute.document_create", "alerts.unsubscribe"):
            continue
        urls.append(rule.build({name: values[name] for name in rule.arguments})[1])
    return sorted(set(urls))


def test_every_form_refuses_a_post_without_csrf_token(csrf_app):
    """Each POST route of the site (all but the token-only API upload and one-click unsubscribe) answers 400 with the
    German message when the CSRF token is missing — for an admin, who could do the most harm."""
    client = _login_with_csrf(csrf_app, "admin@example.org", role="admin")
    urls = _post_routes(csrf_app)
    assert len(urls) > 20  # the list is built from the routes, not typed by hand
    audit_before = _count(csrf_app, AuditEntry)
    for url in urls:
        response = client.post(url, data={"email": "neu@example.org", "role": "admin", "message": "x"})
        assert response.status_code == 400, url
        assert CSRF_MESSAGE in response.get_data(as_text=True), url
    assert _count(csrf_app, AuditEntry) == audit_before  # nothing happened, so nothing was audited
    assert client.get("/account").status_code == 200  # not even the logout


def test_csrf_token_of_another_session_is_refused(csrf_app):
    """A token taken from the attacker's own session does not work in the victim's."""
    attacker = csrf_app.test_client()
    stolen = _csrf_token(attacker.get("/login").get_data(as_text=True))
    victim = _login_with_csrf(csrf_app, "opfer@example.org")
    response = victim.post("/account/token", data={"csrf_token": stolen})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.scalar(select(User.api_token_hash).where(User.email == "opfer@example.org")) is None


def test_forged_csrf_tokens_are_refused(csrf_app):
    """A token with a changed signature, made up, empty or extended is refused with the German
    message."""
    client = _login_with_csrf(csrf_app, "gefaelscht@example.org")
    token = _csrf_token(client.get("/account").get_data(as_text=True))
    forgeries = [token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), "x" * len(token), "",
                 token + ".extra", token.split(".")[0]]
    for forged in forgeries:
        response = client.post("/account/token", data={"csrf_token": forged})
        assert response.status_code == 400, forged
        assert CSRF_MESSAGE in response.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.scalar(select(User.api_token_hash).where(User.email == "gefaelscht@example.org")) is None


def test_expired_csrf_token_is_refused(csrf_app, monkeypatch):
    """A token of this very session, but signed two hours ago (beyond WTF_CSRF_TIME_LIMIT), is
    refused; a fresh one works."""
    from itsdangerous import URLSafeTimedSerializer

    client = _login_with_csrf(csrf_app, "alt@example.org")
    client.get("/account")
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    serializer = URLSafeTimedSerializer(csrf_app.config["SECRET_KEY"], salt="wtf-csrf-token")
    signer_class = serializer.signer
    real = signer_class.get_timestamp
    monkeypatch.setattr(signer_class, "get_timestamp", lambda self: real(self) - 2 * 3600)
    old = serializer.dumps(raw)
    monkeypatch.setattr(signer_class, "get_timestamp", real)
    response = client.post("/account/token", data={"csrf_token": old})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    fresh = _csrf_token(client.get("/account").get_data(as_text=True))
    assert client.post("/account/token", data={"csrf_token": fresh}).status_code == 200


def test_api_upload_ignores_the_session_cookie(csrf_app):
    """A logged-in browser posting to the API without Authorization (what a cross-site form can
    do) is not authenticated by its cookie: JSON 401, nothing stored."""
    client = _login_with_csrf(csrf_app, "keks@example.org")
    response = client.post("/api/v1/documents", data={"file": (io.BytesIO(b"Text\n"), "a.txt"), "title": "X"},
                           content_type="multipart/form-data")
    _assert_401_json(response)
    assert _count(csrf_app, Document) == 0


# --- sessions and tokens ------------------------------------------------------------------------


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _signed_session(app, secret_key: str, payload: dict) -> str:
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    forger = Flask("forger")  # Flask's own cookie format, signed with the attacker's key
    forger.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(payload)


def test_session_cookie_signed_with_another_key_logs_nobody_in(app, client):
    """A cookie that names a real admin and her real session token, but is signed with a guessed
    key, is ignored: the admin pages send the visitor to the login."""
    admin_id = make_user(app, "chefin@example.org", role="admin")
    with app.app_context():
        session_token = _user(app, admin_id).session_token
    forged = _signed_session(app, "geraten", {"_user_id": f"{admin_id}:{session_token}", "_fresh": True})
    client.set_cookie("session", forged)
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/api/v1/search").status_code == 200  # the bad cookie breaks nothing


def test_tampered_session_cookie_is_ignored(app, client, auth):
    """Changing one character of a valid session cookie makes it worthless, without an error."""
    make_user(app, "echt@example.org")
    auth.login("echt@example.org")
    value = _session_cookie(client)
    middle = len(value) // 2
    client.set_cookie("session", value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1:])
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_cookie_copied_before_logout_is_dead_after_it(app, auth):
    """A copy of the session cookie (shared PC, proxy log) stops working when the user logs out."""
    make_user(app, "geteilt@example.org")
    client = app.test_client()
    client.post("/login", data={"email": "geteilt@example.org", "password": DEFAULT_PASSWORD})
    copied = _session_cookie(client)
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def contributor_token(app):
    from toolbox.services.users import api_token_create

    user_id = make_user(app, "skript@example.org")
    with app.app_context():
        return user_id, api_token_create(_user(app, user_id))


def _api_upload(client, token: str):
    return client.post("/api/v1/documents", data={"file": (io.BytesIO(b"Ein Text\n"), "a.txt"), "title": "T"},
                       headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")


def _assert_401_json(response) -> None:
    assert response.status_code == 401
    assert "API-Token" in response.get_json()["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_replaced_and_revoked_api_tokens_are_401(app, client, contributor_token):
    """A new token retires the old one at once; a revoked one is refused too (German JSON 401,
    nothing stored); the current one works until then."""
    from toolbox.services.users import api_token_create, api_token_revoke

    user_id, old = contributor_token
    with app.app_context():
        new = api_token_create(_user(app, user_id))
    _assert_401_json(_api_upload(client, old))
    assert _count(app, Document) == 0
    assert _api_upload(client, new).status_code == 201
    with app.app_context():
        api_token_revoke(_user(app, user_id))
    _assert_401_json(_api_upload(client, new))
    assert _count(app, Document) == 1


def test_made_up_api_tokens_are_401(app, client, contributor_token):
    """Made-up, over-long, SQL-looking or mis-labelled tokens are all a plain 401 JSON."""
    _user_id, real = contributor_token
    for header in ["Bearer tbx_" + "A" * 43,           # right shape, never issued
                   "Bearer tbx_" + "A" * 5000,         # absurdly long
                   "Bearer ' OR '1'='1",               # SQL-looking
                   "Bearer " + real[:-1],              # one character short
                   "Bearer " + real.upper(),           # case changed
                   "Token " + real,                    # other scheme
                   "Basic " + real]:
        response = client.post("/api/v1/documents", data={"file": (io.BytesIO(b"Text\n"), "a.txt")},
                               headers={"Authorization": header}, content_type="multipart/form-data")
        _assert_401_json(response)
    assert _count(app, Document) == 0


def _invitation(app, *, valid_for: timedelta | None = None) -> tuple[int, str]:
    from toolbox.services.users import invitation_create

    admin_id = make_user(app, "einlader@example.org", role="admin")
    user_id = make_user(app, "eingeladen@example.org", password=None)
    with app.app_context():
        return user_id, invitation_create(_user(app, user_id), actor=_user(app, admin_id), valid_for=valid_for)


def test_expired_used_and_unknown_invitations_are_refused(app, client):
    """An expired link is 410 on GET and POST and sets no password; a link works once, the second
    use is 410 and cannot overwrite the password; guessed, traversal-looking, SQL-looking or
    absurdly long tokens are a German 404."""
    from toolbox.services.users import invitation_create

    user_id, token = _invitation(app)
    with app.app_context():
        late_id = make_user(app, "spaet@example.org", password=None)
        expired = invitation_create(_user(app, late_id), actor=_user(app, make_user(app, role="admin")),
                                    valid_for=timedelta(seconds=-1))
    page = client.get(f"/invite/{expired}")
    assert page.status_code == 410
    assert "abgelaufen" in page.get_data(as_text=True)
    new = "Ein ganz neues Passwort für mich"
    assert client.post(f"/invite/{expired}", data={"password": new, "password_repeat": new}).status_code == 410
    with app.app_context():
        assert _user(app, late_id).password_hash is None

    first = "Das erste Passwort am Rathaus"
    assert client.post(f"/invite/{token}", data={"password": first, "password_repeat": first}).status_code == 302
    with app.app_context():
        hashed = _user(app, user_id).password_hash
    second = "Das zweite Passwort vom Angreifer"
    response = client.post(f"/invite/{token}", data={"password": second, "password_repeat": second})
    assert response.status_code == 410
    assert "bereits verwendet" in response.get_data(as_text=True)
    with app.app_context():
        assert _user(app, user_id).password_hash == hashed

    for guess in ["x", "A" * 43, "..%2F..%2Fetc%2Fpasswd", "%27%20OR%20%271%27%3D%271", "a" * 3000, "..", "%2e%2e"]:
        response = client.get(f"/invite/{guess}")
        assert response.status_code == 404, guess
        page = response.get_data(as_text=True)
        # A slash stops the router itself (the general German 404); anything else reaches the check.
        assert "Einladungslink ist ungültig" in page or "gibt es nicht" in page, guess


# --- open redirects -----------------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "/%2F/evil.example/../",
]


def _assert_local(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "\\" not in location and "evil.example" not in parts.netloc, location


def test_login_next_never_leaves_the_site(app, client, auth):
    """A hostile ``next`` lands on a local page: after the login POST, and when a logged-in
    user opens /login?next=…; a local ``next`` is still followed."""
    make_user(app, "weiter@example.org")
    # Each login costs an Argon2 hash: a few through the form, all of them on the GET below.
    for target in ("//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/login", data={"email": "weiter@example.org", "password": DEFAULT_PASSWORD,
                                               "next": target})
        assert response.status_code == 302, target
        _assert_local(response.headers["Location"])
    for target in HOSTILE_NEXT:
        response = client.get("/login?next=" + quote(target, safe=""))
        assert response.status_code == 302, target
        _assert_local(response.headers["Location"])
    assert client.get("/login?next=/my/documents").headers["Location"] == "/my/documents"


def test_editor_actions_with_next_never_leave_the_site(app, client, auth, make_doc):
    """The review actions' ``next`` field follows the same rule as the login's; a local path is
    still followed."""
    document_id = make_doc(title="Zur Prüfung", publish=False)
    make_user(app, "redaktion@example.org", role="editor")
    auth.login("redaktion@example.org")
    for target in HOSTILE_NEXT:
        for action in ("publish", "restore"):
            response = client.post(f"/admin/documents/{document_id}/{action}", data={"next": target})
            assert response.status_code == 302, (action, target)
            _assert_local(response.headers["Location"])
    response = client.post(f"/admin/documents/{document_id}/publish", data={"next": "/admin/documents?x=1"})
    assert response.headers["Location"] == "/admin/documents?x=1"


# --- SQL-looking input --------------------------------------------------------------------------

SQLISH = ["' OR '1'='1", "1; DROP TABLE documents; --", "\" OR 1=1 --", "%' UNION SELECT password_hash FROM users --",
          "1 OR 1=1", "admin'--", "') OR ('a'='a"]


def test_sql_looking_search_parameters_find_nothing_extra_and_break_nothing(app, client, make_doc):
    """Quotes and SQL keywords in q and in every filter are text: 200, no more hits than an
    honest search, and the tables are intact afterwards."""
    make_doc(title="Parkraumkonzept", topics=["mobilitaet-verkehr"], municipality="Fulda")
    make_doc(title="Entwurf", publish=False)
    for value in SQLISH:
        for key in ("q", "topic", "type", "size_class", "license", "municipality", "format", "year_from", "sort",
                    "page", "per_page"):
            response = client.get("/api/v1/search", query_string={key: value})
            assert response.status_code == 200, (key, value)
            assert response.get_json()["total"] <= 1, (key, value)  # never the unpublished draft
        assert client.get("/search", query_string={"q": value, "municipality": value}).status_code == 200, value
    assert _count(app, Document) == 2
    assert _count(app, User) == 0


def test_sql_looking_login_fails_like_any_wrong_password(app, client):
    """SQL in the e-mail or password field is just a failed login, never an error."""
    app.config["TOOLBOX_LOGIN_RATE_LIMIT"] = app.config["TOOLBOX_LOGIN_IP_RATE_LIMIT"] = "100 per minute"
    make_user(app, "echt@example.org")
    for value in ("' OR '1'='1", "admin'--"):  # each attempt costs an Argon2 hash
        for data in ({"email": value, "password": value}, {"email": "echt@example.org", "password": value}):
            response = client.post("/login", data=data)
            assert response.status_code == 200, value
            assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_sql_looking_ids_are_404(app, client, make_doc):
    """An id that is not a plain number names no document."""
    make_doc(title="Da")
    for path in ["/documents/1%20OR%201=1", "/documents/1;DROP%20TABLE%20documents",
                 "/api/v1/documents/1%27%20OR%20%271%27=%271", "/documents/1'--/download"]:
        assert client.get(path).status_code == 404, path
    assert _count(app, Document) == 1


def test_nul_byte_in_forms_and_parameters_is_a_german_400(app, client):
    """A NUL byte (which PostgreSQL cannot compare) in a form or in the parameters of a page is
    refused up front with 400 and a message, as a page and as JSON."""
    from toolbox.services.users import api_token_create

    make_user(app, "chef@example.org", role="admin")
    login = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert login.status_code == 400
    assert "Nullbyte" in login.get_data(as_text=True)
    with app.app_context():
        token = api_token_create(_user(app, make_user(app, "api@example.org")))
    api = client.post("/api/v1/documents", data={"municipality": "Fulda\x00", "file": (io.BytesIO(b"x\n"), "a.txt")},
                      headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")
    assert api.status_code == 400
    assert "Nullbyte" in api.get_json()["error"]["message"]
    assert _count(app, Document) == 0
    client.post("/login", data={"email": "chef@example.org", "password": DEFAULT_PASSWORD})
    page = client.get("/admin/documents?status=%00")
    assert page.status_code == 400
    assert "Nullbyte" in page.get_data(as_text=True)


def test_nul_byte_in_search_parameters_finds_nothing_but_fails_nothing(client, make_doc):
    """The search stays lenient: a NUL byte in q or a filter is text that matches nothing."""
    make_doc(title="Fulda", municipality="Fulda")
    assert client.get("/search?municipality=Fulda%00").status_code == 200
    assert client.get("/api/v1/search?municipality=Fulda%00").get_json()["total"] == 0
    assert client.get("/api/v1/search?q=a%00b&topic=%00").status_code == 200
    assert client.get("/api/v1/suggest?q=%00").status_code == 200


@pytest.mark.postgres
def test_hostile_ids_and_nul_bytes_on_postgresql(pg_app):
    """On PostgreSQL too (32-bit ids, no NUL in text): 404, 400 for forms, 200 for searches —
    never a database error."""
    client = pg_app.test_client()
    for path in ("/documents/2147483648", "/documents/99999999999999999999", "/api/v1/documents/2147483648",
                 "/documents/1/versions/2147483648/download"):
        assert client.get(path).status_code == 404, path
    for path in ("/search?municipality=%00", "/search?topic=x%00", "/api/v1/search?topic=%00&q=%00",
                 "/api/v1/suggest?q=%00", "/search/download.zip?municipality=%00"):
        assert client.get(path).status_code in (200, 404), path
    assert client.post("/login", data={"email": "\x00", "password": "\x00"}).status_code == 400


# --- paging and facet values --------------------------------------------------------------------


def test_absurd_page_and_per_page_are_clamped(client, make_doc):
    """Huge, negative, float, non-ASCII and 5000-digit page numbers give a normal answer within
    the bounds (per_page 1–100, page 1–10 000), on the page, in the API and for the ZIP."""
    for i in range(3):
        make_doc(title=f"Dokument {i}")
    for page, per_page in [("99999999999999999999999", "99999999999"), ("-5", "-5"), ("0", "0"), ("1e9", "1e3"),
                           ("NaN", "inf"), ("9" * 5000, "9" * 5000), ("١٢", "٣"), (" 2 ", " 3 ")]:
        params = {"page": page, "per_page": per_page}
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 200, params
        body = response.get_json()
        assert 1 <= body["per_page"] <= 100 and 1 <= body["page"] <= 10_000, params
        assert body["total"] == 3
        assert client.get("/search", query_string=params).status_code == 200, params
    with client.get("/search/download.zip", query_string={"page": "9" * 30, "per_page": "9" * 30}) as archive:
        assert archive.status_code == 200 and archive.mimetype == "application/zip"


def test_page_beyond_the_end_is_empty_but_valid(client, make_doc):
    """The last possible page answers with no hits and a way back, not an error."""
    make_doc(title="Einziges Dokument")
    body = client.get("/api/v1/search?page=10000").get_json()
    assert body["page"] == 10_000 and body["hits"] == [] and body["total"] == 1
    page = client.get("/search?page=10000").get_data(as_text=True)
    assert 'href="/search"' in page or "href=\"/search?" in page


def test_unknown_facet_values_give_an_empty_result_not_an_error(client, make_doc):
    """A filter value no vocabulary knows (traversal, 300 characters, format strings) finds
    nothing; the API marks it selected with count 0."""
    make_doc(title="Irgendwas", topics=["mobilitaet-verkehr"])
    for key, value in [(key, value) for key in ("topic", "type", "size_class", "license", "format", "municipality")
                       for value in ("gibt-es-nicht", "../../etc/passwd", "x" * 300, "Ä;DROP", "%s%s%n")]:
        response = client.get("/api/v1/search", query_string={key: value})
        assert response.status_code == 200
        body = response.get_json()
        assert body["total"] == 0 and body["hits"] == []
        if key != "municipality":
            options = {o["value"]: o for o in body["facets"][key]}
            shown = value[:200].lower() if key == "format" else value[:200]  # formats are lower case
            assert options[shown]["selected"] is True and options[shown]["count"] == 0
        assert client.get("/search", query_string={key: value}).status_code == 200, (key, value)


def test_thousands_of_repeated_filters_are_capped(app, client, make_doc):
    """3000 values per filter (a URL of ~100 KB) are cut to 50 each and answered with a bounded
    number of database queries, not one per value."""
    from sqlalchemy import event

    make_doc(title="Bus", topics=["mobilitaet-verkehr"])
    query = "&".join(f"{key}=x{i}" for key in ("topic", "municipality") for i in range(3000))
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/api/v1/search?" + query)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    selected = [o for o in response.get_json()["facets"]["topic"] if o["selected"]]
    assert len(selected) == 50
    # Two lookups (entry, merged alias) for at most 50 values of each filter, instead of 12 000.
    assert len(statements) <= 2 * 2 * 50 + 20, len(statements)
    assert client.get("/search?" + query).status_code == 200


def test_malformed_search_parameters_never_fail(client, make_doc):
    """Malformed years, sorts and query syntax give a 200 page and 200 JSON."""
    make_doc(title="Glasfaser")
    for params in [{"year_from": "abc", "year_to": "-1"}, {"year_from": "99999999999999999999"},
                   {"sort": "'; DROP"}, {"sort": "title desc"}, {"q": "a" * 100_000}, {"q": "*" * 500},
                   {"q": "\"" * 301}, {"q": "titel:"}, {"q": "OR OR AND NOT"}, {"q": "((((((((((a"},
                   {"q": "%ff%fe"}, {"q": "\u202e\u200b\ufeff"}, {"q": "-"}, {"q": "glas* -"}]:
        assert client.get("/search", query_string=params).status_code == 200, params
        assert client.get("/api/v1/search", query_string=params).status_code == 200, params
        assert client.get("/api/v1/suggest", query_string=params).status_code == 200, params


# --- path traversal and hostile ids -------------------------------------------------------------

NOT_FOUND_PATHS = [
    "/documents/..%2F..%2Fsetup.cfg",
    "/documents/../../setup.cfg",
    "/documents/1%2F..%2F2",
    "/documents/-1",
    "/documents/1.0",
    "/documents/0x1",
    "/documents/2147483648",
    "/documents/99999999999999999999",
    "/documents/9223372036854775808",
    "/documents/" + "1" * 5000,
    "/documents/1/versions/-1/download",
    "/documents/1/versions/99999999999999999999/download",
    "/documents/1/versions/..%2F..%2F1/download",
    "/api/v1/documents/99999999999999999999",
    "/api/v1/documents/..%2F1",
    "/static/..%2F..%2Fsetup.cfg",
    "/static/%2e%2e/%2e%2e/setup.cfg",
    "/static/..%5C..%5Csetup.cfg",
    "/invite/..%2F..%2Fsetup.cfg",
    "/documents/1/download/..%2F..%2F..%2Fsetup.cfg",
]


def test_traversal_and_out_of_range_ids_are_a_german_404(client, make_doc):
    """Traversal sequences and ids beyond the database's integers are 404 with the German page
    (JSON for the API), never a file from disk and never a 500."""
    make_doc(title="Vorhanden")
    for path in NOT_FOUND_PATHS:
        response = client.get(path)
        assert response.status_code == 404, path
        if path.startswith("/api/"):
            assert response.get_json()["error"]["status"] == 404, path
        else:
            assert "gibt es nicht" in response.get_data(as_text=True), path
        assert b"[metadata]" not in response.get_data() and b"root:" not in response.get_data()


def test_hostile_ids_on_signed_in_pages_and_actions_are_404(app, client, auth):
    """The editor's and contributor's pages and POST actions answer the same way, and nothing is
    audited."""
    make_user(app, "chef@example.org", role="admin")
    auth.login("chef@example.org")
    before = _count(app, AuditEntry)
    for path in ["/admin/documents/99999999999999999999", "/admin/documents/2147483648/versions/1/download",
                 "/admin/vocabularies/topic/99999999999999999999", "/admin/vocabularies/..%2Fusers/1",
                 "/admin/municipalities/99999999999999999999", "/admin/projects/2147483648",
                 "/my/documents/99999999999999999999/edit",
                 "/my/documents/1/versions/99999999999999999999/download"]:
        assert client.get(path).status_code == 404, path
    for path in ["/admin/documents/99999999999999999999/publish", "/admin/users/99999999999999999999/role",
                 "/my/documents/2147483648/withdraw", "/admin/vocabularies/topic/2147483648/merge"]:
        assert client.post(path, data={"role": "admin"}).status_code == 404, path
    assert _count(app, AuditEntry) == before


def test_hostile_staging_tokens_lead_back_to_the_upload(app, client, auth):
    """A staging token that is traversal, over-long or not a token sends the contributor back to
    step one with the German note; nothing outside the staging folder is touched."""
    make_user(app, "hoch@example.org")
    auth.login("hoch@example.org")
    bystanders = [Path(app.instance_path) / "wichtig.txt", Path(app.config["TOOLBOX_DOCUMENTS_DIR"]) / "wichtig.txt"]
    for path in bystanders:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("bleibt")
    for token in ["..", "..%2F..%2Fdocuments", "%2e%2e", "a" * 5000, "manifest.json", "..%5C..%5Cinstance"]:
        response = client.get(f"/upload/{token}")
        if response.status_code != 404:  # 404: the router already refused it (a slash in the token)
            assert response.status_code == 302 and response.headers["Location"].endswith("/upload"), token
            assert "abgelaufen" in client.get("/upload").get_data(as_text=True)
        assert client.post(f"/upload/{token}/discard").status_code in (302, 404), token
        assert client.post(f"/upload/{token}", data={"title": "x"}).status_code in (302, 404), token
    assert all(path.read_text() == "bleibt" for path in bystanders)


def test_hostile_upload_filename_never_becomes_a_path_or_a_header(app, client):
    """A filename with traversal, a drive letter, quotes and line breaks is stored as a plain
    name; its download sends a single safe Content-Disposition header."""
    from toolbox.services.users import api_token_create

    user_id = make_user(app, "name@example.org")
    with app.app_context():
        token = api_token_create(_user(app, user_id))
    hostile = '..\\..\\C:\\Windows\\"böse"\r\nX-Injected: 1.txt'
    response = client.post("/api/v1/documents", data={"file": (io.BytesIO("Inhalt über Wasser\n".encode()),
                                                                hostile), "title": "Name"},
                           headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()["file"]["filename"]
    assert "/" not in stored and "\\" not in stored and "\r" not in stored and "\n" not in stored
    assert not stored.startswith(".")
    document_id = response.get_json()["id"]
    with app.app_context():
        from toolbox.services.review import document_publish

        admin = _user(app, make_user(app, "pub@example.org", role="admin"))
        document_publish(admin, db.session.get(Document, document_id))
    with client.get(f"/documents/{document_id}/download") as download:
        assert download.status_code == 200
        assert "X-Injected" not in download.headers
        disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition.split("filename")[1]


def test_zip_member_names_unpack_on_every_system(client, make_doc):
    """Stored names that Windows reserves (CON, aux.tar.gz), that hold characters it forbids or
    that are long in bytes (120 umlauts = 240 bytes) become plain, short names that keep their
    extension."""
    wanted = ["CON.txt", "aux.tar.gz", "LPT1", "ä" * 120 + ".txt", "com3.txt", "Bericht: Ausblick?.txt"]
    for i, name in enumerate(wanted):
        make_doc(title=f"Name {i}", text=f"Dateiname Nummer {i}.", filename=name, topics=["tourismus-kultur"])
    response = client.get("/search/download.zip?topic=tourismus-kultur")
    import zipfile

    names = [n for n in zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
             if n not in ("manifest.csv", "metadata.json", "LIZENZEN.txt")]
    assert len(names) == len(wanted)
    devices = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
    for name in names:
        assert "/" not in name and "\\" not in name and ":" not in name, name
        assert name.split(".")[0].upper() not in devices, name
        assert len(name.encode("utf-8")) <= 210, name
    assert any(name.startswith("ää") and name.endswith(".txt") for name in names)


# --- the JSON API's errors ----------------------------------------------------------------------


def test_double_slashes_redirect_only_within_the_site(client):
    """Werkzeug merges double slashes with a redirect; it stays on this host and ends in a 404
    for anything that is not a page."""
    for path in ["/static//etc/passwd", "//etc/passwd", "/documents//1", "/search//evil.example"]:
        # As the request line names it: the test client would read "//etc" as a host name.
        response = client.get("/", environ_overrides={"PATH_INFO": path})
        if response.status_code in (301, 308):
            _assert_local(response.headers["Location"])
            response = client.get(response.headers["Location"])
        assert response.status_code in (200, 404), path
        assert b"root:" not in response.get_data()


def test_broken_utf8_in_the_url_is_replaced_not_an_error(client):
    """Bytes that are no UTF-8 (a lone surrogate, a cut-off sequence) reach the search as
    replacement characters."""
    for url in ["/search?q=%ED%A0%80", "/api/v1/search?q=%ED%A0%80%ff", "/api/v1/suggest?q=%C3",
                "/search?topic=%ff&municipality=%fe"]:
        assert client.get(url).status_code == 200, url


def test_api_errors_are_json_with_status_and_german_message(client, make_doc):
    """Unknown API paths and wrong methods answer JSON {error: {status, message}}, never HTML."""
    make_doc(title="Eins")
    for method, path, status, message in [
        ("get", "/api/v1/gibt-es-nicht", 404, "gibt es nicht"),
        ("get", "/api/v1/documents/abc", 404, "gibt es nicht"),
        ("delete", "/api/v1/documents/1", 405, "nicht möglich"),
        ("put", "/api/v1/documents/1", 405, "nicht möglich"),
        ("post", "/api/v1/search", 405, "nicht möglich"),
        ("patch", "/api/v1/vocabularies", 405, "nicht möglich"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == status, path
        assert response.mimetype == "application/json", path
        error = response.get_json()["error"]
        assert error["status"] == status and message in error["message"], path
        if status == 405:
            assert "GET" in response.headers["Allow"]


def test_api_client_asking_for_json_gets_json_errors_from_pages_too(client):
    """A client that sends Accept: application/json gets a JSON 404 even from a page URL."""
    response = client.get("/documents/99999999999999999999", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
