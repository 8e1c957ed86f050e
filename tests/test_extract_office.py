"""Office formats (issue 13.3): OpenDocument, XLSX, PPTX and RTF are read in the sandboxed child;
macro-enabled files are refused; password-protected ones are stored as encrypted; legacy DOC, XLS
and PPT wait for LibreOffice. Every file is built by the tests (tests/office_factories.py)."""

from __future__ import annotations

import zipfile

import pytest

import office_factories as of
from toolbox.extract import detect_type
from toolbox.extract import extract
from conftest import german


def test_odt_text_in_document_order_with_tables_frames_and_footnotes(tmp_path):
    """Headings, paragraphs (spans and spaces joined), table rows, text frames and footnotes are
    read; comments and deleted tracked changes are not; meta.xml gives title, author, date, pages."""
    result = extract(of.write_feature_odt(tmp_path / "satzung.odt"), "satzung.odt")
    assert (result.status, result.format) == ("ok", "odt")
    assert result.media_type == "application/vnd.oasis.opendocument.text"
    text = result.text
    assert of.ODT_HEADING in text and of.ODT_PARAGRAPH in text
    assert "Ortsteil | Anschlüsse\nAtzenhain | 412" in text
    assert of.ODT_FRAME_TEXT in text and of.ODT_FOOTNOTE in text
    assert of.ODT_COMMENT not in text and of.ODT_DELETED not in text
    assert text.index(of.ODT_HEADING) < text.index(of.ODT_PARAGRAPH) < text.index("Atzenhain")
    assert (result.title, result.author) == ("Glasfasersatzung Mücke", "Erika Mustermann")
    assert result.created == "2024-03-01T09:30:00" and result.page_count == 3


def test_ods_sheet_names_and_cells_without_expanding_repeated_rows(tmp_path):
    """Each sheet's name precedes its rows; the million repeated empty rows LibreOffice writes are
    read once, not expanded."""
    result = extract(of.write_feature_ods(tmp_path / "kosten.ods"), "kosten.ods")
    assert result.status == "ok"
    assert result.text == ("Tabelle: Kostenplan\nPosten | Betrag\nSensoren LoRaWAN | 18.500,00\n"
                           "Tabelle: Förderung\nZuschuss Land | 60 %")
    assert result.properties["sheets"] == ["Kostenplan", "Förderung"]


def test_odp_slides_with_speaker_notes(tmp_path):
    result = extract(of.write_feature_odp(tmp_path / "rat.odp"), "rat.odp")
    assert result.status == "ok" and result.page_count == 2
    for title, notes in of.ODP_SLIDES:
        assert title in result.text and notes in result.text


def test_xlsx_sheets_values_and_cached_formula_results(tmp_path):
    """Sheet names and cell values; a formula gives the value Excel cached, not its source."""
    result = extract(of.write_feature_xlsx(tmp_path / "kosten.xlsx"), "kosten.xlsx")
    assert (result.status, result.format) == ("ok", "xlsx")
    assert f"Tabelle: {of.XLSX_SHEET}" in result.text and "Tabelle: Zeitplan" in result.text
    assert "Parksensor | 40 | 95.5 | 3820" in result.text
    assert f"Gesamt | {of.XLSX_CACHED_TOTAL}" in result.text
    assert "SUM(" not in result.text and "=B2" not in result.text
    assert "Beschluss Gemeinderat | 2025-03-18" in result.text
    assert (result.title, result.author) == ("Kostenplan Smart Parking", "Kämmerei Mücke")


def test_xlsx_sheet_claiming_a_huge_dimension_is_not_padded(tmp_path):
    """A sheet that claims A1:XFD1048576 is read by its cells, not by the range it claims."""
    path = of.write_feature_xlsx(tmp_path / "gross.xlsx")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace('<dimension ref="A1:D5"/>', '<dimension ref="A1:XFD1048576"/>'
                                                        ).encode()
    assert b"XFD1048576" in members["xl/worksheets/sheet1.xml"]
    of.rewrite_zip(path, members)
    result = extract(path, "gross.xlsx", timeout=20)
    assert result.status == "ok" and "Parksensor | 40" in result.text


