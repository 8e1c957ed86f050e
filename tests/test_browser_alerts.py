"""Saving a search as an alert in a real browser (issue 14.4), with CSRF on as in production.

A logged-in user saves a filtered search from the results page and finds it at /account/alerts;
a visitor is led to the address form and told to confirm by mail. One browser and one live
server serve the module.
"""
from __future__ import annotations

import pytest

from conftest import DEFAULT_PASSWORD, browser_login, live_app, make_document, serve

pytestmark = pytest.mark.browser

READER = "planung@muecke.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_database):
    from toolbox.extensions import db
    from toolbox.services import users as user_service

    app = live_app(tmp_path_factory, template_database, "alerts")
    with app.app_context():
        user_service.user_create(READER, "contributor", password=DEFAULT_PASSWORD)
        db.session.commit()
    make_document(app, title="Leistungsbeschreibung LoRaWAN-Gateways", text="LoRaWAN Ausschreibung",
                  topics=["infrastruktur-netze-iot"], municipality="Gemeinde Mücke", population=9000)
    yield from serve(app)


@pytest.fixture
def page(browser_page):
    return browser_page


def test_a_user_saves_the_search_from_the_results_page(site, page):
    """The results page offers "Suche speichern" with a frequency; saving returns to the same
    search with a confirmation, and /account/alerts lists the words and the filter."""
    browser_login(page, site, READER)
    page.goto(f"{site}/search?q=LoRaWAN&size_class=kleinstadt")
    section = page.locator("section.save-alert")
    assert section.locator("h2").inner_text() == "Über neue Treffer benachrichtigen"
    section.locator("#alert-frequency").select_option("weekly")
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/search?q=LoRaWAN" in page.url and "size_class=kleinstadt" in page.url
    assert "Die Suche ist gespeichert." in page.inner_text(".flashes")
    page.goto(f"{site}/account/alerts")
    listing = page.inner_text("main")
    assert "Suchwörter „LoRaWAN“" in listing and "Größenklasse: Kleinstadt" in listing
    assert page.locator("select[name$='-frequency']").input_value() == "weekly"


def test_a_visitor_is_asked_for_an_address_and_to_confirm_it(site, page):
    """Without an account the button leads to the address form, which keeps the search; sending it
    says to look into the mailbox (the confirmation mail itself is tested in test_alerts.py)."""
    page.goto(f"{site}/search?q=LoRaWAN&topic=infrastruktur-netze-iot")
    page.locator("section.save-alert button[type=submit]").click()
    page.wait_for_load_state()
    assert "/alerts/new" in page.url
    summary = page.inner_text("ul.alert-criteria")
    assert "Suchwörter „LoRaWAN“" in summary and "Themenfeld: Infrastruktur" in summary
    page.fill("#email", "besuch@gemeinde.example")
    page.click("main form.stacked-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Bitte sehen Sie in Ihr Postfach"
    assert "besuch@gemeinde.example" in page.inner_text("main")
