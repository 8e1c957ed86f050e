"""Test helpers for tests/test_extract.py: document builders and sandbox target functions.

The target functions at the bottom run inside the extraction sandbox's child process (the
sandbox imports them by "module:function"), so they stay importable without pytest.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECLS = (
    f'xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)

TEXT_BOX_TEXT = "Textfeld: Ansprechpartnerin im Bürgerbüro"
INSERTED_TEXT = "eingefügter Satz zur Förderung"
DELETED_TEXT = "gelöschter Satz zum Haushalt"
CONTENT_CONTROL_TEXT = "Inhaltssteuerelement Zuständige Stelle"
FOOTNOTE_TEXT = "Fußnotentext zur Richtlinie"
ENDNOTE_TEXT = "Endnotentext zum Beschluss"
HEADER_TEXT = "Kopfzeile Stadt Musterhausen"
FOOTER_TEXT = "Fußzeile Smart-Region-Toolbox"
SECOND_HEADER_TEXT = "Kopfzeile zweiter Abschnitt"


def write_feature_docx(path: Path) -> Path:
    """A DOCX holding every construct the extractor must read, in a known order:

    header, paragraph, table with a nested table, paragraph with a text box (written as
    mc:AlternateContent with Choice and Fallback), tracked changes, a content control,
    a footnote and an endnote reference, a comment, a second section that refers to the first
    section's header and footer parts again, a third section with a header of its own.
    """
    from docx import Document
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    document = Document()
    properties = document.core_properties
    properties.author = "Erika Mustermann"
    properties.title = "Muster-Leistungsbeschreibung LoRaWAN"
    properties.last_modified_by = "Max Prüfer"

    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT
    section.footer.paragraphs[0].text = FOOTER_TEXT

    document.add_paragraph("Absatz vor der Tabelle: Größe der Straße in Gießen.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Zelle oben links"
    table.cell(0, 1).text = "Zelle oben rechts"
    table.cell(1, 0).text = "Zelle unten links"
    outer = table.cell(1, 1)
    outer.paragraphs[0].text = "Vor der inneren Tabelle"
    nested = outer.add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "Innen links"
    nested.cell(0, 1).text = "Innen rechts"
    outer.add_paragraph("Nach der inneren Tabelle")
    document.add_paragraph("Absatz nach der Tabelle.")

    with_box = document.add_paragraph("Absatz mit Textfeld.")
    with_box._p.append(parse_xml(_text_box_run(TEXT_BOX_TEXT)))

    changes = document.add_paragraph("Änderungen: ")
    changes._p.append(
        parse_xml(
            f'<w:ins {NSDECLS} w:id="101" w:author="Max Prüfer" w:date="2024-05-01T10:00:00Z">'
            f"<w:r><w:t>{INSERTED_TEXT}</w:t></w:r></w:ins>"
        )
    )
    changes._p.append(
        parse_xml(
            f'<w:del {NSDECLS} w:id="102" w:author="Erika Mustermann" w:date="2024-05-01T10:01:00Z">'
            f"<w:r><w:delText>{DELETED_TEXT}</w:delText></w:r></w:del>"
        )
    )

    control = parse_xml(
        f"<w:sdt {NSDECLS}><w:sdtPr><w:alias w:val=\"Stelle\"/></w:sdtPr><w:sdtContent>"
        f"<w:p><w:r><w:t>{CONTENT_CONTROL_TEXT}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(len(document.element.body) - 1, control)

    notes = document.add_paragraph("Absatz mit Fußnote")
    notes._p.append(parse_xml(f'<w:r {NSDECLS}><w:footnoteReference w:id="1"/></w:r>'))
    notes._p.append(parse_xml(f'<w:r {NSDECLS}><w:endnoteReference w:id="1"/></w:r>'))
    for kind, text, content_type, reltype in (
        ("footnote", FOOTNOTE_TEXT, CT.WML_FOOTNOTES, RT.FOOTNOTES),
        ("endnote", ENDNOTE_TEXT, CT.WML_ENDNOTES, RT.ENDNOTES),
    ):
        blob = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<w:{kind}s {NSDECLS}>"
            f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
            f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f"<w:continuationSeparator/></w:r></w:p></w:{kind}>"
            f'<w:{kind} w:id="1"><w:p><w:r><w:{kind}Ref/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:{kind}>'
            f"</w:{kind}s>"
        ).encode("utf-8")
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, blob, document.part.package)
        document.part.relate_to(part, reltype)

    commented = document.add_paragraph("Kommentierter Absatz")
    document.add_comment(commented.runs, text="Bitte prüfen", author="Max Prüfer", initials="MP")

    # The second section refers to the first section's header and footer parts explicitly
    # (as some producers write it), so the same parts are referenced twice.
    second = document.add_section()
    first = document.sections[0]._sectPr  # now in a paragraph; `section` is the new last one
    for reference in first.xpath("w:headerReference|w:footerReference"):
        second._sectPr.insert(0, copy.deepcopy(reference))
    document.add_paragraph("Zweiter Abschnitt.")
    third = document.add_section()
    third.header.is_linked_to_previous = False
    third.header.paragraphs[0].text = SECOND_HEADER_TEXT
    document.add_paragraph("Dritter Abschnitt.")
    document.save(path)
    return path


def _text_box_run(text: str) -> str:
    """A run holding one text box the way Word writes it: DrawingML as mc:Choice, the same
    box again as VML in mc:Fallback."""
    paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
    return (
        f"<w:r {NSDECLS}><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:extent cx="914400" cy="457200"/>'
        '<wp:docPr id="1" name="Textfeld 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{paragraph}</w:txbxContent></wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape><v:textbox>'
        f"<w:txbxContent>{paragraph}</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def write_simple_docx(path: Path, paragraphs: list[str]) -> Path:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def write_text_pdf(path: Path, pages: list[str], **metadata: object) -> Path:
    """A PDF with one page per string, set in a core font (Latin-1: umlauts and ß work)."""
    pdf = _pdf(**metadata)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def write_scan_pdf(path: Path) -> Path:
    """A PDF with only an image and a drawing on its page, like a scan without OCR."""
    from PIL import Image
    from PIL import ImageDraw

    image = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(image).rectangle((40, 40, 360, 160), outline=0, width=6)
    pdf = _pdf()
    pdf.add_page()
    pdf.image(image, x=20, y=20, w=120)
    pdf.rect(20, 120, 100, 40, style="F")
    pdf.output(str(path))
    return path


def write_encrypted_pdf(path: Path, text: str, user_password: str, method: str = "RC4") -> Path:
    from fpdf.enums import EncryptionMethod

    pdf = _pdf()
    pdf.set_encryption(
        owner_password="eigentuemer-passwort",
        user_password=user_password,
        encryption_method=EncryptionMethod[method],
    )
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def _pdf(**metadata: object):
    from fpdf import FPDF

    pdf = FPDF()
    for key, value in metadata.items():
        getattr(pdf, f"set_{key}")(value)
    return pdf


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types '
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def write_docx_like_bomb(path: Path, zeros_mb: int, extra_members: int = 0) -> Path:
    """A ZIP that detection takes for a DOCX, with one member of `zeros_mb` MiB of zeros.

    The zeros are streamed into the archive, so writing it needs little memory. Its
    word/document.xml is not XML: if the guard let the file through to the parser, the
    result would say "beschädigt", not "ZIP-Bombe".
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("word/document.xml", "kein XML")
        for number in range(extra_members):
            archive.writestr(f"word/media/leer{number}.txt", b"")
        if zeros_mb:
            info = zipfile.ZipInfo("word/media/nullen.bin")
            info.compress_type = zipfile.ZIP_DEFLATED
            chunk = bytes(1024 * 1024)
            with archive.open(info, "w") as member:
                for _ in range(zeros_mb):
                    member.write(chunk)
    return path


