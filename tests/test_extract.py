"""Text extraction: format detection, the parsers, the ZIP-bomb guard and the sandbox."""

from __future__ import annotations

import codecs
import io
import random
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import extract_fixtures as fx
import toolbox.extract as extraction
from toolbox.extract import STATUS_LABELS
from toolbox.extract import STATUSES
from toolbox.extract import ExtractionResult
from toolbox.extract import ZipLimits
from toolbox.extract import detect_type
from toolbox.extract import extract
from toolbox.extract import sandbox
from toolbox.extract import zipguard
from toolbox.extract.core import result_from_outcome
from toolbox.extract.detect import detected
from toolbox.extract.normalize import normalize_text

from conftest import german

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- public interface -----------------------------------------------------------------


def test_public_names_are_exported():
    """The package exports the names other modules rely on, and every status has a label."""
    for name in ("DetectedType", "ExtractionResult", "detect_type", "extract", "STATUSES"):
        assert name in extraction.__all__
    assert STATUSES == ("ok", "empty", "encrypted", "failed", "timeout")
    assert set(STATUS_LABELS) == set(STATUSES)
    assert STATUS_LABELS["empty"] == "Kein Text (gescanntes Dokument?)"


def test_result_rejects_unknown_status():
    """An ExtractionResult can only carry one of the five statuses."""
    with pytest.raises(ValueError):
        ExtractionResult(status="kaputt", message=None)


# --- detection ------------------------------------------------------------------------


def test_pdf_named_docx_is_detected_as_pdf(tmp_path):
    """The content decides: a PDF saved as .docx is a PDF."""
    path = fx.write_text_pdf(tmp_path / "antrag.docx", ["Förderantrag"])
    detected = detect_type(path)
    assert (detected.format, detected.media_type, detected.supported) == ("pdf", "application/pdf", True)
    assert detected.message is None


def test_docx_named_pdf_is_detected_as_docx(tmp_path):
    """A DOCX saved as .pdf is a DOCX, recognised by the parts inside the ZIP."""
    path = fx.write_simple_docx(tmp_path / "vertrag.pdf", ["Vertrag"])
    detected = detect_type(path, "vertrag.pdf")
    assert (detected.format, detected.media_type, detected.supported) == ("docx", DOCX_MEDIA_TYPE, True)


@pytest.mark.parametrize("prefix", [b"\x00" * 1000, b"\x00", b"\xef\xbb\xbf", b"\r\n", b"GIF-Kopf \x01\x02\x03 "])
def test_pdf_signature_counts_only_at_the_start(tmp_path, prefix):
    """A PDF counts as PDF only when "%PDF-" is its first byte; a binary file with the signature
    further in is refused with a message that says so, not read leniently as pypdf would."""
    pdf_bytes = fx.write_text_pdf(tmp_path / "x.pdf", ["Text"]).read_bytes()
    assert detect_type(tmp_path / "x.pdf").format == "pdf"
    shifted = tmp_path / "verschoben.pdf"
    shifted.write_bytes(prefix + pdf_bytes)
    detected = detect_type(shifted)
    assert (detected.format, detected.supported) == ("pdf-misplaced", False)
    assert "PDF-Kennung steht nicht am Anfang" in german(detected.message)
    far = tmp_path / "far.bin"
    far.write_bytes(b"\x00" * 1100 + pdf_bytes)
    assert detect_type(far).format == "unknown"


