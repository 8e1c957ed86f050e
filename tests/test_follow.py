"""Following documents and the Merkliste (issue 14, section 5).

Followers' mails go through the outbox and the real Huey consumer to a real SMTP server in this
process (aiosmtpd), as in tests/test_mail.py. The Merkliste's ZIP is read back with zipfile.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from lxml import html

from toolbox.extensions import db
from toolbox.models import Bookmark, Document, DocumentFollow
from toolbox.services import follow as lists
from toolbox.services import review

from conftest import DEFAULT_PASSWORD, make_document, make_user, running_app
from contribute_helpers import contribute, user
from job_helpers import running_consumer, wait_for_jobs


def _login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def _account(app, client, email: str = "leser@kommune.example", role: str = "contributor") -> int:
    user_id = make_user(app, email, role=role)
    _login(client, email)
    return user_id


def _page(response) -> html.HtmlElement:
    assert response.status_code == 200, response.status_code
    return html.fromstring(response.get_data(as_text=True))


def _buttons(page: html.HtmlElement) -> dict[str, str]:
    """Label → form action of the list buttons on a page."""
    return {" ".join(form.text_content().split()): form.get("action")
            for form in page.xpath("//form[contains(@class, 'list-button')]")}


# --- following: the service ------------------------------------------------------------------


def test_only_published_documents_can_be_followed(app):
    """A document in review cannot be followed (it does not exist for the public); twice is once."""
    reader = make_user(app)
    published = make_document(app, title="Smart-Meter-Rollout").id
    submitted = make_document(app, title="Entwurf Smart Meter", publish=False).id
    with app.app_context():
        with pytest.raises(lists.DocumentNotFound):
            lists.document_follow(user(reader), submitted)
        assert lists.document_follow(user(reader), published) is True
        assert lists.document_follow(user(reader), published) is False
        assert lists.followed_ids(user(reader)) == {published}
        assert lists.followers_count([published, submitted]) == {published: 1}
        assert lists.document_unfollow(user(reader), published) is True
        assert lists.document_unfollow(user(reader), published) is False
        assert db.session.scalar(db.select(db.func.count()).select_from(DocumentFollow)) == 0


def test_a_withdrawn_document_is_hidden_from_the_lists_and_back_when_published_again(app):
    """The lists show what is public now; the entry itself stays for when the document returns."""
    contributor = make_user(app)
    editor = make_user(app, role="editor")
    reader = make_user(app)
    document_id = contribute(app, contributor, title="Muster Glasfaservertrag", publish_as=editor)
    with app.app_context():
        lists.document_follow(user(reader), document_id)
        lists.bookmark_add(user(reader), document_id)
        review.document_withdraw(user(contributor), db.session.get(Document, document_id))
        assert (lists.follows_of(user(reader)), lists.follows_hidden(user(reader))) == ([], 1)
        assert (lists.bookmarks_of(user(reader)), lists.bookmarks_hidden(user(reader))) == ([], 1)
        review.document_resubmit(user(contributor), db.session.get(Document, document_id))
        review.document_publish(user(editor), db.session.get(Document, document_id))
        assert [d.id for d in lists.follows_of(user(reader))] == [document_id]
        assert [d.id for d in lists.bookmarks_of(user(reader))] == [document_id]


def test_a_list_holds_at_most_max_entries(app, monkeypatch):
    """A full list refuses the next document with a message that says what to do."""
    monkeypatch.setattr(lists, "MAX_ENTRIES", 2)
    reader = make_user(app)
    ids = [make_document(app, title=f"Dokument {n}").id for n in range(3)]
    with app.test_request_context():
        lists.bookmark_add(user(reader), ids[0])
        lists.bookmark_add(user(reader), ids[1])
        with pytest.raises(lists.ListError, match="schon 2 Dokumente"):
            lists.bookmark_add(user(reader), ids[2])
        lists.document_follow(user(reader), ids[2])  # the other list has room of its own


# --- following: the pages --------------------------------------------------------------------


def test_an_account_follows_from_the_document_page_and_sees_the_list(app, client):
    """"Folgen" on the document page, back to that page, listed on /account/following, undone there."""
    document_id = make_document(app, title="Leitfaden Bürgerbeteiligung digital").id
    assert _buttons(_page(client.get(f"/documents/{document_id}"))) == {}  # visitors have no lists
    _account(app, client)
    buttons = _buttons(_page(client.get(f"/documents/{document_id}?back=/search")))
    response = client.post(buttons["Folgen"], data={"next": f"/documents/{document_id}?back=/search"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/documents/{document_id}?back=/search"
    page = _page(client.get(response.headers["Location"]))
    assert "Sie folgen jetzt diesem Dokument" in page.text_content()
    assert "Nicht mehr folgen" in _buttons(page)
    following = _page(client.get("/account/following"))
    assert following.xpath("//main//li//a/text()")[0] == "Leitfaden Bürgerbeteiligung digital"
    [unfollow] = _buttons(following).values()
    assert client.post(unfollow, data={"next": "/account/following"}).headers["Location"] == "/account/following"
    assert "noch keinem Dokument" in _page(client.get("/account/following")).text_content()


def test_a_list_button_returns_only_to_pages_of_this_site(app, client):
    """``next`` naming another site is ignored: the button leads back to the document."""
    document_id = make_document(app, title="Muster Datenschutzerklärung").id
    _account(app, client)
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.post(f"/account/following/{document_id}", data={"next": evil})
        assert response.headers["Location"] == f"/documents/{document_id}"


def test_following_what_is_not_public_is_not_found(app, client):
    """A document in review, or no document at all, is 404, as its page is."""
    hidden = make_document(app, title="Noch nicht öffentlich", publish=False).id
    _account(app, client)
    assert client.post(f"/account/following/{hidden}").status_code == 404
    assert client.post(f"/account/merkliste/{hidden}").status_code == 404
    assert client.post("/account/following/2147483647").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Bookmark)) == 0


def test_list_buttons_need_the_csrf_token(app_config, tmp_path, monkeypatch):
    """With CSRF protection on (as in production), a button without the form's token is refused."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "WTF_CSRF_ENABLED": True}) as csrf_app:
        document_id = make_document(csrf_app, title="Muster Ratsbeschluss").id
        make_user(csrf_app, "leser@kommune.example")
        client = csrf_app.test_client()
        login = _page(client.get("/login"))
        token = login.xpath("//input[@name='csrf_token']/@value")[0]
        client.post("/login", data={"email": "leser@kommune.example", "password": DEFAULT_PASSWORD,
                                    "csrf_token": token})
        assert client.post(f"/account/merkliste/{document_id}").status_code == 400
        page = _page(client.get(f"/documents/{document_id}"))
        form = page.xpath("//form[contains(@class, 'list-button')][.//button[normalize-space()='Auf die Merkliste']]")[0]
        fields = {field.get("name"): field.get("value") for field in form.xpath(".//input")}
        assert client.post(form.get("action"), data=fields).status_code == 302
        with csrf_app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(Bookmark)) == 1


