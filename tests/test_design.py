"""The look: KERN UX from npm when `make` installed it, our own stylesheet when not.

Pages link the vendored KERN stylesheet and fonts exactly when they are installed and not
switched off, and the fallback stylesheet otherwise. Everything a page loads comes from the app
itself: no stylesheet, font or image from a third party (privacy; the registry is only asked at
install time). In a real browser the KERN pages use the self-hosted Fira Sans, show a focus ring
on every control reached with Tab, do not shift while fonts load, and the fallback pages pass
axe-core as well. The Makefile's install step never fails the build: without npm or registry it
says so in one line.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import DEFAULT_PASSWORD, LiveServer, _config, browser_login, make_document

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "kern"
KERN_LINKS = ('href="/static/vendor/kern/fonts/fira-sans.css"', 'href="/static/vendor/kern/kern.min.css"')
FALLBACK_LINK = 'href="/static/kern-fallback.css"'
OWN_LINK = 'href="/static/toolbox.css"'
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)">')

needs_kern = pytest.mark.skipif(
    not (VENDOR / "kern.min.css").is_file(),
    reason="KERN UX is not installed in static/vendor/kern/ (run `make test`, which installs it with npm)")


def _stylesheets(html: str) -> list[str]:
    return STYLESHEET.findall(html)


def test_kern_counts_as_installed_only_with_every_linked_file(tmp_path):
    """A half-finished copy (stylesheet without the font CSS, or the reverse) is not used."""
    from toolbox.web.design import kern_installed

    assert not kern_installed(tmp_path)
    kern = tmp_path / "vendor" / "kern"
    (kern / "fonts").mkdir(parents=True)
    (kern / "kern.min.css").write_text("")
    assert not kern_installed(tmp_path)
    (kern / "fonts" / "fira-sans.css").write_text("")
    assert kern_installed(tmp_path)
    (kern / "kern.min.css").unlink()
    assert not kern_installed(tmp_path)


@pytest.mark.parametrize(("installed", "switched_on", "expected"), [
    (True, True, "kern"), (True, False, "fallback"), (False, True, "fallback"), (False, False, "fallback")])
def test_pages_link_kern_when_installed_and_only_then(app_config, tmp_path, monkeypatch, installed, switched_on,
                                                      expected):
    """KERN's font CSS and stylesheet come first and our own after them; without KERN (or with
    TOOLBOX_KERN=0) the fallback takes their place. Error pages follow the same decision."""
    from toolbox import create_app
    from toolbox.web import design

    monkeypatch.setattr(design, "kern_installed", lambda static_dir: installed)
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app({**app_config, "KERN": switched_on})
    assert app.config["TOOLBOX_KERN_ACTIVE"] is (expected == "kern")
    client = app.test_client()
    for path, status in (("/", 200), ("/search?q=Daten", 200), ("/login", 200), ("/documents/999999", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        sheets = _stylesheets(response.get_data(as_text=True))
        if expected == "kern":
            assert sheets == ["/static/vendor/kern/fonts/fira-sans.css", "/static/vendor/kern/kern.min.css",
                              "/static/toolbox.css", "/static/search.css"], path
        else:
            assert sheets == ["/static/kern-fallback.css", "/static/toolbox.css", "/static/search.css"], path


def test_the_operator_switch_is_read_from_the_environment(monkeypatch):
    """TOOLBOX_KERN=0 keeps the own stylesheet; unset, KERN is used when installed."""
    from toolbox.config import load_settings

    assert load_settings({})["KERN"] is True
    assert load_settings({"TOOLBOX_KERN": "0"})["KERN"] is False


#: An address on another host: "//host.tld", "http://host.tld", "https://host.tld".
FOREIGN_URL = re.compile(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}")


def _urls_in_css(text: str) -> list[str]:
    return [m.strip("'\" ") for m in re.findall(r"url\(([^)]*)\)", text)]


def _fetch(client, path: str) -> tuple[int, str, bytes]:
    """Status, media type and body of a GET; static files are streamed and must be closed."""
    with client.get(path) as response:
        return response.status_code, response.mimetype, response.get_data()


def _assert_own_origin(client, css_path: str, seen: set[str]) -> None:
    """Every url() of a served stylesheet is a data: URL or a file the app serves itself."""
    status, mimetype, body = _fetch(client, css_path)
    assert status == 200, css_path
    assert mimetype == "text/css", css_path
    text = body.decode("utf-8")
    assert "@import" not in text, f"{css_path} imports another stylesheet"
    without_data = re.sub(r"url\((['\"]?)data:[^)]*\)", "", text)
    foreign = FOREIGN_URL.search(without_data)
    assert not foreign, f"{css_path} names another origin: {foreign.group(0)}"
    for url in _urls_in_css(text):
        if url.startswith("data:"):
            continue
        target = urljoin(css_path, url)
        assert urlsplit(target).netloc == "", f"{css_path}: {url}"
        if target not in seen:
            seen.add(target)
            assert _fetch(client, target)[0] == 200, f"{css_path} names {url}, which is not served"


@needs_kern
def test_kern_stylesheets_and_fonts_are_served_from_our_own_origin(client):
    """The vendored KERN CSS and Fira Sans CSS name no other origin and every font they need is
    served by the app; so is the page's every other stylesheet and script."""
    html = client.get("/").get_data(as_text=True)
    for link in KERN_LINKS:
        assert link in html
    assert FALLBACK_LINK not in html
    seen: set[str] = set()
    for sheet in _stylesheets(html):
        _assert_own_origin(client, sheet, seen)
    fonts = sorted(path for path in seen if path.endswith(".woff2"))
    assert fonts and all(path.startswith("/static/vendor/kern/fonts/fira-sans/") for path in fonts), fonts
    for src in re.findall(r'<script src="([^"]+)"', html):
        assert src.startswith("/static/"), src


