"""`extract()`: detect the format, check containers, parse in the sandbox, never raise."""

from __future__ import annotations

import logging
import os
from importlib import import_module
from typing import Any

from ..message import Message
from . import messages
from . import sandbox
from . import zipguard
from ._child import is_memory_error
from .detect import ZIP_FORMATS
from .detect import detect_type
from .normalize import clean_value
from .pool import WorkerPool, shared_pool
from .result import DetectedType
from .result import ExtractionResult

logger = logging.getLogger(__name__)

# Parser module per detected format. Each module offers
# `parse(path: str, detected: DetectedType) -> ExtractionResult`; modules are imported in
# the child only, so a PDF never pays for importing python-docx.
PARSERS: dict[str, str] = {
    "pdf": "pdf",
    "docx": "word",
    "txt": "text",
    "md": "text",
    "csv": "text",
    "png": "image",
    "jpeg": "image",
    "tiff": "image",
    "odt": "opendocument",
    "ods": "opendocument",
    "odp": "opendocument",
    "xlsx": "xlsx",
    "pptx": "slides",
    "rtf": "rtf",
    "html": "webpage",
    "doc": "legacy",
    "xls": "legacy",
    "ppt": "legacy",
}

_PARSE_TARGET = f"{__name__}:parse_file"


def extract(
    path: str | os.PathLike[str],
    filename: str | None = None,
    *,
    timeout: float = 60,
    memory_mb: int = 1024,
    zip_limits: zipguard.ZipLimits = zipguard.DEFAULT_LIMITS,
    pool: WorkerPool | None = None,
) -> ExtractionResult:
    """Read the text and properties of the file at `path` in a sandboxed child process.

    `filename` is the user's name for the file; it only tells txt, md and csv apart.
    With a `pool` (batches), a long-lived child of the pool parses the file; without one, the
    process's warm child does (`shared_pool`), or a fresh child for this file alone when the
    warm one is busy.
    Every outcome, including timeouts, crashes and internal errors, is returned as an
    ExtractionResult; this function does not raise.
    """
    try:
        result = _extract(os.path.abspath(os.fspath(path)), filename, timeout, memory_mb, zip_limits, pool)
    except Exception:
        logger.exception("text extraction of %s failed unexpectedly", path)
        result = ExtractionResult(status="failed", message=messages.INTERNAL_ERROR)
    # Here, not at the top: the sandboxed children import this module too, and must not pay for
    # importing prometheus_client at each start.
    from ..metrics import record_extraction

    record_extraction(result.status, result.format)
    return result


def _extract(
    path: str,
    filename: str | None,
    timeout: float,
    memory_mb: int,
    zip_limits: zipguard.ZipLimits,
    pool: WorkerPool | None,
) -> ExtractionResult:
    try:
        detected = detect_type(path, filename)
    except OSError as exc:
        logger.warning("cannot read %s: %s", path, exc)
        return ExtractionResult(status="failed", message=messages.FILE_NOT_FOUND)
    if not detected.supported or detected.encrypted:
        return unsupported_result(detected)
    if detected.format in ZIP_FORMATS:
        # Refused here, before any parser unpacks a single member.
        reason = zipguard.check_file(path, zip_limits)
        if reason:
            return _result(detected, "failed", reason)
    if pool is not None:
        outcome = pool.run(_PARSE_TARGET, [path, detected.to_dict()], timeout=timeout)
        memory_mb = pool.memory_mb
    else:
        outcome = shared_pool(memory_mb).run_if_idle(_PARSE_TARGET, [path, detected.to_dict()], timeout=timeout)
        if outcome is None:  # the warm child is busy with another file of this process
            outcome = sandbox.run(
                _PARSE_TARGET, [path, detected.to_dict()], timeout=timeout, memory_mb=memory_mb
            )
    return result_from_outcome(outcome, detected, timeout=timeout, memory_mb=memory_mb)


def unsupported_result(detected: DetectedType) -> ExtractionResult:
    """The result for a file no parser reads: refused, empty or password-protected."""
    status = "encrypted" if detected.encrypted else "failed"
    if detected.format == "empty":
        status = "empty"
    return _result(detected, status, detected.message)


def result_from_outcome(
    outcome: sandbox.SandboxOutcome,
    detected: DetectedType,
    *,
    timeout: float,
    memory_mb: int,
) -> ExtractionResult:
    """Turn whatever happened in the child into an ExtractionResult."""
    if outcome.kind == "ok":
        try:
            return ExtractionResult.from_dict(outcome.value)
        except (KeyError, TypeError, ValueError) as exc:
            logger.error("extraction child gave an invalid answer: %s", exc)
            return _result(detected, "failed", messages.INTERNAL_ERROR)
    if outcome.kind == "timeout":
        return _result(detected, "timeout", messages.timeout(timeout))
    if outcome.kind == "memory":
        return _result(detected, "failed", messages.memory(memory_mb))
    if outcome.kind == "crashed":
        return _result(detected, "failed", messages.crashed(outcome.error))
    logger.error("extraction child raised: %s", outcome.error)
    return _result(detected, "failed", messages.INTERNAL_ERROR)


def parse_file(path: str, detected: dict[str, Any]) -> dict[str, Any]:
    """Run in the child: parse with the format's parser, answer as a JSON-ready dict.

    A parser's exception means the file is damaged; memory errors propagate so the sandbox
    reports them as such.
    """
    detected_type = DetectedType.from_dict(detected)
    parser = import_module(f"{__package__}.{PARSERS[detected_type.format]}")
    try:
        result = parser.parse(path, detected_type)
    except Exception as exc:
        if is_memory_error(exc):
            raise MemoryError(str(exc)) from exc
        logger.info("parser for %s failed on %s", detected_type.format, path, exc_info=True)
        detail = clean_value(f"{type(exc).__name__}: {exc}", 200) or type(exc).__name__
        what = _UNREADABLE.get(detected_type.format, _UNREADABLE["txt"])
        result = _result(detected_type, "failed", messages.corrupt_detail(what, detail))
    return result.to_dict()


_UNREADABLE = {
    "pdf": messages.PDF_UNREADABLE,
    "docx": messages.WORD_UNREADABLE,
    "txt": messages.FILE_UNREADABLE,
    "png": messages.IMAGE_UNREADABLE,
    "jpeg": messages.IMAGE_UNREADABLE,
    "tiff": messages.IMAGE_UNREADABLE,
    "odt": messages.OFFICE_UNREADABLE,
    "ods": messages.OFFICE_UNREADABLE,
    "odp": messages.OFFICE_UNREADABLE,
    "xlsx": messages.OFFICE_UNREADABLE,
    "pptx": messages.OFFICE_UNREADABLE,
    "rtf": messages.RTF_UNREADABLE,
    "html": messages.FILE_UNREADABLE,
}


def _result(detected: DetectedType, status: str, message: Message | None) -> ExtractionResult:
    return ExtractionResult(
        status=status,
        message=message,
        format=detected.format,
        media_type=detected.media_type,
    )