# --- following: the mail ---------------------------------------------------------------------


def _deliver(app) -> None:
    with running_consumer(app):
        wait_for_jobs(app, timeout=60)


def _mail_settings(app, user_id: int, language: str) -> None:
    from toolbox.services.users import user_mail_settings

    with app.app_context():
        user_mail_settings(user(user_id), language, "off")


def test_followers_hear_of_a_new_version_in_their_language_but_not_who_published_it(mail_app, smtp):
    """An editor's new version of a published document is public at once: each follower gets a
    mail in the language they chose, the editor who added it none, nor a deactivated follower."""
    from toolbox.services import contribute as contributions
    from toolbox.services.users import user_deactivate

    admin = make_user(mail_app, "admin@kreis.example", role="admin")
    editor = make_user(mail_app, "redaktion@kreis.example", role="editor")
    contributor = make_user(mail_app, "projekt@gemeinde.example")
    german = make_user(mail_app, "leserin@stadt.example", name="Frau Berg")
    english = make_user(mail_app, "reader@partner.example")
    gone = make_user(mail_app, "ehemals@stadt.example")
    for account, language in ((editor, "de"), (admin, "de"), (german, "de"), (english, "en")):
        _mail_settings(mail_app, account, language)
    document_id = contribute(mail_app, contributor, title="Pegelmessnetz Hochwasser", publish_as=editor)
    with mail_app.app_context():
        for follower in (german, english, editor, gone):
            lists.document_follow(user(follower), document_id)
        user_deactivate(user(gone), actor=user(admin))
        contributions.document_version_add(user(editor), db.session.get(Document, document_id),
                                           io.BytesIO(b"Zweite Fassung mit neuen Pegeln"), "pegel-2026.txt")
    _deliver(mail_app)
    assert sorted(mail.to for mail in smtp.inbox.arrived if "Pegelmessnetz" in mail.subject
                  and "Veröffentlicht" not in mail.subject) == ["leserin@stadt.example", "reader@partner.example"]
    [de] = smtp.inbox.to("leserin@stadt.example")
    assert de.subject == "Neue Version: Pegelmessnetz Hochwasser"
    assert "Guten Tag Frau Berg," in de.text and "Version 2" in de.text and "pegel-2026.txt" in de.text
    assert de.link(f"/documents/{document_id}") == f"http://127.0.0.1:5000/documents/{document_id}"
    assert de.link("/account/following")
    [en] = smtp.inbox.to("reader@partner.example")
    assert en.subject == "New version: Pegelmessnetz Hochwasser"
    assert "pegel-2026.txt" in en.text
    assert smtp.inbox.to("redaktion@kreis.example") == [] and smtp.inbox.to("ehemals@stadt.example") == []


