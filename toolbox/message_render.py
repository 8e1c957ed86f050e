"""Render stored messages (``toolbox.message.Message``) in the reader's language.

The catalogue maps each code to its German msgid, marked for pybabel with ``N_`` (or ``Nn_``
for a singular/plural pair whose ``count`` parameter chooses the form) and translated only when
the message is shown, so one stored row reads German on a German page and English on an English
one. Numbers and datetimes among the parameters are formatted for that locale; a parameter that
is itself a message (a reason, a piece of advice) is rendered in turn. Outside a request (the
CLI, background work) the default locale applies.

A text stored before messages had codes is shown as it was stored.
"""
from __future__ import annotations

import gettext
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from babel.support import Translations
from flask import has_request_context

from .i18n import DEFAULT_LOCALE, DEFAULT_TIMEZONE, N_, Nn_, current_locale_name
from .message import Message, StoredMessage

logger = logging.getLogger(__name__)

_TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

#: Parameters that name a thing by its number (a document, a version) and so are shown without
#: the locale's thousands separator.
_IDENTIFIERS = frozenset({"number", "document_id", "id", "year"})


@dataclass(frozen=True)
class Plural:
    """A singular/plural msgid pair; the parameter ``count`` chooses the form."""

    forms: tuple[str, str]
    count: str


