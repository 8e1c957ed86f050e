"""Role matrix: every URL rule of the app × every kind of user → the expected status.

The rows come from ``app.url_map``: a rule (or method) without a row in ``EXPECTED`` fails
``test_every_rule_has_an_expectation`` with "new route without a rule". Whoever adds a route
adds its row here, in the same change; whoever removes one removes the row.

Users, in column order: a visitor (not logged in), the contributor who uploaded the documents
(``owner``), another contributor (``other``), an editor and an admin. Path arguments are filled
with real objects made through the services (see ``_build_world``); POST requests carry no form
fields, so an allowed POST answers with the form's validation result (200/400) or with the
action's redirect (302), a refused one with 403, 404 or the redirect to the login (302).

GET requests share one world (they change nothing that matters here); every POST case runs on a
fresh copy of the world, so one action cannot influence the next.
"""
from __future__ import annotations

import io
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from toolbox import create_app
from toolbox.extensions import db
from toolbox.models import ROLE_ADMIN, ROLE_CONTRIBUTOR, ROLE_EDITOR, SynonymGroup
from toolbox.permissions import required_role

from conftest import DEFAULT_PASSWORD, _config

ROLES = ("visitor", "owner", "other", "editor", "admin")

# (rule, method) -> statuses for (visitor, owner, other, editor, admin)
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int, int]] = {
    # --- public pages --------------------------------------------------------------------------
    ("/", "GET"): (200, 200, 200, 200, 200),
    ("/static/<path:filename>", "GET"): (200, 200, 200, 200, 200),
    ("/favicon.ico", "GET"): (200, 200, 200, 200, 200),
    ("/documents/<int:document_id>", "GET"): (200, 200, 200, 200, 200),
    ("/documents/<int:document_id>/download", "GET"): (200, 200, 200, 200, 200),
    ("/documents/<int:document_id>/versions/<int:number>/download", "GET"): (200, 200, 200, 200, 200),
    # the searchable PDF of a recognised scan; the world's document is no scan
    ("/documents/<int:document_id>/searchable", "GET"): (404, 404, 404, 404, 404),
    # thumbnails are made by a background job, which the world does not run
    ("/documents/<int:document_id>/thumbnail.png", "GET"): (404, 404, 404, 404, 404),
    # the preview, asked for the owner's submitted document: shown to whoever may download it
    ("/documents/<int:document_id>/preview", "GET"): (404, 200, 404, 200, 200),
    # the PDF of the viewer; the world's document is a text file, which has none
    ("/documents/<int:document_id>/view.pdf", "GET"): (404, 404, 404, 404, 404),
    ("/search", "GET"): (200, 200, 200, 200, 200),
    ("/search/download.zip", "GET"): (200, 200, 200, 200, 200),
    ("/search.atom", "GET"): (200, 200, 200, 200, 200),
    # --- for harvesters, crawlers and browsers (issue 15) -----------------------------------------
    ("/catalog.ttl", "GET"): (200, 200, 200, 200, 200),
    ("/catalog.rdf", "GET"): (200, 200, 200, 200, 200),
    ("/catalog.jsonld", "GET"): (200, 200, 200, 200, 200),
    ("/sitemap.xml", "GET"): (200, 200, 200, 200, 200),
    ("/sitemap-<int:number>.xml", "GET"): (200, 200, 200, 200, 200),
    ("/robots.txt", "GET"): (200, 200, 200, 200, 200),
    ("/opensearch.xml", "GET"): (200, 200, 200, 200, 200),
    # --- JSON API: read for everyone; upload only with an API token, never with the session ----
    ("/api/v1/search", "GET"): (200, 200, 200, 200, 200),
    ("/api/v1/suggest", "GET"): (200, 200, 200, 200, 200),
    ("/api/v1/vocabularies", "GET"): (200, 200, 200, 200, 200),
    ("/api/v1/openapi.json", "GET"): (200, 200, 200, 200, 200),
    ("/api/v1/documents/<int:document_id>", "GET"): (200, 200, 200, 200, 200),
    ("/api/v1/documents", "POST"): (401, 401, 401, 401, 401),
    # --- accounts ------------------------------------------------------------------------------
    ("/login", "GET"): (200, 302, 302, 302, 302),
    ("/login", "POST"): (200, 200, 200, 200, 200),
    ("/logout", "POST"): (302, 302, 302, 302, 302),
    ("/invite/<token>", "GET"): (200, 200, 200, 200, 200),
    ("/invite/<token>", "POST"): (200, 200, 200, 200, 200),
    ("/account", "GET"): (302, 200, 200, 200, 200),
    ("/account/password", "GET"): (302, 200, 200, 200, 200),
    ("/account/password", "POST"): (302, 200, 200, 200, 200),
    ("/account/token", "POST"): (302, 200, 200, 200, 200),
    ("/account/token/revoke", "POST"): (302, 302, 302, 302, 302),
    ("/account/settings", "POST"): (302, 400, 400, 400, 400),
    ("/account/email", "GET"): (302, 200, 200, 200, 200),
    ("/account/email", "POST"): (302, 400, 400, 400, 400),
    # following and the Merkliste (issue 14): every account has its own lists
    ("/account/following", "GET"): (302, 200, 200, 200, 200),
    ("/account/following/<int:document_id>", "POST"): (302, 302, 302, 302, 302),
    ("/account/following/<int:document_id>/delete", "POST"): (302, 302, 302, 302, 302),
    ("/account/merkliste", "GET"): (302, 200, 200, 200, 200),
    ("/account/merkliste/<int:document_id>", "POST"): (302, 302, 302, 302, 302),
    ("/account/merkliste/<int:document_id>/delete", "POST"): (302, 302, 302, 302, 302),
    # the world's Merkliste is empty: the page says so
    ("/account/merkliste.zip", "GET"): (302, 404, 404, 404, 404),
    # mailed links: the link is the key, so anyone holding it may use it; the matrix's token is no such link
    ("/email/confirm/<token>", "GET"): (404, 404, 404, 404, 404),
    ("/email/confirm/<token>", "POST"): (404, 404, 404, 404, 404),
    ("/password/forgot", "GET"): (200, 200, 200, 200, 200),
    ("/password/forgot", "POST"): (400, 400, 400, 400, 400),
    ("/password/reset/<token>", "GET"): (404, 404, 404, 404, 404),
    ("/password/reset/<token>", "POST"): (404, 404, 404, 404, 404),
    # --- contributing: own documents; another contributor's are not even shown to exist --------
    ("/upload", "GET"): (302, 200, 200, 200, 200),
    ("/upload", "POST"): (302, 400, 400, 400, 400),
    ("/upload/<token>", "GET"): (302, 200, 302, 302, 302),
    ("/upload/<token>", "POST"): (302, 400, 302, 302, 302),
    ("/upload/<token>/discard", "POST"): (302, 302, 302, 302, 302),
    ("/my/documents", "GET"): (302, 200, 200, 200, 200),
    ("/my/documents/<int:document_id>/edit", "GET"): (302, 200, 404, 200, 200),
    ("/my/documents/<int:document_id>/edit", "POST"): (302, 400, 404, 400, 400),
    ("/my/documents/<int:document_id>/version", "GET"): (302, 200, 404, 200, 200),
    ("/my/documents/<int:document_id>/version", "POST"): (302, 400, 404, 400, 400),
    # The world's staged upload is a first upload, not a version of this document: back to step 1.
    ("/my/documents/<int:document_id>/version/<token>", "GET"): (302, 302, 404, 302, 302),
    ("/my/documents/<int:document_id>/version/<token>", "POST"): (302, 302, 404, 302, 302),
    ("/my/documents/<int:document_id>/versions/<int:number>/download", "GET"): (302, 200, 404, 200, 200),
    # The world's document is published: resubmitting it is refused with a message and a redirect.
    ("/my/documents/<int:document_id>/resubmit", "POST"): (302, 302, 404, 302, 302),
    ("/my/documents/<int:document_id>/withdraw", "GET"): (302, 200, 404, 200, 200),
    ("/my/documents/<int:document_id>/withdraw", "POST"): (302, 302, 404, 302, 302),
    # --- editorial office ----------------------------------------------------------------------
    ("/admin", "GET"): (302, 403, 403, 200, 200),
    ("/admin/", "GET"): (302, 403, 403, 200, 200),
    ("/admin/review", "GET"): (302, 403, 403, 200, 200),
    ("/admin/documents", "GET"): (302, 403, 403, 200, 200),
    ("/admin/documents/<int:document_id>", "GET"): (302, 403, 403, 200, 200),
    ("/admin/documents/<int:document_id>/publish", "POST"): (302, 403, 403, 302, 302),
    ("/admin/documents/<int:document_id>/reject", "POST"): (302, 403, 403, 400, 400),
    ("/admin/documents/<int:document_id>/trash", "GET"): (302, 403, 403, 200, 200),
    ("/admin/documents/<int:document_id>/trash", "POST"): (302, 403, 403, 302, 302),
    ("/admin/documents/<int:document_id>/restore", "POST"): (302, 403, 403, 302, 302),
    ("/admin/documents/<int:document_id>/versions/<int:number>/download", "GET"): (302, 403, 403, 200, 200),
    # The owner's published document has a waiting new version in the world.
    ("/admin/documents/<int:document_id>/change/accept", "POST"): (302, 403, 403, 302, 302),
    ("/admin/documents/<int:document_id>/change/reject", "POST"): (302, 403, 403, 400, 400),
    ("/admin/documents/<int:document_id>/change/download", "GET"): (302, 403, 403, 200, 200),
    ("/admin/trash", "GET"): (302, 403, 403, 200, 200),
    ("/admin/jobs", "GET"): (302, 403, 403, 200, 200),
    ("/admin/trash/empty", "POST"): (302, 403, 403, 403, 400),
    ("/admin/vocabularies", "GET"): (302, 403, 403, 302, 302),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>", "GET"): (302, 403, 403, 200, 200),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>", "POST"): (302, 403, 403, 400, 400),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>/<int:entry_id>", "GET"):
        (302, 403, 403, 200, 200),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>/<int:entry_id>", "POST"):
        (302, 403, 403, 400, 400),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>/<int:entry_id>/active", "POST"):
        (302, 403, 403, 302, 302),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>/<int:entry_id>/merge", "POST"):
        (302, 403, 403, 400, 400),
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>/<int:entry_id>/move", "POST"):
        (302, 403, 403, 400, 400),
    # the DCAT-AP.de mapping is the admins' (an empty form clears the topic's theme)
    ("/admin/vocabularies/<any(topic, type, size_class, license):vocabulary>/<int:entry_id>/dcat", "POST"):
        (302, 403, 403, 403, 302),
    ("/admin/municipalities", "GET"): (302, 403, 403, 200, 200),
    ("/admin/municipalities/<int:municipality_id>", "GET"): (302, 403, 403, 200, 200),
    ("/admin/municipalities/<int:municipality_id>", "POST"): (302, 403, 403, 400, 400),
    ("/admin/municipalities/<int:municipality_id>/merge", "POST"): (302, 403, 403, 400, 400),
    ("/admin/projects", "GET"): (302, 403, 403, 200, 200),
    ("/admin/projects/<int:project_id>", "GET"): (302, 403, 403, 200, 200),
    ("/admin/projects/<int:project_id>", "POST"): (302, 403, 403, 400, 400),
    ("/admin/projects/<int:project_id>/merge", "POST"): (302, 403, 403, 400, 400),
    ("/admin/synonyms", "GET"): (302, 403, 403, 200, 200),
    ("/admin/synonyms", "POST"): (302, 403, 403, 400, 400),
    ("/admin/synonyms/<int:group_id>", "GET"): (302, 403, 403, 200, 200),
    ("/admin/synonyms/<int:group_id>", "POST"): (302, 403, 403, 400, 400),
    # without "confirmed" the first step only shows what the deletion does
    ("/admin/synonyms/<int:group_id>/delete", "POST"): (302, 403, 403, 200, 200),
    # --- administration: admins only ----------------------------------------------------------
    ("/admin/users", "GET"): (302, 403, 403, 403, 200),
    ("/admin/users", "POST"): (302, 403, 403, 403, 400),
    ("/admin/users/<int:user_id>/role", "POST"): (302, 403, 403, 403, 302),
    ("/admin/users/<int:user_id>/deactivate", "POST"): (302, 403, 403, 403, 302),
    ("/admin/users/<int:user_id>/reactivate", "POST"): (302, 403, 403, 403, 302),
    ("/admin/users/<int:user_id>/invite", "POST"): (302, 403, 403, 403, 200),
    ("/admin/audit", "GET"): (302, 403, 403, 403, 200),
    ("/admin/feedback", "GET"): (302, 403, 403, 403, 200),
    ("/admin/feedback/<int:feedback_id>/status", "POST"): (302, 403, 403, 403, 302),
    # --- legal pages and the accessibility feedback form: for everyone ------------------------
    ("/impressum", "GET"): (200, 200, 200, 200, 200),
    ("/datenschutz", "GET"): (200, 200, 200, 200, 200),
    ("/barrierefreiheit", "GET"): (200, 200, 200, 200, 200),
    ("/barrierefreiheit", "POST"): (400, 400, 400, 400, 400),
    ("/leichte-sprache", "GET"): (200, 200, 200, 200, 200),
    # --- saved searches and alerts (issue 14.4) -------------------------------------------------
    ("/alerts/new", "GET"): (200, 200, 200, 200, 200),
    # an account saves the (empty) search at once; a visitor must give an address
    ("/alerts/new", "POST"): (400, 302, 302, 302, 302),
    # mailed links: the link is the key; the matrix's token is no such link
    ("/alerts/confirm/<token>", "GET"): (404, 404, 404, 404, 404),
    ("/alerts/confirm/<token>", "POST"): (404, 404, 404, 404, 404),
    ("/alerts/unsubscribe/<token>", "GET"): (404, 404, 404, 404, 404),
    # the one-click unsubscribe answers alike whether or not the alert (still) exists
    ("/alerts/unsubscribe/<token>", "POST"): (200, 200, 200, 200, 200),
    ("/account/alerts", "GET"): (302, 200, 200, 200, 200),
    # the owner's alert: another account is not even shown that it exists
    ("/account/alerts/<int:alert_id>", "POST"): (302, 303, 404, 404, 404),
    ("/account/alerts/<int:alert_id>/delete", "POST"): (302, 303, 404, 404, 404),
    # --- "Wir nutzen das nach": anyone reports (an empty form is 400), editors decide -----------
    ("/documents/<int:document_id>/reuse", "GET"): (200, 200, 200, 200, 200),
    ("/documents/<int:document_id>/reuse", "POST"): (400, 400, 400, 400, 400),
    ("/admin/reuse", "GET"): (302, 403, 403, 200, 200),
    ("/admin/reuse/<int:report_id>/approve", "POST"): (302, 403, 403, 302, 302),
    ("/admin/reuse/<int:report_id>/reject", "POST"): (302, 403, 403, 302, 302),
}

