"""Views and downloads per document (issue 14, section 6): counts only, no bots, no cookies."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from conftest import make_document, make_user
from toolbox.extensions import db
from toolbox.models import Document, DocumentUsageDay
from toolbox.services.usage import DOWNLOADS, VIEWS, ZIP_DOWNLOADS, is_known_bot, usage_add, usage_totals

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BROWSER = {"User-Agent": FIREFOX}
GOOGLEBOT = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}


def _status(client, url: str, **headers) -> int:
    """GET ``url`` and close the answer (a file download holds the file open until then)."""
    response = client.get(url, headers=headers)
    response.close()
    return response.status_code


def _totals(app, document_id: int):
    with app.app_context():
        return usage_totals([document_id]).get(document_id)


def _download_count(app, document_id: int) -> int:
    with app.app_context():
        return db.session.get(Document, document_id).download_count


@pytest.mark.parametrize("agent, bot", [
    (FIREFOX, False),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 "
     "Edg/131.0", False),
    (GOOGLEBOT["User-Agent"], True),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
    ("curl/8.5.0", True),
    ("python-requests/2.32.3", True),
    ("Wget/1.21.4", True),
    ("", True),
    (None, True),
])
def test_known_bots_and_scripts_are_recognised(agent, bot):
    """Crawlers, scripts and requests without any User-Agent are bots; browsers are not."""
    assert is_known_bot(agent) is bot


def test_a_page_view_counts_once_for_a_browser_and_never_for_a_bot(app, client):
    """Browsers' views count; a crawler's, a HEAD request's and a prefetch's do not."""
    document_id = make_document(app).id
    client.get(f"/documents/{document_id}", headers=BROWSER)
    client.get(f"/documents/{document_id}", headers=BROWSER)
    client.get(f"/documents/{document_id}", headers=GOOGLEBOT)
    client.get(f"/documents/{document_id}", headers={"User-Agent": ""})
    client.head(f"/documents/{document_id}", headers=BROWSER)
    client.get(f"/documents/{document_id}", headers={**BROWSER, "Sec-Purpose": "prefetch"})
    totals = _totals(app, document_id)
    assert (totals.views, totals.downloads, totals.zip_downloads) == (2, 0, 0)


def test_the_document_page_sets_no_cookie_and_stores_nothing_about_the_visitor(app, client):
    """Counting needs no cookie; the usage table has counts only (no address, no agent)."""
    document_id = make_document(app).id
    response = client.get(f"/documents/{document_id}", headers=BROWSER)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    columns = {column.name for column in DocumentUsageDay.__table__.columns}
    assert columns == {"document_id", "day", "views", "downloads", "zip_downloads"}


def test_views_of_those_who_may_edit_the_document_do_not_count(app, client, auth):
    """The contributor and editors at work on a document are no visitors."""
    make_user(app, "redaktion@example.org", role="editor")
    document_id = make_document(app).id
    # One browser throughout: the strong session protection ends a session whose agent changes.
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    auth.login("redaktion@example.org")
    assert client.get(f"/documents/{document_id}").status_code == 200
    assert client.get("/account").status_code == 200  # still logged in
    assert _totals(app, document_id) is None


def test_a_single_download_counts_for_browsers_only(app, client):
    """A download raises the total and today's single downloads; a bot's raises nothing."""
    document_id = make_document(app).id
    assert _status(client, f"/documents/{document_id}/download", **BROWSER) == 200
    assert _status(client, f"/documents/{document_id}/download", **GOOGLEBOT) == 200
    # The rest of a download (a resumed one) is not a new download.
    assert _status(client, f"/documents/{document_id}/download", **BROWSER, Range="bytes=10-") == 206
    totals = _totals(app, document_id)
    assert (totals.views, totals.downloads, totals.zip_downloads) == (0, 1, 0)
    assert _download_count(app, document_id) == 1


def test_a_zip_counts_each_document_once_per_request(app, client):
    """Each document in a ZIP counts one ZIP download per archive; a crawler's ZIP counts nothing."""
    ids = [make_document(app, title=f"Mobilitätskonzept {n}", topics=["mobilitaet-verkehr"]).id for n in range(3)]
    response = client.get("/search/download.zip?topic=mobilitaet-verkehr", headers=BROWSER)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()
    assert response.status_code == 200
    assert len(set(archive.namelist()) - {"manifest.csv", "metadata.json", "LIZENZEN.txt"}) == 3
    _status(client, "/search/download.zip?topic=mobilitaet-verkehr", **GOOGLEBOT)
    for document_id in ids:
        totals = _totals(app, document_id)
        assert (totals.downloads, totals.zip_downloads) == (0, 1)
        assert _download_count(app, document_id) == 1