def test_an_accepted_change_with_a_new_file_reaches_the_followers_once(mail_app, smtp):
    """A contributor's new version waits for review: followers hear nothing until an editor
    accepts it; then each follower gets one mail, the proposer only the "accepted" mail, the
    accepting editor none. A change of the metadata alone is no new version."""
    from toolbox.services import contribute as contributions
    from toolbox.services import pending_changes
    from toolbox.services.ingest import DocumentMetadata

    editor = make_user(mail_app, "redaktion@kreis.example", role="editor")
    contributor = make_user(mail_app, "projekt@gemeinde.example")
    reader = make_user(mail_app, "leser@stadt.example")
    _mail_settings(mail_app, editor, "de")
    document_id = contribute(mail_app, contributor, title="Förderantrag LoRaWAN", publish_as=editor)
    with mail_app.app_context():
        for follower in (reader, contributor, editor):
            lists.document_follow(user(follower), document_id)
        document = db.session.get(Document, document_id)
        pending_changes.change_submit_metadata(user(contributor), document,
                                               DocumentMetadata(title="Förderantrag LoRaWAN 2027"), "Förderantrag LoRaWAN 2027")
        pending_changes.change_accept(user(editor), db.session.get(Document, document_id))
        contributions.document_version_add(user(contributor), db.session.get(Document, document_id),
                                           io.BytesIO(b"Antrag mit neuem Kostenplan"), "antrag-v2.txt")
    _deliver(mail_app)
    assert smtp.inbox.to("leser@stadt.example") == []  # waiting for review: nothing public yet
    with mail_app.app_context():
        pending_changes.change_accept(user(editor), db.session.get(Document, document_id))
    _deliver(mail_app)
    [mail] = smtp.inbox.to("leser@stadt.example")
    assert mail.subject == "Neue Version: Förderantrag LoRaWAN 2027"
    assert [m.subject.strip() for m in smtp.inbox.to("projekt@gemeinde.example")] == [
        "Veröffentlicht: Förderantrag LoRaWAN", "Änderung übernommen: Förderantrag LoRaWAN 2027",
        "Änderung übernommen: Förderantrag LoRaWAN 2027"]
    assert smtp.inbox.to("redaktion@kreis.example") == []


def test_a_new_version_of_a_document_in_review_mails_no_follower(app):
    """Followers follow what is public: a version added while the document is withdrawn is not news."""
    from toolbox.models import OutboxMail
    from toolbox.services import contribute as contributions

    editor = make_user(app, role="editor")
    contributor = make_user(app)
    reader = make_user(app)
    document_id = contribute(app, contributor, title="Konzept Bürger-App", publish_as=editor)
    with app.app_context():
        lists.document_follow(user(reader), document_id)
        review.document_withdraw(user(contributor), db.session.get(Document, document_id))
        contributions.document_version_add(user(contributor), db.session.get(Document, document_id),
                                           io.BytesIO(b"Konzept mit Barrierefreiheit"), "konzept-2.txt")
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)
                                 .where(OutboxMail.kind == "document_new_version")) == 0


# --- Merkliste -------------------------------------------------------------------------------


