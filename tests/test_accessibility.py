"""Accessibility in a real browser: axe-core (WCAG 2.1 A and AA) finds nothing on any page.

Every page is checked once for each role whose view of it differs (the header changes with the
role), in German; the main pages also in English. Screenshots of the main pages at 1280 px and
375 px land in ``test-artifacts/screenshots/`` for review. One browser and one live server serve
the whole module.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import DEFAULT_PASSWORD, LiveServer, browser_login, live_app

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
EMAILS = {
    "contributor": "projektleitung@musterstadt.example",
    "editor": "redaktion@toolbox.example",
    "admin": "admin@toolbox.example",
}


@dataclass
class Site:
    url: str
    app: object
    ids: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_database):
    """A live app with CSRF on: users of every role, published, submitted and trashed documents."""
    from toolbox.extensions import db
    from toolbox.models import Document
    from toolbox.services import contribute, review
    from toolbox.services import users as user_service
    from toolbox.services.indexing import flush_index_queue
    from toolbox.services.ingest import DocumentMetadata
    from toolbox.services.vocabularies import vocabulary_entries

    app = live_app(tmp_path_factory, template_database, "a11y")
    ids: dict = {}
    with app.app_context():
        users = {role: user_service.user_create(email, role, password=DEFAULT_PASSWORD)
                 for role, email in EMAILS.items()}
        owner, editor = users["contributor"], users["editor"]

        def upload(title: str, text: str, topics: list[str], kind: str) -> int:
            metadata = DocumentMetadata(
                title=title, description=f"{title}: Muster aus einem abgeschlossenen Projekt.", topics=topics,
                type=kind, municipality="Musterstadt", population=8000, project="LoRaWAN-Pilot Musterstadt",
                year=2024, license="cc-by-4.0", contact="digitalisierung@musterstadt.example")
            result = contribute.document_upload(owner, io.BytesIO(text.encode()), f"{title}.txt", metadata)
            assert result.status == contribute.OUTCOME_INGESTED, result.message
            return result.document_id

        published = [
            upload("Datenstrategie Musterstadt", "Datenstrategie für offene Daten und Datenplattform",
                   ["daten-plattformen", "strategie-organisation"], "konzept-strategie"),
            upload("Leistungsbeschreibung LoRaWAN", "Datenstrategie Gateways Sensoren Parkraum",
                   ["infrastruktur-netze-iot", "mobilitaet-verkehr"], "leistungsbeschreibung-ausschreibung"),
            upload("Datenschutz-Folgenabschätzung Parken", "Datenstrategie Datenschutz Sensoren",
                   ["verwaltung-e-government", "mobilitaet-verkehr"], "datenschutz"),
        ]
        submitted = upload("Entwurf Mobilitätskonzept", "Entwurf eines Konzepts", ["mobilitaet-verkehr"],
                           "konzept-strategie")
        trashed = upload("Alte Präsentation", "Folien zur Auftaktveranstaltung", ["mobilitaet-verkehr"],
                         "konzept-strategie")
        for document_id in published:
            review.document_publish(editor, db.session.get(Document, document_id))
        review.document_trash(editor, db.session.get(Document, trashed))
        flush_index_queue()
        document = db.session.get(Document, published[0])
        ids.update(published=published[0], submitted=submitted, municipality=document.municipality_id,
                   project=document.project_id, topic=vocabulary_entries("topic")[0].id)
        # the contributor follows one document and notes two, so that both lists have entries
        from toolbox.services import follow

        follow.document_follow(owner, published[0])
        for document_id in published[:2]:
            follow.bookmark_add(owner, document_id)
        staging = contribute.upload_stage(owner, [(io.BytesIO(b"Notizen zum Projekt"), "notizen.txt")])
        ids["upload_token"] = staging.token
        several = contribute.upload_stage(owner, [(io.BytesIO(b"DSFA zum Projekt"), "dsfa.txt"),
                                                  (io.BytesIO(b"Beschlussvorlage zum Projekt"), "beschluss.txt")])
        ids["upload_token_several"] = several.token
        # the feedback inbox with one open and one answered report, each with its status form
        from toolbox.services.feedback import feedback_set_status, feedback_submit

        feedback_submit("Der Filter-Knopf hat keinen Namen.", page="/search", email="erika@example.org")
        feedback_set_status(users["admin"], feedback_submit("Kontrast der Fußzeile").id, "answered")
        # "Wir nutzen das nach": one approved reuse on the document page, one report waiting.
        from toolbox.services.reuse import reuse_report_approve, reuse_report_submit

        reused = db.session.get(Document, published[0])
        reuse_report_approve(editor, reuse_report_submit(reused, "Beispielhausen", "Als Vorlage übernommen").id)
        reuse_report_submit(reused, "Nachbardorf", "Für den Ratsbeschluss angepasst", "it@nachbardorf.example")
        # A waiting change (new title and file) of one published document, and a new version of
        # another one staged with personal data, so that their pages show everything they can.
        from privacy_fixtures import docx_with_personal_data

        changed = db.session.get(Document, published[1])
        edit = review.document_metadata(changed)
        edit.title = "Leistungsbeschreibung LoRaWAN, zweite Fassung"
        review.document_update(owner, changed, edit)
        contribute.document_version_add(owner, changed, io.BytesIO(b"Gateways, Sensoren, Funkplanung"), "neu.txt")
        staged = docx_with_personal_data(tmp_path_factory.mktemp("a11y-files") / "fassung-2.docx")
        with staged.open("rb") as stream:
            ids["version_token"] = contribute.document_version_stage(
                owner, db.session.get(Document, published[2]), stream, "fassung-2.docx").token
        ids.update(changed=published[1], restaged=published[2])
        from sqlalchemy import select

        from toolbox.models import SynonymGroup

        ids["synonym"] = db.session.scalar(select(SynonymGroup.id).order_by(SynonymGroup.id))
        # A workbook, a presentation and a PDF, with their text previews made as the job would.
        from extract_fixtures import write_text_pdf
        from office_factories import write_feature_pptx, write_feature_xlsx
        from toolbox.services.ingest import ingest_file
        from toolbox.services.text_preview import text_preview_build

        files = tmp_path_factory.mktemp("a11y-previews")
        for key, path in (("sheet", write_feature_xlsx(files / "kostenplan.xlsx")),
                          ("slides", write_feature_pptx(files / "ratspraesentation.pptx")),
                          ("pdf", write_text_pdf(files / "leitfaden.pdf", ["Leitfaden Sensorik, Seite eins",
                                                                           "Beschaffung, Seite zwei"]))):
            outcome = ingest_file(path, DocumentMetadata(title=f"Vorschau {path.stem}"), filename=path.name,
                                  publish=True)
            assert outcome.status == "ingested", outcome.message
            assert text_preview_build(db.session.get(Document, outcome.document_id).current_version)
            ids[f"preview_{key}"] = outcome.document_id
        # A withdrawn document, so that "Erneut einreichen" is on the contributor's list.
        review.document_withdraw(owner, db.session.get(Document, upload(
            "Verworfener Entwurf", "Ein zurückgezogener Entwurf", ["mobilitaet-verkehr"], "konzept-strategie")))
        # Mailed links, read from the outbox as the worker would send them: a password reset (the
        # request's job run here) and an e-mail change.
        import re

        from toolbox.models import Job, OutboxMail
        from toolbox.services.account_mail import email_change_request, password_reset_request
        from toolbox.services.jobs import job_run

        password_reset_request(EMAILS["editor"])
        job_run(db.session.scalar(db.select(Job.id).where(Job.kind == "password_reset")))
        email_change_request(owner, "neue-adresse@musterstadt.example", DEFAULT_PASSWORD)
        # Saved searches: the contributor's own (for /account/alerts and its unsubscribe page) and
        # a visitor's request waiting for confirmation.
        from werkzeug.datastructures import MultiDict

        from toolbox.services.alerts import alert_create, alert_request

        search = MultiDict([("q", "Datenstrategie"), ("topic", "mobilitaet-verkehr")])
        ids["unsubscribe_path"] = f"/alerts/unsubscribe/{alert_create(owner, search, 'weekly')[0].unsubscribe_token}"
        alert_request("besuch@musterstadt.example", search, "daily", "de")
        for kind, key in (("password_reset", "reset_path"), ("email_change_confirm", "email_confirm_path"),
                          ("alert_confirm", "alert_confirm_path")):
            body = db.session.scalar(db.select(OutboxMail.body_text).where(OutboxMail.kind == kind))
            ids[key] = re.search(r"https?://[^/\s]+(/\S+)", body).group(1)
        db.session.remove()
    server = LiveServer(app)
    try:
        yield Site(url=server.url, app=app, ids=ids)
    finally:
        server.stop()


def _pages(ids: dict) -> dict[str, list[tuple[str, str]]]:
    """(name, path) per role; a logged-in role repeats the start page because its header differs."""
    return {
        "visitor": [
            ("start", "/"),
            ("search", "/search?q=Datenstrategie"),
            ("search-facets", "/search?q=Datenstrategie&topic=mobilitaet-verkehr&type=leistungsbeschreibung-ausschreibung"),
            ("search-empty", "/search?q=Quantencomputer"),
            ("search-corrected", "/search?q=Datenstrategei"),
            ("document", f"/documents/{ids['published']}"),
            ("preview-text", f"/documents/{ids['published']}/preview"),
            ("preview-sheet", f"/documents/{ids['preview_sheet']}/preview"),
            ("preview-slides", f"/documents/{ids['preview_slides']}/preview"),
            ("preview-pdf", f"/documents/{ids['preview_pdf']}/preview"),
            ("login", "/login"),
            ("password-forgot", "/password/forgot"),
            ("password-reset", ids["reset_path"]),
            ("email-confirm", ids["email_confirm_path"]),
            ("link-invalid", "/password/reset/abgelaufen"),
            ("alert-new", "/alerts/new?q=Datenstrategie&topic=mobilitaet-verkehr"),
            ("alert-confirm", ids["alert_confirm_path"]),
            ("alert-unsubscribe", ids["unsubscribe_path"]),
            ("error-404", "/documents/999999"),
            ("imprint", "/impressum"),
            ("privacy", "/datenschutz"),
            ("accessibility", "/barrierefreiheit"),
            ("easy-language", "/leichte-sprache"),
            ("reuse-form", f"/documents/{ids['published']}/reuse"),
        ],
        "contributor": [
            ("start", "/"),
            ("upload", "/upload"),
            ("upload-details", f"/upload/{ids['upload_token']}"),
            ("upload-details-several", f"/upload/{ids['upload_token_several']}"),
            ("my-documents", "/my/documents"),
            ("edit", f"/my/documents/{ids['submitted']}/edit"),
            ("preview-unpublished", f"/documents/{ids['submitted']}/preview"),
            ("new-version", f"/my/documents/{ids['published']}/version"),
            ("withdraw-confirm", f"/my/documents/{ids['published']}/withdraw"),
            ("new-version-check", f"/my/documents/{ids['restaged']}/version/{ids['version_token']}"),
            ("document-change-waiting", f"/documents/{ids['changed']}"),
            ("account", "/account"),
            ("following", "/account/following"),
            ("merkliste", "/account/merkliste"),
            ("search-member", "/search?q=Datenstrategie"),
            ("document-member", f"/documents/{ids['published']}"),
            ("password", "/account/password"),
            ("email-change", "/account/email"),
            ("alerts", "/account/alerts"),
            ("error-403", "/admin/review"),
        ],
        "editor": [
            ("start", "/"),
            ("account-editor", "/account"),
            ("dashboard", "/admin"),
            ("jobs", "/admin/jobs"),
            ("review", "/admin/review"),
            ("documents", "/admin/documents"),
            ("document-admin", f"/admin/documents/{ids['submitted']}"),
            ("trash-confirm", f"/admin/documents/{ids['published']}/trash"),
            ("document-admin-change", f"/admin/documents/{ids['changed']}"),
            ("trash", "/admin/trash"),
            ("vocabulary", "/admin/vocabularies/topic"),
            ("vocabulary-entry", f"/admin/vocabularies/topic/{ids['topic']}"),
            ("municipalities", "/admin/municipalities"),
            ("municipality", f"/admin/municipalities/{ids['municipality']}"),
            ("projects", "/admin/projects"),
            ("project", f"/admin/projects/{ids['project']}"),
            ("synonyms", "/admin/synonyms"),
            ("synonym", f"/admin/synonyms/{ids['synonym']}"),
            ("reuse-queue", "/admin/reuse"),
        ],
        "admin": [
            ("start", "/"),
            ("users", "/admin/users"),
            ("audit", "/admin/audit"),
            ("feedback", "/admin/feedback"),
            # with the DCAT-AP.de mapping, which only admins see
            ("vocabulary-entry-dcat", f"/admin/vocabularies/topic/{ids['topic']}"),
        ],
    }


SCREENSHOT_PAGES = {"start", "search-facets", "document", "preview-sheet", "upload", "upload-details", "upload-details-several", "new-version-check", "review",
                    "users", "login"}


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.response["passes"], "axe-core checked nothing"
    found = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} – {targets}")
    return found


def _settle(page) -> None:
    """Wait for the preview's page viewer to draw its first page: axe then checks it as shown,
    and leaving earlier would cut the PDF.js worker's download short (the live server then
    drops an open file, a ResourceWarning in whichever test runs next)."""
    viewer = page.locator(".pdf-viewer[data-src]")
    if viewer.count():
        viewer.wait_for(state="visible")


def _check(page, base: str, role: str, name: str, path: str, problems: list[str], locale: str = "de") -> None:
    response = page.goto(base + path)
    _settle(page)
    assert response is not None
    for violation in _violations(page):
        problems.append(f"{role} {locale} {name} {path}: {violation}")
    assert page.locator("h1").count() == 1, f"{role} {name}: not exactly one h1"
    assert page.get_attribute("html", "lang") == locale
    if name in SCREENSHOT_PAGES:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in ((1280, 900), (375, 800)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{role}-{locale}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("role", ["visitor", "contributor", "editor", "admin"])
def test_no_wcag_violations(module_browser, site, role):
    """axe-core reports no WCAG 2.1 A/AA violation on any page this role can see."""
    context = module_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        if role != "visitor":
            browser_login(page, site.url, EMAILS[role])
        problems: list[str] = []
        for name, path in _pages(site.ids)[role]:
            _check(page, site.url, role, name, path, problems)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_no_wcag_violations_in_english(module_browser, site):
    """The English pages are as accessible as the German ones and say lang="en"."""
    context = module_browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        problems: list[str] = []
        for name, path in _pages(site.ids)["visitor"][:5]:
            _check(page, site.url, "visitor", name, path, problems, locale="en")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_merge_confirmation_passes_axe(module_browser, site):
    """The merge form's first submit shows the confirmation page (a POST answer, so not in the
    page list); it names the impact and passes axe. The merge itself is not confirmed here."""
    context = module_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        browser_login(page, site.url, EMAILS["editor"])
        page.goto(f"{site.url}/admin/vocabularies/topic/{site.ids['topic']}")
        page.locator("#target").select_option(index=2)
        page.get_by_role("button", name="Zusammenführen").click()
        assert "zusammenführen?" in page.locator("h1").inner_text()
        assert "verschoben" in page.locator("main").inner_text()
        problems = _violations(page)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_error_pages_413_and_500(module_browser, site):
    """The 413 and 500 pages, rendered by the app and shown in the browser, pass axe too."""
    from toolbox.web.errors import render_error

    context = module_browser.new_context(locale="de-DE")
    page = context.new_page()
    problems: list[str] = []
    try:
        for status in (413, 500):
            with site.app.test_request_context("/", headers={"Accept-Language": "de"}):
                body = render_error(status).get_data(as_text=True)

            def answer(route, _request=None, body=body, status=status):
                route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

            page.route(f"{site.url}/error-{status}", answer)
            _check(page, site.url, "visitor", f"error-{status}", f"/error-{status}", problems)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("role", ["visitor", "contributor", "editor", "admin"])
def test_narrow_screen_has_no_horizontal_scrolling(module_browser, site, role):
    """At 320 px width (WCAG 1.4.10 reflow) every page of every role fits: nothing forces the
    page to scroll sideways. A wide table may scroll inside its own labelled, focusable region."""
    context = module_browser.new_context(locale="de-DE", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        if role != "visitor":
            browser_login(page, site.url, EMAILS[role])
        too_wide = []
        for name, path in _pages(site.ids)[role]:
            page.goto(site.url + path)
            _settle(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                culprits = page.evaluate(WIDEST_ELEMENTS)
                too_wide.append(f"{name}: {width}px {culprits}")
            if name in SCREENSHOT_PAGES or name in ("audit", "my-documents"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{role}-de-320.png"), full_page=True)
        assert not too_wide, "\n".join(too_wide)
    finally:
        context.close()


# The innermost elements that stick out past the right edge: where a fix has to start.
WIDEST_ELEMENTS = """() => {
    const out = [];
    for (const el of document.querySelectorAll('main *, header *, footer *')) {
        const box = el.getBoundingClientRect();
        if (box.right > 321 && ![...el.children].some(c => c.getBoundingClientRect().right > 321)) {
            out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                     (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
                     ' ' + Math.round(box.right));
        }
    }
    return out.slice(0, 4);
}"""


# --- keyboard and no-JavaScript operation ------------------------------------------------------

KEYBOARD_TOPIC = "input[type=checkbox][name=topic][value=mobilitaet-verkehr]"
KEYBOARD_TYPE = "input[type=checkbox][name=type][value=leistungsbeschreibung-ausschreibung]"
KEYBOARD_TITLE = "Leistungsbeschreibung LoRaWAN"


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``; fail if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reachable with Tab within {limit} steps")


def test_search_filter_open_and_download_with_the_keyboard_only(module_browser, site):
    """Search, choose two facets, open a document and download it with Tab, Space and Enter only."""
    context = module_browser.new_context(locale="de-DE", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(site.url + "/")
        _tab_to(page, "#header-q")
        page.keyboard.type("Datenstrategie")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?**")
        _tab_to(page, KEYBOARD_TOPIC)
        page.keyboard.press("Space")
        _tab_to(page, KEYBOARD_TYPE)
        page.keyboard.press("Space")
        _tab_to(page, ".search-filters button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url("**type=leistungsbeschreibung-ausschreibung**")
        assert "topic=mobilitaet-verkehr" in page.url
        assert page.is_checked(KEYBOARD_TOPIC) and page.is_checked(KEYBOARD_TYPE)
        _tab_to(page, f"a[href^='/documents/{site.ids['published'] + 1}?back=']")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"h1:has-text('{KEYBOARD_TITLE}')")
        _tab_to(page, "a.button[href$='/download']")
        with page.expect_download() as download_info:
            page.keyboard.press("Enter")
        assert download_info.value.suggested_filename == f"{KEYBOARD_TITLE}.txt"
    finally:
        context.close()


def test_main_flow_without_javascript(module_browser, site):
    """With JavaScript off a visitor still searches, filters, opens and downloads a document."""
    context = module_browser.new_context(locale="de-DE", accept_downloads=True, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(site.url + "/")
        page.fill("#header-q", "Datenstrategie")
        page.press("#header-q", "Enter")
        page.wait_for_url("**/search?**")
        page.check(KEYBOARD_TOPIC)
        page.check(KEYBOARD_TYPE)
        page.click(".search-filters button[type=submit]")
        page.wait_for_url("**type=leistungsbeschreibung-ausschreibung**")
        hits = page.locator("main h2 a, main h3 a").all_inner_texts()
        assert KEYBOARD_TITLE in hits, hits
        page.click(f"a:has-text('{KEYBOARD_TITLE}')")
        page.wait_for_selector(f"h1:has-text('{KEYBOARD_TITLE}')")
        with page.expect_download() as download_info:
            page.click("a.button[href$='/download']")
        assert download_info.value.suggested_filename == f"{KEYBOARD_TITLE}.txt"
    finally:
        context.close()


def _mark(page, selector: str) -> str:
    """A CSS selector for the element a Playwright selector (e.g. with :has-text) finds."""
    page.locator(selector).first.evaluate("el => el.setAttribute('data-keyboard-target', '')")
    return "[data-keyboard-target]"


def _choose(page, selector: str, text: str, value: str) -> None:
    """Pick an option of a closed select by typing its start, as keyboard users do."""
    _tab_to(page, selector)
    page.keyboard.type(text)
    assert page.input_value(selector) == value, f"{selector}: typing {text!r} chose {page.input_value(selector)!r}"


def test_upload_and_publish_with_the_keyboard_only(module_browser, site, tmp_path):
    """A contributor uploads and submits, an editor publishes, both with the keyboard only (the
    operating system's file dialog is the one step a test cannot press keys in)."""
    source = tmp_path / "Tastaturkonzept.txt"
    source.write_text("Konzept für die Bedienung mit der Tastatur.\n", encoding="utf-8")
    context = module_browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        browser_login(page, site.url, EMAILS["contributor"])
        page.goto(site.url + "/upload")
        _tab_to(page, "#files")
        page.set_input_files("#files", str(source))
        _tab_to(page, "main form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_selector("#titles-0")
        _tab_to(page, "#titles-0")
        page.keyboard.press("Control+A")
        page.keyboard.type("Tastaturkonzept")
        _tab_to(page, "#description")
        page.keyboard.type("Wie die Toolbox ohne Maus bedient wird.")
        _tab_to(page, "input[name=topics][value=verwaltung-e-government]")
        page.keyboard.press("Space")
        _choose(page, "#type", "Konzept", "konzept-strategie")
        _tab_to(page, "#municipality")
        page.keyboard.type("Musterstadt")
        _tab_to(page, "#year")
        page.keyboard.type("2024")
        _choose(page, "#license", "CC BY 4", "cc-by-4.0")
        _tab_to(page, "#confirm_rights")
        page.keyboard.press("Space")
        _tab_to(page, _mark(page, "button:has-text('Zur Prüfung einreichen')"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{site.url}/my/documents")
        assert "Tastaturkonzept" in page.inner_text("main")
        page.context.clear_cookies()

        browser_login(page, site.url, EMAILS["editor"])
        page.goto(site.url + "/admin/review")
        item = "article.review-item:has-text('Tastaturkonzept') button:has-text('Veröffentlichen')"
        page.wait_for_selector(item)
        _tab_to(page, _mark(page, item), limit=300)
        page.keyboard.press("Enter")
        page.wait_for_selector("text=„Tastaturkonzept“ ist veröffentlicht.")
    finally:
        context.close()


def test_forms_with_errors(module_browser, site):
    """A refused login and an empty barrier report show their errors accessibly (axe, and the
    message is linked to its field)."""
    context = module_browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    try:
        page.goto(site.url + "/barrierefreiheit")
        page.click("section.feedback button[type=submit]")
        page.wait_for_selector("#message-error")
        assert page.get_attribute("#message", "aria-describedby") == "message-error"
        for violation in _violations(page):
            problems.append(f"feedback form with errors: {violation}")
        page.goto(site.url + "/login")
        page.fill("#email", EMAILS["contributor"])
        page.fill("#password", "falsches Passwort")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        for violation in _violations(page):
            problems.append(f"login with errors: {violation}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
