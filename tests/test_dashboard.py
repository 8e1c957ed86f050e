"""The editors' dashboard: documents per status, topic and size class; downloads; extraction failures."""
from __future__ import annotations

import pytest

from toolbox.permissions import PermissionDenied
from toolbox.services import review
from toolbox.services.dashboard import dashboard_stats

from conftest import german, make_user
from contribute_helpers import contribute, user
from privacy_fixtures import pdf_with_personal_data


@pytest.fixture
def people(app):
    return {
        "contributor": make_user(app, "projekt@example.org", role="contributor"),
        "editor": make_user(app, "redaktion@example.org", role="editor"),
    }


def test_counts_per_status_topic_and_size_class(app, people):
    """Statuses count every document; topics and size classes count published ones."""
    editor = people["editor"]
    contribute(app, people["contributor"], topics=["energie-klimaschutz"], municipality="Dorf", population=900,
               publish_as=editor)
    contribute(app, people["contributor"], topics=["energie-klimaschutz", "mobilitaet-verkehr"],
               municipality="Großstadt", population=500_000, publish_as=editor)
    contribute(app, people["contributor"], topics=["energie-klimaschutz"])  # submitted: not in topic counts
    rejected = contribute(app, people["contributor"])
    with app.app_context():
        from toolbox.extensions import db
        from toolbox.models import Document

        review.document_reject(user(editor), db.session.get(Document, rejected), "Unvollständig")
        board = dashboard_stats(user(editor))
    by_status = {row.key: row.count for row in board.by_status}
    assert by_status == {"submitted": 1, "published": 2, "rejected": 1, "withdrawn": 0, "deleted": 0}
    assert board.documents_total == 4
    by_topic = {row.key: row.count for row in board.by_topic}
    assert by_topic["energie-klimaschutz"] == 2 and by_topic["mobilitaet-verkehr"] == 1
    assert by_topic["bildung-schule"] == 0
    by_size = {row.key: row.count for row in board.by_size_class}
    assert by_size["landgemeinde"] == 1 and by_size["grossstadt"] == 1 and by_size["mittelstadt"] == 0


def test_downloads_total_and_top_ten(app, client, people):
    """Downloads are summed and the most downloaded documents listed first."""
    editor = people["editor"]
    popular = contribute(app, people["contributor"], title="Beliebt", publish_as=editor)
    rare = contribute(app, people["contributor"], title="Selten", publish_as=editor)
    contribute(app, people["contributor"], title="Nie", publish_as=editor)
    for document_id, times in ((popular, 3), (rare, 1)):
        for _ in range(times):
            response = client.get(f"/documents/{document_id}/download")
            assert response.status_code == 200
            response.close()
    with app.app_context():
        board = dashboard_stats(user(editor))
        assert board.downloads_total == 4
        assert [(d.title, d.download_count) for d in board.top_downloads] == [("Beliebt", 3), ("Selten", 1)]


def test_extraction_failures_list_the_message(app, people, tmp_path):
    """A PDF without a text layer shows up with its status and German message; readable files do not."""
    scan = pdf_with_personal_data(tmp_path / "scan.pdf").read_bytes()
    failed = contribute(app, people["contributor"], title="Eingescannter Beschluss", data=scan, filename="scan.pdf")
    contribute(app, people["contributor"], title="Lesbar")
    with app.app_context():
        failures = dashboard_stats(user(people["editor"])).extraction_failures
    assert [(f.document_id, f.title, f.extraction_status) for f in failures] == [
        (failed, "Eingescannter Beschluss", "empty")]
    assert "Text" in german(failures[0].message)


def test_dashboard_page_for_editors_only(app, client, auth, people):
    """Editors see the dashboard; contributors get 403 and the service refuses them."""
    contribute(app, people["contributor"], title="Im Dashboard", publish_as=people["editor"])
    auth.login("projekt@example.org")
    assert client.get("/admin").status_code == 403
    with app.app_context():
        with pytest.raises(PermissionDenied):
            dashboard_stats(user(people["contributor"]))
    auth.logout()
    auth.login("redaktion@example.org")
    page = client.get("/admin")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dokumente nach Status" in html and "Veröffentlicht" in html and "Infrastruktur, Netze &amp; IoT" in html