POLYGLOT = (b"<html><head><title>Bericht</title></head><body><script>fetch('/account')</script>\n"
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n</body></html>\n")


@pytest.mark.parametrize(("content", "filename", "expected"), [
    (POLYGLOT, "bericht.pdf", "html"),
    (b"\n\n  <!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\">%PDF-1.4", "bericht.pdf", "html"),
    (b"<script>alert(document.cookie)</script>", "notiz.txt", "html"),
    (b"<BODY onload=alert(1)>Hallo", "notiz.txt", "html"),
    (b"<iframe src=https://evil.example></iframe>", "liste.csv", "html"),
    (b"<p>Hallo</p>", "notiz.txt", "html"),
    (b"<!-- Kommentar --><div>Hallo</div>", "notiz", "html"),
    (codecs.BOM_UTF16_LE + "<html><script>x()</script></html>".encode("utf-16-le"), "seite.txt", "html"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.pdf", "svg"),
    (b'<?xml version="1.0"?>\n<!-- Inkscape -->\n<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>', "logo.txt", "svg"),
    (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
     b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
     "wappen.svg", "svg"),
    (b'<!DOCTYPE svg [' + b'<!ENTITY a "b">' * 400 + b']><svg/>', "wappen.txt", "svg"),
    (codecs.BOM_UTF8 + b"<svg><script>x()</script></svg>", "wappen.md", "svg"),
])
def test_html_and_svg_are_refused_formats(tmp_path, content, filename, expected):
    """HTML pages and fragments and SVG images are recognised by their start, whatever their
    name, encoding or a "%PDF-" inside, and refused with a German message: an SVG as a format
    not taken, a page under another format's name as what a polyglot looks like (a page is
    read for its text only under its own name)."""
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    detected = detect_type(path, filename)
    assert (detected.format, detected.supported) == (expected, False)
    if expected == "svg":
        assert german(detected.message).startswith("Das Dateiformat SVG (Bild) wird nicht unterstützt.")
    else:
        assert german(detected.message).startswith("Die Datei ist eine HTML-Seite, heißt aber")


@pytest.mark.parametrize(("content", "filename", "expected"), [
    (b'<p align="center"><img src="logo.png"></p>\n\n# Datenstrategie\n', "LIESMICH.md", "md"),
    (b"<!-- Inhaltsverzeichnis -->\n# Satzung\n", "satzung.md", "md"),
    (b"<Anlage 1> Kostenaufstellung\n", "anlage.txt", "txt"),
    (b"Eine PDF-Datei beginnt mit %PDF-1.7 und endet mit %%EOF.\n", "notiz.txt", "txt"),
])
def test_text_that_only_resembles_markup_stays_text(tmp_path, content, filename, expected):
    """Markdown may open with an HTML paragraph or comment, and a note may mention "%PDF-"."""
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    assert detect_type(path, filename).format == expected


def test_opendocument_drawing_is_unsupported_with_german_advice(tmp_path):
    """An OpenDocument drawing is refused with a message naming ODG and the format to use."""
    path = fx.write_zip(
        tmp_path / "plan.docx",
        {"mimetype": "application/vnd.oasis.opendocument.graphics", "content.xml": "<office/>"},
    )
    detected = detect_type(path)
    assert detected.format == "odg"
    assert not detected.supported
    assert german(detected.message) == "Das Dateiformat ODG wird nicht unterstützt. Bitte als PDF hochladen."


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"readme.txt": "Hallo", "daten.csv": "a;b"}, "zip"),
        (
            {
                "[Content_Types].xml": "application/vnd.ms-word.document.macroEnabled.main+xml",
                "word/document.xml": "<w/>",
            },
            "docm",
        ),
    ],
)
def test_other_zip_containers_are_unsupported(tmp_path, members, expected):
    """Plain ZIPs and macro documents are refused with a reason."""
    path = fx.write_zip(tmp_path / "upload.docx", members)
    detected = detect_type(path)
    assert detected.format == expected
    assert not detected.supported
    assert "wird nicht unterstützt" in german(detected.message) or "Makros" in german(detected.message)


def _ole2(stream_name: str) -> bytes:
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    header[48:52] = (0).to_bytes(4, "little")  # directory in sector 0, right after the header
    directory = bytearray(512)
    name = stream_name.encode("utf-16-le")
    directory[128 : 128 + len(name)] = name
    return bytes(header + directory)


@pytest.mark.parametrize(("stream", "expected"), [("WordDocument", "doc"), ("Workbook", "xls"),
                                                  ("PowerPoint Document", "ppt")])
def test_office_97_files_are_accepted_for_libreoffice(tmp_path, stream, expected):
    """An OLE2 .doc, .xls or .ppt (whatever its name) is accepted; at upload nothing is read yet,
    LibreOffice reads it in a background job."""
    path = tmp_path / "alt.docx"
    path.write_bytes(_ole2(stream))
    detected = detect_type(path)
    assert (detected.format, detected.supported) == (expected, True)
    result = extract(path)
    assert result.status == "empty" and "LibreOffice" in german(result.message)


def test_password_protected_office_file_is_encrypted(tmp_path):
    """A password-protected DOCX (an OLE2 file holding an EncryptedPackage) ends as encrypted."""
    path = tmp_path / "geschuetzt.docx"
    path.write_bytes(_ole2("EncryptedPackage"))
    result = extract(path)
    assert result.status == "encrypted"
    assert "passwortgeschützt" in german(result.message)


