"""Locale selection: German by default, English on explicit request (``?lang=en``).

The browser's preference is not followed yet: the page texts have no English catalogue, and a
page with English vocabulary labels inside German sentences serves nobody.
"""
from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

SUPPORTED_LOCALES = ("de", "en")

babel = Babel()


def select_locale() -> str:
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return "de"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "de")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Berlin")
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(_inject_locale)


def _inject_locale() -> dict:
    from flask_babel import get_locale

    return {"current_locale": lambda: str(get_locale() or "de")}
