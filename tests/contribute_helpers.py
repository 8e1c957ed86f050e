"""Helpers for the upload, review and curation tests: documents made through the real services."""
from __future__ import annotations

import io
import itertools
from pathlib import Path

from toolbox.extensions import db
from toolbox.models import Document, FileVersion, User

_numbers = itertools.count(1)

DEFAULT_FIELDS = {
    "topics": ["infrastruktur-netze-iot"],
    "type": "leistungsbeschreibung-ausschreibung",
    "license": "cc-by-4.0",
}


def user(user_id: int) -> User:
    """The account inside the current app context."""
    return db.session.get(User, user_id)


def contribute(app, user_id: int, *, title: str = "Leistungsbeschreibung LoRaWAN",
               text: str = "Ausschreibung von LoRaWAN-Gateways für die Stadtwerke.",
               filename: str | None = None, data: bytes | None = None, publish_as: int | None = None,
               **metadata) -> int:
    """Upload a text file as ``user_id`` through the two upload steps; optionally publish it.

    Returns the document id.
    """
    from toolbox.services.contribute import upload_stage, upload_submit
    from toolbox.services.ingest import DocumentMetadata
    from toolbox.services.review import document_publish

    number = next(_numbers)
    if data is None:
        data = f"{text}\n\nLaufende Nummer {number}\n".encode()
    fields = {**DEFAULT_FIELDS, **metadata}
    with app.app_context():
        staging = upload_stage(user(user_id), [(io.BytesIO(data), filename or f"dokument-{number}.txt")])
        results = upload_submit(user(user_id), staging.token, DocumentMetadata(title=title, **fields))
        assert results[0].status == "ingested", results[0].message
        document_id = results[0].document_id
        if publish_as is not None:
            document_publish(user(publish_as), db.session.get(Document, document_id))
        return document_id


def blob_files(app) -> list[Path]:
    """Every stored blob (temporary files excluded)."""
    root = Path(app.config["TOOLBOX_DOCUMENTS_DIR"])
    if not root.is_dir():
        return []
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]


def staged_files(app) -> list[Path]:
    root = Path(app.instance_path) / "staging"
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


def counts(app) -> tuple[int, int]:
    """(documents, file versions) in the database."""
    from sqlalchemy import func, select

    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Document)),
                db.session.scalar(select(func.count()).select_from(FileVersion)))


def details_form(**overrides) -> dict:
    """A complete second upload step."""
    form = {
        "titles-0": "Leistungsbeschreibung LoRaWAN-Gateways",
        "description": "Muster für die Ausschreibung eines LoRaWAN-Netzes.",
        "topics": ["infrastruktur-netze-iot"],
        "type": "leistungsbeschreibung-ausschreibung",
        "project_choice": "new",
        "new_project": "LoRaWAN für Musterstadt",
        "project_year": "2023",
        "municipality": "Musterstadt",
        "population": "8.000",
        "size_class": "",
        "year": "2024",
        "license": "cc-by-4.0",
        "contact": "digitalisierung@musterstadt.example",
        "confirm_rights": "y",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def upload_file(client, data: bytes, filename: str):
    """The first upload step through the form.

    The body is encoded in memory: for bodies over 500 KB Werkzeug's test client would spool it
    to a temporary file it never closes, and the ResourceWarning of that file would fail
    whichever later test the garbage collector happens to run in.
    """
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"files": FileStorage(io.BytesIO(data), filename=filename)})
    return client.post("/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")
