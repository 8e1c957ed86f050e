"""Word, Excel and PowerPoint 97–2003 files read through LibreOffice (headless), and office files
drawn as PDF for their thumbnail and the page viewer.

LibreOffice converts the file to OpenDocument (DOC → ODT, XLS → ODS, PPT → ODP), and our
OpenDocument reader takes the text from there. It runs inside the sandboxed child
(`convert_in_child`): LibreOffice inherits the child's address-space and CPU limits, the child's
own process group is killed as a whole after the time limit, and each call gets a profile
directory of its own (``-env:UserInstallation``), so two conversions never share or lock a
profile and nothing a file did survives the call. The original is only read; the converted file
is written to a path the caller chose and renames into place (a derived file).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import sandbox
from .result import DetectedType

#: What each legacy format is converted to.
TARGETS = {"doc": "odt", "xls": "ods", "ppt": "odp"}
_MEDIA_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
#: Seconds the child needs beyond LibreOffice's own run (start, reading the result).
_MARGIN_SECONDS = 15.0
_TARGET = f"{__name__}:convert_in_child"


def libreoffice() -> str | None:
    """The `soffice` program on this server's PATH (Debian: libreoffice-core-nogui), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class ConversionOutcome:
    """status: "ok" (text is set, the converted file is at the output path), "timeout",
    "memory", "unreadable" (LibreOffice cannot read the file: a final answer) or "error"."""

    status: str
    text: str = ""
    pages: int | None = None
    detail: str = ""


def convert(source: str, fmt: str, output: str, *, seconds: float, memory_mb: int) -> ConversionOutcome:
    """Convert `source` (a DOC, XLS or PPT) to OpenDocument at `output` and read its text."""
    program = libreoffice()
    if program is None:
        return ConversionOutcome("error", detail="soffice not found")
    outcome = sandbox.run(_TARGET, [program, source, fmt, output, seconds], timeout=seconds + _MARGIN_SECONDS,
                          memory_mb=memory_mb)
    if outcome.kind == "ok":
        value = outcome.value or {}
        pages = value.get("pages")
        return ConversionOutcome(str(value.get("status", "error")), text=str(value.get("text") or ""),
                                 pages=int(pages) if pages else None, detail=str(value.get("detail") or ""))
    if outcome.kind in ("timeout", "memory"):
        return ConversionOutcome(outcome.kind, detail=outcome.error)
    return ConversionOutcome("error", detail=(outcome.error or outcome.stderr[-500:]).strip())


def convert_in_child(program: str, source: str, fmt: str, output: str, seconds: float) -> dict[str, Any]:
    """In the sandboxed child: LibreOffice converts a copy of the file, then the OpenDocument
    reader reads the result."""
    from .opendocument import parse

    target = TARGETS[fmt]
    failure = _soffice(program, source, fmt, target, output, seconds)
    if failure:
        return failure
    result = parse(output, DetectedType(target, _MEDIA_TYPES[target], True))
    if result.status not in ("ok", "empty"):
        return {"status": "unreadable", "detail": result.message.code if result.message else result.status}
    return {"status": "ok", "text": result.text, "pages": result.page_count}


#: Formats LibreOffice draws as PDF for the thumbnail and the page viewer.
PDF_FORMATS = frozenset({"docx", "odt", "rtf", "doc", "xlsx", "ods", "xls", "pptx", "odp", "ppt"})
_PDF_TARGET = f"{__name__}:pdf_in_child"


def convert_to_pdf(source: str, fmt: str, output: str, *, seconds: float, memory_mb: int) -> ConversionOutcome:
    """Draw `source` (an office file) as a PDF at `output`, as LibreOffice would print it."""
    program = libreoffice()
    if program is None:
        return ConversionOutcome("error", detail="soffice not found")
    if fmt not in PDF_FORMATS:
        raise ValueError(f"no PDF conversion for {fmt!r}")
    outcome = sandbox.run(_PDF_TARGET, [program, source, fmt, output, seconds], timeout=seconds + _MARGIN_SECONDS,
                          memory_mb=memory_mb)
    if outcome.kind == "ok":
        value = outcome.value or {}
        return ConversionOutcome(str(value.get("status", "error")), detail=str(value.get("detail") or ""))
    if outcome.kind in ("timeout", "memory"):
        return ConversionOutcome(outcome.kind, detail=outcome.error)
    return ConversionOutcome("error", detail=(outcome.error or outcome.stderr[-500:]).strip())


def pdf_in_child(program: str, source: str, fmt: str, output: str, seconds: float) -> dict[str, Any]:
    return _soffice(program, source, fmt, "pdf", output, seconds) or {"status": "ok"}


def _soffice(program: str, source: str, fmt: str, target: str, output: str, seconds: float) -> dict[str, Any] | None:
    """Convert a copy of `source` to `target` at `output`; None on success, else the failure."""
    # Named after the worker (this child's parent), like the caller's temporary files, so that a
    # sweep after a killed worker recognises the folder as a leftover.
    with tempfile.TemporaryDirectory(prefix=f"{os.getppid()}-convert-", dir=os.path.dirname(output)) as work:
        folder = Path(work)
        # Stored files are named by their hash; LibreOffice picks its import filter by content but
        # names the result after the input.
        document = folder / f"dokument.{fmt}"
        shutil.copyfile(source, document)
        command = [program, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", target, "--outdir", str(folder / "out"), str(document)]
        environment = {**os.environ, "HOME": str(folder), "SAL_USE_VCLPLUGIN": "svp"}
        try:
            finished = subprocess.run(command, cwd=folder, env=environment, stdin=subprocess.DEVNULL,
                                      capture_output=True, timeout=seconds)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "detail": f"LibreOffice after {seconds:g} s"}
        converted = folder / "out" / f"dokument.{target}"
        if not converted.is_file():
            # LibreOffice's last line says why ("Error: source file could not be loaded"); the lines
            # before are start-up warnings (no Java, no javaldx).
            lines = (finished.stderr or finished.stdout).decode("utf-8", "replace").strip().splitlines()
            return {"status": "unreadable", "detail": lines[-1][:300] if lines else f"exit code {finished.returncode}"}
        shutil.move(converted, output)
    return None