def process_is_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (a killed child whose parent is
    gone may linger as a zombie where PID 1 does not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


# --- sandbox targets (run in the child process) ---------------------------------------


def answer(value):
    """Return the argument unchanged, after printing noise to stdout."""
    print("Lärm auf stdout, der die Antwort nicht stören darf")
    return value


def sleep_with_grandchild(pid_file: str, seconds: float) -> str:
    """Start a grandchild, note both pids, then sleep far past any test's time limit."""
    grandchild = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])
    Path(pid_file).write_text(f"{os.getpid()} {grandchild.pid}")
    time.sleep(seconds)
    return "ausgeschlafen"


def allocate(megabytes: int) -> int:
    """Allocate `megabytes` MiB in one block."""
    return len(bytearray(megabytes * 1024 * 1024))


def exit_hard(code: int) -> None:
    os._exit(code)


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(5)


def raise_value_error() -> None:
    raise ValueError("kaputt")


def parse_in_a_warm_child(path: str, detected: dict, held_mb: int) -> dict:
    """Parse as a long-lived pool child does after it has read large spreadsheets: openpyxl
    (and numpy with it, where installed) and a heap that has grown by `held_mb` MiB already
    take their share of the address space."""
    import openpyxl  # noqa: F401

    from toolbox.extract.core import parse_file

    held = bytearray(held_mb * 1024 * 1024)
    try:
        return parse_file(path, detected)
    finally:
        del held


def numpy_is_importable() -> bool:
    import importlib

    try:
        importlib.import_module("numpy")
    except ImportError:
        return False
    return True


def hold(megabytes: int) -> int:
    """Grow the heap by `megabytes` and keep it, as a fragmented heap would after a large file."""
    _HELD.append(bytearray(megabytes * 1024 * 1024))
    return os.getpid()


_HELD: list[bytearray] = []