#: Where every 302 for a visitor must lead, so that a 302 is never taken on trust.
LOGIN_PREFIX = "/login?next="


@dataclass
class World:
    folder: Path
    config: dict
    ids: dict
    cookies: dict  # role -> session cookie value


def _app_for(world_folder: Path, config: dict, monkeypatch) -> Flask:
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(world_folder / "instance"))
    return create_app(config)


@contextmanager
def _instance_dir(path: Path):
    """Module-scoped fixtures cannot use monkeypatch; set and restore the variable by hand."""
    previous = os.environ.get("TOOLBOX_INSTANCE_DIR")
    os.environ["TOOLBOX_INSTANCE_DIR"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TOOLBOX_INSTANCE_DIR", None)
        else:
            os.environ["TOOLBOX_INSTANCE_DIR"] = previous


def _world_config(folder: Path) -> dict:
    return _config(folder, f"sqlite:///{folder / 'toolbox.sqlite3'}")


def _build_world(folder: Path, template_database: Path) -> World:
    """Users, documents in several states, a staged upload and an invitation, all via services."""
    from toolbox import search
    from toolbox.models import Document
    from toolbox.services import contribute, review
    from toolbox.services import users as user_service
    from toolbox.services.indexing import flush_index_queue
    from toolbox.services.ingest import DocumentMetadata
    from toolbox.services.vocabularies import vocabulary_entries
    from toolbox.services.feedback import feedback_submit
    from toolbox.services.reuse import reuse_report_submit

    shutil.copyfile(template_database, folder / "toolbox.sqlite3")
    config = _world_config(folder)
    with _instance_dir(folder / "instance"):
        app = create_app(config)
        ids: dict = {}
        with app.app_context():
            search.ensure_index()
            make = user_service.user_create
            owner = make("owner@example.org", "contributor", password=DEFAULT_PASSWORD)
            make("other@example.org", "contributor", password=DEFAULT_PASSWORD)
            editor = make("editor@example.org", "editor", password=DEFAULT_PASSWORD)
            make("admin@example.org", "admin", password=DEFAULT_PASSWORD)
            target = make("target@example.org", "contributor", password=DEFAULT_PASSWORD)
            ids["user_id"] = target.id

            def upload(title: str, text: str) -> int:
                metadata = DocumentMetadata(
                    title=title, topics=["mobilitaet-verkehr"], municipality="Musterstadt", population=8000,
                    project="LoRaWAN-Pilot Musterstadt", year=2024, license="cc-by-4.0")
                result = contribute.document_upload(owner, io.BytesIO(text.encode()), f"{title}.txt", metadata)
                assert result.status == contribute.OUTCOME_INGESTED, result.message
                return result.document_id

            published = upload("Leistungsbeschreibung LoRaWAN", "Gateways und Sensoren für die Parkraumerfassung")
            submitted = upload("Datenstrategie Entwurf", "Entwurf einer Datenstrategie für den Landkreis")
            trashed = upload("Alte Präsentation", "Folien zur Auftaktveranstaltung")
            review.document_publish(editor, db.session.get(Document, published))
            review.document_trash(editor, db.session.get(Document, trashed))
            contribute.document_version_add(owner, db.session.get(Document, published),
                                             io.BytesIO(b"Gateways, Sensoren und Funkplanung"), "neu.txt")
            flush_index_queue()
            document = db.session.get(Document, published)
            ids.update(published=published, submitted=submitted, trashed=trashed,
                       municipality_id=document.municipality_id, project_id=document.project_id)
            ids["entry_id"] = vocabulary_entries("topic")[0].id
            ids["feedback_id"] = feedback_submit("Der Kontrast der Fußzeile ist zu schwach.").id
            ids["group_id"] = db.session.scalar(select(SynonymGroup.id).order_by(SynonymGroup.id))
            from werkzeug.datastructures import MultiDict

            from toolbox.services.alerts import alert_create

            ids["alert_id"] = alert_create(owner, MultiDict([("q", "LoRaWAN")]), "daily")[0].id
            ids["report_id"] = reuse_report_submit(document, "Nachbarstadt", "Als Vorlage übernommen").id
            staging = contribute.upload_stage(owner, [(io.BytesIO(b"Notizen zum Projekt"), "notizen.txt")])
            ids["upload_token"] = staging.token
            ids["invite_token"] = user_service.invitation_create(target)
        cookies = {}
        for role, email in [("owner", "owner@example.org"), ("other", "other@example.org"),
                            ("editor", "editor@example.org"), ("admin", "admin@example.org")]:
            client = app.test_client()
            response = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
            assert response.status_code == 302, role
            cookies[role] = client.get_cookie("session").value
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return World(folder=folder, config=config, ids=ids, cookies=cookies)


@pytest.fixture(scope="module")
def world(tmp_path_factory, template_database) -> World:
    folder = tmp_path_factory.mktemp("matrix-world")
    return _build_world(folder, template_database)


def _copy_world(world: World, target: Path) -> tuple[Path, dict]:
    shutil.copytree(world.folder, target)
    return target, _world_config(target)


#: Which document a rule's ``document_id`` stands for; the default is the owner's published one.
DOCUMENT_FOR = {
    "admin.document_publish": "submitted",
    "preview.document_preview": "submitted",
    "admin.document_reject": "submitted",
    "admin.document_restore": "trashed",
}


def _url(rule, ids: dict) -> str:
    values = {}
    for argument in rule.arguments:
        if argument == "document_id":
            values[argument] = ids[DOCUMENT_FOR.get(rule.endpoint, "published")]
        elif argument == "number":
            values[argument] = 1
        elif argument == "vocabulary":
            values[argument] = "topic"
        elif argument == "filename":
            values[argument] = "toolbox.css"
        elif argument == "token":
            values[argument] = ids["invite_token"] if rule.endpoint.startswith("auth.") else ids["upload_token"]
        else:
            values[argument] = ids[argument]
    return rule.build(values, append_unknown=False)[1]


def _rule_methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _client(app, world: World, role: str):
    client = app.test_client()
    if role != "visitor":
        client.set_cookie("session", world.cookies[role])
    return client


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={})


