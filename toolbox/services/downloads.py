"""What a view needs to send a stored file, wherever the storage backend keeps it.

Views never open files: they ask here for a ``Download`` (a stream to open, its length, type,
ETag and time, the name to save it under) and hand it to ``toolbox.web.files.send_download``,
which answers with the same headers, conditional requests and byte ranges as for a local file.
Where the operator allows it (``TOOLBOX_STORAGE_PRESIGN_SECONDS`` > 0 with a bucket) an
original's download is instead a redirect to a short-lived pre-signed URL, so the bytes do not
pass through the application server at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO, Callable

from flask import current_app

from ..derived import StoredFile
from ..models import FileVersion
from ..storage import StorageUnavailable, blob_store
from .documents import download_filename
from .previews import viewer_pdf

__all__ = ["Download", "StorageUnavailable", "stored_file_download", "version_download", "viewer_download"]

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class Download:
    #: Opens the bytes as a seekable stream (called once, by the response).
    open: Callable[[], BinaryIO]
    size: int
    media_type: str
    etag: str
    last_modified: datetime | None
    #: The name to save it under (or, shown inline, the name "Save as" offers); None: no name.
    filename: str | None = None
    #: Shown in the browser (``Content-Disposition: inline``) rather than saved.
    inline: bool = False
    max_age: int = 0
    #: Where to send the browser instead of streaming (a pre-signed URL), or None.
    redirect_url: str | None = None


def stored_file_download(stored: StoredFile | None, media_type: str, *, filename: str | None = None,
                         inline: bool = False, max_age: int = 0) -> Download | None:
    """A download of an original or a derived file; None when it is not (or no longer) stored."""
    if stored is None:
        return None
    stat = stored.stat()
    if stat is None:
        return None
    # An original never changes under its name; a derived file may be made again (a new
    # thumbnail after a rebuild), so its tag follows its time and size too.
    etag = stored.sha256 if stored.kind is None else f"{stored.sha256}.{stored.kind}-{int(stat.modified)}-{stat.size}"
    return Download(open=stored.open, size=stat.size, media_type=media_type, etag=etag,
                    last_modified=datetime.fromtimestamp(stat.modified, timezone.utc), filename=filename,
                    inline=inline, max_age=max_age)


def version_download(version: FileVersion | None) -> Download | None:
    """The stored bytes of ``version`` under its original name; None when they are missing.

    The caller has checked that the user may have them; counting is the caller's too (a
    review download is not counted).
    """
    if version is None:
        return None
    filename = download_filename(version)
    download = stored_file_download(StoredFile(version.sha256), version.media_type, filename=filename)
    if download is None:
        return None
    seconds = int(current_app.config.get("TOOLBOX_STORAGE_PRESIGN_SECONDS") or 0)
    if seconds > 0:
        url = blob_store().presigned_url(version.sha256, seconds=seconds, filename=filename,
                                         media_type=version.media_type)
        if url is not None:
            return Download(open=download.open, size=download.size, media_type=download.media_type,
                            etag=download.etag, last_modified=download.last_modified, filename=filename,
                            redirect_url=url)
    return download


def viewer_download(version: FileVersion | None) -> Download | None:
    """The PDF the in-browser viewer draws, shown inline; "Save as" offers the document's own name
    with ``.pdf`` (a scan's searchable copy or an office file's drawing is a PDF, whatever the
    upload was). None when the version has no such PDF."""
    if version is None:
        return None
    stem = _EXTENSION.sub("", download_filename(version)) or "dokument"
    return stored_file_download(viewer_pdf(version), "application/pdf", filename=f"{stem}.pdf", inline=True)
