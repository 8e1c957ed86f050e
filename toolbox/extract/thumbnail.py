"""First-page thumbnails: a PDF page rendered with pypdfium2, or an image scaled with Pillow.

Runs in the sandboxed child like every parser (a crafted PDF or image must not take the worker
down). The PNG is written to a temporary path the caller chose and renames into place.
"""

from __future__ import annotations

from typing import Any

from . import sandbox

#: Width of a thumbnail in pixels: sharp at the 100 CSS pixels the pages show, on 2x screens.
WIDTH = 200
_TARGET = f"{__name__}:thumbnail_in_child"


def make_thumbnail(source: str, kind: str, output: str, *, timeout: float, memory_mb: int) -> dict[str, Any]:
    """`kind` is "pdf" or "image". Answers {"status": "ok", "width", "height"} or a failure."""
    outcome = sandbox.run_warm(_TARGET, [source, kind, output], timeout=timeout, memory_mb=memory_mb)
    if outcome.kind == "ok":
        return dict(outcome.value or {})
    return {"status": outcome.kind, "detail": outcome.error}


def thumbnail_in_child(source: str, kind: str, output: str) -> dict[str, Any]:
    from PIL import Image

    if kind == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(source)
        try:
            if len(document) == 0:
                return {"status": "failed", "detail": "no pages"}
            page = document[0]
            width_pt = page.get_width() or 595
            image = page.render(scale=WIDTH / width_pt).to_pil()
            page.close()
        finally:
            document.close()
    else:
        with Image.open(source) as opened:
            opened.draft("RGB", (WIDTH * 2, WIDTH * 4))  # JPEG decodes at a fraction of its size
            image = opened.convert("RGB")
        image.thumbnail((WIDTH, WIDTH * 3))
    image = image.convert("RGB")
    image.save(output, format="PNG", optimize=True)
    return {"status": "ok", "width": image.width, "height": image.height}
