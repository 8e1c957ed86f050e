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

# Placeholders holding a number written the German way (1.234 or 0,5).
NUMBERS = frozenset({"count", "pages", "words", "failed", "seconds", "mb", "number", "ratio", "id"})
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

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_GERMAN_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def _compile(table: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for code, msgid in table:
        parts, position = [], 0
        for match in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[position:match.start()]))
            parts.append(f"(?P<{match.group(1)}>.+?)")
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
                if name in NUMBERS:
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


def sentence(code: str | None, params: dict[str, Any] | None, table: tuple[tuple[str, str], ...]) -> str | None:
    """The German sentence of a coded message (the plural form where a count asks for it)."""
    forms = [msgid for known, msgid in table if known == code]
    if not forms:
        return None
    values = {}
    for name, value in (params or {}).items():
        if isinstance(value, dict) and "code" in value:
            value = sentence(value["code"], value.get("params"), table) or value["code"]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _german_number(value)
        values[name] = value
    counts = [value for name, value in (params or {}).items() if name in NUMBERS and isinstance(value, int)]
    msgid = forms[1] if len(forms) > 1 and counts and counts[-1] != 1 else forms[0]
    try:
        return msgid % values
    except (KeyError, TypeError, ValueError):
        return msgid