def test_fallback_stylesheet_needs_nothing_from_elsewhere(client):
    """The own stylesheets load no fonts, images or imports from anywhere."""
    for sheet in ("/static/kern-fallback.css", "/static/toolbox.css", "/static/search.css"):
        status, _mimetype, body = _fetch(client, sheet)
        assert status == 200
        text = body.decode("utf-8")
        assert "@import" not in text and "url(" not in text and "@font-face" not in text, sheet


# --- in a real browser ----------------------------------------------------------------------

CONTRIBUTOR = "projektleitung@musterstadt.example"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _site(tmp_path_factory, template_database, name: str, kern: bool):
    from toolbox import create_app, search
    from toolbox.extensions import db
    from toolbox.services import contribute
    from toolbox.services import users as user_service
    from toolbox.services.indexing import flush_index_queue
    from toolbox.services.ingest import DocumentMetadata

    folder = tmp_path_factory.mktemp(name)
    shutil.copyfile(template_database, folder / "toolbox.sqlite3")
    config = _config(folder, f"sqlite:///{folder / 'toolbox.sqlite3'}")
    config.update(WTF_CSRF_ENABLED=True, KERN=kern)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOOLBOX_INSTANCE_DIR", str(folder / "instance"))
        app = create_app(config)
    with app.app_context():
        search.ensure_index()
        owner = user_service.user_create(CONTRIBUTOR, "contributor", password=DEFAULT_PASSWORD)
        # An upload of the contributor's own, so that "Meine Dokumente" shows its table.
        upload = contribute.document_upload(owner, io.BytesIO(b"Entwurf eines Konzepts"), "Entwurf.txt",
                                            DocumentMetadata(title="Entwurf Mobilitaetskonzept", type="konzept-strategie"))
        assert upload.status == contribute.OUTCOME_INGESTED, upload.message
        db.session.commit()
    common = dict(municipality="Musterstadt", population=8000, year=2024, license="cc-by-4.0",
                  type="konzept-strategie")
    first = make_document(app, title="Datenstrategie Musterstadt", text="Datenstrategie für offene Daten",
                          topics=["daten-plattformen"], **common)
    make_document(app, title="Parkraumkonzept Musterstadt", text="Datenstrategie Parkraum Sensoren",
                  topics=["mobilitaet-verkehr"], **common)
    with app.app_context():
        flush_index_queue()
        db.session.remove()
    return app, first.id


@dataclass
class Site:
    url: str
    document_id: int

    @property
    def pages(self) -> tuple[str, ...]:
        """The pages a visitor meets first; the document's address depends on the site's data."""
        return ("/", "/search?q=Datenstrategie&topic=mobilitaet-verkehr", f"/documents/{self.document_id}", "/login")


