"""Frozen for the migrations: the German sentences services stored before messages had codes.

Each known sentence is a German msgid whose ``%(name)s`` placeholders make it a pattern. A stored
text that matches one becomes that code with the captured values as parameters: numbers written
the German way become numbers again, and values that were German fragments themselves (a
reason, a piece of advice, a format name) are parsed against the same table into nested
messages. Text that matches nothing stays text. ``sentence`` writes a message back as the German
sentence, for downgrades.

Never import the application's catalogue here: a migration must keep doing what it did when it
was written, whatever the catalogue becomes.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

# Placeholders holding a number written the German way (1.234 or 0,5).
NUMBERS = frozenset({"count", "pages", "words", "failed", "seconds", "mb", "number", "ratio", "id", "attempts"})
# Placeholders holding German text that is parsed in turn (and kept as text if it matches nothing).
NESTED = frozenset({"reason", "advice", "format"})

# (code, German msgid) of what toolbox/extract/messages.py, contribute.py, ingest.py and
# consistency.py stored until the coded messages; singular and plural forms share a code.
EXTRACTION = (
    ("extract.ok_pages", "Text erfolgreich extrahiert (%(pages)s Seite)."),
    ("extract.ok_pages", "Text erfolgreich extrahiert (%(pages)s Seiten)."),
    ("extract.ok_words", "Text erfolgreich extrahiert (%(words)s Wort)."),
    ("extract.ok_words", "Text erfolgreich extrahiert (%(words)s Wörter)."),
    ("extract.ok_pages_partly",
     "Text teilweise extrahiert (%(pages)s Seiten); %(failed)s Seite konnte nicht gelesen werden."),
    ("extract.ok_pages_partly",
     "Text teilweise extrahiert (%(pages)s Seiten); %(failed)s Seiten konnten nicht gelesen werden."),
    ("extract.scanned_pdf", "Gescanntes Dokument ohne Text – keine Textebene gefunden. Für die Volltextsuche "
                            "bitte eine PDF-Datei mit Textebene (OCR) hochladen."),
    ("extract.pdf_without_pages", "Die PDF-Datei enthält keine Seiten."),
    ("extract.no_text", "Die Datei enthält keinen Text."),
    ("extract.empty_file", "Die Datei ist leer (0 Byte)."),
    ("extract.pdf_password", "Die PDF-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen "
                             "werden. Bitte eine Fassung ohne Passwort hochladen."),
    ("extract.pdf_encryption_unsupported", "Die PDF-Datei ist mit einem Verfahren verschlüsselt, das nicht "
                                           "gelesen werden kann. Bitte eine Fassung ohne Verschlüsselung "
                                           "hochladen."),
    ("extract.office_password", "Die Office-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen "
                                "werden. Bitte ohne Kennwort speichern und erneut hochladen."),
    ("extract.pdf_stream_too_large", "Ein Datenstrom der PDF-Datei würde entpackt mehr als %(mb)s MB belegen – "
                                     "möglicherweise eine Dekomprimierungsbombe. Die Datei wird deshalb nicht "
                                     "gelesen."),
    ("extract.xml_doctype", "Die Word-Datei enthält eine DTD mit Entity-Definitionen (<!DOCTYPE …>), die in "
                            "DOCX-Dateien nicht vorkommt – möglicherweise eine XML-Bombe oder ein Versuch, "
                            "lokale Dateien auszulesen. Sie wird deshalb nicht gelesen."),
    ("extract.corrupt", "Datei beschädigt."),
    ("extract.corrupt_reason", "Datei beschädigt: %(reason)s."),
    ("extract.reason.no_pdf_page_readable", "Keine Seite der PDF-Datei konnte gelesen werden"),
    ("extract.reason.pdf_unreadable_detail", "Die PDF-Datei konnte nicht gelesen werden (%(detail)s)"),
    ("extract.reason.word_unreadable_detail", "Die Word-Datei konnte nicht gelesen werden (%(detail)s)"),
    ("extract.reason.file_unreadable_detail", "Die Datei konnte nicht gelesen werden (%(detail)s)"),
    ("extract.reason.zip_invalid_detail", "Das ZIP-Archiv der Datei ist ungültig (%(detail)s)"),
    ("extract.reason.pdf_unreadable", "Die PDF-Datei konnte nicht gelesen werden"),
    ("extract.reason.word_unreadable", "Die Word-Datei konnte nicht gelesen werden"),
    ("extract.reason.file_unreadable", "Die Datei konnte nicht gelesen werden"),
    ("extract.reason.zip_invalid", "Das ZIP-Archiv der Datei ist ungültig"),
    ("extract.timeout", "Zeitlimit von %(seconds)s s überschritten – die Datei konnte nicht rechtzeitig "
                        "gelesen werden."),
    ("extract.memory", "Speicherlimit von %(mb)s MB überschritten – die Datei ist zu groß oder zu komplex, "
                       "um gelesen zu werden."),
    ("extract.crashed", "Der Leseprozess ist unerwartet abgebrochen (%(detail)s)."),
    ("extract.internal_error", "Die Textextraktion ist wegen eines internen Fehlers fehlgeschlagen."),
    ("extract.file_not_found", "Die Datei wurde nicht gefunden oder kann nicht geöffnet werden."),
    ("extract.pdf_header_misplaced", "Die Datei beginnt nicht wie eine PDF-Datei: Ihre PDF-Kennung steht nicht am "
                                     "Anfang, wie es bei als PDF getarnten Webseiten der Fall ist. Bitte die Datei "
                                     "neu als PDF speichern oder exportieren und erneut hochladen."),
    ("extract.zip_too_many_members", "Die Datei enthält mehr als %(count)s gepackte Bestandteile – "
                                     "möglicherweise eine ZIP-Bombe. Sie wird deshalb nicht gelesen."),
    ("extract.zip_too_large", "Die Datei würde entpackt mehr als %(mb)s MB belegen – möglicherweise eine "
                              "ZIP-Bombe. Sie wird deshalb nicht gelesen."),
    ("extract.zip_ratio", "Der Bestandteil „%(name)s“ ist ungewöhnlich stark komprimiert (Verhältnis "
                          "%(ratio)s:1) – möglicherweise eine ZIP-Bombe. Die Datei wird deshalb nicht gelesen."),
    ("extract.unsupported_macros", "Word-Dateien mit Makros (DOCM/DOTM) werden aus Sicherheitsgründen nicht "
                                   "angenommen. Bitte ohne Makros als DOCX speichern oder als PDF exportieren."),
    ("extract.unsupported_unknown", "Das Dateiformat wurde nicht erkannt und wird nicht unterstützt. "
                                    "Unterstützt werden PDF, DOCX, TXT, Markdown (MD) und CSV."),
    ("extract.unsupported", "Das Dateiformat %(format)s wird nicht unterstützt. %(advice)s"),
    ("extract.format.image", "%(name)s (Bild)"),
    ("extract.format.program", "%(name)s (Programm)"),
    ("extract.format.msg", "MSG (Outlook-Nachricht)"),
    ("extract.format.ole", "eines alten Office-Programms (OLE)"),
    ("extract.advice.pdf_or_docx", "Bitte als PDF oder DOCX hochladen."),
    ("extract.advice.pdf_or_csv", "Bitte als PDF oder CSV hochladen."),
    ("extract.advice.pdf", "Bitte als PDF hochladen."),
    ("extract.advice.pdf_docx_or_txt", "Bitte als PDF, DOCX oder TXT hochladen."),
    ("extract.advice.doc", "Bitte in Word als DOCX speichern oder als PDF exportieren und erneut hochladen."),
    ("extract.advice.archive", "Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    ("check.file_missing", "Die gespeicherte Datei fehlt (SHA-256 %(sha)s). Bitte eine neue Version hochladen "
                           "oder die Datei aus einer Sicherung wiederherstellen."),
    ("check.file_corrupt", "Die gespeicherte Datei ist beschädigt (SHA-256 %(sha)s) und wurde in die "
                           "Quarantäne verschoben. Bitte eine neue Version hochladen oder die Datei aus einer "
                           "Sicherung wiederherstellen."),
)

# (code, German msgid) of the audit summaries the services wrote until the coded messages.
AUDIT = (
    ("audit.user_create", "Konto %(email)s angelegt (%(role)s)"),
    ("audit.password_change", "Passwort von %(email)s geändert"),
    ("audit.user_deactivate", "Konto %(email)s deaktiviert"),
    ("audit.user_reactivate", "Konto %(email)s reaktiviert"),
    ("audit.role_change", "Rolle von %(email)s: %(old)s → %(new)s"),
    ("audit.login", "Anmeldung %(email)s"),
    ("audit.logout", "Abmeldung %(email)s"),
    ("audit.login_failed", "Fehlgeschlagene Anmeldung für %(email)s"),
    ("audit.invite", "Einladungslink für %(email)s erzeugt"),
    ("audit.invite_used", "Einladung von %(email)s angenommen, Passwort gesetzt"),
    ("audit.api_token_replace", "API-Schlüssel für %(email)s erzeugt (alter ersetzt)"),
    ("audit.api_token_create", "API-Schlüssel für %(email)s erzeugt"),
    ("audit.api_token_revoke", "API-Schlüssel von %(email)s widerrufen"),
    ("audit.document.upload", "Hochgeladen: „%(title)s“ (%(filename)s)"),
    ("audit.document.version_add", "Neue Version %(number)s von „%(title)s“ (%(filename)s)"),
    ("audit.document.publish", "Veröffentlicht: „%(title)s“"),
    ("audit.document.reject", "Abgelehnt: „%(title)s“"),
    ("audit.document.withdraw", "Zurückgezogen: „%(title)s“"),
    ("audit.document.trash", "In den Papierkorb: „%(title)s“"),
    ("audit.document.restore", "Wiederhergestellt: „%(title)s“"),
    ("audit.document.update", "Bearbeitet: „%(title)s“ (%(fields)s)"),
    ("audit.trash.empty", "Papierkorb geleert: %(count)s Dokument(e)"),
    ("audit.vocabulary.create", "%(vocabulary)s angelegt: „%(label)s“ (%(slug)s)"),
    ("audit.vocabulary.rename", "%(vocabulary)s umbenannt: „%(old)s“ → „%(new)s“"),
    ("audit.vocabulary.reorder", "%(vocabularies)s neu sortiert"),
    ("audit.vocabulary.deactivate", "%(vocabulary)s deaktiviert: „%(label)s“"),
    ("audit.vocabulary.activate", "%(vocabulary)s reaktiviert: „%(label)s“"),
    ("audit.vocabulary.merge", "%(vocabulary)s zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument(e))"),
    ("audit.municipality.update", "Kommune bearbeitet: „%(name)s“"),
    ("audit.municipality.merge", "Kommunen zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument(e))"),
    ("audit.project.update", "Projekt bearbeitet: „%(name)s“"),
    ("audit.project.merge", "Projekte zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument(e))"),
    ("audit.check.file_missing", "Datei von Version %(number)s fehlt"),
    ("audit.check.file_corrupt", "Datei von Version %(number)s beschädigt"),
    ("audit.check.file_restored", "Datei von Version %(number)s wieder vorhanden"),
    ("audit.job.failed", "%(kind)s fehlgeschlagen nach %(attempts)s Versuch(en): Dokument %(number)s"),
    # Written only by the coded services; listed after the sentences they extend, so that only a
    # downgrade reaches them (it writes the shorter sentence the previous version knew).
    ("audit.login_failed_because", "Fehlgeschlagene Anmeldung für %(email)s"),
    ("audit.invite_until", "Einladungslink für %(email)s erzeugt"),
)

# Why a background job's last attempt failed (toolbox/services/jobs.py, ocr.py), until the codes.
JOBS = (
    ("ocr.unavailable", "Texterkennung auf diesem Server nicht verfügbar."),
    ("job.file_missing", "Die gespeicherte Datei fehlt; bitte „toolbox check“ ausführen."),
    ("job.worker_gone", "Abgebrochen: der Worker-Prozess wurde beendet."),
    ("job.too_long", "Abgebrochen: länger als das Zeitlimit des Auftrags."),
)

# Values that were written as German words (or raw codes) and are labels in the catalogue now:
# placeholder → {stored text → code}. A placeholder listed here matches only these texts, which
# keeps "%(vocabulary)s angelegt: …" from swallowing other sentences.
_ROLES = {"contributor": "role.contributor", "editor": "role.editor", "admin": "role.admin"}
LABELS = {
    "vocabulary": {"Themenfeld": "vocabulary.topic", "Dokumenttyp": "vocabulary.type",
                   "Größenklasse": "vocabulary.size_class", "Lizenz": "vocabulary.license"},
    "vocabularies": {"Themenfelder": "vocabularies.topic", "Dokumenttypen": "vocabularies.type",
                     "Größenklassen": "vocabularies.size_class", "Lizenzen": "vocabularies.license"},
    "role": _ROLES,
    "kind": {"Texterkennung": "job.kind.ocr"},
}
# Labels only within one sentence: a role change names the roles by their codes.
CODE_LABELS = {
    "audit.role_change": {"old": _ROLES, "new": _ROLES},
    "audit.login_failed": {"email": {"(leer)": "audit.no_email"}},
}
# Comma-separated lists of labels.
LIST_LABELS = {
    "fields": {"Titel": "field.title", "Beschreibung": "field.description", "Themenfelder": "field.topics",
               "Dokumenttyp": "field.type", "Lizenz": "field.license", "Jahr": "field.year",
               "Kontakt": "field.contact", "Kommune": "field.municipality", "Projekt": "field.project"},
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_GERMAN_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def _compile(table: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for code, msgid in table:
        parts, position = [], 0
        for match in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[position:match.start()]))
            name = match.group(1)
            choices = LABELS.get(name)
            body = "|".join(map(re.escape, choices)) if choices else ".+?"
            parts.append(f"(?P<{name}>{body})")
            position = match.end()
        parts.append(re.escape(msgid[position:]))
        compiled.append((re.compile("".join(parts), re.DOTALL), code))
    return compiled


def _number(text: str) -> Any:
    if not _GERMAN_NUMBER.fullmatch(text):
        return text
    value = float(text.replace(".", "").replace(",", "."))
    return int(value) if value.is_integer() else value


def parse(text: str | None, table: tuple[tuple[str, str], ...]) -> dict[str, Any] | None:
    """``{"code", "params"}`` for a stored German sentence of ``table``, else None."""
    if not text:
        return None
    for pattern, code in _compile(table):
        match = pattern.fullmatch(text)
        if match:
            params = {}
            for name, value in match.groupdict().items():
                labels = CODE_LABELS.get(code, {}).get(name) or LABELS.get(name)
                if labels and value in labels:
                    params[name] = {"code": labels[value], "params": {}}
                elif name in LIST_LABELS:
                    params[name] = [{"code": LIST_LABELS[name][part], "params": {}} if part in LIST_LABELS[name]
                                    else part for part in value.split(", ")]
                elif name in NUMBERS:
                    params[name] = _number(value)
                elif name in NESTED:
                    params[name] = parse(value, table) or value
                else:
                    params[name] = value
            return {"code": code, "params": params}
    return None


def _german_number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        decimals = f"{value:,.3f}".rstrip("0")
        return decimals.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{int(value):,}".replace(",", ".")


def _label(value: Any, table: tuple[tuple[str, str], ...]) -> str:
    if not isinstance(value, dict):
        return str(value)
    every = (*LABELS.values(), *LIST_LABELS.values(), *(d for c in CODE_LABELS.values() for d in c.values()))
    known = {code: text for labels in every for text, code in labels.items()}
    code = value["code"]
    if code.startswith("role."):
        return code.split(".", 1)[1]
    return known.get(code) or sentence(code, value.get("params"), table) or code


def sentence(code: str | None, params: dict[str, Any] | None, table: tuple[tuple[str, str], ...]) -> str | None:
    """The German sentence of a coded message (the plural form where a count asks for it)."""
    forms = [msgid for known, msgid in table if known == code]
    if not forms:
        return None
    values = {}
    for name, value in (params or {}).items():
        if isinstance(value, list):
            value = ", ".join(_label(item, table) for item in value)
        elif isinstance(value, dict) and "code" in value:
            value = _label(value, table)
        elif isinstance(value, dict):
            value = value.get("de", "")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _german_number(value)
        values[name] = value
    counts = [value for name, value in (params or {}).items() if name in NUMBERS and isinstance(value, int)]
    msgid = forms[1] if len(forms) > 1 and counts and counts[-1] != 1 else forms[0]
    try:
        return msgid % values
    except (KeyError, TypeError, ValueError):
        return msgid


def upgrade_to_codes(table_name: str, literal: str, code: str, params: str,
                     table: tuple[tuple[str, str], ...]) -> None:
    """Add the ``code`` and ``params`` columns and move each known sentence of ``literal`` there."""
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        batch_op.add_column(sa.Column(code, sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column(params, sa.JSON(), nullable=True))
    rows = sa.table(table_name, sa.column(literal, sa.Text), sa.column(code, sa.String), sa.column(params, sa.JSON))
    conn = op.get_bind()
    conn.execute(rows.update().values({params: {}}))
    # Thousands of rows share a few dozen sentences: parse each sentence once.
    for text in conn.execute(sa.select(rows.c[literal]).distinct()).scalars().all():
        parsed = parse(text, table)
        if parsed is not None:
            conn.execute(rows.update().where(rows.c[literal] == text).values(
                {code: parsed["code"], params: parsed["params"], literal: ""}))
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        batch_op.alter_column(params, existing_type=sa.JSON(), nullable=False)


def downgrade_to_sentences(table_name: str, literal: str, code: str, params: str,
                           table: tuple[tuple[str, str], ...]) -> None:
    """Write each coded row's German sentence into ``literal`` and drop ``code`` and ``params``."""
    rows = sa.table(table_name, sa.column("id", sa.Integer), sa.column(literal, sa.Text),
                    sa.column(code, sa.String), sa.column(params, sa.JSON))
    conn = op.get_bind()
    coded = conn.execute(sa.select(rows.c.id, rows.c[code], rows.c[params]).where(rows.c[code].is_not(None))).all()
    for row_id, row_code, row_params in coded:
        conn.execute(rows.update().where(rows.c.id == row_id).values(
            {literal: sentence(row_code, row_params, table) or row_code}))
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        batch_op.drop_column(params)
        batch_op.drop_column(code)
