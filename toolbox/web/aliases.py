"""Old links keep working: a search URL with a merged slug redirects (301) to the target's.

A hook rather than code in the search blueprint, so that the search pages stay unaware of
merges; it costs one indexed lookup per filter value, and only on search URLs with filters.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, redirect, request
from sqlalchemy import select

from ..extensions import db
from ..models import VOCABULARY_MODELS, Municipality, Project
from ..services.curation import MUNICIPALITY_ALIAS, PROJECT_ALIAS, resolve_slug_alias

#: Paths whose query strings name vocabulary entries (DESIGN.md: the same parameters everywhere).
SEARCH_PATHS = ("/search", "/search.atom", "/search/download.zip", "/api/v1/search")
#: Query parameter → SlugAlias.vocabulary.
ALIASED_PARAMETERS = {
    "topic": "topic",
    "type": "type",
    "size_class": "size_class",
    "license": "license",
    "municipality": MUNICIPALITY_ALIAS,
    "project": PROJECT_ALIAS,
}
#: Values looked up per parameter. The search reads no more than 50 values of a filter, and a
#: URL with thousands of them must not cost thousands of queries.
MAX_LOOKUPS_PER_PARAMETER = 50


def current_value(vocabulary: str, value: str) -> str | None:
    """The value to use instead of ``value``, or None when ``value`` is current (or unknown)."""
    if "\x00" in value:
        # No name or slug holds a NUL byte, and PostgreSQL refuses to even compare one.
        return None
    if vocabulary == MUNICIPALITY_ALIAS:
        if db.session.scalar(select(Municipality.id).where(Municipality.name == value)) is not None:
            return None
    elif vocabulary == PROJECT_ALIAS:
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None  # no project has such an id, and no alias was ever made for one
        if db.session.get(Project, int(value)) is not None:
            return None
    else:
        model = VOCABULARY_MODELS[vocabulary]
        if db.session.scalar(select(model.id).where(model.slug == value)) is not None:
            return None
    target = resolve_slug_alias(vocabulary, value)
    return target if target and target != value else None


def redirect_merged_slugs():
    """Redirect a search URL that names a merged entry to the same search with the target."""
    if request.method not in ("GET", "HEAD") or request.path not in SEARCH_PATHS:
        return None
    if not any(key in request.args for key in ALIASED_PARAMETERS):
        return None
    params: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    lookups: dict[str, int] = {}
    changed = False
    for key, value in request.args.items(multi=True):
        if key in ALIASED_PARAMETERS and value and (key, value) not in seen \
                and lookups.get(key, 0) < MAX_LOOKUPS_PER_PARAMETER:
            lookups[key] = lookups.get(key, 0) + 1
            replacement = current_value(ALIASED_PARAMETERS[key], value)
            if replacement is not None:
                value = replacement
                changed = True
        # Two merged entries may now name the same target: keep it once.
        if (key, value) in seen:
            changed = True
            continue
        seen.add((key, value))
        params.append((key, value))
    if not changed:
        return None
    return redirect(f"{request.path}?{urlencode(params)}", code=301)


def init_app(app: Flask) -> None:
    app.before_request(redirect_merged_slugs)