def test_random_bytes_are_unknown(tmp_path):
    """Binary junk is detected as unknown and ends as failed with a German reason."""
    path = tmp_path / "daten.txt"
    path.write_bytes(random.Random(42).randbytes(4096))
    detected = detect_type(path)
    assert (detected.format, detected.supported) == ("unknown", False)
    result = extract(path)
    assert result.status == "failed"
    assert "nicht erkannt" in german(result.message)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("notizen.txt", "txt"), ("LIESMICH.md", "md"), ("gemeinden.csv", "csv"), (None, "txt")],
)
def test_extension_only_tells_text_formats_apart(tmp_path, filename, expected):
    """For text content the user's filename picks txt, md or csv; the stored name does not."""
    path = tmp_path / "0f3a9c"  # blobs are stored under their hash, without an extension
    path.write_text("Gemeinde;Einwohner\nMücke;9000\n", encoding="utf-8")
    assert detect_type(path, filename).format == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"<!DOCTYPE html><html><body>Hallo</body></html>", "html")],
)
def test_markup_text_formats_are_unsupported(tmp_path, content, expected):
    """HTML is text on the byte level but is refused as a hostile format, never read as text."""
    path = tmp_path / "brief.txt"
    path.write_bytes(content)
    detected = detect_type(path)
    assert (detected.format, detected.supported) == (expected, False)


def test_empty_file_is_empty(tmp_path):
    """A file of zero bytes ends as empty, with a message saying so."""
    path = tmp_path / "leer.pdf"
    path.write_bytes(b"")
    result = extract(path)
    assert result.status == "empty"
    assert "0 Byte" in german(result.message)


def test_missing_file_fails_without_raising(tmp_path):
    """A path that does not exist gives a failed result, not an exception."""
    result = extract(tmp_path / "gibt-es-nicht.pdf")
    assert result.status == "failed"
    assert german(result.message)


# --- PDF ------------------------------------------------------------------------------


def test_pdf_text_pages_and_metadata(tmp_path):
    """All pages of a text PDF are read, with umlauts, page count, title and author."""
    path = fx.write_text_pdf(
        tmp_path / "bericht.pdf",
        ["Erste Seite: Straße und Größe in Gießen.", "Zweite Seite: Bürgerbeteiligung."],
        title="Abschlussbericht Parksensorik",
        author="Stadt Musterhausen",
        subject="Parksensorik in der Innenstadt",
        keywords="LoRaWAN Parken",
    )
    result = extract(path)
    assert result.status == "ok"
    assert "Straße und Größe in Gießen" in result.text
    assert "Bürgerbeteiligung" in result.text
    assert result.text.index("Erste Seite") < result.text.index("Zweite Seite")
    assert result.page_count == 2
    assert german(result.message) == "Text erfolgreich extrahiert (2 Seiten)."
    assert result.title == "Abschlussbericht Parksensorik"
    assert result.author == "Stadt Musterhausen"
    assert result.created and result.created[:4].isdigit()
    assert (result.format, result.media_type) == ("pdf", "application/pdf")
    assert result.properties["subject"] == "Parksensorik in der Innenstadt"
    assert result.properties["keywords"] == "LoRaWAN Parken"


def test_pdf_without_text_layer_is_empty(tmp_path):
    """A PDF holding only an image and a drawing is empty: a scan without text."""
    result = extract(fx.write_scan_pdf(tmp_path / "scan.pdf"))
    assert result.status == "empty"
    assert "Gescanntes Dokument ohne Text" in german(result.message)
    assert result.page_count == 1
    assert result.text == ""


def test_pdf_with_user_password_is_encrypted(tmp_path):
    """A PDF that needs a password to open ends as encrypted, without its text."""
    path = fx.write_encrypted_pdf(tmp_path / "geheim.pdf", "Vertraulich", user_password="geheim")
    result = extract(path)
    assert result.status == "encrypted"
    assert "passwortgeschützt" in german(result.message)
    assert result.text == ""


@pytest.mark.parametrize("method", ["RC4", "AES_128", "AES_256"])
def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path, method):
    """A PDF encrypted only to restrict permissions (empty user password) is read normally."""
    path = fx.write_encrypted_pdf(
        tmp_path / "rechte.pdf", "Nutzungsbedingungen für Gemeinden", user_password="", method=method
    )
    result = extract(path)
    assert result.status == "ok", german(result.message)
    assert "Nutzungsbedingungen für Gemeinden" in result.text
    assert result.properties["encrypted"] is True


def test_damaged_pdf_fails_with_reason(tmp_path):
    """A truncated PDF ends as failed with a "Datei beschädigt" message."""
    data = fx.write_text_pdf(tmp_path / "ganz.pdf", ["Text"]).read_bytes()
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(data[:200])
    result = extract(path)
    assert result.status == "failed"
    assert german(result.message).startswith("Datei beschädigt: Die PDF-Datei konnte nicht gelesen werden")


# --- DOCX -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def feature_docx(tmp_path_factory) -> ExtractionResult:
    path = fx.write_feature_docx(tmp_path_factory.mktemp("docx") / "muster.docx")
    return extract(path)


