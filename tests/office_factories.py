"""Office files built by the tests: OpenDocument as raw XML in a ZIP, XLSX with openpyxl, PPTX
with python-pptx, RTF as text, and the hostile variants (macros, passwords, DTDs, bombs).

Every builder writes to `path` and returns it; the content words are module constants so tests
can search for them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def p(text: str) -> str:
    return f"<text:p>{escape(text)}</text:p>"


def h(text: str) -> str:
    return f'<text:h text:outline-level="1">{escape(text)}</text:h>'


def odf_table(name: str, rows: list[list[str]], *, rows_repeated: int = 1) -> str:
    body = ""
    for row in rows:
        cells = "".join(f'<table:table-cell office:value-type="string">{p(cell)}</table:table-cell>' for cell in row)
        body += f"<table:table-row>{cells}</table:table-row>"
    if rows_repeated > 1:  # what LibreOffice writes for the empty rest of a sheet
        body += (f'<table:table-row table:number-rows-repeated="{rows_repeated}">'
                 '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    return f'<table:table table:name="{escape(name)}">{body}</table:table>'


def odf_body(format: str, inner: str) -> str:
    element = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}[format]
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.3">'
            f"<office:body><office:{element}>{inner}</office:{element}></office:body></office:document-content>")


def odf_meta(title: str = "", author: str = "", created: str = "", pages: int | None = None) -> str:
    parts = []
    if title:
        parts.append(f"<dc:title>{escape(title)}</dc:title>")
    if author:
        parts.append(f"<meta:initial-creator>{escape(author)}</meta:initial-creator>")
    if created:
        parts.append(f"<meta:creation-date>{created}</meta:creation-date>")
    if pages:
        parts.append(f'<meta:document-statistic meta:page-count="{pages}"/>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF_NS} office:version="1.3">'
            f"<office:meta>{''.join(parts)}</office:meta></office:document-meta>")


def odf_manifest(format: str, extra_entries: str = "", *, encrypted: bool = False) -> str:
    encryption = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
                  '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
                  '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" '
                  'manifest:salt="AAAA"/></manifest:encryption-data>') if encrypted else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {ODF_NS} manifest:version="1.3">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODF_MIMETYPES[format]}"/>'
            f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{encryption}'
            f"</manifest:file-entry>{extra_entries}</manifest:manifest>")


def write_odf(path: Path, format: str, content: str | bytes, *, meta: str | None = None,
              manifest: str | None = None, extra: dict[str, bytes | str] | None = None,
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """An OpenDocument package: the mimetype first and stored, as the specification asks."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODF_MIMETYPES[format], compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest or odf_manifest(format))
        archive.writestr("content.xml", content, compress_type=compression)
        if meta is not None:
            archive.writestr("meta.xml", meta)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


# --- the feature files: every construct each reader must handle -----------------------------

ODT_HEADING = "Satzung über die Nutzung des Glasfasernetzes"
ODT_PARAGRAPH = "Die Gemeinde Mücke betreibt ein offenes Zugangsnetz für alle Ortsteile."
ODT_TABLE = [["Ortsteil", "Anschlüsse"], ["Atzenhain", "412"]]
ODT_FRAME_TEXT = "Textrahmen mit Ansprechpartnerin im Bauamt"
ODT_FOOTNOTE = "Fußnote zur Förderrichtlinie Gigabit"
ODT_COMMENT = "Kommentar bitte prüfen Zauberwort"
ODT_DELETED = "gelöschter Absatz Schattenhaushalt"


def write_feature_odt(path: Path) -> Path:
    content = odf_body("odt", (
        "<text:tracked-changes><text:changed-region text:id=\"c1\"><text:deletion>"
        f"{p(ODT_DELETED)}</text:deletion></text:changed-region></text:tracked-changes>"
        + h(ODT_HEADING)
        + f"<text:p>Die Gemeinde <text:span>Mücke</text:span><text:s/>betreibt ein offenes Zugangsnetz"
          f"<text:note text:note-class=\"footnote\"><text:note-citation>1</text:note-citation><text:note-body>"
          f"{p(ODT_FOOTNOTE)}</text:note-body></text:note> für alle Ortsteile."
          f"<office:annotation><dc:creator>Prüfer</dc:creator>{p(ODT_COMMENT)}</office:annotation></text:p>"
        + odf_table("Tabelle1", ODT_TABLE)
        + f'<text:p><draw:frame><draw:text-box>{p(ODT_FRAME_TEXT)}</draw:text-box></draw:frame></text:p>'
    ))
    meta = odf_meta("Glasfasersatzung Mücke", "Erika Mustermann", "2024-03-01T09:30:00", pages=3)
    return write_odf(path, "odt", content, meta=meta)