def test_documents_go_on_the_merkliste_from_the_result_list_and_download_as_one_zip(app, client):
    """The button beside each hit notes the document and returns to the same result page; the
    Merkliste's ZIP holds its published documents with the export's manifest and licence notes,
    and counts one download per document."""
    first = make_document(app, title="Ausschreibung Parksensoren", text="Parksensoren für die Innenstadt.",
                          municipality="Musterstadt", license="cc-by-4.0", filename="Parksensoren.txt").id
    second = make_document(app, title="Ausschreibung Straßenlaternen", text="Straßenlaternen mit Sensoren.",
                           license="dl-de-by-2.0", filename="Laternen.txt").id
    make_document(app, title="Ausschreibung Schulnetz", text="WLAN für Schulen.")
    _account(app, client)
    results = _page(client.get("/search?q=Sensoren"))
    buttons = results.xpath("//ol[contains(@class, 'search-hits')]//form[contains(@class, 'list-button')]")
    assert len(buttons) == 2
    for form in buttons:
        fields = {field.get("name"): field.get("value") for field in form.xpath(".//input")}
        assert fields["next"] == "/search?q=Sensoren"
        assert client.post(form.get("action"), data=fields).headers["Location"] == "/search?q=Sensoren"
    again = _page(client.get("/search?q=Sensoren"))
    assert set(_buttons(again)) == {"Von der Merkliste entfernen"}

    page = _page(client.get("/account/merkliste"))
    titles = page.xpath("//main//ol[contains(@class, 'document-list')]/li//a/text()")
    assert sorted(titles) == ["Ausschreibung Parksensoren", "Ausschreibung Straßenlaternen"]
    [zip_link] = page.xpath("//a[contains(@href, 'merkliste.zip')]/@href")
    response = client.get(zip_link)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "smart-region-toolbox-merkliste-" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == ["LIZENZEN.txt", "Laternen.txt", "Parksensoren.txt", "manifest.csv",
                                          "metadata.json"]
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    assert sorted(int(row["ID"]) for row in manifest) == sorted([first, second])
    licences = archive.read("LIZENZEN.txt").decode()
    assert "CC BY 4.0" in licences and "„Ausschreibung Parksensoren“" in licences
    assert json.loads(archive.read("metadata.json"))["count"] == 2
    with app.app_context():
        assert [db.session.get(Document, i).download_count for i in (first, second)] == [1, 1]


def test_the_merkliste_zip_packs_only_what_is_public_now(app, client):
    """A document withdrawn after it was noted stays out of the ZIP; with none left the page
    says so (404), in German, instead of an empty archive."""
    contributor = make_user(app)
    editor = make_user(app, role="editor")
    kept = contribute(app, contributor, title="Muster Nutzungsbedingungen", publish_as=editor)
    withdrawn = contribute(app, contributor, title="Muster Kooperationsvertrag", publish_as=editor)
    _account(app, client)
    for document_id in (kept, withdrawn):
        client.post(f"/account/merkliste/{document_id}")
    with app.app_context():
        review.document_withdraw(user(contributor), db.session.get(Document, withdrawn))
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/merkliste.zip").get_data()))
    manifest = archive.read("manifest.csv").decode("utf-8-sig")
    assert "Muster Nutzungsbedingungen" in manifest and "Kooperationsvertrag" not in manifest
    assert "1 Dokument Ihrer Merkliste ist derzeit nicht veröffentlicht" in \
        _page(client.get("/account/merkliste")).text_content()
    client.post(f"/account/merkliste/{kept}/delete")
    empty = client.get("/account/merkliste.zip")
    assert empty.status_code == 404
    assert "kein veröffentlichtes Dokument" in empty.get_data(as_text=True)


def test_a_merkliste_beyond_the_zip_limit_is_refused_with_advice(app_config, tmp_path, monkeypatch):
    """More documents than TOOLBOX_ZIP_MAX_DOCUMENTS: 422 and a message about the Merkliste."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "ZIP_MAX_DOCUMENTS": 2}) as small:
        client = small.test_client()
        ids = [make_document(small, title=f"Vorlage {n}").id for n in range(3)]
        _account(small, client)
        for document_id in ids:
            client.post(f"/account/merkliste/{document_id}")
        response = client.get("/account/merkliste.zip")
        assert response.status_code == 422
        text = " ".join(_page_any(response).text_content().split())
        assert "Auf Ihrer Merkliste stehen 3 Dokumente" in text and "entfernen Sie Dokumente" in text


def _page_any(response) -> html.HtmlElement:
    return html.fromstring(response.get_data(as_text=True))