def _serve(tmp_path_factory, template_database, name: str, *, kern: bool):
    app, document_id = _site(tmp_path_factory, template_database, name, kern=kern)
    server = LiveServer(app)
    try:
        yield Site(server.url, document_id)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def kern_site(tmp_path_factory, template_database):
    if not (VENDOR / "kern.min.css").is_file():
        pytest.skip("KERN UX is not installed in static/vendor/kern/ (run `make test`)")
    yield from _serve(tmp_path_factory, template_database, "kern", kern=True)


@pytest.fixture(scope="module")
def fallback_site(tmp_path_factory, template_database):
    yield from _serve(tmp_path_factory, template_database, "fallback", kern=False)




@pytest.mark.browser
def test_kern_pages_load_nothing_from_other_origins_and_use_the_own_fira_sans(kern_site, browser_page):
    """Every request of the public pages goes to the app; the text is set in Fira Sans from
    static/vendor/kern, and only the weights the pages use are downloaded."""
    requests: list[str] = []
    browser_page.on("request", lambda request: requests.append(request.url))
    for path in kern_site.pages:
        browser_page.goto(kern_site.url + path)
        browser_page.wait_for_load_state("networkidle")
        family = browser_page.evaluate("getComputedStyle(document.querySelector('main p, main li')).fontFamily")
        assert family.startswith('"Fira Sans"'), (path, family)
        assert browser_page.evaluate("document.fonts.check('18px \"Fira Sans\"')"), path
    foreign = [url for url in requests if not url.startswith(kern_site.url + "/") and not url.startswith("data:")]
    assert not foreign, foreign
    fonts = sorted({url.rsplit("/", 1)[1] for url in requests if url.endswith(".woff2")})
    assert fonts and set(fonts) <= {"FiraSans-Regular.woff2", "FiraSans-Medium.woff2", "FiraSans-SemiBold.woff2",
                                    "FiraSans-Bold.woff2", "FiraSans-Italic.woff2"}, fonts
    assert all("/static/vendor/kern/fonts/fira-sans/" in url for url in requests if url.endswith(".woff2"))


FOCUS_RING = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return {visible: outline || shadow, what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')};
}"""


def _tab_through(page, steps: int) -> list[str]:
    """Press Tab ``steps`` times; name each focused element that shows no focus ring."""
    invisible = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        ring = page.evaluate(FOCUS_RING)
        if not ring["visible"]:
            invisible.append(ring["what"])
    return invisible


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["kern", "fallback"])
def test_every_control_reached_with_tab_shows_a_focus_ring(request, browser_page, variant):
    """Links, buttons, fields, checkboxes and the scrolling table region show KERN's focus ring,
    with KERN (whose own rules drop the outline of [tabindex] elements) and without it."""
    site = request.getfixturevalue(f"{variant}_site")
    invisible = []
    for path in ("/", "/search?q=Datenstrategie"):
        browser_page.goto(site.url + path)
        invisible += [f"{path}: {what}" for what in _tab_through(browser_page, 60)]
    browser_login(browser_page, site.url, CONTRIBUTOR)
    browser_page.goto(site.url + "/my/documents")
    browser_page.focus(".table-scroll")
    browser_page.keyboard.press("Shift+Tab")
    invisible += [f"/my/documents: {what}" for what in _tab_through(browser_page, 8)]
    assert not invisible, "\n".join(invisible)


@pytest.mark.browser
def test_kern_pages_stay_light_when_the_system_asks_for_dark(kern_site, module_browser):
    """KERN switches its colours with prefers-color-scheme; our own colours are light only, so the
    pages pin KERN's light theme and a dark system setting changes nothing."""
    looks = {}
    for scheme in ("light", "dark"):
        context = module_browser.new_context(locale="de-DE", color_scheme=scheme)
        page = context.new_page()
        try:
            page.goto(kern_site.url + kern_site.pages[1])
            looks[scheme] = page.evaluate("""() => ['body', '.site-header', 'main p', 'main a', '.chip',
                '.kern-form-input__input', '.kern-btn--primary .kern-label', '.facet', '.site-footer'].map(s => {
                    const style = getComputedStyle(document.querySelector(s));
                    return s + ': ' + style.color + ' on ' + style.backgroundColor; })""")
        finally:
            context.close()
    assert looks["dark"] == looks["light"], looks
    assert looks["light"][0].endswith(("on rgb(255, 255, 255)", "on oklch(1 0 0)")), looks


