"""Forms and layout as a municipal user meets them in a real browser (issue 12: 3, 5 and 15).

A form sent with a mistake puts the reader on the error summary; choosing a file takes away the
stale "choose a file" message; nothing on the contributor's and editor's pages is wider than a
320 px screen or breaks a word in the middle; the header fits one line at 1 280 px. One browser
and one live server serve the module.
"""
from __future__ import annotations


import pytest

from conftest import DEFAULT_PASSWORD, browser_login, live_app, make_document, serve

pytestmark = pytest.mark.browser

CONTRIBUTOR = "projektleitung@musterstadt.example"
EDITOR = "redaktion@toolbox.example"
ADMIN = "admin@toolbox.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_database):
    """A live app with CSRF on, one account per role and documents of the contributor's."""
    from sqlalchemy import select

    from toolbox.extensions import db
    from toolbox.models import Document, User
    from toolbox.services import users as user_service

    app = live_app(tmp_path_factory, template_database, "forms")
    with app.app_context():
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
    yield from serve(app)


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


# --- layout: 320 px and 1 280 px (issue 12.15) ------------------------------------------------

#: The words of ``text`` inside ``selector`` that the browser laid out over more than one line.
SPLIT_WORDS = """([selector, text]) => {
    const el = [...document.querySelectorAll(selector)].find(e => e.textContent.includes(text));
    if (!el) return ['not found: ' + text];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const split = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(/[\\p{L}\\p{N}-]+/gu)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
            if (tops.size > 1) split.push(match[0]);
        }
    }
    return split;
}"""


def _narrow(page):
    page.set_viewport_size({"width": 320, "height": 640})


def test_no_nested_brackets_and_slashes_break_between_words_at_320px(site, page):
    """"Gemeinde Mücke (Kleinstadt (…))" reads badly; and "Leistungsbeschreibung/Ausschreibung"
    may wrap after the slash, never inside a word."""
    _narrow(page)
    page.goto(site + "/search?q=LoRaWAN")
    meta = page.inner_text("main .meta-line")
    assert "Gemeinde Mücke" in meta
    assert "((" not in meta and "))" not in meta, meta
    document_id = page.get_attribute("main a[href^='/documents/']", "href")
    page.goto(site + document_id)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate(SPLIT_WORDS, ["main dd", "Leistungsbeschreibung/Ausschreibung"]) == []
    page.goto(site + "/search?q=LoRaWAN")
    assert page.evaluate(SPLIT_WORDS, ["main .search-filters label, main .search-filters a",
                                       "Leistungsbeschreibung/Ausschreibung"]) == []


def test_my_documents_fit_320px_with_their_actions_on_screen(site, page):
    """The own documents become cards on a small screen: nothing to scroll sideways, every
    action visible without scrolling the table."""
    browser_login(page, site, CONTRIBUTOR)
    _narrow(page)
    page.goto(site + "/my/documents")
    widths = page.evaluate("""() => [document.documentElement.scrollWidth,
        ...[...document.querySelectorAll('.table-scroll')].map(e => e.scrollWidth)]""")
    assert max(widths) <= 320, widths
    actions = page.locator("main td.actions a, main td.actions button")
    assert actions.count() >= 4
    for i in range(actions.count()):
        box = actions.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (actions.nth(i).inner_text(), box)
    # each card still says what its values are
    labels = page.evaluate("""() => [...document.querySelectorAll('main tbody tr:first-child td')]
        .map(td => getComputedStyle(td, '::before').content)""")
    assert labels == ['"Titel"', '"Status"', '"Datei"', '"Hochgeladen"', '"Nutzung"', '"Aktionen"'], labels


#: The vertical centre of each element of the header, by group.
HEADER_ROWS = """() => {
    const centre = e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2);
    const all = s => [...document.querySelectorAll(s)].map(centre);
    return {tools: all('.site-header .brand, .site-header .header-search, .site-header .user-nav li'),
            nav: all('.site-header .main-nav li')};
}"""


def test_header_does_not_wrap_at_1280px_for_any_role(site, page):
    """At 1 280 px a visitor's header is one line; a logged-in user's has two planned rows –
    brand, search and account links, then the navigation as a bar – and no link wraps off its row."""
    for email in (None, CONTRIBUTOR, EDITOR, ADMIN):
        page.context.clear_cookies()
        if email:
            browser_login(page, site, email)
        page.goto(site + "/")
        rows = page.evaluate(HEADER_ROWS)
        assert max(rows["tools"]) - min(rows["tools"]) <= 4, (email, rows)
        assert max(rows["nav"]) - min(rows["nav"]) <= 4, (email, rows)
        if email is None:
            assert abs(rows["nav"][0] - rows["tools"][0]) <= 4, rows
        else:
            assert rows["nav"][0] > max(rows["tools"]), rows


def test_editors_navigation_marks_the_current_page_and_counts_waiting_documents(site, page):
    browser_login(page, site, EDITOR)
    page.goto(site + "/admin/review")
    current = page.locator(".admin-nav a[aria-current=page]")
    assert current.count() == 1
    assert current.inner_text().startswith("Prüfung")
    assert "1" in page.inner_text(".admin-nav a[href='/admin/review']")
    page.goto(site + "/admin/vocabularies/type")
    assert page.inner_text(".admin-nav a[aria-current=page]") == "Dokumenttypen"
    assert page.locator(".site-header a[aria-current=page]").inner_text() == "Redaktion"
