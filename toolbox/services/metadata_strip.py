"""What a file reveals about the people who wrote it, and a copy of it without that.

Word files carry their author and last editor, the comments of every reviewer with names,
and tracked changes including deleted text; PDF files carry author, creator, producer and
an XMP packet. Contributors are shown this before submitting (GDPR: these are personal
data of colleagues who never agreed to publication) and may have it removed.

``privacy_report`` and ``strip_file`` take and return JSON-compatible values only, so that
the services can run them in the extraction sandbox (``toolbox.extract.sandbox``): both
parse untrusted files. For the same reason this module imports nothing of the web
application.
"""
from __future__ import annotations

import os
import posixpath
import zipfile
from typing import Any

from ..message import Message


def N_(message: str) -> str:
    """Mark a label for the translation catalogue; the upload page translates it when shown.

    Defined here rather than imported from ``toolbox.i18n``: this module also runs in the
    extraction sandbox, which should not import Flask.
    """
    return message

# Kept small: a report is for reading, not an export of the comments.
MAX_LISTED = 20
MAX_TEXT = 200

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"

# Core properties that name people or tell when someone printed the file.
_CORE_PERSONAL = ((DC, "creator"), (CP, "lastModifiedBy"), (CP, "lastPrinted"))
_APP_PERSONAL = ("Manager", "Company")

# Relationship types (by their last path segment) of the parts that are dropped entirely.
_DROPPED_RELATIONSHIPS = {
    "comments", "commentsExtended", "commentsIds", "commentsExtensible", "people", "custom-properties",
}

# Deleted content and bookkeeping of revisions, removed with everything inside.
_REMOVE = {
    "del", "moveFrom", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange", "trPrChange", "tcPrChange",
    "tblGridChange", "numberingChange", "cellIns", "cellDel", "cellMerge",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart",
    "customXmlMoveToRangeEnd", "commentRangeStart", "commentRangeEnd",
}
# Inserted content: accepted, i.e. the wrapper goes and its content stays.
_UNWRAP = {"ins", "moveTo"}
_REVISION_MARKS = {"ins", "del", "moveFrom", "moveTo"}


class StripError(Exception):
    """The file cannot be cleaned; ``message`` says why."""

    def __init__(self, message: Message):
        super().__init__(message.code)
        self.message = message


# --- report ----------------------------------------------------------------------------------


def privacy_report(path: str, file_format: str) -> dict[str, Any]:
    """Return what the file reveals: ``{"fields": [{name, label, value}], "comments": [...],
    "comment_count", "tracked_changes", "revision_authors", "has_xmp", "notes": [...]}``.

    An empty report (``is_empty``) means nothing personal was found.
    """
    report: dict[str, Any] = {
        "fields": [], "comments": [], "comment_count": 0, "tracked_changes": 0,
        "revision_authors": [], "has_xmp": False, "custom_properties": [],
    }
    if file_format == "docx":
        _docx_report(path, report)
    elif file_format == "pdf":
        _pdf_report(path, report)
    return report


def report_is_empty(report: dict[str, Any]) -> bool:
    return not (report.get("fields") or report.get("comment_count") or report.get("tracked_changes")
                or report.get("has_xmp") or report.get("custom_properties"))


def _docx_report(path: str, report: dict[str, Any]) -> None:
    from ..extract import zipguard

    if zipguard.check_file(path):
        return  # refused as a ZIP bomb or damaged: extraction reports it, nothing is read here
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "docProps/core.xml" in names:
            core = _parse(archive.read("docProps/core.xml"))
            for ns, tag, label in ((DC, "creator", N_("Autor:in")), (CP, "lastModifiedBy", N_("Zuletzt geändert von")),
                                   (CP, "lastPrinted", "Zuletzt gedruckt")):
                value = _text(core.find(f"{{{ns}}}{tag}"))
                if value:
                    report["fields"].append({"name": tag, "label": label, "value": value[:MAX_TEXT]})
        if "docProps/app.xml" in names:
            app = _parse(archive.read("docProps/app.xml"))
            for tag, label in (("Manager", N_("Vorgesetzte:r")), ("Company", N_("Firma/Organisation"))):
                value = _text(app.find(f"{{{EP}}}{tag}"))
                if value:
                    report["fields"].append({"name": tag, "label": label, "value": value[:MAX_TEXT]})
        if "docProps/custom.xml" in names:
            custom = _parse(archive.read("docProps/custom.xml"))
            report["custom_properties"] = [
                str(el.get("name"))[:MAX_TEXT] for el in custom if el.get("name")
            ][:MAX_LISTED]
        comments_part = _comments_part(archive, names)
        if comments_part:
            comments = _parse(archive.read(comments_part))
            found = comments.findall(f"{{{W}}}comment")
            report["comment_count"] = len(found)
            for comment in found[:MAX_LISTED]:
                text = " ".join("".join(t.text or "" for t in comment.iter(f"{{{W}}}t")).split())
                report["comments"].append({
                    "author": str(comment.get(f"{{{W}}}author") or "")[:MAX_TEXT],
                    "text": text[:MAX_TEXT],
                })
        authors: dict[str, None] = {}
        changes = 0
        for name in sorted(names):
            if not _is_word_xml(name) or name == comments_part:
                continue
            root = _parse(archive.read(name))
            for element in root.iter():
                if not isinstance(element.tag, str):
                    continue
                local = _local(element)
                if element.tag.startswith(f"{{{W}}}") and local in _REVISION_MARKS:
                    # Empty marks in run properties flag a paragraph mark, not content.
                    if len(element) or _local(element.getparent()) not in ("rPr", "trPr"):
                        changes += 1
                    author = element.get(f"{{{W}}}author")
                    if author:
                        authors.setdefault(author[:MAX_TEXT], None)
        report["tracked_changes"] = changes
        report["revision_authors"] = list(authors)[:MAX_LISTED]