ODS_SHEETS = {"Kostenplan": [["Posten", "Betrag"], ["Sensoren LoRaWAN", "18.500,00"]],
              "Förderung": [["Zuschuss Land", "60 %"]]}


def write_feature_ods(path: Path) -> Path:
    inner = "".join(odf_table(name, rows, rows_repeated=1048570) for name, rows in ODS_SHEETS.items())
    return write_odf(path, "ods", odf_body("ods", inner), meta=odf_meta("Kostenplan Sensorik"))


ODP_SLIDES = [("Digitale Ratsarbeit", "Notizen: Sitzungsgeld nicht erwähnen"),
              ("Zeitplan Einführung", "Notizen: Schulung der Fraktionen im Mai")]


def write_feature_odp(path: Path) -> Path:
    pages = "".join(
        f'<draw:page draw:name="page{index}"><draw:frame presentation:class="title"><draw:text-box>{p(title)}'
        f"</draw:text-box></draw:frame><presentation:notes><draw:frame><draw:text-box>{p(notes)}"
        "</draw:text-box></draw:frame></presentation:notes></draw:page>"
        for index, (title, notes) in enumerate(ODP_SLIDES, start=1)
    )
    return write_odf(path, "odp", odf_body("odp", pages))


XLSX_SHEET = "Kostenplan 2025"
XLSX_ROWS = [["Posten", "Menge", "Einzelpreis", "Summe"], ["Parksensor", 40, 95.5, None],
             ["Gateway Bürgerhaus", 2, 1200, None]]
XLSX_CACHED_TOTAL = 6220


def write_feature_xlsx(path: Path, *, cached_values: bool = True) -> Path:
    """A workbook with two sheets, a date, and formulas whose cached values Excel would have
    stored. openpyxl writes formulas without cached values, so those are added to the XML."""
    from datetime import date

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = XLSX_SHEET
    for row in XLSX_ROWS:
        sheet.append(row)
    sheet["D2"] = "=B2*C2"
    sheet["D3"] = "=B3*C3"
    sheet["A5"] = "Gesamt"
    sheet["D5"] = "=SUM(D2:D3)"
    second = workbook.create_sheet("Zeitplan")
    second.append(["Beschluss Gemeinderat", date(2025, 3, 18)])
    workbook.properties.title = "Kostenplan Smart Parking"
    workbook.properties.creator = "Kämmerei Mücke"
    workbook.save(path)
    if cached_values:
        _add_cached_values(path, {"D2": "3820", "D3": "2400", "D5": str(XLSX_CACHED_TOTAL)})
    return path


def _add_cached_values(path: Path, values: dict[str, str]) -> None:
    import re

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml)
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    rewrite_zip(path, members)


def rewrite_zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


PPTX_TITLE = "Smarte Straßenbeleuchtung"
PPTX_BODY = "Umrüstung von 1.240 Leuchten auf LED mit Fernsteuerung"
PPTX_TABLE = [["Jahr", "Einsparung"], ["2026", "38 %"]]
PPTX_NOTES = "Hinweis für die Rednerin: Fördersumme erst am Ende nennen"
PPTX_GROUP_TEXT = "Gruppierter Kasten Energieagentur"


