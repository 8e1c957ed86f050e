"""Text extraction from uploaded documents: format detection, one parser per format, and a
sandboxed child process that runs the parser with a time and a memory limit.

Use `extract(path, filename)` for everything; it never raises. `detect_type()` is cheap and
safe to call in the web process (it reads a bounded part of the file).
"""

from __future__ import annotations

from .core import PARSERS
from .core import extract
from .detect import detect_type
from .pool import WorkerPool
from .result import STATUS_LABELS
from .result import STATUSES
from .result import DetectedType
from .result import ExtractionResult
from .result import status_label
from .zipguard import ZipLimits

__all__ = [
    "PARSERS",
    "STATUSES",
    "STATUS_LABELS",
    "DetectedType",
    "ExtractionResult",
    "WorkerPool",
    "ZipLimits",
    "detect_type",
    "extract",
    "status_label",
]