def test_docx_body_tables_and_nested_tables(feature_docx):
    """Paragraphs with umlauts, table cells and nested table cells all appear, cells apart."""
    text = feature_docx.text
    assert feature_docx.status == "ok"
    assert "Absatz vor der Tabelle: Größe der Straße in Gießen." in text
    assert "Zelle oben links | Zelle oben rechts" in text
    assert "Innen links | Innen rechts" in text
    assert "Vor der inneren Tabelle" in text and "Nach der inneren Tabelle" in text


def test_docx_reading_order(feature_docx):
    """Header, paragraph, table, paragraph, notes and footer come in reading order."""
    text = feature_docx.text
    order = [
        fx.HEADER_TEXT,
        "Absatz vor der Tabelle",
        "Zelle oben links",
        "Innen links",
        "Absatz nach der Tabelle",
        fx.TEXT_BOX_TEXT,
        fx.CONTENT_CONTROL_TEXT,
        "Dritter Abschnitt",
        fx.FOOTNOTE_TEXT,
        fx.ENDNOTE_TEXT,
        fx.FOOTER_TEXT,
    ]
    positions = [text.index(fragment) for fragment in order]
    assert positions == sorted(positions)


def test_docx_headers_and_footers_appear_once(feature_docx):
    """Headers and footers of all sections are read; linked ones are not repeated."""
    text = feature_docx.text
    assert text.count(fx.HEADER_TEXT) == 1
    assert text.count(fx.FOOTER_TEXT) == 1
    assert text.count(fx.SECOND_HEADER_TEXT) == 1


def test_docx_footnotes_and_endnotes(feature_docx):
    """Footnote and endnote text is read from their parts."""
    assert fx.FOOTNOTE_TEXT in feature_docx.text
    assert fx.ENDNOTE_TEXT in feature_docx.text


def test_docx_text_box_in_alternate_content_appears_once(feature_docx):
    """A text box stored as mc:Choice and mc:Fallback is read exactly once."""
    assert feature_docx.text.count(fx.TEXT_BOX_TEXT) == 1


def test_docx_content_control(feature_docx):
    """Text inside a content control (w:sdt) is read."""
    assert fx.CONTENT_CONTROL_TEXT in feature_docx.text


def test_docx_tracked_changes(feature_docx):
    """Inserted text appears, deleted text does not, and the changes are counted."""
    assert fx.INSERTED_TEXT in feature_docx.text
    assert fx.DELETED_TEXT not in feature_docx.text
    assert feature_docx.properties["tracked_changes"] == 2
    assert feature_docx.properties["tracked_change_authors"] == ["Erika Mustermann", "Max Prüfer"]


def test_docx_properties(feature_docx):
    """Title, author, creation date, last editor and comments come from the package."""
    assert feature_docx.title == "Muster-Leistungsbeschreibung LoRaWAN"
    assert feature_docx.author == "Erika Mustermann"
    assert feature_docx.created and feature_docx.created[:4].isdigit()
    assert feature_docx.properties["last_modified_by"] == "Max Prüfer"
    assert feature_docx.properties["comments"] == {"count": 1, "authors": ["Max Prüfer"]}
    assert "Bitte prüfen" not in feature_docx.text  # comments are properties, not text


def test_word_template_is_read_as_docx(tmp_path):
    """A Word template (.dotx) is detected as docx with the template media type and read."""
    source = fx.write_simple_docx(tmp_path / "quelle.docx", ["Vorlage für Beschlüsse"])
    path = tmp_path / "vorlage.dotx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as template:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            template.writestr(info, data)
    result = extract(path)
    assert (result.status, result.format) == ("ok", "docx")
    assert result.media_type.endswith("wordprocessingml.template")
    assert result.text == "Vorlage für Beschlüsse"


def test_docx_without_text_is_empty(tmp_path):
    """A DOCX with only empty paragraphs ends as empty."""
    result = extract(fx.write_simple_docx(tmp_path / "leer.docx", ["", "   "]))
    assert result.status == "empty"
    assert german(result.message)


def test_damaged_docx_fails_with_reason(tmp_path):
    """A DOCX whose document part is not XML ends as failed with "Datei beschädigt"."""
    path = fx.write_docx_like_bomb(tmp_path / "kaputt.docx", zeros_mb=0)
    result = extract(path)
    assert result.status == "failed"
    assert german(result.message).startswith("Datei beschädigt")


# --- text, Markdown, CSV --------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_text_encodings_are_detected(tmp_path, encoding):
    """UTF-8 with and without BOM, Windows-1252 and UTF-16 all decode to the same text."""
    path = tmp_path / "notiz.txt"
    path.write_bytes("Straße Größe".encode(encoding))
    result = extract(path)
    assert result.status == "ok"
    assert result.text == "Straße Größe"
    assert (result.format, result.media_type) == ("txt", "text/plain")