def _check(response, role: str, expected: int, rule: str, method: str) -> None:
    label = f"{method} {rule} as {role}"
    assert response.status_code == expected, f"{label}: {response.status_code}, expected {expected}"
    assert response.status_code != 500, label
    if role == "visitor" and expected == 302:
        # A visitor's 302 must be the way to the login page, never a silent pass.
        location = response.headers["Location"]
        assert location.startswith(LOGIN_PREFIX), f"{label} → {location}"


def test_every_rule_has_an_expectation(app):
    """Every (rule, method) of the URL map has a row, and every row still has its rule."""
    present = {(rule.rule, method) for rule in app.url_map.iter_rules() for method in _rule_methods(rule)}
    missing = sorted(present - set(EXPECTED))
    assert not missing, "new route without a rule in tests/test_role_matrix.py: " + ", ".join(
        f"{method} {rule}" for rule, method in missing)
    stale = sorted(set(EXPECTED) - present)
    assert not stale, "rows for routes that no longer exist: " + ", ".join(f"{m} {r}" for r, m in stale)


#: Paths that are never public: a rule under them without a guard fails even if its row says 200.
PRIVATE_PREFIXES = ("/admin", "/my/", "/upload", "/account")


def _role_the_row_describes(statuses: tuple[int, ...]) -> str | None:
    """Visitors sent to the login page means a guard: admins only if editors get 403, editors
    if both contributors get 403, else any account. Other rows are open (or use API tokens)."""
    visitor, owner, other, editor, _admin = statuses
    if visitor != 302:
        return None
    if editor == 403:
        return ROLE_ADMIN
    if owner == other == 403:
        return ROLE_EDITOR
    return ROLE_CONTRIBUTOR


