"""Word, Excel and PowerPoint 97–2003 (DOC, XLS, PPT): nothing is read at upload.

These binary formats are read by LibreOffice, which converts them to OpenDocument in a
background job (`toolbox.extract.convert`, run by `toolbox.services.convert`): a conversion
takes seconds and must not hold up an upload. At upload the file is only recognised and stored,
with status "empty" until the job has read its text.
"""

from __future__ import annotations

from . import messages
from .result import DetectedType
from .result import ExtractionResult


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    return ExtractionResult(
        status="empty",
        message=messages.LEGACY_PENDING,
        format=detected.format,
        media_type=detected.media_type,
    )
