"""Request ids and JSON log lines, for log collectors that read one object per line.

A request id comes from the ``X-Request-ID`` header that the proxy sets (nginx's
``$request_id``), so the proxy's access log and the app's lines share it, or is made here when
the header is missing or not a plain token (a client could otherwise write anything into our
logs). It is returned in the response header, travels with the jobs that the request put on the
queue, and the worker's log lines of such a job carry it too.

The id lives in a context variable: each request thread and each job thread of the worker has
its own, and a log line written anywhere below (a service, the search) picks it up without being
handed it. This module needs neither a request nor the app, so the worker and the CLI use it too.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar, Token
from datetime import datetime, timezone

from .config import ConfigError

HEADER = "X-Request-ID"
#: What a proxy or client may send as an id: a UUID, nginx's 32 hex digits, and the like.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
LOG_FORMATS = ("text", "json")

_request_id: ContextVar[str | None] = ContextVar("toolbox_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def accepted_request_id(offered: str | None) -> str:
    """``offered`` if it is a plain token of at most 128 characters, else a new random id."""
    if offered and _VALID_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def bind_request_id(request_id: str | None) -> Token:
    """Make ``request_id`` the id of what this thread does now; undo with ``unbind_request_id``."""
    return _request_id.set(request_id)


def unbind_request_id(token: Token) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record, as ``record.request_id`` (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request_id,
    and the traceback as ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for extra in ("method", "path", "status", "duration_ms", "job_id"):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json_logs(level: int = logging.INFO) -> logging.Handler:
    """Send every logger's records to stderr as JSON lines, once per process.

    The root logger gets the one handler; other handlers of the toolbox's logger are dropped so
    that no line is written twice (Flask's default handler, the CLI's log file).
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "toolbox_json", False):
            return handler
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.toolbox_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    toolbox_logger = logging.getLogger("toolbox")
    for other in list(toolbox_logger.handlers):
        toolbox_logger.removeHandler(other)
    toolbox_logger.setLevel(level)
    toolbox_logger.propagate = True
    return handler


def json_logs_wanted(log_format: object) -> bool:
    """Whether the ``TOOLBOX_LOG_FORMAT`` value asks for JSON; anything else stops the start."""
    value = str(log_format or "text").strip().lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"TOOLBOX_LOG_FORMAT={log_format!r}: expected text or json.")
    return value == "json"
