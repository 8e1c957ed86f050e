"""Sessions, CSRF, login rate limiting and security headers, bound to the app in ``init_app``."""
from __future__ import annotations

import hmac
import time
from typing import Callable

from flask import Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user, user_logged_in
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from .error_responses import json_error, render_error
from .extensions import db, login_manager

csrf = CSRFProtect()
# No default limits: only the login is limited. The storage comes from the app's config, so a
# deployment with several processes can share counters in Redis.
limiter = Limiter(key_func=get_remote_address)

#: Per address and e-mail: slows down guessing one account's password.
DEFAULT_LOGIN_LIMIT = "5 per minute;20 per hour"
#: Per address alone: slows down trying one password against many accounts. High enough for a
#: town hall where all staff share one public address.
DEFAULT_LOGIN_IP_LIMIT = "60 per hour"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

CSRF_MESSAGE = _l("Das Formular ist abgelaufen oder wurde nicht vollständig übertragen. Bitte laden Sie "
                  "die Seite neu und versuchen Sie es noch einmal.")
NUL_BYTE_MESSAGE = _l("Die Anfrage enthält ein unzulässiges Steuerzeichen (Nullbyte). Bitte prüfen Sie Ihre "
                      "Eingabe.")
RATE_LIMIT_MESSAGE = _l("Zu viele Anmeldeversuche. Bitte warten Sie einige Minuten und versuchen Sie es "
                        "dann erneut.")
RESET_RATE_LIMIT_MESSAGE = _l("Zu viele Anfragen für ein neues Passwort. Bitte warten Sie eine Stunde und "
                              "versuchen Sie es dann erneut.")
ZIP_RATE_LIMIT_MESSAGE = _l("Zu viele ZIP-Downloads von Ihrer Adresse. Bitte warten Sie eine Stunde, laden Sie "
                            "die Dokumente einzeln herunter oder melden Sie sich an.")
REUSE_RATE_LIMIT_MESSAGE = _l("Zu viele Meldungen von Ihrer Adresse. Bitte versuchen Sie es in einer Stunde "
                              "erneut.")
UNTRUSTED_HOST_MESSAGE = _l("Diese Adresse gehört nicht zu dieser Toolbox.")


def init_app(app: Flask) -> None:
    _init_proxy(app)
    # Ahead of every other hook, whatever the order of init_app calls: the CSRF check and the
    # login limiter read the form, the merged-slug redirect queries the database, and an expired
    # session must be over before any of them acts for its user.
    app.before_request_funcs.setdefault(None, [])[:0] = [
        refuse_untrusted_host, limit_form_bodies, refuse_nul_bytes, end_expired_session]
    _configure_cookies(app)
    _init_login(app)
    _init_csrf(app)
    _init_limiter(app)
    app.after_request(_security_headers)
    app.after_request(_private_responses_not_stored)


# --- reverse proxy and host --------------------------------------------------------------------


