"""Translations: every text has an English version, and the visitor gets the language they ask for."""
from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "toolbox" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None,
            "Nn_": (1, 2)}


def _source_messages() -> set[str]:
    """Every msgid (the singular for plurals) in templates/ and toolbox/, read as pybabel does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**KEYWORDS, "ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue():
    with open(CATALOGUE_DIR / "messages.po", "rb") as po:
        return read_po(po, locale="en")


def test_every_text_has_an_english_translation():
    """Each text of a template or of the code has a non-empty, non-fuzzy English entry; run
    `make translations` and fill in messages.po when this fails."""
    catalogue = _catalogue()
    missing = []
    for msgid in sorted(_source_messages()):
        entry = catalogue.get(msgid)
        if entry is None:
            missing.append(f"not in messages.po: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            missing.append(f"empty: {msgid!r}")
        if entry.fuzzy:
            missing.append(f"fuzzy: {msgid!r}")
    assert not missing, "\n".join(missing)


def test_placeholders_survive_translation():
    """A translation keeps the %(name)s placeholders of its German source."""
    wrong = []
    for entry in _catalogue():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            if set(re.findall(r"%\(\w+\)[sd]", string)) != expected:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


def test_compiled_catalogue_matches_the_po_file():
    """The committed messages.mo holds exactly the translations of messages.po (`make translations`)."""
    with open(CATALOGUE_DIR / "messages.mo", "rb") as mo:
        compiled = read_mo(io.BytesIO(mo.read()))

    def pairs(catalogue):
        return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalogue if m.id}

    assert pairs(_catalogue()) == pairs(compiled)


def test_german_without_preference(client):
    """Without Accept-Language or a choice the pages are German."""
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in html and "Zum Inhalt springen" in html


def test_browser_preference_chooses_english(client):
    """A browser that prefers English gets English pages."""
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Skip to content" in html


def test_switch_is_remembered_over_the_browser_preference(client):
    """The header switch stores the choice in the session; it beats the browser's preference."""
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/\?lang=en" lang="en" hreflang="en"[^>]*>English</a>', html)
    client.get("/?lang=en")
    html = client.get("/search", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert re.search(r'<a href="/search\?lang=de" lang="de" hreflang="de"[^>]*>Deutsch</a>', html)
    client.get("/?lang=de")
    assert '<html lang="de">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switch_keeps_search_and_filters(client):
    """Switching the language on a result page keeps the query and every filter."""
    html = client.get("/search?q=Daten&topic=a&topic=b").get_data(as_text=True)
    assert 'href="/search?q=Daten&amp;topic=a&amp;topic=b&amp;lang=en"' in html


def test_document_page_in_english(client, make_doc):
    """Vocabulary labels, texts and dates follow the locale on the document page."""
    document_id = make_doc(title="Datenstrategie", topics=["daten-plattformen"], year=2023)
    german = client.get(f"/documents/{document_id}").get_data(as_text=True)
    english = client.get(f"/documents/{document_id}?lang=en").get_data(as_text=True)
    assert "Themenfelder" in german and "Topics" in english
    from toolbox.models import Topic
    from toolbox.extensions import db

    with client.application.app_context():
        topic = db.session.query(Topic).filter_by(slug="daten-plattformen").one()
        label_de, label_en = topic.label_de, topic.label_en
    from markupsafe import escape

    assert str(escape(label_de)) in german and str(escape(label_en)) in english and label_de != label_en


# --- stored messages: codes with parameters, rendered in the reader's language ----------------

# Words and letters that give a German sentence away; the values fed in below are free of them.
GERMAN = re.compile(r"\b(Datei|Bitte|Seiten?|Wörter|nicht|wird|von|für|und|oder|angelegt|Bild|Programm|"
                    r"Dokument|Konto|leer)\b|[äöüßÄÖÜ„]")


def test_every_message_code_has_an_english_translation():
    """Each code of the message catalogue has a non-empty English entry, both forms for plurals."""
    from toolbox.message_render import CATALOGUE, Plural

    catalogue = _catalogue()
    missing = []
    for code, entry in CATALOGUE.items():
        msgid = entry.forms if isinstance(entry, Plural) else entry
        found = catalogue.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        strings = () if found is None else found.string if isinstance(found.string, tuple) else (found.string,)
        if not strings or not all(strings) or (isinstance(msgid, tuple) and len(strings) < 2):
            missing.append(f"{code}: {msgid!r}")
    assert not missing, "\n".join(missing)


def test_every_message_code_the_code_writes_is_in_the_catalogue():
    """A ``Message("…")`` written anywhere in toolbox/ names a catalogue entry (an f-string code
    at least the start of one), so no page ever shows a bare code instead of a sentence."""
    from toolbox.message_render import CATALOGUE

    unknown = []
    for path in (ROOT / "toolbox").rglob("*.py"):
        if "migrations" in path.parts:
            continue  # frozen: they name the codes of their time
        for match in re.finditer(r'Message\(\s*(f?)"([\w.]+)(\{)?', path.read_text(encoding="utf-8")):
            code, partial = match.group(2), bool(match.group(3))
            if not (any(known.startswith(code) for known in CATALOGUE) if partial else code in CATALOGUE):
                unknown.append(f"{path.relative_to(ROOT)}: {code}")
    assert not unknown, "\n".join(unknown)


def _extraction_messages() -> list:
    """Every kind of message stored with a file version, with plain values."""
    from toolbox.extract import messages
    from toolbox.message import Message

    produced = [
        messages.ok_pages(1), messages.ok_pages(1234), messages.ok_words(1), messages.ok_words(2),
        messages.ok_pages_partly(12, 1), messages.ok_pages_partly(12, 3), messages.pdf_stream_too_large(512 * 2**20),
        messages.corrupt(messages.NO_PDF_PAGE_READABLE), messages.corrupt(),
        messages.timeout(0.5), messages.memory(1024), messages.crashed("signal 9"),
        messages.zip_too_many_members(10000), messages.zip_too_large(2**30),
        messages.zip_ratio("word/document.xml", 1500.0),
        messages.zip_corrupt("BadZipFile: File is not a zip file"), messages.zip_corrupt(""),
        messages.unsupported("docm"), messages.unsupported("unknown"),
    ]
    produced += [messages.unsupported(name) for name in messages.UNSUPPORTED_ADVICE]
    produced += [messages.corrupt_detail(what, detail) for detail in ("PdfReadError: EOF marker not found", "")
                 for what in (messages.PDF_UNREADABLE, messages.WORD_UNREADABLE, messages.FILE_UNREADABLE,
                              messages.OFFICE_UNREADABLE, messages.RTF_UNREADABLE)]
    produced += [messages.macros(name) for name in ("xlsm", "odt")]
    produced += [value for value in vars(messages).values() if isinstance(value, Message)]
    # What the integrity check writes over the message of a version whose file is gone or damaged.
    from toolbox.services.consistency import _MARK_MESSAGES

    produced += [Message(code, {"sha": "ab12cd34"}) for code in _MARK_MESSAGES.values()]
    return produced


def test_extraction_messages_render_in_the_page_language(app):
    """An extraction message reads in English on an English page, numbers formatted the English
    way and nested reasons translated too, and in German on a German page."""
    from toolbox.extract import messages
    from toolbox.message_render import render

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render(messages.ok_pages(1234)) == "Text extracted successfully (1,234 pages)."
        assert render(messages.ok_pages(1)) == "Text extracted successfully (1 page)."
        assert render(messages.timeout(0.5)) == "Time limit of 0.5 s exceeded – the file could not be read in time."
        assert render(messages.unsupported("png")) == (
            "The file format PNG (image) is not supported. Please upload it as a PDF.")
        assert render(messages.corrupt_detail(messages.PDF_UNREADABLE, "EOF marker")) == (
            "File damaged: The PDF file could not be read (EOF marker).")
        still_german = [f"{message!r} → {render(message)!r}" for message in _extraction_messages()
                        if GERMAN.search(render(message))]
        assert not still_german, "\n".join(still_german)
        assert render("Ein Satz, den niemand kennt.") == "Ein Satz, den niemand kennt."
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render(messages.ok_pages(1234)) == "Text erfolgreich extrahiert (1.234 Seiten)."
        assert render(messages.timeout(0.5)).startswith("Zeitlimit von 0,5 s überschritten")
        assert render(messages.unsupported("png")) == (
            "Das Dateiformat PNG (Bild) wird nicht unterstützt. Bitte als PDF hochladen.")
        # Word for word what the services stored before messages had codes.
        from toolbox.migrations.legacy_messages import EXTRACTION, sentence

        # Codes that came after the migration have no stored sentence to match.
        newer = {"extract.image_without_text", "extract.macros", "extract.office_doctype", "extract.legacy_pending",
                 "extract.needs_libreoffice", "extract.format_unknown", "extract.reason.office_unreadable",
                 "extract.reason.office_unreadable_detail", "extract.reason.rtf_unreadable",
                 "extract.reason.rtf_unreadable_detail"}

        def codes(message):
            return {message.code} | {value.code for value in message.params.values() if hasattr(value, "code")}

        changed = [f"{render(message)!r} != {sentence(message.code, message.to_dict()['params'], EXTRACTION)!r}"
                   for message in _extraction_messages() if not codes(message) & newer
                   if render(message) != sentence(message.code, message.to_dict()["params"], EXTRACTION)]
        assert not changed, "\n".join(changed)


def test_outside_a_request_messages_render_in_german(app):
    """The CLI and background work have no reader: they get the default locale, German."""
    from toolbox.extract import messages
    from toolbox.message_render import render

    with app.app_context():
        assert render(messages.ok_words(2)) == "Text erfolgreich extrahiert (2 Wörter)."
    assert render(messages.memory(1024)).startswith("Speicherlimit von 1.024 MB überschritten")


def _audit_summaries_from_the_services(app) -> list[str]:
    """Do one of nearly everything the audit log records, through the real services."""
    import io

    from conftest import make_document
    from toolbox.models import AuditEntry, Document, Municipality, Project
    from toolbox.services import contribute, curation, review, users
    from toolbox.services.ingest import DocumentMetadata

    first = make_document(app, title="Musterplan", municipality="Musterstadt", publish=False)
    second = make_document(app, title="Parkraumplan", municipality="Beispielheim", project="Smart Parking",
                           publish=False)
    with app.app_context():
        # Accounts without a password: hashing one costs time and changes no summary.
        admin = users.user_create("admin@toolbox.example", "admin")
        editor = users.user_create("redaktion@toolbox.example", "editor", actor=admin)
        author = users.user_create("autorin@toolbox.example", "contributor", actor=admin)
        users.user_set_role(author, "editor", actor=admin)
        users.user_set_role(author, "contributor", actor=admin)
        users.user_deactivate(author, actor=admin)
        users.user_reactivate(author, actor=admin)
        users.password_change(author, "Noch-eine-sichere-Passphrase-2026", actor=admin)
        users.user_record_login(author)
        users.user_record_logout(author)
        users.login_failed_record("", None)
        users.login_failed_record("niemand@toolbox.example", None)
        users.invitation_create(author, actor=admin)
        users.api_token_create(author)
        users.api_token_create(author)
        users.api_token_revoke(author)
        metadata = DocumentMetadata(title="Sensorkonzept", description="Ein Konzept.", topics=["umwelt-wasser"],
                                    type="konzept-strategie", municipality="Musterstadt", year=2024,
                                    license="cc-by-4.0")
        uploaded = contribute.document_upload(author, io.BytesIO(b"Sensoren an der Schwalm."), "sensoren.txt",
                                              metadata)
        document = db_get(Document, uploaded.document_id)
        contribute.document_version_add(author, document, io.BytesIO(b"Sensoren, zweite Fassung."), "sensoren-2.txt")
        review.document_publish(editor, document)
        edit = review.document_metadata(document)
        edit.title, edit.description = "Sensorplan", "Ein besserer Plan."
        review.document_update(editor, document, edit)
        from toolbox.services import pending_changes

        edit.title = "Sensorplan 2026"
        review.document_update(author, document, edit)
        contribute.document_version_add(author, document, io.BytesIO(b"Sensoren, dritte Fassung."), "sensoren-3.txt")
        pending_changes.change_accept(editor, document)
        contribute.document_version_add(author, document, io.BytesIO(b"Sensoren, vierte Fassung."), "sensoren-4.txt")
        pending_changes.change_reject(editor, document, "Noch nicht abgestimmt.")
        review.document_trash(editor, document)
        review.document_restore(editor, document)
        review.document_withdraw(author, document)
        review.document_resubmit(author, document)
        review.document_reject(editor, db_get(Document, first.id), "Zu kurz.")
        review.document_trash(editor, db_get(Document, first.id))
        review.trash_empty(admin)
        entry = curation.vocabulary_entry_create(editor, "topic", "Testthema")
        spare = curation.vocabulary_entry_create(editor, "topic", "Restthema")
        curation.vocabulary_entry_rename(editor, "topic", entry.id, "Probethema", "Trial topic")
        curation.vocabulary_entry_set_active(editor, "topic", entry.id, False)
        curation.vocabulary_entry_set_active(editor, "topic", entry.id, True)
        curation.vocabulary_entry_move(editor, "topic", entry.id, -1)
        curation.vocabulary_entry_merge(editor, "topic", spare.id, entry.id)
        town = db_get(Document, second.id).municipality
        curation.municipality_update(editor, town, name="Beispielheim", population=12000)
        curation.municipality_merge(editor, town, Municipality.query.filter_by(name="Musterstadt").one())
        project = db_get(Document, second.id).project
        curation.project_update(editor, project, name="Smart Parking Pilot")
        other = Project(name="Parken digital")
        from toolbox.extensions import db

        db.session.add(other)
        db.session.commit()
        curation.project_merge(editor, other, project)
        return [entry.message for entry in AuditEntry.query.order_by(AuditEntry.id)]


def db_get(model, key):
    from toolbox.extensions import db

    return db.session.get(model, key)


def test_audit_messages_written_by_the_services_render_in_both_languages(app):
    """Every kind of audit entry the services write is a coded message that reads in English on
    an English page and in German on a German one, vocabulary labels in the reader's language."""
    from toolbox.message import Message
    from toolbox.message_render import render

    messages = _audit_summaries_from_the_services(app)
    assert len(messages) >= 30 and all(isinstance(message, Message) for message in messages), messages
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = [render(message) for message in messages]
        still_german = [f"{message!r} → {text!r}" for message, text in zip(messages, english) if GERMAN.search(text)]
        assert not still_german, "\n".join(still_german)
        assert "Topic renamed: “Testthema” → “Trial topic”" in english
        assert "Edited: “Sensorplan” (Title, Description)" in english
        assert "Role of autorin@toolbox.example: Project lead → Editorial" in english
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        german = [render(message) for message in messages]
        assert "Themenfeld umbenannt: „Testthema“ → „Probethema“" in german
        assert "Bearbeitet: „Sensorplan“ (Titel, Beschreibung)" in german
        assert "Rolle von autorin@toolbox.example: Projektleitung → Redaktion" in german


def test_english_pages_show_stored_messages_in_english(app, client, auth, make_doc):
    """The document page and the audit log show stored German texts in the page's language;
    the German pages keep them word for word."""
    from conftest import make_user
    from toolbox.services import review

    document_id = make_doc(title="Musterplan", text="Ein kurzer Text mit sieben Wörtern hier.")
    german = client.get(f"/documents/{document_id}").get_data(as_text=True)
    english = client.get(f"/documents/{document_id}?lang=en").get_data(as_text=True)
    assert "Text erfolgreich extrahiert (" in german
    assert "Text extracted successfully (" in english and "Text erfolgreich" not in english

    make_user(app, "admin@toolbox.example", role="admin")
    with app.app_context():
        from toolbox.models import Document, User

        editor = User.query.filter_by(email="admin@toolbox.example").one()
        review.document_trash(editor, db_get(Document, document_id))
    auth.login("admin@toolbox.example")
    english = client.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "Moved to the trash: “Musterplan”" in english and "In den Papierkorb" not in english
    german = client.get("/admin/audit?lang=de").get_data(as_text=True)
    assert "In den Papierkorb: „Musterplan“" in german


def test_an_upload_refusal_reads_in_the_page_language(app, client, auth):
    """The upload service refuses in German; an English page shows the refusal in English."""
    import io

    from conftest import make_user

    make_user(app, "projektleitung@musterstadt.example", role="contributor")
    auth.login("projektleitung@musterstadt.example")
    gif = b"GIF89a" + b"\x00" * 64

    def refusal(lang: str) -> str:
        response = client.post(f"/upload?lang={lang}", data={"files": (io.BytesIO(gif), "Plan.gif")},
                               content_type="multipart/form-data")
        assert response.status_code == 400
        return response.get_data(as_text=True)

    assert "“Plan.gif”: The file format GIF (image) is not supported. Please upload it as a PDF." in refusal("en")
    assert "„Plan.gif“: Das Dateiformat GIF (Bild) wird nicht unterstützt. Bitte als PDF hochladen." in refusal("de")
