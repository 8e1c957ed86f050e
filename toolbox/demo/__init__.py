"""The demo corpus: German example documents of municipal Smart City projects.

`generate_demo_corpus(target_dir)` writes every document of `DEMO_DOCUMENTS` as PDF, DOCX,
ODT, XLSX, PPTX or DOC (one scan as an image-only PDF; the DOC is kept ready-made, see
`render_legacy`) plus a `manifest.csv` with their metadata;
`toolbox demo` ingests that manifest.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from .catalogue import DEMO_DOCUMENTS
from .catalogue import DemoDocument
from .render_docx import render_docx
from .render_legacy import render_doc
from .render_office import render_odt, render_pptx, render_xlsx
from .render_pdf import render_pdf

__all__ = ["DEMO_DOCUMENTS", "MANIFEST_COLUMNS", "DemoDocument", "generate_demo_corpus", "manifest_row"]

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "path",
    "title",
    "description",
    "topics",
    "type",
    "municipality",
    "population",
    "size_class",
    "state",
    "district",
    "project",
    "project_year",
    "year",
    "license",
    "contact",
)

_RENDERERS = {"pdf": render_pdf, "docx": render_docx, "odt": render_odt, "xlsx": render_xlsx, "pptx": render_pptx,
              "doc": render_doc}


def manifest_row(doc: DemoDocument) -> dict[str, str]:
    """Return the manifest line of one demo document, every value as text."""
    municipality = doc.municipality
    return {
        "path": doc.filename,
        "title": doc.title,
        "description": doc.description,
        "topics": ";".join(doc.topics),
        "type": doc.doc_type,
        "municipality": municipality.name,
        "population": "" if municipality.population is None else str(municipality.population),
        # Towns leave the class to the app, which derives it from the population; only
        # districts and associations state it, as an editor would set it for them.
        "size_class": "" if municipality.size_class_derived else municipality.size_class,
        "state": municipality.state,
        "district": municipality.district,
        "project": doc.project.name,
        "project_year": str(doc.project.year),
        "year": str(doc.year),
        "license": doc.license,
        "contact": doc.project.contact,
    }


def generate_demo_corpus(target_dir: str | os.PathLike[str]) -> Path:
    """Write the demo documents and their manifest into target_dir; return the manifest path.

    Existing files of the same names are overwritten. The output is byte-identical from
    run to run, so importing it again yields duplicates (same SHA-256), not new documents.
    """
    target = Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    for doc in DEMO_DOCUMENTS:
        _RENDERERS[doc.format](doc, target / doc.filename)
    manifest = target / MANIFEST_NAME
    with manifest.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for doc in DEMO_DOCUMENTS:
            writer.writerow(manifest_row(doc))
    return manifest