def test_the_zip_export_is_rate_limited_for_visitors_not_for_accounts(app, client, auth):
    """Visitors get a German 429 after the limit; a ZIP that could not be made costs nothing;
    logged-in users are not limited."""
    app.config["TOOLBOX_ZIP_RATE_LIMIT"] = "2 per hour"
    document_id = make_document(app, topics=["mobilitaet-verkehr"]).id
    url = "/search/download.zip?topic=mobilitaet-verkehr"
    assert _status(client, "/search/download.zip?q=nichtsdergleichen", **BROWSER) == 404  # empty selection
    assert [_status(client, url, **BROWSER) for _ in range(2)] == [200, 200]
    blocked = client.get(url, headers=BROWSER)
    assert blocked.status_code == 429
    assert "Zu viele ZIP-Downloads" in blocked.get_data(as_text=True)
    assert _totals(app, document_id).zip_downloads == 2

    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    make_user(app, "projekt@example.org")
    auth.login("projekt@example.org")
    assert [_status(client, url) for _ in range(3)] == [200, 200, 200]


def test_contributors_see_the_use_of_their_own_documents(app, client, auth):
    """/my/documents shows views, single and ZIP downloads, followers and approved reuses per own
    document."""
    from toolbox.services.contribute import document_upload
    from toolbox.services.ingest import DocumentMetadata
    from toolbox.services.reuse import reuse_report_approve, reuse_report_submit
    from toolbox.services.review import document_publish
    from toolbox.models import User

    owner_id = make_user(app, "projekt@example.org")
    editor_id = make_user(app, "redaktion@example.org", role="editor")
    with app.app_context():
        owner = db.session.get(User, owner_id)
        result = document_upload(owner, io.BytesIO(b"Konzept fuer offene Daten"), "konzept.txt",
                                 DocumentMetadata(title="Open-Data-Konzept", topics=["daten-plattformen"]))
        document_id = result.document_id
        editor = db.session.get(User, editor_id)
        document_publish(editor, db.session.get(Document, document_id))
        report = reuse_report_submit(db.session.get(Document, document_id), "Beispielhausen", "übernommen")
        reuse_report_approve(editor, report.id)
        reuse_report_submit(db.session.get(Document, document_id), "Nachbardorf")
        from toolbox.services.follow import document_follow

        for email, active in (("leserin@example.org", True), ("leser@example.org", True),
                              ("ehemalig@example.org", False)):
            follower = db.session.get(User, make_user(app, email))
            document_follow(follower, document_id)
            follower.active = active
        db.session.commit()
    for _ in range(3):
        client.get(f"/documents/{document_id}", headers=BROWSER)
    _status(client, f"/documents/{document_id}/download", **BROWSER)
    _status(client, "/search/download.zip?topic=daten-plattformen", **BROWSER)

    auth.login("projekt@example.org")
    page = client.get("/my/documents").get_data(as_text=True)
    assert 'id="my-documents-heading"' in page
    row = page[page.index(f'id="document-{document_id}"'):]
    assert '<dd class="usage-views">3</dd>' in row
    assert '<dd class="usage-downloads">1</dd>' in row
    assert '<dd class="usage-zip-downloads">1</dd>' in row
    assert '<dd class="usage-reuses">1 <small>(1 Meldung in Prüfung)</small></dd>' in row
    assert '<dd class="usage-followers">2</dd>' in row  # deactivated accounts do not count


def test_counting_upserts_one_row_per_document_and_day_on_postgresql(pg_app):
    """The upsert adds to today's row on PostgreSQL as on SQLite, a list naming a document twice
    counts it once, and parallel kinds go to their own columns."""
    first = make_document(pg_app, title="Erstes").id
    second = make_document(pg_app, title="Zweites").id
    with pg_app.app_context():
        usage_add([first], VIEWS)
        usage_add([first, second, first], ZIP_DOWNLOADS)
        usage_add([first], VIEWS)
        usage_add([second], DOWNLOADS)
        db.session.commit()
        rows = db.session.scalars(select(DocumentUsageDay).order_by(DocumentUsageDay.document_id)).all()
        assert [(r.document_id, r.views, r.downloads, r.zip_downloads) for r in rows] == [
            (first, 2, 0, 1), (second, 0, 1, 1)]
    client = pg_app.test_client()
    client.get(f"/documents/{first}", headers=BROWSER)
    _status(client, f"/documents/{first}/download", **BROWSER)
    totals = _totals(pg_app, first)
    assert (totals.views, totals.downloads, totals.zip_downloads) == (3, 1, 1)
