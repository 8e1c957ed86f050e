"""Show texts that were stored in German (extraction messages, audit summaries) in the page's language.

Extraction results and audit entries are written once, in German, by services that run without a
request (the CLI, the extraction child) and are read for years, by editors in either language.
So the stored sentence stays as it is — old rows included — and is translated when it is shown:
each known sentence is listed below as a German msgid whose ``%(name)s`` placeholders also make
it a pattern. A stored text that matches one is shown through gettext with the captured values;
values that are themselves known German fragments (a reason, a piece of advice, a vocabulary
name) are translated in turn, and German-formatted numbers are re-formatted for the locale.
Anything else — a sentence a newer service wrote, a title, an e-mail address — is shown as
stored, which is what it was before. The upload pages pass the refusals of the upload service
through here too: they come from the same German-only code, only they are shown at once.

The msgids must stay word for word what the services write; tests/test_i18n.py produces the
messages through the real services and fails when one of them no longer matches.
"""
from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import format_decimal, gettext

from .i18n import DEFAULT_LOCALE, N_, current_locale_name

# Placeholders whose captured value is German text to translate in turn; all others (titles,
# names, e-mail addresses, file names, slugs, library error texts) are shown as stored.
_NESTED = {"reason", "what", "advice", "format", "vocabulary", "vocabularies", "fields"}
# Placeholders that hold a number written the German way (1.234 or 0,5).
_NUMBERS = {"count", "pages", "words", "failed", "seconds", "mb", "number", "ratio", "limit"}
# A placeholder matches any text unless it is narrowed here; keeping the vocabulary names narrow
# stops "%(vocabulary)s angelegt: …" from swallowing unrelated sentences.
_CHOICES = {
    "vocabulary": ("Themenfeld", "Dokumenttyp", "Größenklasse", "Lizenz"),
    "vocabularies": ("Themenfelder", "Dokumenttypen", "Größenklassen", "Lizenzen"),
}

