"""XML in office packages without DTDs: the check every office parser runs before it parses.

OOXML forbids DTDs (ECMA-376 Part 2, 8.1.4) and no office suite writes one into the parts that
hold a document's content; a part that declares one carries entities meant to expand ("billion
laughs") or to read local files (XXE). python-docx, openpyxl and python-pptx parse parts while
opening a package, so the parts are checked before that, and the XML we parse ourselves goes
through `PARSER`, which never resolves an entity or fetches anything.
"""

from __future__ import annotations

import codecs
import re
import zipfile

from lxml import etree

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
)

_SCAN_CHUNK = 8 * 1024  # a prolog is short; the root element follows within the first chunk


def declares_doctype(path: str) -> bool:
    """True if an XML part of the OOXML package (DOCX, XLSX, PPTX) holds a document type
    declaration.

    The XML parts are the content-type list, the relationship parts and every part whose
    declared content type is XML, whatever its name: python-docx, openpyxl and
    python-pptx pick a part's parser by that type. Images are left out even as image/svg+xml (SVG files from drawing programs
    often carry a harmless DOCTYPE, and nothing here parses them), and so are embedded
    HTML chunks. The ZIP guard has bounded what the members unpack to before this runs.
    """
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if _CONTENT_TYPES in names and member_declares_doctype(archive, _CONTENT_TYPES):
            return True
        xml_parts = _xml_part_names(archive, names)
        return any(
            member_declares_doctype(archive, name)
            for name in names
            if name in xml_parts or name.endswith(".rels")
        )


_CONTENT_TYPES = "[Content_Types].xml"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def _xml_part_names(archive: zipfile.ZipFile, names: list[str]) -> set[str]:
    """Members whose declared content type is XML (and not an image). Without a readable
    content-type list python-docx cannot open the package, so every *.xml member counts."""
    try:
        root = etree.fromstring(archive.read(_CONTENT_TYPES), PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return {name for name in names if name.lower().endswith(".xml")}
    defaults = {
        (element.get("Extension") or "").lower(): element.get("ContentType") or ""
        for element in root.iter(f"{{{_CT_NS}}}Default")
    }
    overrides = {
        (element.get("PartName") or "").lstrip("/"): element.get("ContentType") or ""
        for element in root.iter(f"{{{_CT_NS}}}Override")
    }
    found = set()
    for name in names:
        content_type = overrides.get(name) or defaults.get(name.rpartition(".")[2].lower(), "")
        content_type = content_type.split(";")[0].strip().lower()
        if content_type.endswith(("/xml", "+xml")) and not content_type.startswith("image/"):
            found.add(name)
    return found


def member_declares_doctype(archive: zipfile.ZipFile, name: str) -> bool:
    """True if the part's prolog holds a document type declaration.

    A DOCTYPE may only stand before the root element (the XML parser rejects one anywhere
    else), so reading stops where the root element starts: scanning whole parts for the
    marker cost a fifth of the parsing time of a typical document.
    """
    with archive.open(name) as stream:
        head = stream.read(4)
        decoder = codecs.getincrementaldecoder(_prolog_encoding(head))(errors="replace")
        text = decoder.decode(head).lstrip("\ufeff")
        position = 0
        while True:
            item = _PROLOG_ITEM.match(text, position)
            if item is not None and item.end() < len(text):
                position = item.end()
                continue
            rest = text[position:position + len(_DOCTYPE)].upper()
            if rest.startswith(_DOCTYPE):
                return True
            unfinished = (item is not None or not rest or _DOCTYPE.startswith(rest)
                          or rest.startswith(("<?", "<!--")))
            if not unfinished:
                return False  # the root element (or something no parser accepts) starts here
            chunk = stream.read(_SCAN_CHUNK)
            if not chunk:
                return False
            text = text[position:] + decoder.decode(chunk)
            position = 0


_DOCTYPE = "<!DOCTYPE"
# What may stand before a DOCTYPE: white space, the XML declaration and other processing
# instructions, comments.
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)


def _prolog_encoding(head: bytes) -> str:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    return "utf-8"


def odf_declares_doctype(path: str) -> bool:
    """True if an XML member of the OpenDocument package (content, styles, meta, settings and
    those of embedded objects) holds a document type declaration.

    The manifest is left out: OpenOffice.org 1.x and 2.x wrote a DOCTYPE with only a public
    identifier into it; it is read with `PARSER`, which neither loads that DTD nor expands an
    entity.
    """
    with zipfile.ZipFile(path) as archive:
        return any(
            member_declares_doctype(archive, name)
            for name in archive.namelist()
            if name.lower().endswith(".xml") and name != ODF_MANIFEST
        )


ODF_MANIFEST = "META-INF/manifest.xml"
