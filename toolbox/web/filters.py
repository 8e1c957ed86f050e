"""Template filters that format numbers, sizes, dates and status codes for the page's language."""
from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal
from markupsafe import Markup, escape

from ..message import Message
from ..message_render import CATALOGUE, render


def filesize(num_bytes: int | None) -> str:
    if num_bytes is None:
        return ""
    size = float(num_bytes)
    for unit in ("Byte", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            if unit == "Byte":
                return f"{format_decimal(int(size))} {unit}"
            return f"{format_decimal(round(size, 1))} {unit}"
        size /= 1024
    return ""


def extraction_status(code: str | None) -> str:
    """The label of an extraction status code ("ok" → "Text extrahiert"), in the page's language:
    editors read the label, the code stays in the page's CSS class and the API."""
    if not code:
        return ""
    key = f"extract.status.{code}"
    return render(Message(key)) if key in CATALOGUE else code


def breakable(value: str | None) -> Markup:
    """The text with a line-break opportunity after every slash: at 320 px
    "Leistungsbeschreibung/Ausschreibung" then wraps after the slash instead of inside a word
    (browsers do not break at a slash between letters by themselves)."""
    return escape(value or "").replace("/", Markup("/<wbr>"))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["breakable"] = breakable
    app.jinja_env.filters["extraction_status"] = extraction_status
    # ``{{ version.extraction|message }}``: a stored message in the page's language.
    app.jinja_env.filters["message"] = render
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["number"] = lambda value: "" if value is None else format_decimal(value)
    app.jinja_env.filters["date"] = lambda value: "" if value is None else format_date(value, "medium")
    app.jinja_env.filters["datetime"] = lambda value: "" if value is None else format_datetime(value, "medium")
