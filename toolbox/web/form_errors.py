"""The error summary at the top of a form: every problem once, as a link to the field it is about.

A reader who sent a form with mistakes lands on the summary (it takes the focus), hears how many
things are wrong and can jump to each field; the page title starts with "Fehler:" so a screen
reader announces the failure before anything else. The messages next to the fields stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask import Flask
from wtforms import Field, Form
from wtforms.fields import FieldList, FormField, HiddenField


@dataclass(frozen=True)
class SummaryItem:
    text: str
    #: "#<id of the input>", or None for a problem no single field holds (e.g. the whole upload)
    href: str | None = None


def _target_id(field: Field) -> str:
    """The element a link in the summary focuses: the first box of a group of checkboxes."""
    if field.type in ("SelectMultipleField", "CheckboxListField", "RadioField"):
        return f"{field.id}-0"
    return field.id


def _field_items(field: Field) -> Iterable[SummaryItem]:
    if isinstance(field, FieldList):
        for entry in field.entries:
            yield from _field_items(entry)
        return
    if isinstance(field, FormField):
        for sub in field.form:
            yield from _field_items(sub)
        return
    if not field.errors:
        return
    messages = [str(m) for m in field.errors]  # lazy_gettext messages become text here
    if isinstance(field, HiddenField) or field.type == "CSRFTokenField":
        # Not a field anyone can correct: say what happened without a link to nowhere.
        for message in messages:
            yield SummaryItem(message)
        return
    label = field.label.text if field.label else ""
    for message in messages:
        yield SummaryItem(f"{label}: {message}" if label else message, f"#{_target_id(field)}")


def form_errors(*sources) -> list[SummaryItem]:
    """The summary's entries, in the order of the page: forms (or dicts of forms, as on the review
    page) and plain messages about the form as a whole; None and empty strings are skipped."""
    items: list[SummaryItem] = []
    for source in sources:
        if not source:
            continue
        if isinstance(source, str):
            items.append(SummaryItem(source))
        elif isinstance(source, SummaryItem):
            items.append(source)
        elif isinstance(source, dict):
            items.extend(form_errors(*source.values()))
        elif isinstance(source, (list, tuple)):
            items.extend(form_errors(*source))
        elif isinstance(source, Form):
            for field in source:
                items.extend(_field_items(field))
    return items


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_errors"] = form_errors
