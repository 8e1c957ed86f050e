"""The text preview of a document: its extracted text by page, sheet or slide, shown as HTML so that
a visitor can judge a document without downloading it or running JavaScript.

The division into pages, sheets and slides is read from the file by the preview job and kept as
a derived file (``<sha256>.text.json``). Until that file exists (the job is waiting) or when it
was made from a source that has since been replaced (a scan recognised by OCR, a legacy Office
file converted by LibreOffice), the page shows the version's stored text in one piece: the
preview is never missing while there is text, and never older than the text that is searched.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app
from sqlalchemy import select

from ..derived import StoredFile, derived_store
from ..extensions import db
from ..extract.running import PROPERTY as RUNNING_LINES
from ..extract.running import without_running_lines
from ..extract.text_preview import MAX_CHARS, SCHEMA, UNITS, make_text_preview
from ..models import Document, FileVersion

DERIVED_KIND = "text.json"
#: Texts without pages of their own, divided by the pages of their PDF drawn by LibreOffice.
PAGED_BY_LIBREOFFICE = frozenset({"docx", "odt", "rtf", "doc"})
UNIT_TEXT = "text"


@dataclass(frozen=True)
class TextPreview:
    """What the preview page shows. ``unit`` is "page", "sheet", "slide" or, for the stored text
    in one piece, "text"; ``total`` counts the units of the whole document (more may exist than
    are shown)."""

    unit: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    truncated: bool = False

    @property
    def shown(self) -> int:
        return len(self.sections)


def text_preview_source(version: FileVersion) -> tuple[StoredFile, str, str] | None:
    """(file, format, name of the source) to read the divided text from, or None.

    A recognised scan is read from its searchable PDF (the original has no text), a Word or
    OpenDocument text from the PDF LibreOffice drew of it (the pages a reader would print), an
    Excel or PowerPoint 97–2003 file from its LibreOffice conversion; a file whose extraction
    failed is not opened again."""
    from .convert import derived_kind as converted_kind
    from .ocr import searchable_file
    from .previews import OFFICE_PDF_KIND, office_pdf_file

    searchable = searchable_file(version)
    if searchable is not None:
        return searchable, "pdf", "ocr.pdf"
    if version.format in PAGED_BY_LIBREOFFICE:
        drawn = office_pdf_file(version)
        if drawn is not None:
            return drawn, "pdf", OFFICE_PDF_KIND
    converted = (version.properties or {}).get("libreoffice", {}).get("derived")
    if converted:
        kind = converted_kind(version)
        converted_file = StoredFile(version.sha256, kind)
        format = kind.rsplit(".", 1)[1]
        if format in UNITS and converted_file.exists():
            return converted_file, format, kind
        return None
    if version.format in UNITS and version.extraction_status == "ok":
        return StoredFile(version.sha256), version.format, "original"
    return None


def text_preview_possible(version: FileVersion) -> bool:
    """Whether a new version needs the preview job for its text: a format with pages, sheets or
    slides, or a text that LibreOffice draws as pages. (A scan or a legacy Office file has its
    text only after OCR or conversion, whose jobs divide it then.)"""
    from .previews import office_pdf_possible

    return version.format in UNITS or (version.format in PAGED_BY_LIBREOFFICE and office_pdf_possible(version))


def text_preview_build(version: FileVersion) -> bool:
    """Read the divided text of ``version`` now; False when there is none to read."""
    source = text_preview_source(version)
    if source is None:
        return False
    stored_file, format, name = source
    config = current_app.config
    try:
        with stored_file.local_path() as path:
            answer = make_text_preview(str(path), format, timeout=float(config["TOOLBOX_EXTRACT_TIMEOUT"]),
                                       memory_mb=int(config["TOOLBOX_EXTRACT_MEMORY_MB"]))
    except FileNotFoundError:
        return False
    if answer.get("status") != "ok":
        return False
    preview = dict(answer["preview"], source=name)
    store = derived_store()
    with store.writing(version.sha256, DERIVED_KIND) as temporary:
        temporary.write_text(json.dumps(preview, ensure_ascii=False), encoding="utf-8")
        store.commit(temporary, version.sha256, DERIVED_KIND)
    return True


def _stored(version: FileVersion) -> dict[str, Any] | None:
    """The derived preview when it is current: same schema, made from today's source."""
    try:
        stored = json.loads(StoredFile(version.sha256, DERIVED_KIND).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    source = text_preview_source(version)
    if not isinstance(stored, dict) or stored.get("schema") != SCHEMA or source is None \
            or stored.get("source") != source[2]:
        return None
    return stored


def text_preview(version: FileVersion | None) -> TextPreview | None:
    """The preview of ``version``, or None when nothing was extracted to show."""
    if version is None:
        return None
    stored = _stored(version)
    if stored is not None and any(_has_text(section) for section in stored.get("sections", [])):
        return TextPreview(unit=stored["unit"], sections=stored["sections"], total=int(stored.get("total") or 0),
                           truncated=bool(stored.get("truncated")))
    text = without_running_lines(version.text or "", (version.properties or {}).get(RUNNING_LINES))
    if not text.strip():
        return None
    lines: list[str] = []
    size = 0
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line[: MAX_CHARS - size])
        size += len(line)
        if size >= MAX_CHARS:
            break
    return TextPreview(unit=UNIT_TEXT, sections=[{"lines": lines}], total=1, truncated=size >= MAX_CHARS)


def _has_text(section: dict[str, Any]) -> bool:
    return any(section.get("lines") or []) or any(any(row) for row in section.get("rows") or [])


def paragraphs(lines: list[str]) -> list[list[str]]:
    """Lines grouped into paragraphs at the blank lines between them."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def text_previews_rebuild(*, rebuild: bool = False,
                          progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Make the missing or outdated text previews of every document's current version (all with
    ``rebuild``). Returns (made, without a divided preview)."""
    versions = [document.current_version for document in db.session.scalars(select(Document).order_by(Document.id))
                if document.current_version is not None]
    made = missing = 0
    for done, version in enumerate(versions, start=1):
        if text_preview_source(version) is not None and (rebuild or _stored(version) is None):
            if text_preview_build(version):
                made += 1
            else:
                missing += 1
        if progress:
            progress(done, len(versions))
    return made, missing
