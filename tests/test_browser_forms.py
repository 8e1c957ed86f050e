"""Forms and layout as a municipal user meets them in a real browser (issue 12: 3, 5 and 15).

A form sent with a mistake puts the reader on the error summary; choosing a file takes away the
stale "choose a file" message; nothing on the contributor's and editor's pages is wider than a
320 px screen or breaks a word in the middle; the header fits one line at 1 280 px. One browser
and one live server serve the module.
"""
from __future__ import annotations

import shutil

import pytest

from conftest import DEFAULT_PASSWORD, LiveServer, _config, browser_login, make_document

pytestmark = pytest.mark.browser

CONTRIBUTOR = "projektleitung@musterstadt.example"
EDITOR = "redaktion@toolbox.example"
ADMIN = "admin@toolbox.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_database):
    """A live app with CSRF on, one account per role and documents of the contributor's."""
    from sqlalchemy import select

    from toolbox import create_app, search
    from toolbox.extensions import db
    from toolbox.models import Document, User
    from toolbox.services import users as user_service
    from toolbox.services.indexing import flush_index_queue

    folder = tmp_path_factory.mktemp("forms")
    shutil.copyfile(template_database, folder / "toolbox.sqlite3")
    config = _config(folder, f"sqlite:///{folder / 'toolbox.sqlite3'}")
    config["WTF_CSRF_ENABLED"] = True
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
        app = create_app(config)
    with app.app_context():
        search.ensure_index()
        user_service.user_create(CONTRIBUTOR, "contributor", password=DEFAULT_PASSWORD)
        user_service.user_create(EDITOR, "editor", password=DEFAULT_PASSWORD)
        user_service.user_create(ADMIN, "admin", password=DEFAULT_PASSWORD)
        db.session.commit()
    common = dict(municipality="Gemeinde Mücke", population=9000, year=2024, license="cc-by-4.0",
                  project="LoRaWAN-Pilot Mücke")
    documents = [
        make_document(app, title="Leistungsbeschreibung LoRaWAN-Gateways für die Gemeinde Mücke",
                      type="leistungsbeschreibung-ausschreibung", topics=["infrastruktur-netze-iot"], **common),
        make_document(app, title="Entwurf Datenschutz-Folgenabschätzung Parksensorik", publish=False,
                      type="datenschutz", topics=["mobilitaet-verkehr"], **common),
    ]
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == CONTRIBUTOR))
        for document in documents:
            db.session.get(Document, document.id).uploader_id = owner.id
        db.session.commit()
        flush_index_queue()
        db.session.remove()
    server = LiveServer(app)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def page(browser_page):
    return browser_page


def test_a_failed_upload_focuses_the_error_summary_and_a_chosen_file_clears_it(site, page, tmp_path):
    """12.3 and 12.5: sent without a file, the page says "Fehler:" in its title and the focus is on
    the summary, whose link leads to the file field; choosing a file then removes the message."""
    browser_login(page, site, CONTRIBUTOR)
    page.goto(site + "/upload")
    assert page.locator("label[for=files] .required-mark").inner_text() == " (Pflichtfeld)"
    page.click("main form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Fehler: Dokumente hochladen")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.click("#error-summary a[href='#files']")
    assert page.evaluate("document.activeElement.id") == "files"
    assert page.inner_text("#files-error") == "Bitte wählen Sie mindestens eine Datei aus."

    source = tmp_path / "konzept.txt"
    source.write_text("Ein Konzept.\n", encoding="utf-8")
    page.set_input_files("#files", str(source))
    assert page.locator("#files-error").count() == 0
    assert page.locator("#error-summary").count() == 0
    assert page.get_attribute("#files", "aria-invalid") is None
    assert "files-error" not in (page.get_attribute("#files", "aria-describedby") or "")
    assert page.title() == "Dokumente hochladen – Smart Region Toolbox"
    assert "konzept.txt" in page.inner_text("#files-chosen")


def test_a_failed_login_focuses_the_error_summary(site, page):
    page.goto(site + "/login")
    page.fill("#email", CONTRIBUTOR)
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Fehler: Anmelden")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-summary a").all_inner_texts() == ["Passwort: Bitte geben Sie Ihr Passwort ein."]