def test_every_route_declares_the_role_its_row_describes(app):
    """Each view is guarded by ``permissions.role_required`` (on the view or its blueprint) with
    the role its matrix row describes, and nothing under the private paths is left unguarded."""
    for rule in app.url_map.iter_rules():
        declared = required_role(app, rule.endpoint)
        if rule.rule.startswith(PRIVATE_PREFIXES):
            assert declared is not None, f"{rule.rule} ({rule.endpoint}) has no role_required guard"
        for method in _rule_methods(rule):
            expected = _role_the_row_describes(EXPECTED[(rule.rule, method)])
            assert declared == expected, f"{method} {rule.rule}: guard {declared}, row describes {expected}"


def _cases(method_filter: str):
    return [pytest.param(rule, method, id=f"{method} {rule}") for (rule, method) in EXPECTED if method == method_filter]


@pytest.fixture(scope="module")
def world_app(world, tmp_path_factory):
    """One app on a copy of the world for all GET requests."""
    folder, config = _copy_world(world, tmp_path_factory.mktemp("matrix-get") / "world")
    with _instance_dir(folder / "instance"):
        application = create_app(config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _rules_by_key(app) -> dict:
    return {(rule.rule, method): rule for rule in app.url_map.iter_rules() for method in _rule_methods(rule)}


@pytest.mark.parametrize("rule, method", _cases("GET"))
def test_get_matrix(world, world_app, rule, method):
    """Each kind of user gets the expected status on every GET route."""
    rules = _rules_by_key(world_app)
    if (rule, method) not in rules:
        pytest.fail(f"row for a route that does not exist: {method} {rule}")
    url = _url(rules[(rule, method)], world.ids)
    for role, expected in zip(ROLES, EXPECTED[(rule, method)]):
        response = _request(_client(world_app, world, role), method, url)
        response.close()
        _check(response, role, expected, rule, method)
        if role != "visitor" and not rule.startswith("/static/"):
            # Whatever a logged-in user is answered may be private: no cache may keep it.
            assert response.headers.get("Cache-Control") == "no-store", f"GET {rule} as {role}"


@pytest.mark.parametrize("rule, method", _cases("POST"))
@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(world, tmp_path, monkeypatch, rule, method, role):
    """Each kind of user gets the expected status on every POST route, each on a fresh world."""
    folder, config = _copy_world(world, tmp_path / "world")
    application = _app_for(folder, config, monkeypatch)
    try:
        rules = _rules_by_key(application)
        if (rule, method) not in rules:
            pytest.fail(f"row for a route that does not exist: {method} {rule}")
        url = _url(rules[(rule, method)], world.ids)
        expected = EXPECTED[(rule, method)][ROLES.index(role)]
        response = _request(_client(application, world, role), method, url)
        _check(response, role, expected, rule, method)
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_get_on_post_only_routes_is_405(world_app, world):
    """A GET on a path that only takes POST answers 405 for everybody, and changes nothing."""
    rules = list(world_app.url_map.iter_rules())
    get_paths = {rule.rule for rule in rules if "GET" in rule.methods}
    checked = 0
    for rule in rules:
        if "GET" in rule.methods or rule.rule in get_paths:
            continue
        url = _url(rule, world.ids)
        for role in ROLES:
            response = _client(world_app, world, role).get(url)
            assert response.status_code == 405, f"GET {rule.rule} as {role}: {response.status_code}"
        checked += 1
    assert checked >= 10
