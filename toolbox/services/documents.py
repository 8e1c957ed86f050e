"""Reading documents for visitors and editors; counting downloads."""
from __future__ import annotations

import re

from sqlalchemy import func, select, update

from ..extensions import db
from ..extract.detect import EXTENSIONS
from ..extract.running import PROPERTY as RUNNING_LINES
from ..extract.running import without_running_lines
from ..models import STATUS_DELETED, STATUS_PUBLISHED, Document, FileVersion, Topic, User, document_topics
from ..permissions import can_edit_document, is_editor


def document_get_visible(document_id: int, *, include_unpublished: bool = False) -> Document | None:
    """Return the document if the caller may see it; visitors see only published ones."""
    document = db.session.get(Document, document_id)
    if document is None:
        return None
    if document.status != STATUS_PUBLISHED and not include_unpublished:
        return None
    return document


def document_visible_to(user: User | None, document_id: int | None) -> Document | None:
    """The document if ``user`` may see it, else None: a published one everybody, one of their
    own (not in the trash) its uploader, every one an editor. What a contributor learns about
    a document, such as the one that already holds the bytes they upload, goes through here."""
    document = db.session.get(Document, document_id) if document_id is not None else None
    if document is None:
        return None
    if document.status == STATUS_PUBLISHED or is_editor(user):
        return document
    if document.status != STATUS_DELETED and can_edit_document(user, document):
        return document
    return None


# A suffix counts as an extension when it has a letter: "Protokoll 12.03.2024" has none.
_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")


def download_filename(version: FileVersion) -> str:
    """The name a stored version is offered under, in single downloads and in the ZIP alike.

    The uploaded stem stays, the extension follows the format detected from the content: a PDF
    uploaded as ``bericht.pdf.exe`` is ``bericht.pdf``, one uploaded as ``scan`` is
    ``scan.pdf``. A browser or file manager then opens it with the program for what it is,
    never runs it as what its name claimed.
    """
    name = version.original_filename
    fitting = EXTENSIONS.get(version.media_type)
    if not fitting or name.lower().endswith(fitting):
        return name
    stem = _EXTENSION.sub("", name) or name
    return stem if stem.lower().endswith(fitting) else stem + fitting[0]


#: How much of the text the document page shows: a few lines to judge the document by.
EXCERPT_CHARS = 700
EXCERPT_LINES = 10


def text_excerpt(version: FileVersion | None, *, max_chars: int = EXCERPT_CHARS,
                 max_lines: int = EXCERPT_LINES) -> str:
    """The first lines of a version's extracted text (plain text; the template escapes it).

    Blank lines and runs of spaces from the layout are dropped, so are running headers and
    footers (they would fill the first lines); the end is cut at a word and marked with "…". Empty when nothing was extracted: the page then shows the status only.
    """
    text = (version.text if version is not None else "") or ""
    text = without_running_lines(text[: max_chars * 8], (version.properties or {}).get(RUNNING_LINES) if version else None)
    lines: list[str] = []
    size = 0
    cut = False
    for raw in text[: max_chars * 4].splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if len(lines) == max_lines or size + len(line) > max_chars:
            room = max_chars - size
            if len(lines) < max_lines and room > 40:
                end = line.rfind(" ", 0, room)
                lines.append(line[: end if end > 0 else room])
            cut = True
            break
        lines.append(line)
        size += len(line) + 1
    else:
        cut = len(text) > max_chars * 4
    if not lines:
        return ""
    return "\n".join(lines) + (" …" if cut else "")


def newest_published(limit: int = 10) -> list[Document]:
    stmt = (
        select(Document)
        .where(Document.status == STATUS_PUBLISHED)
        .order_by(Document.published_at.desc().nulls_last(), Document.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def most_downloaded(limit: int = 5) -> list[Document]:
    """Published documents that were downloaded at least once, the most downloaded first."""
    stmt = (
        select(Document)
        .where(Document.status == STATUS_PUBLISHED, Document.download_count > 0)
        .order_by(Document.download_count.desc(), Document.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def topic_counts() -> list[tuple[Topic, int]]:
    """Every active topic in curated order with its number of published documents (0 included)."""
    published = (
        select(document_topics.c.topic_id, func.count().label("n"))
        .join(Document, Document.id == document_topics.c.document_id)
        .where(Document.status == STATUS_PUBLISHED)
        .group_by(document_topics.c.topic_id)
        .subquery()
    )
    stmt = (
        select(Topic, func.coalesce(published.c.n, 0))
        .outerjoin(published, published.c.topic_id == Topic.id)
        .where(Topic.active.is_(True))
        .order_by(Topic.position, Topic.id)
    )
    return [(topic, int(count)) for topic, count in db.session.execute(stmt)]


def project_documents(document: Document, limit: int = 10) -> list[Document]:
    """Other published documents of the same project."""
    if document.project_id is None:
        return []
    stmt = (
        select(Document)
        .where(Document.project_id == document.project_id, Document.id != document.id,
               Document.status == STATUS_PUBLISHED)
        .order_by(Document.title)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def file_version_get(document: Document, number: int | None = None) -> FileVersion | None:
    if number is None:
        return document.current_version
    return next((v for v in document.versions if v.number == number), None)


def downloads_count(document_ids: list[int], *, in_zip: bool = False) -> None:
    """Add one download to each document, atomically in SQL so parallel downloads all count.

    Besides the total, today's usage row of each document counts it as a single download or
    one in a ZIP (``usage.usage_add``), in the same transaction. ``updated_at`` is kept: a
    download is no edit. The index is not touched: the downloads sort reads the counts from
    the database (``DocumentSource.download_counts`` in ``search_source.py``), and rewriting a
    document's index entry on every download made a download wait for the index writer
    (bench/usage.py).
    """
    if not document_ids:
        return
    from .usage import DOWNLOADS, ZIP_DOWNLOADS, usage_add, usage_commit

    # Sorted: two parallel ZIPs of overlapping selections take the row locks in the same order.
    document_ids = sorted(set(document_ids))
    db.session.execute(
        update(Document)
        .where(Document.id.in_(document_ids))
        .values(download_count=Document.download_count + 1, updated_at=Document.updated_at)
        .execution_options(synchronize_session=False)
    )
    usage_add(document_ids, ZIP_DOWNLOADS if in_zip else DOWNLOADS)
    usage_commit()
