"""Migrations: rows written by the previous version come out right after an upgrade."""
from __future__ import annotations

import sqlalchemy as sa

from toolbox.extensions import db


def _alembic(app, direction: str, revision: str) -> None:
    from alembic import command

    state = app.extensions["migrate"]
    config = state.migrate.get_config(directory=state.directory)
    config.attributes["configure_logger"] = False
    db.session.remove()
    getattr(command, direction)(config, revision)


def _revision_before(app, revision: str) -> str:
    from alembic.script import ScriptDirectory

    state = app.extensions["migrate"]
    script = ScriptDirectory.from_config(state.migrate.get_config(directory=state.directory))
    return script.get_revision(revision).down_revision


OLD_EXTRACTION_MESSAGES = {
    "Text erfolgreich extrahiert (1.234 Seiten).": ("extract.ok_pages", {"pages": 1234}),
    "Text erfolgreich extrahiert (1 Wort).": ("extract.ok_words", {"words": 1}),
    "Zeitlimit von 0,5 s überschritten – die Datei konnte nicht rechtzeitig gelesen werden.":
        ("extract.timeout", {"seconds": 0.5}),
    "Datei beschädigt: Die PDF-Datei konnte nicht gelesen werden (EOF marker not found).":
        ("extract.corrupt_reason", {"reason": {"code": "extract.reason.pdf_unreadable_detail",
                                               "params": {"detail": "EOF marker not found"}}}),
    "Das Dateiformat PNG (Bild) wird nicht unterstützt. Bitte als PDF hochladen.":
        ("extract.unsupported", {"format": {"code": "extract.format.image", "params": {"name": "PNG"}},
                                 "advice": {"code": "extract.advice.pdf", "params": {}}}),
    "Das Dateiformat ODT wird nicht unterstützt. Bitte als PDF oder DOCX hochladen.":
        ("extract.unsupported", {"format": "ODT", "advice": {"code": "extract.advice.pdf_or_docx", "params": {}}}),
}
UNKNOWN = "Ein Satz, den eine ältere Version schrieb."


def test_old_extraction_sentences_become_codes(app, make_doc):
    """Upgrading a database whose file versions hold German sentences stores each known sentence
    as its code with parameters (numbers as numbers, reasons nested) and keeps any other text as
    it was, to be shown as stored."""
    texts = [*OLD_EXTRACTION_MESSAGES, UNKNOWN]
    ids = [make_doc(title=f"Alt {n}") for n in range(len(texts))]
    with app.app_context():
        previous = _revision_before(app, "b8d41f0c2a17")
        _alembic(app, "downgrade", previous)
        with db.engine.begin() as conn:
            for document_id, text in zip(ids, texts):
                conn.execute(sa.text("UPDATE file_versions SET extraction_message = :text WHERE document_id = :id"),
                             {"text": text, "id": document_id})
        _alembic(app, "upgrade", "head")
        from toolbox.models import Document

        rows = {document_id: db.session.get(Document, document_id).current_version for document_id in ids}
        for document_id, (text, (code, params)) in zip(ids, OLD_EXTRACTION_MESSAGES.items()):
            version = rows[document_id]
            assert (version.extraction_code, version.extraction_params, version.extraction_message) == (
                code, params, ""), text
        unknown = rows[ids[-1]]
        assert (unknown.extraction_code, unknown.extraction_params, unknown.extraction) == (None, {}, UNKNOWN)


def test_the_downgrade_writes_the_german_sentences_back(app, make_doc):
    """Going back to the previous revision leaves the sentences the previous version wrote."""
    document_id = make_doc(title="Kurz", text="Drei kurze Worte")
    with app.app_context():
        _alembic(app, "downgrade", _revision_before(app, "b8d41f0c2a17"))
        with db.engine.connect() as conn:
            text = conn.execute(sa.text("SELECT extraction_message FROM file_versions WHERE document_id = :id"),
                                {"id": document_id}).scalar_one()
        _alembic(app, "upgrade", "head")
    # Three words of the text and the factory's "Laufende Nummer n".
    assert text == "Text erfolgreich extrahiert (6 Wörter)."


def test_feedback_received_before_the_status_existed_is_open(app):
    """Reports stored by the previous version come out of the upgrade as "offen", with nobody
    recorded as having handled them."""
    from toolbox.models import AccessibilityFeedback
    from toolbox.services.feedback import feedback_submit

    with app.app_context():
        _alembic(app, "downgrade", _revision_before(app, "c4f81a9e2d63"))
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO accessibility_feedback (received_at, page, message, locale) "
                                 "VALUES (CURRENT_TIMESTAMP, '/suche', 'Filter ohne Namen', 'de')"))
        _alembic(app, "upgrade", "head")
        old = db.session.scalar(sa.select(AccessibilityFeedback))
        assert (old.status, old.status_changed_at, old.handled_by_id) == ("open", None, None)
        assert feedback_submit("Neue Meldung").status == "open"


OLD_AUDIT_SUMMARIES = {
    "Konto redaktion@toolbox.example angelegt (editor)":
        ("audit.user_create", {"email": "redaktion@toolbox.example", "role": {"code": "role.editor", "params": {}}}),
    "Rolle von autorin@toolbox.example: contributor → admin":
        ("audit.role_change", {"email": "autorin@toolbox.example", "old": {"code": "role.contributor", "params": {}},
                               "new": {"code": "role.admin", "params": {}}}),
    "Fehlgeschlagene Anmeldung für (leer)":
        ("audit.login_failed", {"email": {"code": "audit.no_email", "params": {}}}),
    "Bearbeitet: „Sensorplan“ (Titel, Beschreibung)":
        ("audit.document.update", {"title": "Sensorplan", "fields": [{"code": "field.title", "params": {}},
                                                                     {"code": "field.description", "params": {}}]}),
    "Themenfeld zusammengeführt: „Alt“ → „Neu“ (1.234 Dokument(e))":
        ("audit.vocabulary.merge", {"vocabulary": {"code": "vocabulary.topic", "params": {}}, "old": "Alt",
                                    "new": "Neu", "count": 1234}),
    "Papierkorb geleert: 3 Dokument(e)": ("audit.trash.empty", {"count": 3}),
    "Texterkennung fehlgeschlagen nach 3 Versuch(en): Dokument 7":
        ("audit.job.failed", {"kind": {"code": "job.kind.ocr", "params": {}}, "attempts": 3, "number": 7}),
}


