"""The JavaScript enhancements in a real browser: instant facets and sort, drag-and-drop upload.

Both are progressive: the same pages work without JavaScript (tests/test_accessibility.py holds
them to that). Here the scripts run, and the tests check what a visitor notices: the page is not
reloaded (a marker set on ``window`` survives), the address and the counts follow the filter,
focus stays where it was, Back and Forward walk through the filters, and a dropped file is
uploaded through the ordinary form. One browser and one live server serve the module.
"""
from __future__ import annotations


import pytest

from conftest import DEFAULT_PASSWORD, browser_login, live_app, make_document, serve

pytestmark = pytest.mark.browser

CONTRIBUTOR = "projektleitung@musterstadt.example"
MOBILITY = "input[type=checkbox][name=topic][value=mobilitaet-verkehr]"
UPLOAD_LIMIT_MB = 1


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_database):
    """A live app with CSRF on, a 1 MB upload limit, a contributor and three published documents."""
    from toolbox.extensions import db
    from toolbox.services import users as user_service

    app = live_app(tmp_path_factory, template_database, "enhancements", MAX_UPLOAD_MB=UPLOAD_LIMIT_MB)
    with app.app_context():
        user_service.user_create(CONTRIBUTOR, "contributor", password=DEFAULT_PASSWORD)
        db.session.commit()
    common = dict(municipality="Musterstadt", population=8000, year=2024, license="cc-by-4.0")
    make_document(app, title="Datenstrategie Musterstadt", text="Datenstrategie für offene Daten",
                  topics=["daten-plattformen"], type="konzept-strategie", **common)
    make_document(app, title="Leistungsbeschreibung LoRaWAN", text="Datenstrategie Gateways Parkraum",
                  topics=["infrastruktur-netze-iot", "mobilitaet-verkehr"],
                  type="leistungsbeschreibung-ausschreibung", **common)
    make_document(app, title="Datenschutz-Folgenabschätzung Parken", text="Datenstrategie Datenschutz Sensoren",
                  topics=["verwaltung-e-government", "mobilitaet-verkehr"], type="datenschutz", **common)
    yield from serve(app)


@pytest.fixture
def page(browser_page):
    return browser_page


def _hits(page) -> list[str]:
    return page.locator(".search-hits h3 a").all_inner_texts()


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def _wait_for_count(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('.result-count').textContent.trim() === t", arg=text)


def test_a_facet_and_the_sort_apply_without_reloading_the_page(site, page):
    """Ticking a topic or choosing a sort order updates hits, counts, address and announcement in
    place; focus stays on the control; Back and Forward restore each state; nothing reloads."""
    page.goto(f"{site}/search?q=Datenstrategie")
    assert page.inner_text(".result-count") == "3 Treffer"
    page.evaluate("window.stillTheSamePage = 'ja'")
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))

    page.check(MOBILITY)
    page.wait_for_url("**topic=mobilitaet-verkehr**")
    _wait_for_count(page, "2 Treffer")
    assert sorted(_hits(page)) == ["Datenschutz-Folgenabschätzung Parken", "Leistungsbeschreibung LoRaWAN"]
    assert page.inner_text("#search-announcer") == "2 Treffer"
    assert _focused(page, MOBILITY) and page.is_checked(MOBILITY)
    # The other facets were counted again within the new selection.
    assert page.locator("#facet-type label").all_inner_texts() == [
        "Leistungsbeschreibung/Ausschreibung (1)", "Datenschutz (DSFA, Verarbeitungsverzeichnis) (1)"]
    assert "Datenstrategie – 2 Treffer" in page.title()

    page.select_option("#sort", "title")
    page.wait_for_url("**sort=title**")
    page.wait_for_function("() => document.querySelector('.search-hits h3 a').textContent.startsWith('Datenschutz')")
    assert _hits(page) == ["Datenschutz-Folgenabschätzung Parken", "Leistungsbeschreibung LoRaWAN"]
    assert "topic=mobilitaet-verkehr" in page.url
    assert _focused(page, "#sort")

    page.go_back()
    page.wait_for_function("() => !location.search.includes('sort=title')")
    page.wait_for_function("() => document.querySelector('#sort').value === 'relevance'")
    assert page.is_checked(MOBILITY)
    page.go_back()
    page.wait_for_function("() => !location.search.includes('topic=')")
    _wait_for_count(page, "3 Treffer")
    assert not page.is_checked(MOBILITY)
    page.go_forward()
    _wait_for_count(page, "2 Treffer")
    assert page.is_checked(MOBILITY)

    # A filter sent with Enter or with the form's button is applied in place as well.
    page.fill("#f-year-from", "2024")
    page.press("#f-year-from", "Enter")
    page.wait_for_url("**year_from=2024**")
    assert _focused(page, "#f-year-from") and page.input_value("#f-year-from") == "2024"
    page.focus(".search-filters [type=submit]")
    page.fill("#f-year-from", "")
    page.focus(".search-filters [type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !location.search.includes('year_from')")
    _wait_for_count(page, "2 Treffer")
    assert _focused(page, ".search-filters [type=submit]")
    assert page.evaluate("window.stillTheSamePage") == "ja"
    assert loads == []


DROP = """([name, size]) => {
    const transfer = new DataTransfer();
    const body = size ? new Uint8Array(size).fill(65) : 'Konzept für das Ablegen von Dateien mit der Maus.';
    transfer.items.add(new File([body], name, {type: 'text/plain'}));
    const zone = document.getElementById('files-drop');
    for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }
}"""


