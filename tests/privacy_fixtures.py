"""Files that reveal people: a DOCX with author, last editor, a comment and tracked changes,
and a PDF with author, creator, producer and an XMP packet. Shared by the upload tests."""
from __future__ import annotations

from pathlib import Path

AUTHOR = "Erika Mustermann"
EDITOR = "Max Bearbeiter"
REVIEWER = "Hans Prüfer"
COMMENT = "Bitte vor Veröffentlichung mit Herrn Maier klären"
DELETED = "Geheimhaltungsstufe intern"
INSERTED = "ergänzter Absatz zur Wartung"

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_with_personal_data(path: Path, body: str = "Leistungsbeschreibung für LoRaWAN-Gateways im Stadtgebiet.") -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    first = document.add_paragraph(body)
    document.add_comment(first.runs, text=COMMENT, author=REVIEWER, initials="HP")
    second = document.add_paragraph("Anlage: ")
    second._p.append(parse_xml(
        f'<w:ins {W} w:id="101" w:author="{REVIEWER}" w:date="2024-03-01T10:00:00Z">'
        f'<w:r><w:t xml:space="preserve">{INSERTED}</w:t></w:r></w:ins>'))
    second._p.append(parse_xml(
        f'<w:del {W} w:id="102" w:author="{REVIEWER}" w:date="2024-03-01T10:00:00Z">'
        f'<w:r><w:delText xml:space="preserve"> {DELETED}</w:delText></w:r></w:del>'))
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = EDITOR
    document.core_properties.title = "Leistungsbeschreibung LoRaWAN"
    document.save(path)
    return path


def pdf_with_personal_data(path: Path, text: str | None = None) -> Path:
    """A PDF with an info dictionary and an XMP packet naming the author."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    if text:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, text)
        raw = path.with_suffix(".raw.pdf")
        pdf.output(str(raw))
        writer = PdfWriter(clone_from=str(raw))
        raw.unlink()
    else:
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": "Microsoft Word", "/Producer": "Acrobat PDFMaker"})
    xmp = DecodedStreamObject()
    xmp.set_data(
        ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
         '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
         f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{AUTHOR}</dc:creator></rdf:Description>'
         '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()
    )
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    with open(path, "wb") as out:
        writer.write(out)
    return path


def all_part_bytes(docx_path: Path) -> bytes:
    """Every part of a DOCX, decompressed, for searching names in any of them."""
    import zipfile

    with zipfile.ZipFile(docx_path) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())
