"""German messages of the extraction package, kept in one place.

They are stored with each file version and shown to contributors and editors, so they are
written as whole sentences. Numbers follow German conventions (1.234 Seiten, 0,5 s).
"""

from __future__ import annotations

SUPPORTED_FORMATS = "PDF, DOCX, TXT, Markdown (MD) und CSV"


def number(value: int | float) -> str:
    """Format a number the German way: 1.234 and 0,5."""
    if isinstance(value, float) and not value.is_integer():
        decimals = f"{value:,.3f}".rstrip("0")
        return decimals.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{int(value):,}".replace(",", ".")


def ok_pages(pages: int) -> str:
    unit = "Seite" if pages == 1 else "Seiten"
    return f"Text erfolgreich extrahiert ({number(pages)} {unit})."


def ok_words(words: int) -> str:
    unit = "Wort" if words == 1 else "Wörter"
    return f"Text erfolgreich extrahiert ({number(words)} {unit})."


def ok_pages_partly(pages: int, failed_pages: int) -> str:
    unit = "Seite konnte" if failed_pages == 1 else "Seiten konnten"
    return (
        f"Text teilweise extrahiert ({number(pages)} Seiten); "
        f"{number(failed_pages)} {unit} nicht gelesen werden."
    )


SCANNED_PDF = (
    "Gescanntes Dokument ohne Text – keine Textebene gefunden. Für die Volltextsuche bitte "
    "eine PDF-Datei mit Textebene (OCR) hochladen."
)
PDF_WITHOUT_PAGES = "Die PDF-Datei enthält keine Seiten."
NO_TEXT = "Die Datei enthält keinen Text."
EMPTY_FILE = "Die Datei ist leer (0 Byte)."

PDF_PASSWORD = (
    "Die PDF-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen werden. "
    "Bitte eine Fassung ohne Passwort hochladen."
)
PDF_ENCRYPTION_UNSUPPORTED = (
    "Die PDF-Datei ist mit einem Verfahren verschlüsselt, das nicht gelesen werden kann. "
    "Bitte eine Fassung ohne Verschlüsselung hochladen."
)
OFFICE_PASSWORD = (
    "Die Office-Datei ist passwortgeschützt und kann ohne Passwort nicht gelesen werden. "
    "Bitte ohne Kennwort speichern und erneut hochladen."
)


def pdf_stream_too_large(limit_bytes: int) -> str:
    return (
        f"Ein Datenstrom der PDF-Datei würde entpackt mehr als "
        f"{number(limit_bytes // (1024 * 1024))} MB belegen – möglicherweise eine "
        "Dekomprimierungsbombe. Die Datei wird deshalb nicht gelesen."
    )


XML_DOCTYPE = (
    "Die Word-Datei enthält eine DTD mit Entity-Definitionen (<!DOCTYPE …>), die in "
    "DOCX-Dateien nicht vorkommt – möglicherweise eine XML-Bombe oder ein Versuch, lokale "
    "Dateien auszulesen. Sie wird deshalb nicht gelesen."
)