def test_longer_windows_1252_text(tmp_path):
    """A German Windows-1252 text with typographic quotes and the euro sign decodes."""
    text = "„Förderung“ für Gemeinden: 5.000 € – Zuständigkeit beim Bürgeramt.\n" * 20
    path = tmp_path / "foerderung.txt"
    path.write_bytes(text.encode("cp1252"))
    result = extract(path)
    assert result.properties["encoding"] == "cp1252"
    assert "„Förderung“ für Gemeinden: 5.000 € – Zuständigkeit" in result.text


def test_csv_rows_become_lines_with_separated_cells(tmp_path):
    """CSV rows become lines, cells separated by " | ", also for semicolons and cp1252."""
    path = tmp_path / "gemeinden.csv"
    path.write_bytes("Gemeinde;Einwohner;Landkreis\nMücke;9.000;Vogelsbergkreis\n".encode("cp1252"))
    result = extract(path)
    assert result.status == "ok"
    assert result.format == "csv"
    assert result.text == "Gemeinde | Einwohner | Landkreis\nMücke | 9.000 | Vogelsbergkreis"
    assert result.properties["rows"] == 2


def test_markdown_title_and_text(tmp_path):
    """A Markdown file keeps its text; its first heading becomes the title."""
    path = tmp_path / "leitfaden.md"
    path.write_text("# Leitfaden Open Data\n\nSchritt 1:   Daten   sichten.\n", encoding="utf-8")
    result = extract(path)
    assert (result.status, result.format, result.media_type) == ("ok", "md", "text/markdown")
    assert result.title == "Leitfaden Open Data"
    assert "Schritt 1: Daten sichten." in result.text


def test_whitespace_only_text_is_empty(tmp_path):
    """A text file without any letter or digit ends as empty."""
    path = tmp_path / "leer.txt"
    path.write_text(" \n\t\n", encoding="utf-8")
    assert extract(path).status == "empty"


def test_normalisation():
    """Text is NFC-normalised, NULs and soft hyphens go, spaces collapse, paragraphs stay."""
    raw = "Gro\u0308\u00dfe\x00 und   Ver\u00adwaltung\r\n\r\n\r\n\r\nAu\ufb02age\t Ende  "
    assert normalize_text(raw) == "Größe und Verwaltung\n\nAuflage Ende"


# --- ZIP bombs ------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    """A DOCX that would unpack to 300 MB is refused as a possible ZIP bomb, unparsed."""
    path = fx.write_docx_like_bomb(tmp_path / "bombe.docx", zeros_mb=300)
    assert path.stat().st_size < 2 * 1024 * 1024
    assert detect_type(path).format == "docx"
    result = extract(path)
    assert result.status == "failed"
    assert "ZIP-Bombe" in german(result.message)
    assert "250 MB" in german(result.message)
    assert "beschädigt" not in german(result.message)  # the broken document part was never parsed


def test_highly_compressed_member_is_refused(tmp_path):
    """A member over 1 MB compressed more than 100:1 is refused even below the size limit."""
    path = fx.write_docx_like_bomb(tmp_path / "verdichtet.docx", zeros_mb=5)
    result = extract(path)
    assert result.status == "failed"
    assert "ZIP-Bombe" in german(result.message) and "Verhältnis" in german(result.message)


def test_too_many_members_are_refused(tmp_path):
    """A DOCX with more than 10 000 members is refused; the limits can be set per call."""
    many = fx.write_docx_like_bomb(tmp_path / "viele.docx", zeros_mb=0, extra_members=10_001)
    result = extract(many)
    assert result.status == "failed"
    assert "mehr als 10.000" in german(result.message) and "ZIP-Bombe" in german(result.message)
    few = fx.write_docx_like_bomb(tmp_path / "wenige.docx", zeros_mb=0, extra_members=20)
    assert "ZIP-Bombe" in german(extract(few, zip_limits=ZipLimits(max_members=10)).message)


def test_guard_lets_ordinary_docx_through(tmp_path):
    """An ordinary DOCX passes the guard."""
    path = fx.write_simple_docx(tmp_path / "normal.docx", ["Text"] * 100)
    assert zipguard.check_file(path) is None


