"""Turn a PDF with text into what a scanner delivers: page images, slightly skewed, with noise.

The demo's signed resolution and the OCR quality tests go through here, so both show the real
path of a scan: pixels only, no text layer and no font, until text recognition reads them.
Rasterising uses pypdfium2, which OCRmyPDF brings along.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Callable

from fpdf import FPDF
from PIL import Image, ImageFilter


def scan_images(pdf_bytes: bytes, *, seed: str, dpi: int = 200, skew: float = 0.7,
                noise: float = 0.02) -> list[Image.Image]:
    """Each page as a greyscale image at ``dpi``, turned by up to ``skew`` degrees, with a share
    ``noise`` of its pixels speckled and a slight blur, as a flatbed scanner would."""
    import pypdfium2

    rng = random.Random(seed)
    images = []
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            page.close()
            angle = rng.uniform(-skew, skew)
            image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=246)
            pixels = image.load()
            width, height = image.size
            for _ in range(int(width * height * noise)):
                x, y = rng.randrange(width), rng.randrange(height)
                pixels[x, y] = rng.choice((40, 90, 200, 255))
            images.append(image.filter(ImageFilter.GaussianBlur(0.4)))
    finally:
        document.close()
    return images


def write_scan_pdf(images: list[Image.Image], path: Path, *, dpi: int = 200,
                   prepare: Callable[[FPDF], None] | None = None,
                   decorate_last: Callable[[FPDF], None] | None = None) -> None:
    """Write the page images as an image-only A4 PDF; ``decorate_last`` may draw on the last page
    (a signature: lines, no text)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    if prepare is not None:
        prepare(pdf)
    for number, image in enumerate(images, start=1):
        pdf.add_page()
        buffer = io.BytesIO()
        # JPEG as a scanner stores greyscale pages; the quality keeps the text crisp.
        image.save(buffer, format="JPEG", quality=80, dpi=(dpi, dpi))
        pdf.image(buffer, x=0, y=0, w=pdf.w, h=pdf.h)
        if number == len(images) and decorate_last is not None:
            decorate_last(pdf)
    path.write_bytes(bytes(pdf.output()))