CATALOGUE: dict[str, str | Plural] = {
    # --- extraction statuses (toolbox/extract/result.py) -----------------------------------------
    "extract.status.ok": N_("Text extrahiert"),
    "extract.status.empty": N_("Kein Text (gescanntes Dokument?)"),
    "extract.status.encrypted": N_("Passwortgeschützt"),
    "extract.status.failed": N_("Nicht lesbar"),
    "extract.status.timeout": N_("Zeitlimit überschritten"),
    # --- extraction results (toolbox/extract/messages.py) ----------------------------------------
    "extract.ok_pages": Plural(Nn_("Text erfolgreich extrahiert (%(pages)s Seite).",
                                   "Text erfolgreich extrahiert (%(pages)s Seiten)."), "pages"),
    "extract.ok_words": Plural(Nn_("Text erfolgreich extrahiert (%(words)s Wort).",
                                   "Text erfolgreich extrahiert (%(words)s Wörter)."), "words"),
    "extract.ok_pages_partly": Plural(Nn_(
        "Text teilweise extrahiert (%(pages)s Seiten); %(failed)s Seite konnte nicht gelesen werden.",
        "Text teilweise extrahiert (%(pages)s Seiten); %(failed)s Seiten konnten nicht gelesen werden."), "failed"),
    "extract.scanned_pdf": N_(
        "Gescanntes Dokument ohne Text – keine Textebene gefunden. Für die Volltextsuche bitte eine PDF-Datei "
        "mit Textebene (OCR) hochladen."),
    "extract.pdf_without_pages": N_("Die PDF-Datei enthält keine Seiten."),
    "extract.image_without_text": N_("Bilddatei ohne Textebene – der Text wird durch Texterkennung (OCR) gewonnen."),
    "extract.no_text": N_("Die Datei enthält keinen Text."),
    "extract.empty_file": N_("Die Datei ist leer (0 Byte)."),
    "extract.pdf_password": N_(
        "Die PDF-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen werden. Bitte eine Fassung "
        "ohne Passwort hochladen."),
    "extract.pdf_encryption_unsupported": N_(
        "Die PDF-Datei ist mit einem Verfahren verschlüsselt, das nicht gelesen werden kann. Bitte eine "
        "Fassung ohne Verschlüsselung hochladen."),
    "extract.office_password": N_(
        "Die Office-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen werden. Bitte ohne "
        "Kennwort speichern und erneut hochladen."),
    "extract.pdf_stream_too_large": N_(
        "Ein Datenstrom der PDF-Datei würde entpackt mehr als %(mb)s MB belegen – möglicherweise eine "
        "Dekomprimierungsbombe. Die Datei wird deshalb nicht gelesen."),
    "extract.xml_doctype": N_(
        "Die Word-Datei enthält eine DTD mit Entity-Definitionen (<!DOCTYPE …>), die in DOCX-Dateien nicht "
        "vorkommt – möglicherweise eine XML-Bombe oder ein Versuch, lokale Dateien auszulesen. Sie wird "
        "deshalb nicht gelesen."),
    "extract.office_doctype": N_(
        "Die Office-Datei enthält eine DTD mit Entity-Definitionen (<!DOCTYPE …>), die in Office-Dateien nicht "
        "vorkommt – möglicherweise eine XML-Bombe oder ein Versuch, lokale Dateien auszulesen. Sie wird "
        "deshalb nicht gelesen."),
    "extract.macros": N_(
        "Dateien mit Makros (%(format)s) werden nicht angenommen: Die IT-Sicherheitsvorgaben der Kommunen "
        "verbieten, Makros weiterzugeben. Bitte ohne Makros als %(instead)s speichern oder als PDF exportieren."),
    "extract.legacy_pending": N_("Altes Office-Format – der Text wird mit LibreOffice gelesen."),
    "extract.needs_libreoffice": N_(
        "Format nur mit LibreOffice lesbar – auf diesem Server ist LibreOffice nicht installiert, der Text "
        "wird deshalb nicht durchsucht."),
    "extract.corrupt": N_("Datei beschädigt."),
    "extract.corrupt_reason": N_("Datei beschädigt: %(reason)s."),
    "extract.reason.no_pdf_page_readable": N_("Keine Seite der PDF-Datei konnte gelesen werden"),
    "extract.reason.pdf_unreadable": N_("Die PDF-Datei konnte nicht gelesen werden"),
    "extract.reason.pdf_unreadable_detail": N_("Die PDF-Datei konnte nicht gelesen werden (%(detail)s)"),
    "extract.reason.word_unreadable": N_("Die Word-Datei konnte nicht gelesen werden"),
    "extract.reason.word_unreadable_detail": N_("Die Word-Datei konnte nicht gelesen werden (%(detail)s)"),
    "extract.reason.file_unreadable": N_("Die Datei konnte nicht gelesen werden"),
    "extract.reason.file_unreadable_detail": N_("Die Datei konnte nicht gelesen werden (%(detail)s)"),
    "extract.reason.image_unreadable": N_("Die Bilddatei konnte nicht gelesen werden"),
    "extract.reason.image_unreadable_detail": N_("Die Bilddatei konnte nicht gelesen werden (%(detail)s)"),
    "extract.reason.office_unreadable": N_("Die Office-Datei konnte nicht gelesen werden"),
    "extract.reason.office_unreadable_detail": N_("Die Office-Datei konnte nicht gelesen werden (%(detail)s)"),
    "extract.reason.rtf_unreadable": N_("Die RTF-Datei konnte nicht gelesen werden"),
    "extract.reason.rtf_unreadable_detail": N_("Die RTF-Datei konnte nicht gelesen werden (%(detail)s)"),
    "extract.reason.zip_invalid": N_("Das ZIP-Archiv der Datei ist ungültig"),
    "extract.reason.zip_invalid_detail": N_("Das ZIP-Archiv der Datei ist ungültig (%(detail)s)"),
    "extract.timeout": N_(
        "Zeitlimit von %(seconds)s s überschritten – die Datei konnte nicht rechtzeitig gelesen werden."),
    "extract.memory": N_(
        "Speicherlimit von %(mb)s MB überschritten – die Datei ist zu groß oder zu komplex, um gelesen zu "
        "werden."),
    "extract.crashed": N_("Der Leseprozess ist unerwartet abgebrochen (%(detail)s)."),
    "extract.internal_error": N_("Die Textextraktion ist wegen eines internen Fehlers fehlgeschlagen."),
    "extract.file_not_found": N_("Die Datei wurde nicht gefunden oder kann nicht geöffnet werden."),
    "extract.pdf_header_misplaced": N_(
        "Die Datei beginnt nicht wie eine PDF-Datei: Ihre PDF-Kennung steht nicht am Anfang, wie es bei als PDF "
        "getarnten Webseiten der Fall ist. Bitte die Datei neu als PDF speichern oder exportieren und erneut "
        "hochladen."),
    "extract.zip_too_many_members": N_(
        "Die Datei enthält mehr als %(count)s gepackte Bestandteile – möglicherweise eine ZIP-Bombe. Sie wird "
        "deshalb nicht gelesen."),
    "extract.zip_too_large": N_(
        "Die Datei würde entpackt mehr als %(mb)s MB belegen – möglicherweise eine ZIP-Bombe. Sie wird deshalb "
        "nicht gelesen."),
    "extract.zip_ratio": N_(
        "Der Bestandteil „%(name)s“ ist ungewöhnlich stark komprimiert (Verhältnis %(ratio)s:1) – "
        "möglicherweise eine ZIP-Bombe. Die Datei wird deshalb nicht gelesen."),
    "extract.unsupported_macros": N_(
        "Word-Dateien mit Makros (DOCM/DOTM) werden aus Sicherheitsgründen nicht angenommen. Bitte ohne "
        "Makros als DOCX speichern oder als PDF exportieren."),
    # Stored before the office formats came; new refusals use extract.format_unknown.
    "extract.unsupported_unknown": N_(
        "Das Dateiformat wurde nicht erkannt und wird nicht unterstützt. Unterstützt werden PDF, DOCX, TXT, "
        "Markdown (MD) und CSV."),
    "extract.format_unknown": N_(
        "Das Dateiformat wurde nicht erkannt und wird nicht unterstützt. Unterstützt werden PDF, Word (DOCX, "
        "DOC), OpenDocument (ODT, ODS, ODP), Excel (XLSX, XLS), PowerPoint (PPTX, PPT), RTF, TXT, Markdown (MD), "
        "CSV, Webseiten (HTML) und Bilder (PNG, JPEG, TIFF)."),
    "extract.html_misnamed": N_(
        "Die Datei ist eine HTML-Seite, heißt aber „%(suffix)s“. HTML-Seiten werden nur unter "
        "ihrem eigenen Namen (.html oder .htm) angenommen; bitte benennen Sie die Datei passend "
        "oder laden Sie eine PDF-Datei hoch."),
    "extract.unsupported": N_("Das Dateiformat %(format)s wird nicht unterstützt. %(advice)s"),
    "extract.format.image": N_("%(name)s (Bild)"),
    "extract.format.program": N_("%(name)s (Programm)"),
    "extract.format.msg": N_("MSG (Outlook-Nachricht)"),
    "extract.format.ole": N_("eines alten Office-Programms (OLE)"),
    "extract.advice.pdf_or_docx": N_("Bitte als PDF oder DOCX hochladen."),
    "extract.advice.pdf_or_csv": N_("Bitte als PDF oder CSV hochladen."),
    "extract.advice.pdf": N_("Bitte als PDF hochladen."),
    "extract.advice.pdf_docx_or_txt": N_("Bitte als PDF, DOCX oder TXT hochladen."),
    "extract.advice.doc": N_("Bitte in Word als DOCX speichern oder als PDF exportieren und erneut hochladen."),
    "extract.advice.archive": N_("Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    # --- metadata that cannot be accepted (toolbox/services/ingest.py, vocabularies.py) ---------
    "metadata.year_range": N_("Das Jahr %(year)s liegt nicht zwischen 1990 und 2100."),
    "metadata.population_negative": N_("Die Einwohnerzahl darf nicht negativ sein."),
    "metadata.title_too_long": N_("Der Titel ist länger als 500 Zeichen."),
    "metadata.project_gone": N_("Das gewählte Projekt gibt es nicht (mehr)."),
    "metadata.unknown_slug": N_("Unbekannter Wert „%(slug)s“ für %(vocabulary)s. Gültig sind: %(valid)s"),
    # --- refusals of uploads and imports (toolbox/services/contribute.py, ingest.py) -------------
    "upload.file_refused": N_("„%(filename)s“: %(reason)s"),
    "upload.no_file": N_("Bitte wählen Sie mindestens eine Datei aus."),
    "upload.too_large": N_("Die Datei ist größer als %(mb)s MB."),
    "upload.unsupported": N_("Dieses Dateiformat wird nicht unterstützt."),
    "upload.already_a_version": N_("Diese Datei ist bereits eine Version dieses Dokuments."),
    "upload.duplicate_of": N_("Diese Datei ist bereits als anderes Dokument (Nr. %(number)s) vorhanden."),
    # The same bytes in a document the uploader may not see: nothing about it but that it exists.
    "upload.duplicate_hidden": N_("Diese Datei ist bereits vorhanden."),
    "upload.strip_failed": N_("Die Eigenschaften konnten nicht entfernt werden."),
    "upload.strip_advice": N_("Entfernen Sie die Datei oder laden Sie sie ohne Bereinigung hoch."),
    "strip.word_damaged": N_("Die Word-Datei ist beschädigt und kann nicht bereinigt werden."),
    "strip.pdf_password": N_("Die PDF-Datei ist passwortgeschützt; ihre Eigenschaften können nicht entfernt werden."),
    "strip.pdf_damaged": N_("Die PDF-Datei ist beschädigt; ihre Eigenschaften können nicht entfernt werden."),
    "ingest.unreadable": N_("Datei nicht lesbar: %(detail)s"),
    "ingest.not_a_file": N_("Keine reguläre Datei."),
    "ingest.store_failed": N_("Datei konnte nicht gespeichert werden: %(detail)s"),
    "ingest.database_failed": N_("Speichern in der Datenbank fehlgeschlagen: %(detail)s"),
    "ingest.duplicate": N_("Bereits vorhanden als Dokument %(id)s: „%(title)s“."),
    # --- audit log: accounts (toolbox/services/users.py) ----------------------------------------
    "audit.user_create": N_("Konto %(email)s angelegt (%(role)s)"),
    "audit.password_change": N_("Passwort von %(email)s geändert"),
    "audit.password_reset_request": N_("Link für ein neues Passwort an %(email)s geschickt"),
    "audit.password_reset": N_("Neues Passwort über den zugeschickten Link gesetzt: %(email)s"),
    "audit.email_change_request": N_("Änderung der E-Mail-Adresse von %(email)s zu %(new)s angefragt"),
    "audit.email_change": N_("E-Mail-Adresse geändert: %(email)s → %(new)s"),
    "audit.user_deactivate": N_("Konto %(email)s deaktiviert"),
    "audit.user_reactivate": N_("Konto %(email)s reaktiviert"),
    "audit.role_change": N_("Rolle von %(email)s: %(old)s → %(new)s"),
    "audit.login": N_("Anmeldung %(email)s"),
    "audit.logout": N_("Abmeldung %(email)s"),
    "audit.login_failed": N_("Fehlgeschlagene Anmeldung für %(email)s"),
    "audit.login_failed_because": N_("Fehlgeschlagene Anmeldung für %(email)s: %(reason)s"),
    "audit.no_email": N_("(leer)"),
    "audit.invite": N_("Einladungslink für %(email)s erzeugt"),
    "audit.invite_until": N_("Einladungslink für %(email)s erzeugt (%(role)s, gültig bis %(expires_at)s)"),
    "audit.invite_used": N_("Einladung von %(email)s angenommen, Passwort gesetzt"),
    "audit.api_token_create": N_("API-Schlüssel für %(email)s erzeugt"),
    "audit.api_token_replace": N_("API-Schlüssel für %(email)s erzeugt (alter ersetzt)"),
    "audit.api_token_revoke": N_("API-Schlüssel von %(email)s widerrufen"),
    "role.contributor": N_("Projektleitung"),
    "role.editor": N_("Redaktion"),
    "role.admin": N_("Administration"),
    "login_failed.invalid_form": N_("Formular unvollständig"),
    "login_failed.unknown_email": N_("unbekannte E-Mail-Adresse"),
    "login_failed.no_password": N_("Konto ohne Passwort"),
    "login_failed.inactive": N_("Konto deaktiviert"),
    "login_failed.wrong_password": N_("falsches Passwort"),
    # --- audit log: documents (toolbox/services/contribute.py, review.py) ------------------------
    "audit.document.upload": N_("Hochgeladen: „%(title)s“ (%(filename)s)"),
    "audit.document.version_add": N_("Neue Version %(number)s von „%(title)s“ (%(filename)s)"),
    "audit.document.publish": N_("Veröffentlicht: „%(title)s“"),
    "audit.document.reject": N_("Abgelehnt: „%(title)s“"),
    "audit.document.withdraw": N_("Zurückgezogen: „%(title)s“"),
    "audit.document.resubmit": N_("Erneut eingereicht: „%(title)s“"),
    "audit.document.trash": N_("In den Papierkorb: „%(title)s“"),
    "audit.document.restore": N_("Wiederhergestellt: „%(title)s“"),
    "audit.document.update": N_("Bearbeitet: „%(title)s“ (%(fields)s)"),
    "audit.document.change_submit": N_("Änderung eingereicht: „%(title)s“ (%(fields)s)"),
    "audit.document.change_submit_file": N_("Neue Version eingereicht: „%(title)s“ (%(filename)s)"),
    "audit.document.change_accept": N_("Änderung freigegeben: „%(title)s“"),
    "audit.document.change_reject": N_("Änderung abgelehnt: „%(title)s“"),
    "audit.trash.empty": Plural(Nn_("Papierkorb geleert: %(count)s Dokument",
                                    "Papierkorb geleert: %(count)s Dokumente"), "count"),
    "field.title": N_("Titel"),
    "field.description": N_("Beschreibung"),
    "field.topics": N_("Themenfelder"),
    "field.type": N_("Dokumenttyp"),
    "field.license": N_("Lizenz"),
    "field.year": N_("Jahr"),
    "field.contact": N_("Kontakt"),
    "field.municipality": N_("Kommune"),
    "field.project": N_("Projekt"),
    "field.name": N_("Name"),
    "field.ags": N_("Amtlicher Gemeindeschlüssel"),
    "field.ars": N_("Amtlicher Regionalschlüssel"),
    "field.district": N_("Landkreis"),
    "field.state": N_("Land"),
    "field.population": N_("Einwohnerzahl"),
    "field.size_class": N_("Größenklasse"),
    "field.size_class_manual": N_("Größenklasse von Hand gesetzt"),
    "field.year_finished": N_("Abschlussjahr"),
    "field.link": N_("Link"),
    "field.label_de": N_("Bezeichnung (Deutsch)"),
    "field.label_en": N_("Bezeichnung (Englisch)"),
    # What the details of an audit entry add to its sentence (toolbox/services/audit.py).
    "audit.detail.status_change": N_("Status: %(old)s → %(new)s"),
    "audit.detail.status": N_("Status: %(status)s"),
    "audit.detail.change": N_("%(field)s: „%(old)s“ → „%(new)s“"),
    "audit.detail.reason": N_("Grund: „%(reason)s“"),
    "audit.detail.rejection_reason": N_("Grund der Ablehnung: „%(reason)s“"),
    "audit.detail.sha256": N_("SHA-256: %(sha)s"),
    "audit.detail.error": N_("Fehler: %(error)s"),
    "audit.detail.metadata_stripped": N_("Personenbezogene Eigenschaften wurden entfernt."),
    "audit.detail.resubmitted": N_("Nach der Ablehnung erneut zur Prüfung eingereicht."),
    "audit.detail.pending_change": N_("Die wartende Änderung ist jetzt Teil des Dokuments."),
    "audit.detail.order": N_("Neue Reihenfolge: %(slugs)s"),
    "audit.detail.deleted_documents": N_("Gelöscht: %(titles)s"),
    "audit.detail.documents": N_("Dokumente: %(ids)s"),
    "audit.detail.other": N_("%(key)s: %(value)s"),
    "audit.detail.yes": N_("ja"),
    "audit.detail.no": N_("nein"),
    # --- audit log: reuse reports (toolbox/services/reuse.py) ------------------------------------
    "audit.reuse.approve": N_("Nachnutzung durch %(municipality)s freigegeben: „%(title)s“"),
    "audit.reuse.reject": N_("Meldung einer Nachnutzung durch %(municipality)s abgelehnt: „%(title)s“"),
    "audit.reuse.withdraw": N_("Freigegebene Nachnutzung durch %(municipality)s zurückgenommen: „%(title)s“"),
    # --- audit log: accessibility feedback (toolbox/services/feedback.py) -----------------------
    "audit.feedback.status": N_("Rückmeldung vom %(received)s: %(old)s → %(new)s"),
    "feedback_status.open": N_("offen"),
    "feedback_status.answered": N_("beantwortet"),
    "feedback_status.done": N_("erledigt"),
    "document_status.submitted": N_("In Prüfung"),
    "document_status.published": N_("Veröffentlicht"),
    "document_status.rejected": N_("Abgelehnt"),
    "document_status.withdrawn": N_("Zurückgezogen"),
    "document_status.deleted": N_("Im Papierkorb"),
    # --- audit log: curation (toolbox/services/curation.py) -------------------------------------
    "audit.vocabulary.create": N_("%(vocabulary)s angelegt: „%(label)s“ (%(slug)s)"),
    "audit.vocabulary.rename": N_("%(vocabulary)s umbenannt: „%(old)s“ → „%(new)s“"),
    "audit.vocabulary.dcat": N_("%(vocabulary)s „%(label)s“ in DCAT-AP.de: %(old)s → %(new)s"),
    "audit.vocabulary.reorder": N_("%(vocabularies)s neu sortiert"),
    "audit.vocabulary.deactivate": N_("%(vocabulary)s deaktiviert: „%(label)s“"),
    "audit.vocabulary.activate": N_("%(vocabulary)s reaktiviert: „%(label)s“"),
    "audit.vocabulary.merge": Plural(Nn_("%(vocabulary)s zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument)",
                                         "%(vocabulary)s zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokumente)"),
                                     "count"),
    # --- audit log: search synonyms (toolbox/services/synonyms.py) --------------------------------
    "audit.synonym.create": N_("Synonyme angelegt: %(terms)s"),
    "audit.synonym.update": N_("Synonyme geändert: %(old)s ⇒ %(new)s"),
    "audit.synonym.delete": N_("Synonyme gelöscht: %(terms)s"),
    "audit.municipality.update": N_("Kommune bearbeitet: „%(name)s“"),
    "audit.municipality.merge": Plural(Nn_("Kommunen zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument)",
                                           "Kommunen zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokumente)"),
                                       "count"),
    "audit.project.update": N_("Projekt bearbeitet: „%(name)s“"),
    "audit.project.merge": Plural(Nn_("Projekte zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokument)",
                                      "Projekte zusammengeführt: „%(old)s“ → „%(new)s“ (%(count)s Dokumente)"),
                                  "count"),
    "vocabulary.topic": N_("Themenfeld"),
    "vocabulary.type": N_("Dokumenttyp"),
    "vocabulary.size_class": N_("Größenklasse"),
    "vocabulary.license": N_("Lizenz"),
    "vocabularies.topic": N_("Themenfelder"),
    "vocabularies.type": N_("Dokumenttypen"),
    "vocabularies.size_class": N_("Größenklassen"),
    "vocabularies.license": N_("Lizenzen"),
    # --- background jobs (toolbox/services/jobs.py): why the last attempt failed, the audit entry -
    "job.kind.ocr": N_("Texterkennung"),
    "job.kind.preview": N_("Vorschaubild"),
    "job.kind.mail": N_("E-Mail-Versand"),
    "job.kind.password_reset": N_("Passwort-Anfrage"),
    "job.kind.index_merge": N_("Suchindex zusammenführen"),
    "job.mail_refused": N_("Der Mailserver hat die Empfängeradresse abgelehnt: %(detail)s"),
    "job.file_missing": N_("Die gespeicherte Datei fehlt; bitte „toolbox check“ ausführen."),
    "job.worker_gone": N_("Abgebrochen: der Worker-Prozess wurde beendet."),
    "job.too_long": N_("Abgebrochen: länger als das Zeitlimit des Auftrags."),
    "audit.job.failed": Plural(Nn_("%(kind)s fehlgeschlagen nach %(attempts)s Versuch: Dokument %(number)s",
                                   "%(kind)s fehlgeschlagen nach %(attempts)s Versuchen: Dokument %(number)s"),
                               "attempts"),
    "audit.job.failed_alone": Plural(Nn_("%(kind)s fehlgeschlagen nach %(attempts)s Versuch",
                                         "%(kind)s fehlgeschlagen nach %(attempts)s Versuchen"), "attempts"),
    # --- audit log: integrity check (toolbox/services/consistency.py) ---------------------------
    "audit.check.file_missing": N_("Datei von Version %(number)s fehlt"),
    "audit.check.file_corrupt": N_("Datei von Version %(number)s beschädigt"),
    "audit.check.file_restored": N_("Datei von Version %(number)s wieder vorhanden"),
    # --- integrity check (toolbox/services/consistency.py), written over the extraction message --
    "check.file_missing": N_(
        "Die gespeicherte Datei fehlt (SHA-256 %(sha)s). Bitte eine neue Version hochladen oder die Datei aus "
        "einer Sicherung wiederherstellen."),
    "check.file_corrupt": N_(
        "Die gespeicherte Datei ist beschädigt (SHA-256 %(sha)s) und wurde in die Quarantäne verschoben. Bitte "
        "eine neue Version hochladen oder die Datei aus einer Sicherung wiederherstellen."),
    # --- accessibility of the download (toolbox/extract/accessibility.py) -------------------------
    "accessibility.pdf_untagged": N_("Diese PDF ist nicht getaggt – bitte barrierefrei exportieren (mit Tags/Struktur)."),
    "accessibility.pdf_no_language": N_("Die PDF nennt keine Dokumentsprache – bitte beim Export „Deutsch“ angeben."),
    "accessibility.pdf_no_title": N_("Die PDF hat keinen Titel in den Dokumenteigenschaften."),
    "accessibility.no_headings": N_(
        "Das Dokument hat keine echten Überschriften – bitte Formatvorlagen für Überschriften verwenden."),
    # --- text recognition of scans (toolbox/services/ocr.py), a background job -------------------
    "ocr.done": Plural(Nn_("Text durch Texterkennung (OCR) gewonnen (%(pages)s Seite).",
                           "Text durch Texterkennung (OCR) gewonnen (%(pages)s Seiten)."), "pages"),
    "ocr.no_text": Plural(Nn_("Texterkennung abgeschlossen (%(pages)s Seite), aber kein Text erkannt.",
                              "Texterkennung abgeschlossen (%(pages)s Seiten), aber kein Text erkannt."), "pages"),
    "ocr.too_many_pages": N_("Texterkennung nicht durchgeführt: %(pages)s Seiten, höchstens %(limit)s sind erlaubt."),
    "ocr.timeout": N_("Texterkennung abgebrochen: Zeitlimit von %(seconds)s s überschritten."),
    "ocr.memory": N_("Texterkennung abgebrochen: Speicherlimit von %(mb)s MB überschritten."),
    "ocr.unreadable": N_("Texterkennung nicht möglich: die Datei kann nicht gelesen werden (%(detail)s)."),
    "ocr.unavailable": N_("Texterkennung auf diesem Server nicht verfügbar."),
    "ocr.queued": N_("Texterkennung wartet auf den Start …"),
    "ocr.running": N_("Texterkennung läuft …"),
    # --- Word, Excel and PowerPoint 97–2003 read by LibreOffice (toolbox/services/convert.py) ----------
    "convert.queued": N_("Umwandlung mit LibreOffice wartet auf den Start …"),
    "convert.running": N_("Umwandlung mit LibreOffice läuft …"),
    "convert.done": Plural(Nn_("Text mit LibreOffice gelesen (%(words)s Wort).",
                               "Text mit LibreOffice gelesen (%(words)s Wörter)."), "words"),
    "convert.no_text": N_("Mit LibreOffice umgewandelt, aber die Datei enthält keinen Text."),
    "convert.timeout": N_("Umwandlung mit LibreOffice abgebrochen: Zeitlimit von %(seconds)s s überschritten."),
    "convert.memory": N_("Umwandlung mit LibreOffice abgebrochen: Speicherlimit von %(mb)s MB überschritten."),
    "convert.unreadable": N_("LibreOffice konnte die Datei nicht lesen (%(detail)s)."),
    "convert.failed": Plural(Nn_("Umwandlung mit LibreOffice fehlgeschlagen nach %(attempts)s Versuch: %(reason)s",
                                 "Umwandlung mit LibreOffice fehlgeschlagen nach %(attempts)s Versuchen: "
                                 "%(reason)s"), "attempts"),
    "ocr.failed": Plural(Nn_("Texterkennung fehlgeschlagen nach %(attempts)s Versuch: %(reason)s",
                             "Texterkennung fehlgeschlagen nach %(attempts)s Versuchen: %(reason)s"), "attempts"),
}


def render(message: StoredMessage, locale: str | None = None) -> str:
    """``message`` in ``locale`` (default: the request's, else German); a plain text as it is."""
    if not message:
        return ""
    if isinstance(message, str):
        return message
    return _render(message, locale or render_locale())


def render_locale() -> str:
    """The request's locale; the default locale outside a request (CLI, background work)."""
    return current_locale_name() if has_request_context() else DEFAULT_LOCALE


def _render(message: Message, locale: str) -> str:
    entry = CATALOGUE.get(message.code)
    if entry is None:
        # A code from a newer release read by an older one: better the code than nothing.
        logger.warning("message code %r is not in the catalogue", message.code)
        return message.code
    translations = _translations(locale)
    if isinstance(entry, Plural):
        count = message.params.get(entry.count)
        template = translations.ngettext(*entry.forms, count if isinstance(count, int) else 0)
    else:
        template = translations.gettext(entry)
    values = {name: _value(name, value, locale) for name, value in message.params.items()}
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        logger.warning("message %r does not fit its msgid %r", message, template)
        return template


def _value(name: str, value: Any, locale: str) -> str:
    if isinstance(value, Message):
        return _render(value, locale)
    if isinstance(value, Mapping):
        # A name kept in both languages (a vocabulary entry's labels): the reader's, else German.
        return str(value.get(locale) or value.get(DEFAULT_LOCALE) or "")
    if isinstance(value, datetime):
        return format_datetime(value, "medium", tzinfo=DEFAULT_TIMEZONE, locale=locale)
    if isinstance(value, bool) or name in _IDENTIFIERS:
        return str(value)
    if isinstance(value, (int, float)):
        return format_decimal(value, locale=locale)
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(name, item, locale) for item in value)
    return "" if value is None else str(value)


@lru_cache(maxsize=None)
def _translations(locale: str) -> gettext.NullTranslations:
    # The German msgids are the German text; other locales read the compiled catalogue the app
    # uses, loaded here without a request so the CLI renders the same way.
    if locale == DEFAULT_LOCALE:
        return gettext.NullTranslations()
    return Translations.load(str(_TRANSLATIONS_DIR), [locale], "messages")