@settings(max_examples=60, deadline=None)
@given(
    members=st.lists(
        st.tuples(
            st.text(st.characters(codec="utf-8", exclude_characters="\x00/\\"), min_size=1, max_size=20),
            st.binary(max_size=3000),
            st.booleans(),
        ),
        min_size=0,
        max_size=8,
        unique_by=lambda member: member[0],
    ),
    zip64=st.booleans(),
    comment=st.binary(max_size=40),
    prefix=st.binary(max_size=30).filter(lambda data: b"PK" not in data),
)
def test_zip_listing_matches_zipfile(members, zip64, comment, prefix):
    """The guard's own central-directory walk sees the same members and sizes as zipfile,
    also for ZIP64 records, archive comments and data in front of the archive, and refuses
    what zipfile refuses."""
    buffer = io.BytesIO()
    buffer.write(prefix)
    # With zipfile's ZIP64 thresholds lowered, small archives get the ZIP64 size fields and
    # end records that otherwise only files over 4 GiB or 65 535 members have.
    limits = (100, 2) if zip64 else (zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT)
    with mock.patch.object(zipfile, "ZIP64_LIMIT", limits[0]), mock.patch.object(
        zipfile, "ZIP_FILECOUNT_LIMIT", limits[1]
    ):
        with zipfile.ZipFile(buffer, "a") as archive:
            for name, data, compress in members:
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
                with archive.open(info, "w", force_zip64=zip64) as stream:
                    stream.write(data)
            archive.comment = comment
    try:
        with zipfile.ZipFile(buffer) as archive:
            expected = [(i.filename, i.compress_size, i.file_size) for i in archive.infolist()]
    except zipfile.BadZipFile:  # e.g. a comment holding the end-record signature
        with pytest.raises(zipfile.BadZipFile):
            zipguard.read_listing(buffer)
        return
    listing = zipguard.read_listing(buffer)
    got = [(m.name, m.compressed_size, m.uncompressed_size) for m in listing.members]
    assert got == expected
    assert not listing.truncated


# --- sandbox --------------------------------------------------------------------------


def _target(name: str) -> str:
    return f"{fx.__name__}:{name}"


def test_sandbox_returns_the_value_despite_stdout_noise():
    """A target's return value arrives intact even if it prints to stdout."""
    outcome = sandbox.run(_target("answer"), [{"Größe": [1, 2.5, None]}], timeout=30)
    assert outcome.kind == "ok"
    assert outcome.value == {"Größe": [1, 2.5, None]}
    assert "Lärm" in outcome.stderr


def test_sandbox_child_gets_no_secrets(monkeypatch):
    """The child process does not inherit the web process's environment (secret key)."""
    monkeypatch.setenv("TOOLBOX_SECRET_KEY", "streng-geheim")
    outcome = sandbox.run("os:getenv", ["TOOLBOX_SECRET_KEY"], timeout=30)
    assert outcome.kind == "ok"
    assert outcome.value is None


@pytest.mark.slow
def test_sandbox_timeout_kills_the_process_group(tmp_path):
    """After the time limit the child and the processes it started are killed."""
    pid_file = tmp_path / "pids"
    started = time.monotonic()
    outcome = sandbox.run(_target("sleep_with_grandchild"), [str(pid_file), 60], timeout=2)
    assert outcome.kind == "timeout"
    assert time.monotonic() - started < 15
    child, grandchild = map(int, pid_file.read_text().split())
    deadline = time.monotonic() + 5
    while fx.process_is_alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not fx.process_is_alive(child)
    assert not fx.process_is_alive(grandchild)
    result = result_from_outcome(outcome, detect_type(pid_file), timeout=2, memory_mb=1024)
    assert result.status == "timeout"
    assert german(result.message).startswith("Zeitlimit von 2 s überschritten")


def test_extract_reports_timeout(tmp_path):
    """extract() gives status timeout when the child does not finish in time."""
    path = fx.write_text_pdf(tmp_path / "bericht.pdf", ["Text"])
    result = extract(path, timeout=0.001)
    assert result.status == "timeout"
    assert german(result.message).startswith("Zeitlimit von 0,001 s überschritten")
    assert result.format == "pdf"


def test_sandbox_memory_limit():
    """Allocating 2 GiB under a 256 MiB limit ends as a memory outcome, shown as failed."""
    outcome = sandbox.run(_target("allocate"), [2048], timeout=30, memory_mb=256)
    assert outcome.kind == "memory"
    result = result_from_outcome(
        outcome, detected("pdf"), timeout=30, memory_mb=256
    )
    assert result.status == "failed"
    assert german(result.message).startswith("Speicherlimit von 256 MB überschritten")