def test_pptx_slides_tables_groups_and_notes(tmp_path):
    result = extract(of.write_feature_pptx(tmp_path / "rat.pptx"), "rat.pptx")
    assert (result.status, result.format, result.page_count) == ("ok", "pptx", 2)
    text = result.text
    assert text.startswith("Folie 1\n" + of.PPTX_TITLE)
    assert of.PPTX_BODY in text and of.PPTX_NOTES in text and of.PPTX_GROUP_TEXT in text
    assert "Jahr | Einsparung\n2026 | 38 %" in text
    assert text.index(of.PPTX_NOTES) < text.index("Folie 2")
    assert (result.title, result.author) == ("Ratspräsentation Beleuchtung", "Bauamt Mücke")


def test_rtf_text_escapes_and_info_group(tmp_path):
    """RTF escapes (\\'fc, \\u214) are decoded, pictures and font tables left out, and the
    {\\info} group gives title and author."""
    result = extract(of.write_rtf(tmp_path / "aushang.rtf"), "aushang.rtf")
    assert (result.status, result.format) == ("ok", "rtf")
    assert of.RTF_TEXT in result.text and "Montag" in result.text
    assert "89504e47" not in result.text and "Arial" not in result.text
    assert (result.title, result.author) == ("Bekanntmachung Bürgerbüro", "Hauptamt Mücke")


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(("builder", "name", "expected"), [
    (of.write_feature_odt, "x.zip", "odt"), (of.write_feature_ods, "x.zip", "ods"),
    (of.write_feature_odp, "x.zip", "odp"), (of.write_feature_xlsx, "x.zip", "xlsx"),
    (of.write_feature_pptx, "x.zip", "pptx"), (of.write_rtf, "x.txt", "rtf"),
])
def test_office_formats_are_detected_by_content_and_supported(tmp_path, builder, name, expected):
    detected = detect_type(builder(tmp_path / name))
    assert (detected.format, detected.supported, detected.encrypted) == (expected, True, False)


def test_pptx_with_an_embedded_workbook_is_a_presentation(tmp_path):
    """A chart's embedded workbook adds the spreadsheet content type; the main part decides."""
    path = of.write_feature_pptx(tmp_path / "diagramm.pptx")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.'
                     b'spreadsheetml.sheet"/></Types>')
    of.rewrite_zip(path, members)
    assert detect_type(path).format == "pptx"


MACRO_REASON = "IT-Sicherheitsvorgaben der Kommunen verbieten, Makros weiterzugeben"