def test_focus_stays_where_the_visitor_moved_while_the_page_updated(site, page):
    """A keyboard user ticks a facet and tabs on before the answer arrives: the update keeps
    focus on the control they moved to, so their next key press acts where they are."""
    page.goto(f"{site}/search?q=Datenstrategie")
    held: list = []
    page.route("**/search?*topic=*", lambda route: held.append(route))  # hold the answer back
    page.focus(MOBILITY)
    page.keyboard.press("Space")
    page.wait_for_function("() => true")
    assert len(held) == 1
    page.keyboard.press("Tab")
    moved_to = page.evaluate("() => document.activeElement.name + '=' + document.activeElement.value")
    assert moved_to != "topic=mobilitaet-verkehr"
    held[0].continue_()
    page.unroute("**/search?*topic=*")
    page.wait_for_url("**topic=mobilitaet-verkehr**")
    _wait_for_count(page, "2 Treffer")
    name, value = moved_to.split("=", 1)
    assert _focused(page, f"[name='{name}'][value='{value}']")
    page.keyboard.press("Space")  # acts on the control the visitor is on, not on the topic
    page.wait_for_url(f"**{name}={value}**")
    assert page.is_checked(MOBILITY)


def test_a_dropped_file_is_checked_listed_and_uploaded_through_the_form(site, page):
    """A file over the limit dropped on the zone is refused in the page with the German size
    message, linked to the file field, and nothing is put in the input; a file within the limit
    fills the real file input, is listed with its size and is uploaded by the ordinary form.
    Without JavaScript the zone is never shown."""
    browser_login(page, site, CONTRIBUTOR)
    served = page.context.request.get(f"{site}/upload").text()
    assert 'id="files-drop" hidden' in served
    page.goto(f"{site}/upload")
    assert page.is_visible("#files-drop")

    page.evaluate(DROP, ["Riesig.txt", UPLOAD_LIMIT_MB * 1024 * 1024 + 1])
    message = page.inner_text("#files-client-error")
    assert message == "„Riesig.txt“ (1 MB): Die Datei ist zu groß. Erlaubt sind höchstens 1 MB."
    assert "files-client-error" in page.get_attribute("#files", "aria-describedby")
    assert page.get_attribute("#files", "aria-invalid") == "true"
    assert page.evaluate("document.getElementById('files').files.length") == 0

    page.evaluate(DROP, ["Abgelegt.txt", 0])
    assert page.locator("#files-client-error").count() == 0
    assert page.get_attribute("#files", "aria-invalid") is None
    assert page.inner_text("#files-chosen .chosen-files-heading") == "Ausgewählt:"
    assert page.locator("#files-chosen li").all_inner_texts() == ["Abgelegt.txt – 50 B"]
    assert page.evaluate("document.getElementById('files').files[0].name") == "Abgelegt.txt"
    page.click("main form button[type=submit]")
    page.wait_for_selector("#titles-0")
    assert "Abgelegt.txt" in page.inner_text("main")


def _tabs_to(page, selector: str, limit: int = 40) -> int | None:
    """How many Tab presses move focus from where it is to the first element matching ``selector``."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return presses
    return None


def test_on_a_narrow_screen_the_filters_fold_away_and_the_hits_come_first(site, module_browser):
    """At 320 px the filters start closed behind a "Filter" disclosure, so the first hit is a few
    Tab presses from the search box; "Zu den Ergebnissen" jumps past them; opened, the filters
    still apply at once and stay open. At 1 280 px they are open from the start."""
    context = module_browser.new_context(locale="de-DE", viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{site}/search?q=Datenstrategie")
        assert page.evaluate("document.querySelector('.filter-disclosure').open") is False
        assert not page.is_visible(".search-filters")
        page.focus("#search-q")
        assert _tabs_to(page, ".search-hits h3 a") <= 8
        # The skip link is visible here and lands on the results.
        page.click("text=Zu den Ergebnissen")
        assert _focused(page, "#results")
        assert _tabs_to(page, ".search-hits h3 a") <= 4
        hits_top = page.evaluate("document.querySelector('.search-hits').getBoundingClientRect().top + scrollY")
        assert hits_top < 1100, hits_top  # about 1 800 px with the filters in the way
        page.click(".filter-summary")
        page.check(MOBILITY)
        _wait_for_count(page, "2 Treffer")
        assert page.evaluate("document.querySelector('.filter-disclosure').open") is True
        assert "(1 aktiv)" in page.inner_text(".filter-summary")
    finally:
        context.close()
    context = module_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site}/search?q=Datenstrategie")
        assert page.is_visible(".search-filters") and page.is_visible(MOBILITY)
    finally:
        context.close()


def test_without_javascript_the_filter_disclosure_opens_and_closes(site, module_browser):
    """The filters are a <details>: served open, and the summary folds them without any script."""
    context = module_browser.new_context(locale="de-DE", viewport={"width": 320, "height": 800},
                                         java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site}/search?q=Datenstrategie")
        assert page.is_visible(MOBILITY)
        page.click(".filter-summary")
        assert not page.is_visible(MOBILITY)
        page.click(".filter-summary")
        assert page.is_visible(MOBILITY)
        assert page.get_attribute(".results-skip a", "href") == "#results"
    finally:
        context.close()