def test_flate_bomb_stops_at_the_named_limit_in_a_warm_child(tmp_path):
    """256 streams of 8 MiB zeros on one page, in a 256 MB child that holds openpyxl and a
    grown heap from earlier spreadsheets: the inflation cap, not the memory limit, ends it, so the contributor
    reads that the file is a decompression bomb."""
    from hostile import hostile_files as hf

    path = tmp_path / "bombe.pdf"
    hf.build_split_flate_bomb(path, tmp_path)
    detected_pdf = detect_type(str(path))
    outcome = sandbox.run(_target("parse_in_a_warm_child"), [str(path), detected_pdf.to_dict(), 60],
                          timeout=60, memory_mb=256)
    result = result_from_outcome(outcome, detected_pdf, timeout=60, memory_mb=256)
    assert result.status == "failed"
    assert "Dekomprimierungsbombe" in german(result.message)


def test_sandbox_allows_allocations_within_the_limit():
    """The memory limit is not so tight that a normal allocation fails."""
    outcome = sandbox.run(_target("allocate"), [64], timeout=30, memory_mb=512)
    assert (outcome.kind, outcome.value) == ("ok", 64 * 1024 * 1024)


def test_extract_reports_memory_limit(tmp_path):
    """extract() with a memory limit too small to load the parser ends as failed."""
    path = fx.write_simple_docx(tmp_path / "klein.docx", ["Text"])
    result = extract(path, memory_mb=20)
    assert result.status == "failed"
    assert "Speicherlimit von 20 MB" in german(result.message)


@pytest.mark.parametrize(
    ("target", "args", "detail"),
    [("exit_hard", [3], "Exit-Code 3"), ("segfault", [], "Signal SIGSEGV")],
)
def test_sandbox_crash_is_failed_not_raised(target, args, detail):
    """A child that dies without answering gives a crashed outcome and a failed result."""
    outcome = sandbox.run(_target(target), args, timeout=30)
    assert outcome.kind == "crashed"
    assert outcome.error == detail
    result = result_from_outcome(
        outcome, detected("docx"), timeout=30, memory_mb=1024
    )
    assert result.status == "failed"
    assert detail in german(result.message)
    assert result.format == "docx"


def test_sandbox_exception_is_an_error_outcome():
    """An exception in the target is reported with its type, not raised in the parent."""
    outcome = sandbox.run(_target("raise_value_error"), timeout=30)
    assert outcome.kind == "error"
    assert outcome.error == "ValueError: kaputt"


def test_extract_from_two_threads(tmp_path):
    """extract() can run from two threads at once; each call gets its own file's result."""
    paths = []
    for number in range(6):
        if number % 2:
            paths.append(fx.write_simple_docx(tmp_path / f"d{number}.docx", [f"Dokument {number}"]))
        else:
            paths.append(fx.write_text_pdf(tmp_path / f"d{number}.pdf", [f"Dokument {number}"]))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(extract, paths))
    for number, result in enumerate(results):
        assert result.status == "ok"
        assert result.text == f"Dokument {number}"


# --- the shared real-world corpus -----------------------------------------------------


def _corpus_files() -> list:
    if not CORPUS.is_dir():
        return [pytest.param(None, id="corpus-missing")]
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file())
    return [pytest.param(path, id=str(path.relative_to(CORPUS))) for path in files]


def _require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS.resolve()}; real-document tests skipped")


@pytest.fixture(scope="module")
def corpus_results() -> dict[str, ExtractionResult]:
    """Every corpus file extracted once, two at a time (as the ingest service does)."""
    _require_corpus()
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file())
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(extract, files)
    return {str(path.relative_to(CORPUS)): result for path, result in zip(files, results)}


@pytest.mark.corpus
@pytest.mark.parametrize("path", _corpus_files())
def test_corpus_file_ends_with_a_status(path, corpus_results):
    """Every real-world file ends with one of the five statuses and a German message."""
    result = corpus_results[str(path.relative_to(CORPUS))]
    assert result.status in STATUSES
    assert result.status != "timeout"
    assert german(result.message)
    if result.status == "ok":
        assert result.text.strip()