def write_feature_pptx(path: Path, *, slides: int = 2) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    presentation.core_properties.title = "Ratspräsentation Beleuchtung"
    presentation.core_properties.author = "Bauamt Mücke"
    first = presentation.slides.add_slide(presentation.slide_layouts[1])
    first.shapes.title.text = PPTX_TITLE
    first.placeholders[1].text = PPTX_BODY
    first.notes_slide.notes_text_frame.text = PPTX_NOTES
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    second.shapes.title.text = "Kosten und Einsparung"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for r, row in enumerate(PPTX_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    group = second.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(1)).text_frame.text = PPTX_GROUP_TEXT
    blank = presentation.slide_layouts[6]
    for number in range(3, slides + 1):
        box = presentation.slides.add_slide(blank).shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
        box.text_frame.text = f"Folie Nummer {number}"
    presentation.save(path)
    return path


RTF_TEXT = "Bekanntmachung über die Öffnungszeiten des Bürgerbüros"
RTF_SOURCE = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}{\info{\title Bekanntmachung B\'fcrgerb\'fcro}"
    r"{\author Hauptamt M\'fccke}}"
    r"\f0\pard Bekanntmachung \'fcber die \u214?ffnungszeiten des B\'fcrgerb\'fcros\par"
    r"{\pict\pngblip 89504e470d0a1a0a}"
    r"\trowd\cellx2000\cellx4000 Montag\cell 8\'96 12 Uhr\cell\row}"
)


def write_rtf(path: Path, source: str = RTF_SOURCE) -> Path:
    path.write_bytes(source.encode("latin-1"))
    return path


# --- macros and passwords ---------------------------------------------------------------------


def write_with_vba(source: Path, target: Path, *, main_type: str | None = None) -> Path:
    """The OOXML package at `source` with a VBA project added (and, when given, the main part's
    content type switched to the macro-enabled one, as Office saves .xlsm/.pptm/.docm)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/vbaProject.bin" if "xl/workbook.xml" in members else "ppt/vbaProject.bin"] = b"\xd0\xcf\x11\xe0VBA"
    if main_type:
        types = members["[Content_Types].xml"].decode()
        import re

        types = re.sub(r'(PartName="/(?:xl/workbook|ppt/presentation)\.xml" ContentType=")[^"]*', rf"\g<1>{main_type}",
                       types)
        members["[Content_Types].xml"] = types.encode()
    rewrite_zip(target, members)
    return target


def write_odt_with_macros(path: Path, *, in_manifest_only: bool = False) -> Path:
    content = odf_body("odt", p("Dokument mit Makro"))
    if in_manifest_only:
        manifest = odf_manifest("odt", '<manifest:file-entry manifest:full-path="Scripts/python/auto.py" '
                                       'manifest:media-type=""/>')
        return write_odf(path, "odt", content, manifest=manifest)
    return write_odf(path, "odt", content, extra={
        "Basic/Standard/Module1.xml": '<?xml version="1.0"?><script:module xmlns:script="http://openoffice.org/2000/script" '
                                      'script:name="Module1">Sub Main\nShell("calc")\nEnd Sub</script:module>',
        "Basic/script-lc.xml": '<?xml version="1.0"?><library:libraries xmlns:library="http://openoffice.org/2000/library"/>',
    })


def write_encrypted_odf(path: Path, format: str = "odt") -> Path:
    # The content of an encrypted member is not XML; its bytes stand in for the cipher text.
    return write_odf(path, format, b"\x8f\x13\x02\xa7" * 64, manifest=odf_manifest(format, encrypted=True))


def encrypted_ooxml() -> bytes:
    """A CFB (OLE2) container with EncryptionInfo and EncryptedPackage streams, as Office saves a
    password-protected DOCX, XLSX or PPTX."""
    return ole2_with("EncryptionInfo", "EncryptedPackage")


def ole2_with(*streams: str) -> bytes:
    """The start of a CFB (OLE2) file whose directory names `streams`: enough for detection."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = (9).to_bytes(2, "little")
    header[48:52] = (0).to_bytes(4, "little")
    directory = bytearray(512)
    for slot, name in enumerate(streams):
        encoded = name.encode("utf-16-le")
        directory[128 * (slot + 1): 128 * (slot + 1) + len(encoded)] = encoded
    return bytes(header + directory)


# --- large files for the hostile suite ----------------------------------------------------------

XLSX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_xlsx_cells(path: Path, rows: int, columns: int, *, last_row: str = "") -> Path:
    """A workbook of one sheet with rows × columns numeric cells, written as raw XML in chunks
    (openpyxl would take minutes for a million cells). `last_row` is a text cell after them."""
    import random

    rng = random.Random(rows * columns)
    letters = [_column(index) for index in range(1, columns + 1)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", XLSX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                                        f'Type="{_OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                            f'xmlns:r="{_OFFICE_RELS}"><sheets><sheet name="Messwerte" sheetId="1" '
                                            'r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                                                       f'Type="{_OFFICE_RELS}/worksheet" '
                                                       'Target="worksheets/sheet1.xml"/></Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            # Excel writes the used range first; without it openpyxl scans the sheet once to find it.
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        + f'<dimension ref="A1:{letters[-1]}{rows + 1}"/><sheetData>'.encode())
            for row in range(1, rows + 1):
                cells = "".join(f'<c r="{letter}{row}"><v>{rng.randrange(1_000_000)}</v></c>' for letter in letters)
                sheet.write(f'<row r="{row}">{cells}</row>'.encode())
            if last_row:
                sheet.write(f'<row r="{rows + 1}"><c r="A{rows + 1}" t="inlineStr"><is><t>{escape(last_row)}</t>'
                            "</is></c></row>".encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def _column(index: int) -> str:
    name = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def write_ods_cells(path: Path, rows: int, columns: int, *, last_row: str = "") -> Path:
    import random

    rng = random.Random(rows + columns)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODF_MIMETYPES["ods"], compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", odf_manifest("ods"))
        with archive.open("content.xml", "w", force_zip64=True) as content:
            head, tail = odf_body("ods", '<table:table table:name="Messwerte">\x00').split("\x00")
            content.write(head.encode())
            for _ in range(rows):
                cells = "".join(f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}'
                                "</text:p></table:table-cell>"
                                for value in (rng.randrange(1_000_000) for _ in range(columns)))
                content.write(f"<table:table-row>{cells}</table:table-row>".encode())
            if last_row:
                content.write(f"<table:table-row><table:table-cell>{p(last_row)}</table:table-cell>"
                              "</table:table-row>".encode())
            content.write(("</table:table>" + tail).encode())
    return path


def write_many_slides(path: Path, slides: int, *, last_slide: str = "") -> Path:
    """A PPTX with `slides` slides: python-pptx makes one, its part is copied (making thousands
    through python-pptx would take minutes)."""
    import re

    template = path.with_suffix(".one.pptx")
    write_feature_pptx(template, slides=1)
    with zipfile.ZipFile(template) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    template.unlink()
    slide = members["ppt/slides/slide1.xml"].decode()
    slide_rels = members["ppt/slides/_rels/slide1.xml.rels"].decode()
    slide_rels = re.sub(r'<Relationship[^>]*notesSlide[^>]*/>', "", slide_rels)
    presentation = members["ppt/presentation.xml"].decode()
    presentation_rels = members["ppt/_rels/presentation.xml.rels"].decode()
    types = members["[Content_Types].xml"].decode()
    ids, rels, overrides = [], [], []
    for number in range(2, slides + 1):
        text = last_slide if number == slides and last_slide else f"Folie Nummer {number}"
        members[f"ppt/slides/slide{number}.xml"] = slide.replace(PPTX_TITLE, escape(text)).encode()
        members[f"ppt/slides/_rels/slide{number}.xml.rels"] = slide_rels.encode()
        ids.append(f'<p:sldId id="{1000 + number}" r:id="rIdS{number}"/>')
        rels.append(f'<Relationship Id="rIdS{number}" Type="{_OFFICE_RELS}/slide" Target="slides/slide{number}.xml"/>')
        overrides.append(f'<Override PartName="/ppt/slides/slide{number}.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.presentationml.slide+xml"/>')
    members["ppt/presentation.xml"] = presentation.replace("</p:sldIdLst>", "".join(ids) + "</p:sldIdLst>").encode()
    members["ppt/_rels/presentation.xml.rels"] = presentation_rels.replace(
        "</Relationships>", "".join(rels) + "</Relationships>").encode()
    members["[Content_Types].xml"] = types.replace("</Types>", "".join(overrides) + "</Types>").encode()
    rewrite_zip(path, members)
    return path
