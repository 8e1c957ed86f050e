"""The demo corpus: generated German documents, ingested as published."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Iterator

from sqlalchemy import func, select

from ..extensions import db
from ..models import Document
from .ingest import DocumentMetadata
from .manifest import plan_ingest


def repository_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Document))


@contextlib.contextmanager
def demo_ingest_items() -> Iterator[list[tuple[Path, DocumentMetadata, str]]]:
    """Generate the demo files into a temporary folder and list them with their manifest data."""
    from ..demo import generate_demo_corpus

    with tempfile.TemporaryDirectory(prefix="toolbox-demo-") as folder:
        manifest = generate_demo_corpus(Path(folder))
        yield plan_ingest([Path(folder)], manifest, DocumentMetadata())