def _init_proxy(app: Flask) -> None:
    """Believe X-Forwarded-For and -Proto from ``TOOLBOX_PROXY_HOPS`` proxies, no more.

    Behind a proxy every request comes from the proxy's address, so the login limits would count
    all visitors as one. With 0 hops (no proxy) the headers are the client's own words and are
    ignored. The Host header is not taken from X-Forwarded-Host: the proxy passes it on (or its
    upstream name is in ``TOOLBOX_TRUSTED_HOSTS``), and links never come from it anyway.
    """
    hops = int(app.config.get("TOOLBOX_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def refuse_untrusted_host() -> Response | None:
    """Answer 400 to a Host that is not the base URL's (or a trusted extra) before anything runs.

    Flask notes the refused host as the request's routing error and would raise it only after
    the other hooks, which read the host, and the error page could not build its links without
    one; so the answer is short and plain.
    """
    if not isinstance(request.routing_exception, SecurityError):
        return None
    message = str(UNTRUSTED_HOST_MESSAGE)
    if request.path.startswith("/api/"):
        return json_error(400, message)
    return Response(message + "\n", status=400, mimetype="text/plain")


# --- request bodies ----------------------------------------------------------------------------


def limit_form_bodies() -> None:
    """Give every body but a multipart upload the small form limit instead of the upload limit.

    Werkzeug streams a multipart body part by part, with MAX_FORM_PARTS and
    MAX_FORM_MEMORY_SIZE per field; any other body (url-encoded forms above all) it reads into
    memory in one piece and splits into as many fields as it holds. Without this, an anonymous
    POST to /login could make a process hold and parse 50 MB of ``a&a&a…``.
    """
    if request.mimetype == "multipart/form-data":
        return
    form_limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    upload_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if form_limit is not None:
        request.max_content_length = form_limit if upload_limit is None else min(form_limit, upload_limit)


#: Paths whose parameters are search terms: a search never fails on malformed parameters
#: (DESIGN.md), so a NUL byte there is only text that finds nothing.
LENIENT_PATHS = ("/search", "/search/download.zip", "/api/v1/search", "/api/v1/suggest")


def refuse_nul_bytes() -> None:
    """Answer 400 to a parameter or form field with a NUL byte, before anything looks at it.

    No text a person types holds one, and PostgreSQL refuses to compare or store it: it would
    turn a login, a form or a filter of an admin list into a database error.
    """
    fields = [] if request.path in LENIENT_PATHS else list(request.args.items(multi=True))
    # Url-encoded forms only: a multipart body is an upload, parsed where it is used (the API
    # checks its text fields itself), so this hook never spools a whole upload on its own.
    if request.mimetype == "application/x-www-form-urlencoded":
        fields += list(request.form.items(multi=True))
    if any("\x00" in key or "\x00" in value for key, value in fields):
        error = BadRequest()
        error.toolbox_message = str(NUL_BYTE_MESSAGE)
        raise error


# --- cookies ---------------------------------------------------------------------------------


def _configure_cookies(app: Flask) -> None:
    secure = app.config.get("TOOLBOX_COOKIE_SECURE")
    if secure is None:
        # Local development and tests run over plain HTTP; everything else must use HTTPS.
        secure = not (app.debug or app.testing)
    wanted = {
        "SESSION_COOKIE_SECURE": bool(secure),
        "REMEMBER_COOKIE_SECURE": bool(secure),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }
    # Flask ships defaults for these, so setdefault would never apply; TOOLBOX_COOKIE_SECURE is
    # the operator's switch.
    app.config.update(wanted)


# --- login -----------------------------------------------------------------------------------


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.localize_callback = _
    login_manager.user_loader(load_user)
    user_logged_in.connect(_session_started)


def load_user(alternative_id: str):
    """Load the session's user from ``"<id>:<session token>"``; a rotated token or a deactivated
    account loads nobody, which ends that session at once."""
    from .models import User

    user_id, _sep, token = (alternative_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not user.session_token:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


# --- session lifetime --------------------------------------------------------------------------

#: Unix times in the signed session cookie: when the user logged in and was last active.
SESSION_LOGIN_AT = "_login_at"
SESSION_SEEN_AT = "_seen_at"
#: Activity is written back at most this often, so that not every response sets a cookie.
SEEN_RESOLUTION_SECONDS = 60

#: The session clock in Unix seconds; tests replace ``security.clock`` to let time pass.
clock: Callable[[], float] = time.time


def idle_limit_minutes(user) -> int:
    """Minutes without a request after which ``user``'s session ends.

    Editors and admins can publish and delete, so an unattended browser of theirs is worth more
    to an attacker than a contributor's, who often fills in long upload forms.
    """
    from .models import ROLE_CONTRIBUTOR

    config = current_app.config
    if getattr(user, "role", None) == ROLE_CONTRIBUTOR:
        return int(config.get("TOOLBOX_SESSION_IDLE_MINUTES_CONTRIBUTOR") or 120)
    return int(config.get("TOOLBOX_SESSION_IDLE_MINUTES") or 30)


def _session_started(sender, user, **extra) -> None:
    """At every login: start both clocks and drop the CSRF token of the anonymous session.

    A token someone obtained before the login (a shared computer, a planted cookie) must not be
    valid in the logged-in session; Flask-WTF makes a new one on the next form.
    """
    now = clock()
    session[SESSION_LOGIN_AT] = session[SESSION_SEEN_AT] = now
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def end_expired_session() -> Response | None:
    """Log out a session idle for too long or older than ``TOOLBOX_SESSION_MAX_HOURS``.

    The times are in the signed cookie, so a client cannot move them; a session without them
    predates the limits and ends too. Pages send the user to the login page with a note; the
    JSON API carries on for a visitor.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = clock()
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT, login_at)
    max_hours = float(current_app.config.get("TOOLBOX_SESSION_MAX_HOURS") or 12)
    idle_minutes = idle_limit_minutes(current_user)
    if not isinstance(login_at, (int, float)) or not isinstance(seen_at, (int, float)):
        message = _("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.")
    elif now - login_at > max_hours * 3600:
        message = _("Sie wurden abgemeldet, weil eine Anmeldung höchstens %(hours)s Stunden gilt. Bitte melden "
                    "Sie sich erneut an.", hours=format(max_hours, "g"))
    elif now - seen_at > idle_minutes * 60:
        message = _("Sie wurden nach %(minutes)d Minuten ohne Aktivität abgemeldet. Bitte melden Sie sich "
                    "erneut an.", minutes=idle_minutes)
    else:
        if now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SESSION_SEEN_AT] = now
        return None
    logout_user()
    for key in (SESSION_LOGIN_AT, SESSION_SEEN_AT, current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")):
        session.pop(key, None)
    if request.path.startswith("/api/"):
        return None
    flash(message, "info")
    # Back to the page after the new login; not to a form whose input is gone, nor the login itself.
    target = request.full_path.rstrip("?") if request.method == "GET" and request.endpoint != "auth.login" else None
    return redirect(url_for("auth.login", next=target))


# --- CSRF ------------------------------------------------------------------------------------


def _init_csrf(app: Flask) -> None:
    # CSRFProtect's own hook would run first and cannot tell token-authenticated API calls apart;
    # ours does the same check with that one exemption.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def _csrf_protect():
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return None
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return None
        if is_bearer_api_request():
            return None
        csrf.protect(apply_exemptions=True)
        return None

    app.register_error_handler(CSRFError, _csrf_error)


def is_bearer_api_request() -> bool:
    """A JSON API call that authenticates with ``Authorization: Bearer``.

    A browser cannot attach that header to a cross-site request without a CORS preflight, and
    such endpoints must authenticate by the token alone, never by the session cookie; so they
    need no CSRF token.
    """
    if request.blueprint != "api" and not request.path.startswith("/api/"):
        return False
    auth = request.headers.get("Authorization", "")
    return auth[:7].lower() == "bearer " and len(auth) > 7


def _csrf_error(error: CSRFError) -> Response:
    return render_error(400, str(CSRF_MESSAGE))


# --- rate limiting ---------------------------------------------------------------------------


def _init_limiter(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("TOOLBOX_RATELIMIT_STORAGE_URI") or "memory://")
    # One limiter per process, as Flask-Limiter intends: each init_app binds it to a new storage,
    # so with several apps in one process (tests) the last one's storage counts. It would also
    # keep "enabled" from the previous app, hence the explicit default.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(429, _rate_limited)


def login_limit() -> str:
    return current_app.config.get("TOOLBOX_LOGIN_RATE_LIMIT") or DEFAULT_LOGIN_LIMIT


def login_ip_limit() -> str:
    return current_app.config.get("TOOLBOX_LOGIN_IP_RATE_LIMIT") or DEFAULT_LOGIN_IP_LIMIT


#: "Passwort vergessen", per address typed: a mailbox gets at most this many links.
DEFAULT_RESET_LIMIT = "3 per hour"
#: Per client address: one client cannot make the toolbox mail many addresses.
DEFAULT_RESET_IP_LIMIT = "20 per hour"


def reset_limit() -> str:
    return current_app.config.get("TOOLBOX_RESET_RATE_LIMIT") or DEFAULT_RESET_LIMIT


def reset_ip_limit() -> str:
    return current_app.config.get("TOOLBOX_RESET_IP_RATE_LIMIT") or DEFAULT_RESET_IP_LIMIT


def reset_limit_key() -> str:
    return "reset|" + (request.form.get("email") or "").strip().lower()[:254]


def login_limit_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{get_remote_address()}|{email}"


def login_failed(response: Response) -> bool:
    """Count an attempt against the limits only when it failed; a successful login is free."""
    return bool(g.get("login_failed"))


def _rate_limited(error) -> Response:
    # Flask-Limiter adds Retry-After to this response in its after-request hook.
    if request.endpoint in ("auth.login", "auth.password_change", "auth.email_change"):
        message = RATE_LIMIT_MESSAGE
    elif request.endpoint in ("auth.password_forgot", "auth.password_reset"):
        message = RESET_RATE_LIMIT_MESSAGE
    elif request.endpoint == "search.download_zip":
        message = ZIP_RATE_LIMIT_MESSAGE
    elif request.endpoint == "reuse.report":
        message = REUSE_RATE_LIMIT_MESSAGE
    else:
        message = None
    return render_error(429, str(message) if message else None)


# --- caching -----------------------------------------------------------------------------------


def _private_responses_not_stored(response: Response) -> Response:
    """``no-store`` on everything answered for a logged-in user or an API token.

    Such a response may hold an unpublished document, a name, a CSRF token or a secret; no
    browser or proxy cache may keep it. Static files stay cacheable, and pages for visitors keep
    their own caching.
    """
    if request.endpoint == "static":
        return response
    if current_user.is_authenticated or request.headers.get("Authorization"):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


# --- headers ---------------------------------------------------------------------------------


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
