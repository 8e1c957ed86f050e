"""Turn a ``services.downloads.Download`` into a response: the stream, or the redirect to a
pre-signed URL the download service chose.

Headers are those of ``send_file`` for a local file (Content-Disposition with the UTF-8 name,
ETag, Last-Modified, Cache-Control), conditional requests answer 304, and byte ranges are served
by seeking the stream, which the bucket backend turns into a ranged GET.
"""
from __future__ import annotations

from flask import redirect, request, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wrappers import Response

from ..services.downloads import Download


def send_download(download: Download, *, nosniff: bool = True) -> Response:
    """The response for ``download``; a pre-signed redirect is never cached by the browser."""
    if download.redirect_url is not None:
        response = redirect(download.redirect_url, code=302)
        response.headers["Cache-Control"] = "no-store"
        return response
    stream = download.open()
    try:
        response = send_file(stream, mimetype=download.media_type, as_attachment=download.filename is not None and not download.inline,
                             download_name=download.filename, conditional=False, etag=download.etag,
                             last_modified=download.last_modified, max_age=download.max_age)
        response.content_length = download.size
        response = response.make_conditional(request.environ, accept_ranges=True, complete_length=download.size)
    except RequestedRangeNotSatisfiable:
        stream.close()
        raise
    except BaseException:
        stream.close()
        raise
    if response.status_code == 304:
        # No body goes out; the stream would otherwise stay open until the response is collected.
        stream.close()
    if nosniff:
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response
