"""Error pages for browsers and JSON errors for API clients; never a traceback."""
from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException, NotFound

# The views import these from here, their own layer; they live below web for the API's sake.
from ..error_responses import MESSAGES, TITLES, render_error, too_large_message, wants_json  # noqa: F401

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from ..permissions import PermissionDenied
    from ..services.downloads import StorageUnavailable

    @app.errorhandler(PermissionDenied)
    def handle_permission_denied(error: PermissionDenied):
        return render_error(403)

    @app.errorhandler(StorageUnavailable)
    def handle_storage_unavailable(error: StorageUnavailable):
        # The bucket (or the folder) cannot be read: a passing outage, not a broken request.
        log.error("Storage unavailable on %s %s: %s", request.method, request.path, error)
        return render_error(503)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            return render_error(413, too_large_message())
        if status == 405 and _no_such_resource(app, error.valid_methods or ()):
            status = 404
        response = render_error(status, getattr(error, "toolbox_message", None))
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def _no_such_resource(app: Flask, allowed_methods) -> bool:
    """Werkzeug answers 405 as soon as a rule's pattern fits but its method does not, before
    the converters look at the values. ``POST /my/documents/2147483648/withdraw`` would say
    "method not allowed" for a document that cannot exist; with the allowed method the path
    is not found, so that is the answer."""
    adapter = app.url_map.bind_to_environ(request.environ)
    for method in allowed_methods:
        try:
            adapter.match(method=method)
        except NotFound:
            continue
        except HTTPException:  # a redirect or another refusal: the resource is there
            pass
        return False
    return bool(allowed_methods)