KNOWN_TEXTS: tuple[str, ...] = (
    # --- extraction statuses (toolbox/extract/result.py, STATUS_LABELS) -------------------------
    N_("Text extrahiert"),
    N_("Kein Text (gescanntes Dokument?)"),
    N_("Passwortgeschützt"),
    N_("Nicht lesbar"),
    N_("Zeitlimit überschritten"),
    # --- extraction results (toolbox/extract/messages.py) ---------------------------------------
    N_("Text erfolgreich extrahiert (%(pages)s Seite)."),
    N_("Text erfolgreich extrahiert (%(pages)s Seiten)."),
    N_("Text erfolgreich extrahiert (%(words)s Wort)."),
    N_("Text erfolgreich extrahiert (%(words)s Wörter)."),
    N_("Text teilweise extrahiert (%(pages)s Seiten); %(failed)s Seite konnte nicht gelesen werden."),
    N_("Text teilweise extrahiert (%(pages)s Seiten); %(failed)s Seiten konnten nicht gelesen werden."),
    N_("Gescanntes Dokument ohne Text – keine Textebene gefunden. Für die Volltextsuche bitte eine PDF-Datei "
       "mit Textebene (OCR) hochladen."),
    N_("Die PDF-Datei enthält keine Seiten."),
    N_("Die Datei enthält keinen Text."),
    N_("Die Datei ist leer (0 Byte)."),
    N_("Die PDF-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen werden. Bitte eine Fassung "
       "ohne Passwort hochladen."),
    N_("Die PDF-Datei ist mit einem Verfahren verschlüsselt, das nicht gelesen werden kann. Bitte eine "
       "Fassung ohne Verschlüsselung hochladen."),
    N_("Die Office-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen werden. Bitte ohne "
       "Kennwort speichern und erneut hochladen."),
    N_("Ein Datenstrom der PDF-Datei würde entpackt mehr als %(mb)s MB belegen – möglicherweise eine "
       "Dekomprimierungsbombe. Die Datei wird deshalb nicht gelesen."),
    N_("Die Word-Datei enthält eine DTD mit Entity-Definitionen (<!DOCTYPE …>), die in DOCX-Dateien nicht "
       "vorkommt – möglicherweise eine XML-Bombe oder ein Versuch, lokale Dateien auszulesen. Sie wird "
       "deshalb nicht gelesen."),
    N_("Datei beschädigt."),
    N_("Datei beschädigt: %(reason)s."),
    N_("Keine Seite der PDF-Datei konnte gelesen werden"),
    N_("Die PDF-Datei konnte nicht gelesen werden (%(detail)s)"),
    N_("Die Word-Datei konnte nicht gelesen werden (%(detail)s)"),
    N_("Die Datei konnte nicht gelesen werden (%(detail)s)"),
    N_("Das ZIP-Archiv der Datei ist ungültig (%(detail)s)"),
    N_("Die PDF-Datei konnte nicht gelesen werden"),
    N_("Die Word-Datei konnte nicht gelesen werden"),
    N_("Die Datei konnte nicht gelesen werden"),
    N_("Das ZIP-Archiv der Datei ist ungültig"),
    N_("Zeitlimit von %(seconds)s s überschritten – die Datei konnte nicht rechtzeitig gelesen werden."),
    N_("Speicherlimit von %(mb)s MB überschritten – die Datei ist zu groß oder zu komplex, um gelesen zu "
       "werden."),
    N_("Der Leseprozess ist unerwartet abgebrochen (%(detail)s)."),
    N_("Die Textextraktion ist wegen eines internen Fehlers fehlgeschlagen."),
    N_("Die Datei wurde nicht gefunden oder kann nicht geöffnet werden."),
    N_("Die Datei beginnt nicht wie eine PDF-Datei: Ihre PDF-Kennung steht nicht am Anfang, wie es bei als PDF "
       "getarnten Webseiten der Fall ist. Bitte die Datei neu als PDF speichern oder exportieren und erneut "
       "hochladen."),
    N_("Die Datei enthält mehr als %(count)s gepackte Bestandteile – möglicherweise eine ZIP-Bombe. Sie wird "
       "deshalb nicht gelesen."),
    N_("Die Datei würde entpackt mehr als %(mb)s MB belegen – möglicherweise eine ZIP-Bombe. Sie wird deshalb "
       "nicht gelesen."),
    N_("Der Bestandteil „%(name)s“ ist ungewöhnlich stark komprimiert (Verhältnis %(ratio)s:1) – "
       "möglicherweise eine ZIP-Bombe. Die Datei wird deshalb nicht gelesen."),
    N_("Word-Dateien mit Makros (DOCM/DOTM) werden aus Sicherheitsgründen nicht angenommen. Bitte ohne "
       "Makros als DOCX speichern oder als PDF exportieren."),
    N_("Das Dateiformat wurde nicht erkannt und wird nicht unterstützt. Unterstützt werden PDF, DOCX, TXT, "
       "Markdown (MD) und CSV."),
    N_("Das Dateiformat %(format)s wird nicht unterstützt. %(advice)s"),
    N_("%(name)s (Bild)"),
    N_("%(name)s (Programm)"),
    N_("MSG (Outlook-Nachricht)"),
    N_("eines alten Office-Programms (OLE)"),
    N_("Bitte als PDF oder DOCX hochladen."),
    N_("Bitte als PDF oder CSV hochladen."),
    N_("Bitte als PDF hochladen."),
    N_("Bitte als PDF, DOCX oder TXT hochladen."),
    N_("Bitte in Word als DOCX speichern oder als PDF exportieren und erneut hochladen."),
    N_("Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    # --- background jobs (toolbox/services/jobs.py, ocr.py): last errors and audit summaries ----
    N_("Texterkennung auf diesem Server nicht verfügbar."),
    N_("Die gespeicherte Datei fehlt; bitte „toolbox check“ ausführen."),
    N_("Abgebrochen: der Worker-Prozess wurde beendet."),
    N_("Abgebrochen: länger als das Zeitlimit des Auftrags."),
    N_("Texterkennung fehlgeschlagen nach %(count)s Versuch(en): Dokument %(number)s"),
    # --- upload refusals (toolbox/services/contribute.py), shown at once rather than stored -----
    N_("„%(filename)s“: %(reason)s"),
    N_("Die Datei ist größer als %(mb)s MB."),
    N_("Dieses Dateiformat wird nicht unterstützt."),
    N_("Diese Datei ist bereits eine Version dieses Dokuments."),
    N_("Diese Datei ist bereits als anderes Dokument (Nr. %(number)s) vorhanden."),
    # --- integrity check (toolbox/services/consistency.py) --------------------------------------
    N_("Die gespeicherte Datei fehlt (SHA-256 %(sha)s). Bitte eine neue Version hochladen oder die Datei aus "
       "einer Sicherung wiederherstellen."),
    N_("Die gespeicherte Datei ist beschädigt (SHA-256 %(sha)s) und wurde in die Quarantäne verschoben. Bitte "
       "eine neue Version hochladen oder die Datei aus einer Sicherung wiederherstellen."),
    N_("Datei von Version %(number)s fehlt"),
    N_("Datei von Version %(number)s beschädigt"),
    N_("Datei von Version %(number)s wieder vorhanden"),
    # --- audit summaries: accounts (toolbox/services/users.py) ----------------------------------
    N_("Konto %(email)s angelegt (%(role)s)"),
    N_("Passwort von %(email)s geändert"),
    N_("Konto %(email)s deaktiviert"),
    N_("Konto %(email)s reaktiviert"),
    N_("Rolle von %(email)s: %(old)s → %(new)s"),
    N_("Anmeldung %(email)s"),
    N_("Abmeldung %(email)s"),
    N_("Fehlgeschlagene Anmeldung für (leer)"),
    N_("Fehlgeschlagene Anmeldung für %(email)s"),
    N_("Einladungslink für %(email)s erzeugt"),
    N_("Einladung von %(email)s angenommen, Passwort gesetzt"),
    N_("API-Schlüssel für %(email)s erzeugt (alter ersetzt)"),
    N_("API-Schlüssel für %(email)s erzeugt"),
    N_("API-Schlüssel von %(email)s widerrufen"),
    # --- audit summaries: documents (review.py, contribute.py) -----------------------------------
    N_("Hochgeladen: „%(title)s“ (%(filename)s)"),
    N_("Neue Version %(number)s von „%(title)s“ (%(filename)s)"),
    N_("Veröffentlicht: „%(title)s“"),
    N_("Abgelehnt: „%(title)s“"),
    N_("Zurückgezogen: „%(title)s“"),
    N_("In den Papierkorb: „%(title)s“"),
    N_("Wiederhergestellt: „%(title)s“"),
    N_("Bearbeitet: „%(title)s“ (%(fields)s)"),
    N_("Papierkorb geleert: %(count)s Dokument(e)"),
    # --- audit summaries: curation (curation.py) -------------------------------------------------
    N_("%(vocabulary)s angelegt: „%(label)s“ (%(slug)s)"),
    N_("%(vocabulary)s umbenannt: „%(old)s“ → „%(new)s“"),
    N_("%(vocabularies)s neu sortiert"),
    N_("%(vocabulary)s deaktiviert: „%(label)s“"),
    N_("%(vocabulary)s reaktiviert: „%(label)s“"),
    N_("%(vocabulary)s zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument(e))"),
    N_("Kommune bearbeitet: „%(name)s“"),
    N_("Kommunen zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument(e))"),
    N_("Projekt bearbeitet: „%(name)s“"),
    N_("Projekte zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument(e))"),
    # Fragments the sentences above carry: vocabulary names and the labels of edited fields.
    N_("Themenfeld"), N_("Dokumenttyp"), N_("Größenklasse"), N_("Lizenz"),
    N_("Themenfelder"), N_("Dokumenttypen"), N_("Größenklassen"), N_("Lizenzen"),
    N_("Titel"), N_("Beschreibung"), N_("Jahr"), N_("Kontakt"), N_("Kommune"), N_("Projekt"),
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_GERMAN_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    for msgid in KNOWN_TEXTS:
        parts = []
        position = 0
        for match in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[position:match.start()]))
            name = match.group(1)
            choices = _CHOICES.get(name)
            body = "|".join(map(re.escape, choices)) if choices else ".+?"
            parts.append(f"(?P<{name}>{body})")
            position = match.end()
        parts.append(re.escape(msgid[position:]))
        compiled.append((re.compile("".join(parts), re.DOTALL), msgid))
    return tuple(compiled)


def _number(text: str) -> str:
    if not _GERMAN_NUMBER.fullmatch(text):
        return text
    value = float(text.replace(".", "").replace(",", "."))
    return format_decimal(int(value) if value.is_integer() else value)


def _value(name: str, text: str) -> str:
    if name in _NUMBERS:
        return _number(text)
    if name == "fields":
        return ", ".join(_translate(part) for part in text.split(", "))
    if name in _NESTED:
        return _translate(text)
    return text


def _translate(text: str) -> str:
    for pattern, msgid in _patterns():
        match = pattern.fullmatch(text)
        if match:
            values = {name: _value(name, value) for name, value in match.groupdict().items()}
            return gettext(msgid, **values) if values else gettext(msgid)
    return text


def stored_text(text: str | None) -> str:
    """A text stored in German, in the current page's language where it is a known sentence."""
    if not text:
        return ""
    if current_locale_name() == DEFAULT_LOCALE:
        return text
    return _translate(text)
