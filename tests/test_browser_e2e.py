"""End to end in a real headless Chromium: upload → review → search → download.

Playwright drives Debian's ``chromium`` (``/usr/bin/chromium``) through its driver only; no
browser is downloaded. The app runs on a free port of 127.0.0.1 in a background thread with a
fresh database, CSRF protection on, exactly as a browser meets it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import LiveServer, _config, browser_login, make_user, write_docx

# A word only the body of the generated file contains: the visitor finds the document by it.
BODY_WORD = "Pegelmessnetz"
TITLE = "Leistungsbeschreibung Hochwasser-Frühwarnsystem"

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path, template_database, monkeypatch):
    """The app with CSRF on, served on a free port from a background thread."""
    from toolbox import create_app

    database = tmp_path / "toolbox.sqlite3"
    shutil.copyfile(template_database, database)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    config = _config(tmp_path, f"sqlite:///{database}")
    config["WTF_CSRF_ENABLED"] = True
    app = create_app(config)
    with app.app_context():
        from toolbox import search

        search.ensure_index()
    server = LiveServer(app)
    try:
        yield app, server.url
    finally:
        server.stop()


def _logout(page) -> None:
    page.click("nav.user-nav button[type=submit]")
    page.wait_for_load_state()


def test_contributor_uploads_editor_publishes_visitor_finds_and_downloads(module_browser, live_server, tmp_path):
    """A contributor uploads a DOCX with metadata, an editor publishes it, and a visitor finds it
    by a word from its body text, opens it and downloads exactly the uploaded bytes."""
    app, base = live_server
    make_user(app, "projektleitung@musterstadt.example", role="contributor")
    make_user(app, "redaktion@toolbox.example", role="editor")
    source = write_docx(
        tmp_path / "Leistungsbeschreibung_Frühwarnsystem.docx",
        [f"Die Stadt Musterstadt schreibt ein {BODY_WORD} mit zwölf Sensoren an der Schwalm aus.",
         "Die Daten werden über LoRaWAN an die Leitstelle übertragen."],
        author="Erika Mustermann",
    )
    context = module_browser.new_context(accept_downloads=True, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(30_000)

    # The contributor uploads: step 1 the file, step 2 the privacy preview and the metadata.
    browser_login(page, base, "projektleitung@musterstadt.example")
    page.click("text=Hochladen")
    page.set_input_files("#files", str(source))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Was die Dateien über Personen verraten")
    assert "Erika Mustermann" in page.inner_text(".privacy-preview")
    page.fill("#titles-0", TITLE)
    page.fill("#description", "Muster für die Ausschreibung eines Pegelnetzes.")
    page.check("input[name=topics][value=umwelt-wasser]")
    page.select_option("#type", "leistungsbeschreibung-ausschreibung")
    page.fill("#municipality", "Musterstadt")
    page.fill("#population", "8000")
    page.fill("#year", "2024")
    page.select_option("#license", "cc-by-4.0")
    # Removal is ticked because the file names its author; this contributor keeps the name, so
    # that the visitor below downloads exactly the uploaded bytes.
    page.uncheck("#strip_metadata")
    page.check("#confirm_rights")
    page.click("main button:has-text('Zur Prüfung einreichen')")
    page.wait_for_url(f"{base}/my/documents")
    row = page.inner_text("table.data-table")
    assert TITLE in row and "In Prüfung" in row
    _logout(page)

    # The editor publishes it from the review queue.
    browser_login(page, base, "redaktion@toolbox.example")
    page.goto(f"{base}/admin/review")
    assert BODY_WORD in page.inner_text("main")  # the text preview
    page.click("article.review-item button:has-text('Veröffentlichen')")
    page.wait_for_selector("text=ist veröffentlicht")
    _logout(page)

    # A visitor searches a word of the body, opens the document and downloads it.
    page.goto(base)
    page.fill("#header-q", BODY_WORD)
    page.press("#header-q", "Enter")
    page.wait_for_url("**/search?**")
    page.click(f"a:has-text('{TITLE}')")
    page.wait_for_selector(f"h1:has-text('{TITLE}')")
    with page.expect_download() as download_info:
        page.click("a.button:has-text('Herunterladen')")
    download = download_info.value
    assert download.suggested_filename == source.name
    downloaded = Path(download.path()).read_bytes()
    assert downloaded == source.read_bytes()
    context.close()


def test_removal_of_personal_data_is_ticked_right_under_the_findings(module_browser, live_server, tmp_path):
    """When the file names people, step 2 offers "Personenbezogene Angaben entfernen" ticked,
    directly after the findings and the GDPR hint (before any metadata field), and the heading
    above the submit button says what the button says."""
    app, base = live_server
    make_user(app, "projektleitung@musterstadt.example", role="contributor")
    source = write_docx(tmp_path / "Konzept.docx", ["Konzept für das Pegelmessnetz."], author="Erika Mustermann")
    context = module_browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        browser_login(page, base, "projektleitung@musterstadt.example")
        page.goto(f"{base}/upload")
        page.set_input_files("#files", str(source))
        page.click("main button[type=submit]")
        page.wait_for_selector("text=Was die Dateien über Personen verraten")
        checkbox = page.locator("#strip_metadata")
        assert checkbox.is_checked()
        assert page.inner_text("label[for=strip_metadata]").strip() == "Personenbezogene Angaben entfernen"
        # In reading order: the findings, the hint, the option, and only then the first field.
        order = page.evaluate("""() => {
            const all = [...document.querySelectorAll('main *')];
            return ['.privacy-findings', '#gdpr-hint', '#strip_metadata', '#titles-0']
                .map(s => all.indexOf(document.querySelector(s)));
        }""")
        assert -1 not in order and order == sorted(order), order
        between = page.evaluate("""() => {
            const all = [...document.querySelectorAll('main *')];
            const from = all.indexOf(document.querySelector('#gdpr-hint'));
            const to = all.indexOf(document.querySelector('#strip_metadata'));
            return all.slice(from, to).filter(e => /^(INPUT|SELECT|TEXTAREA|H2|H3)$/.test(e.tagName)).length;
        }""")
        assert between == 0
        button = page.inner_text("main form button[type=submit]:has-text('einreichen')").strip()
        heading = page.locator("main h2").last.inner_text().strip()
        assert heading == button == "Zur Prüfung einreichen"
    finally:
        context.close()