def test_old_audit_summaries_become_codes(app):
    """Upgrading a database whose audit log holds German summaries stores each known summary as
    its code with parameters (roles, vocabulary names and field names as labels) and keeps any
    other text, which the log then shows as stored."""
    texts = [*OLD_AUDIT_SUMMARIES, UNKNOWN]
    with app.app_context():
        _alembic(app, "downgrade", _revision_before(app, "c4e7a91d3b58"))
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_log"))
            for number, text in enumerate(texts, start=1):
                conn.execute(sa.text("INSERT INTO audit_log (id, at, action, summary, details) "
                                     "VALUES (:id, CURRENT_TIMESTAMP, 'probe', :summary, '{}')"),
                             {"id": number, "summary": text})
        _alembic(app, "upgrade", "head")
        from toolbox.models import AuditEntry

        rows = [db.session.get(AuditEntry, number) for number in range(1, len(texts) + 1)]
        for row, (text, (code, params)) in zip(rows, OLD_AUDIT_SUMMARIES.items()):
            assert (row.code, row.params, row.summary) == (code, params, ""), text
        assert (rows[-1].code, rows[-1].params, rows[-1].message) == (None, {}, UNKNOWN)
        # And back: the previous version finds its sentences again.
        _alembic(app, "downgrade", _revision_before(app, "c4e7a91d3b58"))
        with db.engine.connect() as conn:
            back = conn.execute(sa.text("SELECT summary FROM audit_log ORDER BY id")).scalars().all()
        _alembic(app, "upgrade", "head")
    assert back == texts


def test_old_job_errors_become_codes(app):
    """A job's last error written as a German reason becomes its code; a library's error text
    stays as it was."""
    errors = ["Abgebrochen: der Worker-Prozess wurde beendet.", "OSError: Datenträger voll"]
    with app.app_context():
        _alembic(app, "downgrade", _revision_before(app, "c4e7a91d3b58"))
        with db.engine.begin() as conn:
            for number, error in enumerate(errors, start=1):
                conn.execute(sa.text(
                    "INSERT INTO jobs (id, kind, state, attempts, max_attempts, limit_seconds, last_error, "
                    "created_at, changed_at) VALUES (:id, 'ocr', 'failed', 3, 3, 600, :error, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"), {"id": number, "error": error})
        _alembic(app, "upgrade", "head")
        from toolbox.models import Job

        coded, literal = db.session.get(Job, 1), db.session.get(Job, 2)
        assert (coded.last_error_code, coded.last_error) == ("job.worker_gone", "")
        assert (literal.last_error_code, literal.error) == (None, "OSError: Datenträger voll")


def test_seeded_topics_and_licences_get_their_dcat_mapping(app):
    """The upgrade gives the seeded topics their EU data theme and the licences their dcat-ap.de URI;
    an entry an editor created keeps none until an admin sets it."""
    revision = "d15ca7a9e0b1"
    with app.app_context():
        _alembic(app, "downgrade", _revision_before(app, revision))
        db.session.execute(sa.text("INSERT INTO topics (slug, label_de, label_en, position, active) "
                                   "VALUES ('smart-farming', 'Smart Farming', 'Smart farming', 99, TRUE)"))
        db.session.commit()
        _alembic(app, "upgrade", revision)
        themes = dict(db.session.execute(sa.text("SELECT slug, data_theme FROM topics")).all())
        licences = dict(db.session.execute(sa.text("SELECT slug, dcat_license FROM licenses")).all())
    assert themes["mobilitaet-verkehr"] == "TRAN" and themes["bevoelkerungsschutz"] == "JUST"
    assert themes["smart-farming"] is None
    assert licences["cc-by-4.0"] == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    assert licences["nach-ruecksprache"] == "http://dcat-ap.de/def/licenses/other-closed"


def test_a_regionalschluessel_in_the_ags_column_moves_to_its_own(app):
    """A 12-digit key the previous version kept as "AGS" becomes the ARS, and the AGS is derived
    from it; an 8-digit AGS stays; a downgrade puts the ARS back where it was."""
    revision = "f15a7c3e2b84"
    with app.app_context():
        _alembic(app, "downgrade", _revision_before(app, revision))
        db.session.execute(sa.text("INSERT INTO municipalities (name, ags, size_class_manual) VALUES "
                                   "('Fulda', '066310009009', FALSE), ('Alsfeld', '06535001', FALSE), "
                                   "('Ohne', NULL, FALSE)"))
        db.session.commit()
        _alembic(app, "upgrade", "head")
        keys = {name: (ags, ars) for name, ags, ars in db.session.execute(
            sa.text("SELECT name, ags, ars FROM municipalities")).all()}
        assert keys == {"Fulda": ("06631009", "066310009009"), "Alsfeld": ("06535001", None), "Ohne": (None, None)}
        _alembic(app, "downgrade", _revision_before(app, revision))
        back = dict(db.session.execute(sa.text("SELECT name, ags FROM municipalities")).all())
        _alembic(app, "upgrade", "head")
    assert back == {"Fulda": "066310009009", "Alsfeld": "06535001", "Ohne": None}