def corrupt(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    return f"Datei beschädigt: {reason}." if reason else "Datei beschädigt."


def corrupt_detail(what: str, detail: str) -> str:
    """`what` is German ("Die PDF-Datei konnte nicht gelesen werden"); `detail` is the
    library's (English) error text, kept short for editors who want to dig further."""
    detail = " ".join(str(detail).split())[:200]
    return corrupt(f"{what} ({detail})" if detail else what)


def timeout(seconds: float) -> str:
    return (
        f"Zeitlimit von {number(seconds)} s überschritten – die Datei konnte nicht "
        "rechtzeitig gelesen werden."
    )


def memory(limit_mb: int) -> str:
    return (
        f"Speicherlimit von {number(limit_mb)} MB überschritten – die Datei ist zu groß "
        "oder zu komplex, um gelesen zu werden."
    )


def crashed(detail: str) -> str:
    return f"Der Leseprozess ist unerwartet abgebrochen ({detail})."


PDF_HEADER_MISPLACED = (
    "Die Datei beginnt nicht wie eine PDF-Datei: Ihre PDF-Kennung steht nicht am Anfang, wie es bei "
    "als PDF getarnten Webseiten der Fall ist. Bitte die Datei neu als PDF speichern oder exportieren "
    "und erneut hochladen."
)
INTERNAL_ERROR = "Die Textextraktion ist wegen eines internen Fehlers fehlgeschlagen."
FILE_NOT_FOUND = "Die Datei wurde nicht gefunden oder kann nicht geöffnet werden."


def zip_too_many_members(limit: int) -> str:
    return (
        f"Die Datei enthält mehr als {number(limit)} gepackte Bestandteile – möglicherweise "
        "eine ZIP-Bombe. Sie wird deshalb nicht gelesen."
    )


def zip_too_large(limit_bytes: int) -> str:
    return (
        f"Die Datei würde entpackt mehr als {number(limit_bytes // (1024 * 1024))} MB belegen – "
        "möglicherweise eine ZIP-Bombe. Sie wird deshalb nicht gelesen."
    )


def zip_ratio(name: str, ratio: float) -> str:
    return (
        f"Der Bestandteil „{name[:80]}“ ist ungewöhnlich stark komprimiert "
        f"(Verhältnis {number(round(ratio))}:1) – möglicherweise eine ZIP-Bombe. "
        "Die Datei wird deshalb nicht gelesen."
    )


def zip_corrupt(detail: str) -> str:
    return corrupt_detail("Das ZIP-Archiv der Datei ist ungültig", detail)


# Unsupported formats: label shown to the user and what to do instead.
_PDF_OR_DOCX = "Bitte als PDF oder DOCX hochladen."
_PDF_OR_CSV = "Bitte als PDF oder CSV hochladen."
_PDF = "Bitte als PDF hochladen."

UNSUPPORTED_ADVICE: dict[str, tuple[str, str]] = {
    "odt": ("ODT", _PDF_OR_DOCX),
    "ott": ("OTT", _PDF_OR_DOCX),
    "ods": ("ODS", _PDF_OR_CSV),
    "odp": ("ODP", _PDF),
    "odg": ("ODG", _PDF),
    "odf": ("OpenDocument", _PDF_OR_DOCX),
    "xlsx": ("XLSX (Excel)", _PDF_OR_CSV),
    "pptx": ("PPTX (PowerPoint)", _PDF),
    "doc": (
        "DOC (Word 97–2003)",
        "Bitte in Word als DOCX speichern oder als PDF exportieren und erneut hochladen.",
    ),
    "xls": ("XLS (Excel 97–2003)", _PDF_OR_CSV),
    "ppt": ("PPT (PowerPoint 97–2003)", _PDF),
    "msg": ("MSG (Outlook-Nachricht)", _PDF),
    "ole": ("eines alten Office-Programms (OLE)", _PDF_OR_DOCX),
    "rtf": ("RTF", _PDF_OR_DOCX),
    "html": ("HTML", _PDF_OR_DOCX),
    "svg": ("SVG (Bild)", _PDF),
    "xml": ("XML", "Bitte als PDF, DOCX oder TXT hochladen."),
    "epub": ("EPUB", _PDF),
    "zip": ("ZIP", "Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    "rar": ("RAR", "Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    "7z": ("7z", "Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    "gz": ("GZIP", "Bitte die enthaltenen Dokumente einzeln als PDF oder DOCX hochladen."),
    "png": ("PNG (Bild)", _PDF),
    "jpeg": ("JPEG (Bild)", _PDF),
    "gif": ("GIF (Bild)", _PDF),
    "tiff": ("TIFF (Bild)", _PDF),
    "bmp": ("BMP (Bild)", _PDF),
    "webp": ("WebP (Bild)", _PDF),
    "exe": ("EXE (Programm)", _PDF_OR_DOCX),
    "elf": ("ELF (Programm)", _PDF_OR_DOCX),
}


def unsupported(format: str) -> str:
    if format == "docm":
        return (
            "Word-Dateien mit Makros (DOCM/DOTM) werden aus Sicherheitsgründen nicht "
            "angenommen. Bitte ohne Makros als DOCX speichern oder als PDF exportieren."
        )
    if format in UNSUPPORTED_ADVICE:
        label, advice = UNSUPPORTED_ADVICE[format]
        return f"Das Dateiformat {label} wird nicht unterstützt. {advice}"
    return (
        "Das Dateiformat wurde nicht erkannt und wird nicht unterstützt. "
        f"Unterstützt werden {SUPPORTED_FORMATS}."
    )