@pytest.mark.parametrize(("make", "expected"), [
    (lambda d: of.write_with_vba(of.write_feature_xlsx(d / "a.xlsx"), d / "m.xlsm",
                                 main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml"), "xlsm"),
    (lambda d: of.write_with_vba(of.write_feature_pptx(d / "a.pptx"), d / "m.pptm",
                                 main_type="application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
     "pptm"),
    # A VBA project under a plain content type: Office runs it once the file is renamed .xlsm.
    (lambda d: of.write_with_vba(of.write_feature_xlsx(d / "a.xlsx"), d / "getarnt.xlsx"), "xlsm"),
    (lambda d: of.write_odt_with_macros(d / "basic.odt"), "odt"),
    (lambda d: of.write_odt_with_macros(d / "skript.odt", in_manifest_only=True), "odt"),
])
def test_macro_enabled_files_are_refused_with_the_security_reason(tmp_path, make, expected):
    path = make(tmp_path)
    detected = detect_type(path)
    assert (detected.format, detected.supported) == (expected, False)
    assert MACRO_REASON in german(detected.message)
    result = extract(path)
    assert result.status == "failed" and MACRO_REASON in german(result.message)


def test_word_file_with_macros_gives_the_same_reason(tmp_path):
    path = tmp_path / "vorlage.docm"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" ContentType='
                                                '"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
    detected = detect_type(path)
    assert detected.format == "docm" and MACRO_REASON in german(detected.message)


@pytest.mark.parametrize("format", ["odt", "ods", "odp"])
def test_password_protected_opendocument_is_encrypted(tmp_path, format):
    """The manifest's encryption-data marks a password-protected ODF file: it is stored with the
    status "encrypted", like an encrypted PDF, and its content is never parsed."""
    path = of.write_encrypted_odf(tmp_path / f"geheim.{format}", format)
    detected = detect_type(path)
    assert (detected.format, detected.supported, detected.encrypted) == (format, True, True)
    result = extract(path)
    assert (result.status, result.format) == ("encrypted", format)
    assert "passwortgeschützt" in german(result.message)


@pytest.mark.parametrize(("name", "expected"), [("plan.xlsx", "xlsx"), ("rat.pptx", "pptx"),
                                                 ("brief.docx", "docx"), ("unbekannt.bin", "encrypted-office")])
def test_password_protected_ooxml_is_encrypted_and_named_by_its_extension(tmp_path, name, expected):
    """Office encrypts the whole package into a CFB container; only the name tells its kind."""
    path = tmp_path / "blob"
    path.write_bytes(of.encrypted_ooxml())
    detected = detect_type(path, name)
    assert (detected.format, detected.supported, detected.encrypted) == (expected, True, True)
    assert extract(path, name).status == "encrypted"


# --- XML without DTDs -------------------------------------------------------------------------

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + "]>")


@pytest.mark.parametrize("format", ["odt", "ods", "odp"])
def test_opendocument_with_a_dtd_in_its_content_is_refused(tmp_path, format):
    content = of.odf_body(format, of.p("Einladung &lol9;")).replace('<?xml version="1.0" encoding="UTF-8"?>',
                                                                      BILLION_LAUGHS)
    result = extract(of.write_odf(tmp_path / f"lachen.{format}", format, content))
    assert result.status == "failed"
    assert "DTD" in german(result.message) and "lol" not in result.text


def test_old_openoffice_manifest_doctype_is_no_refusal(tmp_path):
    """OpenOffice.org 2 wrote a DOCTYPE with a public identifier into manifest.xml; such files
    are read (the DTD is never loaded)."""
    manifest = of.odf_manifest("odt").replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE manifest:manifest PUBLIC '
        '"-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd">')
    path = of.write_odf(tmp_path / "alt.odt", "odt", of.odf_body("odt", of.p("Protokoll 2007")), manifest=manifest)
    result = extract(path)
    assert result.status == "ok" and "Protokoll 2007" in result.text


@pytest.mark.parametrize("builder", [of.write_feature_xlsx, of.write_feature_pptx])
def test_ooxml_part_with_a_dtd_is_refused(tmp_path, builder):
    path = builder(tmp_path / "datei")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    part = "xl/workbook.xml" if "xl/workbook.xml" in members else "ppt/presentation.xml"
    declaration, _, rest = members[part].rpartition(b"?>")  # python-pptx writes one, openpyxl none
    members[part] = (declaration + b"?>" if declaration else b"") + (
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + rest)
    of.rewrite_zip(path, members)
    result = extract(path)
    assert result.status == "failed" and "DTD" in german(result.message)


def test_opendocument_zip_bomb_is_refused_before_parsing(tmp_path):
    """The ZIP guard judges OpenDocument and the other office containers, not only DOCX."""
    content = of.odf_body("odt", of.p("Anfang") + "<text:p>" + " " * (40 * 1024 * 1024) + "</text:p>")
    result = extract(of.write_odf(tmp_path / "bombe.odt", "odt", content))
    assert result.status == "failed" and "ZIP-Bombe" in german(result.message)


@pytest.mark.parametrize(("builder", "name"), [
    (of.write_feature_odt, "kaputt.odt"), (of.write_feature_xlsx, "kaputt.xlsx"),
    (of.write_feature_pptx, "kaputt.pptx"), (of.write_feature_ods, "kaputt.ods")])
def test_truncated_office_files_fail_with_a_german_reason(tmp_path, builder, name):
    path = builder(tmp_path / name)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    result = extract(path, name)
    assert result.status == "failed"
    assert "beschädigt" in german(result.message) or "nicht unterstützt" in german(result.message)


def test_xlsx_is_read_under_a_low_memory_limit(tmp_path):
    """openpyxl imports numpy; OpenBLAS in the child keeps to one thread, so its buffers fit a
    low address-space cap (with a thread per core, numpy's import failed at 140 MB)."""
    from toolbox.extract.pool import close_shared_pools

    close_shared_pools()
    result = extract(of.write_feature_xlsx(tmp_path / "klein.xlsx"), "klein.xlsx", memory_mb=140)
    close_shared_pools()
    assert result.status == "ok", result.message


# --- HTML pages (text only) ----------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="windows-1252"><title>Satzung über die Nutzung des Bürgerportals</title>
<style>p { color: red }</style><script>var geheim = "Skriptinhalt";</script></head>
<body><nav><a href="/">Startseite</a></nav>
<h1>Bürgerportal der Gemeinde Mücke</h1>
<p>Die Gemeinde betreibt ein Bürgerportal für Anträge &amp; Auskünfte.<br>Zweite Zeile.</p>
<template><p>Vorlage, unsichtbar</p></template>
<h2>Gebühren</h2>
<table><tr><th>Leistung</th><th>Gebühr</th></tr><tr><td>Meldebescheinigung</td><td>5 €</td></tr></table>
<img src="wappen.png" alt="Wappen der Gemeinde">
</body></html>
"""


def test_html_page_gives_its_visible_text_title_and_headings(tmp_path):
    """Only what a reader sees: scripts, styles and templates are skipped, block elements end a
    line, table cells stay apart, images give their alternative text; the page's charset is
    honoured and its <title>, language and headings are kept."""
    path = tmp_path / "satzung.html"
    path.write_bytes(HTML_PAGE.encode("cp1252"))
    result = extract(path, "satzung.html")
    assert (result.status, result.format, result.media_type) == ("ok", "html", "text/html")
    assert result.title == "Satzung über die Nutzung des Bürgerportals"
    text = result.text
    assert "Bürgerportal der Gemeinde Mücke" in text
    assert "Die Gemeinde betreibt ein Bürgerportal für Anträge & Auskünfte.\nZweite Zeile." in text
    assert "Leistung | Gebühr\nMeldebescheinigung | 5 €" in text
    assert "Wappen der Gemeinde" in text
    for hidden in ("Skriptinhalt", "color: red", "Vorlage, unsichtbar", "Satzung über"):
        assert hidden not in text
    assert result.properties["accessibility"] == {"headings": 2}
    assert result.properties["language"] == "de"


def test_html_under_another_name_is_refused_as_a_possible_polyglot(tmp_path):
    """A page named .pdf or .txt is what a polyglot looks like: refused, saying how to fix it."""
    path = tmp_path / "bericht.pdf"
    path.write_text("<html><body><p>Bericht</p></body></html>", encoding="utf-8")
    detected = detect_type(path, "bericht.pdf")
    assert not detected.supported
    assert "heißt aber „.pdf“" in german(detected.message)
    assert detect_type(path, "bericht.htm").supported


def test_broken_markup_and_a_missing_head_end_are_read(tmp_path):
    """Real pages are broken: an unclosed head, stray end tags and unclosed paragraphs still give
    the body's text."""
    path = tmp_path / "alt.htm"
    path.write_text("<html><head><title>Alt</title><body><p>Erster Absatz</div><p>Zweiter Absatz", encoding="utf-8")
    result = extract(path, "alt.htm")
    assert result.status == "ok"
    assert result.text == "Erster Absatz\nZweiter Absatz"
