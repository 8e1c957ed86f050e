"""The page viewer of the preview in a real browser: PDF.js, vendored by `make`, draws the pages
from our own origin under the site's Content-Security-Policy, is turned with the keyboard and
passes axe; the text preview stays beneath it."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import live_app, make_document, serve
from toolbox.web.preview import PDFJS_FILES, pdfjs_installed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not pdfjs_installed(Path(__file__).resolve().parent.parent / "static"),
                       reason=f"PDF.js is not vendored ({', '.join(PDFJS_FILES)}): run `make test`, "
                              "which installs it with npm"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_database):
    app = live_app(tmp_path_factory, template_database, "viewer")
    document = make_document(app, title="Leitfaden Sensorik", fmt="pdf",
                             pages=["Leitfaden Sensorik: Einleitung", "Beschaffung der Sensoren", "Betrieb und Wartung"])
    from toolbox.extensions import db
    from toolbox.models import Document
    from toolbox.services.text_preview import text_preview_build

    with app.app_context():
        assert text_preview_build(db.session.get(Document, document.id).current_version)
    for url in serve(app):
        yield url, document.id


def test_the_viewer_draws_pages_and_turns_them_with_the_keyboard(site, browser_page):
    base, document_id = site
    page = browser_page
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}/documents/{document_id}/preview")
    viewer = page.locator(".pdf-viewer")
    viewer.wait_for(state="visible")
    status = page.locator(".pdf-viewer__status")
    assert status.inner_text() == "Seite 1 von 3"
    assert page.locator(".pdf-viewer__previous").get_attribute("aria-disabled") == "true"
    # Something was drawn: the canvas is not blank white.
    inked = page.evaluate("""() => {
        const canvas = document.querySelector('.pdf-viewer__canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) { if (data[i] < 128) dark++; }
        return dark;
    }""")
    assert inked > 50
    page.locator(".pdf-viewer__next").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.pdf-viewer').dataset.page === '2'")
    assert status.inner_text() == "Seite 2 von 3"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.pdf-viewer').dataset.page === '3'")
    assert page.locator(".pdf-viewer__next").get_attribute("aria-disabled") == "true"
    assert page.evaluate("document.activeElement.classList.contains('pdf-viewer__next')")
    # The text preview is still there beneath the viewer.
    assert "Beschaffung der Sensoren" in page.locator("#text-heading + *, section[aria-labelledby=text-heading]").first.inner_text()
    assert all(url.startswith(base + "/") for url in requests), [url for url in requests if not url.startswith(base)]
    assert any(url.endswith("/static/vendor/pdfjs/pdf.worker.min.mjs") for url in requests)
    assert not problems, problems

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    assert not results.response["violations"], [violation["id"] for violation in results.response["violations"]]


def test_without_scripts_the_viewer_stays_hidden_and_the_text_is_the_preview(site, module_browser):
    base, document_id = site
    context = module_browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base}/documents/{document_id}/preview")
        assert not page.locator(".pdf-viewer").is_visible()
        assert page.locator("h3").all_inner_texts() == ["Seite 1", "Seite 2", "Seite 3"]
    finally:
        context.close()