@pytest.mark.corpus
def test_corpus_expected_outcomes(corpus_results):
    """Known corpus files end as expected: encrypted, German text, tables, headers, scans."""
    r = corpus_results
    assert r["pdf/005-libreoffice-writer-password_libreoffice-writer-password.pdf"].status == "encrypted"

    geotopo = r["pdf/009-pdflatex-geotopo_GeoTopo-komprimiert.pdf"]
    assert geotopo.status == "ok"
    assert geotopo.page_count == 117
    assert "Einführung in die" in geotopo.text
    assert "Topologie" in geotopo.text
    assert "Auflage" in geotopo.text  # the "fl" ligature is expanded
    assert geotopo.author == "Martin Thoma"

    tables = r["docx/blk-paras-and-tables.docx"].text  # a table nested in a table cell
    words = ["Lorem ipsum", "Text before", "Table", "Between", "Text after", "Donec semper"]
    positions = [tables.index(word) for word in words]
    assert positions == sorted(positions)
    assert "Left-side | Right-side" in tables  # a table in the header

    assert "1 | 2 | 3\n4 | 5 | 6\n7 | 8 | 9" in r["docx/tbl-cell-access.docx"].text
    # tbl-having-tables.docx holds four tables whose cells are all empty
    assert r["docx/tbl-having-tables.docx"].status == "empty"

    header_footer = r["docx/hdr-header-footer.docx"].text
    assert "Header for section-1" in header_footer
    assert "Footer for section 1" in header_footer
    odd_even = r["docx/doc-odd-even-hdrs.docx"].text
    assert "Even page header." in odd_even and "Odd page header." in odd_even

    assert r["docx/doc-coreprops.docx"].title == "Title"
    no_core = r["docx/doc-no-coreprops.docx"]
    assert (no_core.title, no_core.author) == (None, None)  # nothing invented
    assert r["docx/comments-rich-para.docx"].properties["comments"]["count"] == 4

    assert r["pdf/007-imagemagick-images_imagemagick-lzw.pdf"].status == "empty"
    assert r["pdf/020-xmp_output_with_metadata_pymupdf.pdf"].title == "Sample PDF with XMP Metadata"
    # The LibreOffice source of a corpus PDF reads as that PDF does
    odt = r["pdf/002-trivial-libre-office-writer_source.odt"]
    assert odt.status == "ok"
    assert odt.text.startswith("Lorem ipsum dolor sit amet, consetetur sadipscing elitr")
    assert "Example for a Form" in r["pdf/012-libreoffice-form_libreoffice-form.odt"].text


@pytest.mark.parametrize(
    ("part", "declares"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY a "x">]><w:document/>', True),
        (b'<?xml version="1.0"?><!-- ' + b"x" * 20_000 + b' --><!DOCTYPE w><w:document/>', True),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w><w/>'.encode("utf-16"), True),
        ('<!DOCTYPE w><w/>'.encode("utf-16-le"), True),
        (b"\xef\xbb\xbf<!doctype w><w/>", True),
        (b'<?xml version="1.0"?><!-- <!DOCTYPE inside a comment --><w:document/>', False),
        (b'<?xml version="1.0"?><w:document><w:t>&lt;!DOCTYPE as text</w:t></w:document>', False),
        (b'<?xml version="1.0"?><w:document/>' + b"<w:p/>" * 50_000, False),
        (b"", False),
    ],
)
def test_doctype_check_reads_the_prolog_of_each_part(tmp_path, part, declares):
    """Only a declaration before the root element counts (nowhere else is one valid XML),
    in UTF-8 or UTF-16, however long the comments before it."""
    import zipfile

    from toolbox.extract.xmlsafe import member_declares_doctype

    path = tmp_path / "parts.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", part)
    with zipfile.ZipFile(path) as archive:
        assert member_declares_doctype(archive, "word/document.xml") is declares


def test_pdf_running_header_and_footer_are_recorded_and_stay_in_the_text(tmp_path):
    """Lines at the top or bottom of most pages (a running header, "Seite n von m") are recorded
    as running lines, compared without their numbers; the text keeps them, so they stay searchable."""
    bodies = ["Ausgangslage und Ziele des Funknetzes.", "Anforderungen an die Gateways.",
              "Betrieb und Wartung durch den Auftragnehmer.", "Vergütung und Laufzeit des Vertrags."]
    pages = [f"Gemeinde Mücke - Leistungsbeschreibung 2024\n{body}\nSeite {n} von 4"
             for n, body in enumerate(bodies, 1)]
    result = extract(fx.write_text_pdf(tmp_path / "lb.pdf", pages))
    assert result.status == "ok"
    assert result.properties["running_lines"] == ["gemeinde mücke - leistungsbeschreibung #", "seite # von #"]
    assert result.text.count("Gemeinde Mücke - Leistungsbeschreibung 2024") == 4
    single = extract(fx.write_text_pdf(tmp_path / "kurz.pdf", [pages[0]]))
    assert "running_lines" not in single.properties


def test_docx_header_and_footer_lines_are_running_lines(tmp_path):
    """A Word header is a running line too; the body is not."""
    from conftest import write_docx

    path = write_docx(tmp_path / "vorlage.docx", ["Muster-Dienstanweisung zur E-Akte."],
                      header="Stadt Musterhausen – Hauptamt")
    result = extract(path)
    assert result.properties["running_lines"] == ["stadt musterhausen – hauptamt"]
    assert "Stadt Musterhausen – Hauptamt" in result.text
