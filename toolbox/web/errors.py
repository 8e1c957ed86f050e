"""Error pages for browsers and JSON errors for API clients; never a traceback."""
from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException, InternalServerError

# The views import these from here, their own layer; they live below web for the API's sake.
from ..error_responses import MESSAGES, TITLES, render_error, too_large_message, wants_json  # noqa: F401

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from ..permissions import PermissionDenied

    @app.errorhandler(PermissionDenied)
    def handle_permission_denied(error: PermissionDenied):
        return render_error(403)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            return render_error(413, too_large_message())
        response = render_error(status, getattr(error, "toolbox_message", None))
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