CUMULATIVE_LAYOUT_SHIFT = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(total), 500);
})"""


@pytest.mark.browser
def test_kern_pages_do_not_shift_while_they_load(kern_site, module_browser):
    """Fonts and stylesheets arrive without moving what is already shown (cumulative layout
    shift of a fresh load well below Chrome's 'good' threshold of 0.1)."""
    for path in kern_site.pages[:3]:
        context = module_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            page.goto(kern_site.url + path, wait_until="load")
            shift = page.evaluate(CUMULATIVE_LAYOUT_SHIFT)
            assert shift < 0.05, (path, shift)
        finally:
            context.close()


@pytest.mark.browser
def test_fallback_pages_pass_axe_and_use_system_fonts(fallback_site, browser_page):
    """Without KERN the start, search and document pages have no WCAG 2.1 A/AA violation, use
    the system's fonts and download none; screenshots land next to the KERN ones for review."""
    from test_accessibility import _violations

    requests: list[str] = []
    browser_page.on("request", lambda request: requests.append(request.url))
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in zip(("start", "search-facets", "document"), fallback_site.pages):
        browser_page.set_viewport_size({"width": 1280, "height": 900})
        browser_page.goto(fallback_site.url + path)
        problems += [f"{path}: {violation}" for violation in _violations(browser_page)]
        family = browser_page.evaluate("getComputedStyle(document.body).fontFamily")
        assert family.startswith("system-ui"), family
        for width, height in ((1280, 900), (375, 800)):
            browser_page.set_viewport_size({"width": width, "height": height})
            browser_page.screenshot(path=str(SCREENSHOTS / f"fallback-{name}-visitor-de-{width}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    assert not [url for url in requests if "/vendor/" in url or url.endswith((".woff", ".woff2"))]
    assert all(url.startswith(fallback_site.url + "/") for url in requests)


# --- the build step -----------------------------------------------------------------------------

def _copy_project(folder: Path) -> Path:
    """The files the Makefile's KERN step reads, copied so that it never touches the real tree."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("Makefile", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, folder / name)
    return folder


def _make_without_npm(tmp_path: Path, target: str) -> tuple[Path, subprocess.CompletedProcess]:
    """Run a make step in a copy of the project with a PATH that has the shell tools but no npm."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("sh", "rm", "mkdir", "cp", "sed", "test", "touch", "grep", "printf"):
        found = shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    project = _copy_project(tmp_path / "project")
    result = subprocess.run([shutil.which("make"), "--no-print-directory", target],
                            cwd=project, env={"PATH": str(tools)}, capture_output=True, text=True,
                            timeout=60)
    return project, result


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_step_without_npm_says_so_in_one_line_and_succeeds(tmp_path):
    """Without npm, `make run`/`make test` go on: one line says the app uses its own stylesheet."""
    project, result = _make_without_npm(tmp_path, "static/vendor/kern/.installed")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "KERN UX: npm not found - the app falls back to its own stylesheet (static/kern-fallback.css)."]
    assert not (project / "static" / "vendor").exists()


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("npm") is None, reason="make or npm is not installed")
def test_make_step_with_an_unreachable_registry_says_so_in_one_line_and_succeeds(tmp_path):
    """When npm cannot fetch the package, nothing half-copied stays behind and make succeeds."""
    project = _copy_project(tmp_path / "project")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "npm_config_registry": "http://127.0.0.1:9/",
           "npm_config_cache": str(tmp_path / "npm-cache")}
    result = subprocess.run(["make", "--no-print-directory", "static/vendor/kern/.installed"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("KERN UX could not be installed (npm error"), lines
    assert lines[0].endswith("the app falls back to its own stylesheet (static/kern-fallback.css).")
    assert not (project / "static" / "vendor").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_pdfjs_step_without_npm_says_so_in_one_line_and_succeeds(tmp_path):
    """Without npm the PDF.js step goes on too: previews keep their text, without the page viewer."""
    project, result = _make_without_npm(tmp_path, "static/vendor/pdfjs/.installed")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "PDF.js: npm not found - previews show the text of the files only, without the page viewer.")
    assert not (project / "static" / "vendor").exists()
