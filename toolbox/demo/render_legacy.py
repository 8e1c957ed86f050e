"""The demo's Word 97–2003 file (.doc): the path of every older document a municipality has.

A DOC can only be written by an office suite, and LibreOffice stamps the time into it, so the
file is made once from the catalogue (DOCX rendered as for every other document, converted by
LibreOffice) and kept in `toolbox/demo/legacy/`; `toolbox demo` copies it and needs no
LibreOffice. After changing the document in the catalogue, make the file again:

    .venv/bin/python -m toolbox.demo.render_legacy

(tests/test_demo.py fails while the kept file no longer holds the catalogue's text.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .catalogue import DEMO_DOCUMENTS
from .catalogue import DemoDocument
from .render_docx import render_docx

LEGACY_DIR = Path(__file__).resolve().parent / "legacy"


def kept_file(doc: DemoDocument) -> Path:
    return LEGACY_DIR / doc.filename


def render_doc(doc: DemoDocument, path: Path) -> None:
    """Copy the kept DOC of ``doc`` to ``path``."""
    source = kept_file(doc)
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing: make it with python -m toolbox.demo.render_legacy")
    shutil.copyfile(source, path)


def make_kept_file(doc: DemoDocument) -> Path:
    """Render ``doc`` as DOCX and let LibreOffice save it as Word 97–2003 into LEGACY_DIR."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed to make the DOC file")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = folder / (Path(doc.filename).stem + ".docx")
        render_docx(doc, source)
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
             "--convert-to", "doc:MS Word 97", "--outdir", str(folder / "out"), str(source)],
            check=True, capture_output=True, timeout=180,
        )
        LEGACY_DIR.mkdir(exist_ok=True)
        target = kept_file(doc)
        shutil.copyfile(folder / "out" / (source.stem + ".doc"), target)
        return target


def main() -> int:
    for doc in DEMO_DOCUMENTS:
        if doc.format == "doc":
            print(make_kept_file(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
