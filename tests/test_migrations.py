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