def _pdf_report(path: str, report: dict[str, Any]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        return
    info = reader.metadata or {}
    for key, label in (("/Author", N_("Autor:in")), ("/Creator", N_("Erstellt mit")), ("/Producer", N_("PDF erzeugt mit"))):
        value = info.get(key)
        if value:
            report["fields"].append({"name": key.lstrip("/").lower(), "label": label, "value": str(value)[:MAX_TEXT]})
    report["has_xmp"] = "/Metadata" in reader.trailer["/Root"]


def sandboxed_report(path: str, file_format: str) -> dict[str, Any]:
    """``privacy_report`` for ``toolbox.extract.sandbox.run``: errors become an empty report."""
    try:
        return privacy_report(path, file_format)
    except Exception as exc:  # a damaged file reveals nothing we could show
        report = privacy_report(path, "unknown")
        report["error"] = f"{type(exc).__name__}"
        return report


def sandboxed_strip(source: str, target: str, file_format: str) -> dict[str, Any]:
    """``strip_file`` for ``toolbox.extract.sandbox.run``: a StripError becomes ``{"error": message}``."""
    try:
        return strip_file(source, target, file_format)
    except StripError as exc:
        return {"stripped": False, "error": exc.message.to_dict()}


# --- stripping -------------------------------------------------------------------------------


def strip_file(source: str, target: str, file_format: str) -> dict[str, Any]:
    """Write a copy of ``source`` without personal properties to ``target``.

    Returns ``{"stripped": bool}``; False for formats that carry no such properties (the
    copy is then byte-identical). Raises StripError for files that cannot be cleaned.
    """
    if file_format == "docx":
        _strip_docx(source, target)
        return {"stripped": True}
    if file_format == "pdf":
        _strip_pdf(source, target)
        return {"stripped": True}
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(1024 * 1024):
            dst.write(chunk)
    return {"stripped": False}


def _strip_docx(source: str, target: str) -> None:
    from ..extract import zipguard

    refusal = zipguard.check_file(source)
    if refusal:
        raise StripError(refusal)
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise StripError(Message("strip.word_damaged")) from exc
    from lxml import etree

    with archive:
        names = archive.namelist()
        tmp = target + ".part"
        try:
            dropped = _dropped_parts(archive, set(names))
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as out:
                for info in archive.infolist():
                    name = info.filename
                    if name in dropped:
                        continue
                    data = archive.read(name)
                    if name == "[Content_Types].xml":
                        data = _clean_content_types(data, dropped)
                    elif name.endswith(".rels"):
                        data = _clean_relationships(data, name, dropped)
                    elif name == "docProps/core.xml":
                        data = _clean_children(data, [f"{{{ns}}}{tag}" for ns, tag in _CORE_PERSONAL])
                    elif name == "docProps/app.xml":
                        data = _clean_children(data, [f"{{{EP}}}{tag}" for tag in _APP_PERSONAL])
                    elif _is_word_xml(name):
                        data = _accept_revisions(data)
                    # A fixed timestamp: the same input always gives the same bytes, so a
                    # second upload of the same file is still recognised as a duplicate.
                    out.writestr(_zipinfo(info), data)
            os.replace(tmp, target)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
            raise StripError(Message("strip.word_damaged")) from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _zipinfo(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    fresh = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
    fresh.compress_type = zipfile.ZIP_DEFLATED
    fresh.external_attr = info.external_attr
    return fresh


def _dropped_parts(archive: zipfile.ZipFile, names: set[str]) -> set[str]:
    """Parts named by a dropped relationship type, plus their own relationship files."""
    dropped: set[str] = set()
    for rels_name in names:
        if not rels_name.endswith(".rels"):
            continue
        base = _rels_base(rels_name)
        for rel in _parse(archive.read(rels_name)).findall(f"{{{PR}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            if str(rel.get("Type", "")).rsplit("/", 1)[-1] in _DROPPED_RELATIONSHIPS:
                part = _resolve(base, str(rel.get("Target", "")))
                if part in names:
                    dropped.add(part)
    for part in list(dropped):
        folder, leaf = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", leaf + ".rels")
        if rels in names:
            dropped.add(rels)
    return dropped


def _rels_base(rels_name: str) -> str:
    """The folder that targets in ``x/_rels/y.rels`` are relative to: ``x``."""
    folder = posixpath.dirname(posixpath.dirname(rels_name))
    return folder


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")


def _clean_content_types(data: bytes, dropped: set[str]) -> bytes:
    root = _parse(data)
    for override in root.findall(f"{{{CT}}}Override"):
        if str(override.get("PartName", "")).lstrip("/") in dropped:
            root.remove(override)
    return _serialise(root)


def _clean_relationships(data: bytes, rels_name: str, dropped: set[str]) -> bytes:
    root = _parse(data)
    base = _rels_base(rels_name)
    for rel in root.findall(f"{{{PR}}}Relationship"):
        kind = str(rel.get("Type", "")).rsplit("/", 1)[-1]
        target = _resolve(base, str(rel.get("Target", ""))) if rel.get("TargetMode") != "External" else None
        if kind in _DROPPED_RELATIONSHIPS or (target is not None and target in dropped):
            root.remove(rel)
    return _serialise(root)


def _clean_children(data: bytes, tags: list[str]) -> bytes:
    root = _parse(data)
    for tag in tags:
        for element in root.findall(tag):
            root.remove(element)
    return _serialise(root)


def _accept_revisions(data: bytes) -> bytes:
    """Accept every tracked change and drop comment anchors in one WordprocessingML part."""
    root = _parse(data)
    w = f"{{{W}}}"
    # A deleted table row is marked inside its properties; the whole row goes.
    for mark in list(root.iter(f"{w}del")):
        parent = mark.getparent()
        if parent is not None and _local(parent) == "trPr":
            row = parent.getparent()
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)
    for element in [e for e in root.iter() if isinstance(e.tag, str) and e.tag.startswith(w)
                    and _local(e) in _REMOVE]:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    for reference in list(root.iter(f"{w}commentReference")):
        run = reference.getparent()
        if run is None:
            continue
        run.remove(reference)
        if _local(run) == "r" and all(_local(child) == "rPr" for child in run):
            if run.getparent() is not None:
                run.getparent().remove(run)
    for element in [e for e in root.iter() if isinstance(e.tag, str) and e.tag.startswith(w)
                    and _local(e) in _UNWRAP]:
        parent = element.getparent()
        if parent is None:
            continue
        index = parent.index(element)
        for child in list(element):
            parent.insert(index, child)
            index += 1
        parent.remove(element)
    return _serialise(root)


def _strip_pdf(source: str, target: str) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(source)
        if reader.is_encrypted and not reader.decrypt(""):
            raise StripError(Message("strip.pdf_password"))
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        root = writer.root_object
        if NameObject("/Metadata") in root:
            del root[NameObject("/Metadata")]
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo"):
                if NameObject(key) in page:
                    del page[NameObject(key)]
        # Otherwise the cloned info dictionary and XMP stream would still be written,
        # unreferenced but readable.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        tmp = target + ".part"
        try:
            with open(tmp, "wb") as out:
                writer.write(out)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except StripError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise StripError(Message("strip.pdf_damaged")) from exc


# --- XML helpers -----------------------------------------------------------------------------


def _parse(data: bytes):
    from lxml import etree

    # No entities, no network, no huge trees: these bytes come from a stranger.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)
    return etree.fromstring(data, parser)


def _serialise(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(element) -> str:
    if element is None or not isinstance(element.tag, str):
        return ""
    return element.tag.rsplit("}", 1)[-1]


def _text(element) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _is_word_xml(name: str) -> bool:
    return name.startswith("word/") and name.endswith(".xml") and "/_rels/" not in name


def _comments_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    for rels_name in ("word/_rels/document.xml.rels",):
        if rels_name not in names:
            continue
        for rel in _parse(archive.read(rels_name)).findall(f"{{{PR}}}Relationship"):
            if str(rel.get("Type", "")).endswith("/comments"):
                part = _resolve("word", str(rel.get("Target", "")))
                return part if part in names else None
    return "word/comments.xml" if "word/comments.xml" in names else None
