"""Images (PNG, JPEG, TIFF): no text to read, only the number of pages for the OCR job.

The text of an image comes from text recognition, which runs as a background job
(`toolbox.extract.ocr`); at upload only the frames are counted, so the job knows its size.
"""

from __future__ import annotations

from PIL import Image

from . import messages
from .result import DetectedType
from .result import ExtractionResult


def parse(path: str, detected: DetectedType) -> ExtractionResult:
    with Image.open(path) as image:
        image.verify()  # reads the structure without decoding the pixels
    with Image.open(path) as image:
        frames = int(getattr(image, "n_frames", 1) or 1)
        width, height = image.size
    return ExtractionResult(
        status="empty",
        message=messages.IMAGE_WITHOUT_TEXT,
        format=detected.format,
        media_type=detected.media_type,
        page_count=frames,
        properties={"width": width, "height": height},
    )
