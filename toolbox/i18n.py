"""Locale selection: the visitor's choice, else the browser's preference, else German.

The choice comes from the language switch in the header (``?lang=en`` / ``?lang=de``) and is
kept in the session, so a visitor who picked English keeps it on every following page.
"""
from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

SUPPORTED_LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
DEFAULT_TIMEZONE = "Europe/Berlin"

babel = Babel()


def N_(message: str) -> str:
    """Mark a German source text for extraction; it is translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a German singular/plural pair for extraction; the count picks the form where it is shown."""
    return singular, plural


def select_locale() -> str:
    """Pick the request's locale: ``?lang=``, then the session, then Accept-Language."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LOCALES:
        # Only a page view stores the choice; the JSON API is stateless and must not set cookies.
        if not request.path.startswith("/api/"):
            session["lang"] = chosen
        return chosen
    stored = session.get("lang")
    if stored in SUPPORTED_LOCALES:
        return stored
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    babel.init_app(app, locale_selector=select_locale)
    # Globals rather than a context processor: imported macros see globals, not the context.
    app.jinja_env.globals.update(
        current_locale=current_locale_name,
        supported_locales=SUPPORTED_LOCALES,
        switch_locale_url=switch_locale_url,
    )


def current_locale_name() -> str:
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LOCALE)


def switch_locale_url(locale: str) -> str:
    """The current page's address with ``lang`` set to ``locale``, every other parameter kept."""
    from urllib.parse import urlencode

    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    args.append(("lang", locale))
    return f"{request.path}?{urlencode(args)}"

