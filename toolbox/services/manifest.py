"""Per-file metadata for ``toolbox ingest`` from a CSV (header row) or JSON manifest."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from .ingest import DocumentMetadata

COLUMNS = (
    "path", "title", "description", "topics", "type", "municipality", "population", "size_class",
    "state", "district", "project", "project_year", "year", "license", "contact",
)
_INT_COLUMNS = {"population", "project_year", "year"}


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the file and row."""


def read_manifest(path: str | Path) -> dict[Path, DocumentMetadata]:
    """Map each listed file (resolved relative to the manifest's folder) to its metadata."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"Manifest {path} nicht lesbar: {exc.strerror or exc}") from exc
    text = raw.decode("utf-8-sig", errors="strict") if _is_utf8(raw) else raw.decode("cp1252")
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        rows = _json_rows(text, path)
    else:
        rows = _csv_rows(text, path)
    entries: dict[Path, DocumentMetadata] = {}
    for number, row in rows:
        location = f"{path.name}, Eintrag {number}"
        unknown = set(row) - set(COLUMNS)
        if unknown:
            raise ManifestError(f"{location}: unbekannte Spalte(n) {', '.join(sorted(unknown))}. Erlaubt: {', '.join(COLUMNS)}")
        file_path = str(row.get("path") or "").strip()
        if not file_path:
            raise ManifestError(f"{location}: die Spalte „path“ fehlt oder ist leer.")
        entries[(path.parent / file_path).resolve()] = _metadata(row, location)
    return entries


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json_rows(text: str, path: Path) -> list[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path.name}: kein gültiges JSON (Zeile {exc.lineno}: {exc.msg}).") from exc
    if isinstance(data, dict):
        data = data.get("documents", data.get("files"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ManifestError(f"{path.name}: erwartet wird eine Liste von Objekten (oder {{\"documents\": [...]}}).")
    return list(enumerate(data, start=1))


def _csv_rows(text: str, path: Path) -> list[tuple[int, dict]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    if not reader.fieldnames or "path" not in [name.strip() for name in reader.fieldnames]:
        raise ManifestError(f"{path.name}: die Kopfzeile muss eine Spalte „path“ enthalten.")
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise ManifestError(f"{path.name}, Zeile {number}: mehr Werte als Spalten in der Kopfzeile.")
        rows.append((number, {key.strip(): (value or "").strip() for key, value in row.items()}))
    return rows


def _metadata(row: dict, location: str) -> DocumentMetadata:
    values: dict = {}
    for column in COLUMNS[1:]:
        value = row.get(column)
        if value in (None, "", []):
            continue
        if column == "topics":
            items = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
            values["topics"] = [str(item).strip() for item in items if str(item).strip()]
        elif column in _INT_COLUMNS:
            try:
                values[column] = int(str(value).replace(".", "").replace(" ", ""))
            except ValueError:
                raise ManifestError(f"{location}: „{value}“ ist keine ganze Zahl (Spalte {column}).") from None
        else:
            values[column] = str(value).strip()
    return DocumentMetadata(**values)


def plan_ingest(
    paths, manifest: str | Path | None, defaults: DocumentMetadata
) -> list[tuple[Path, DocumentMetadata, str]]:
    """List every file to ingest with its metadata: manifest values over command-line defaults.

    The manifest file itself is skipped when it lies inside a folder being ingested.
    """
    from .ingest import iter_files

    entries = read_manifest(manifest) if manifest else {}
    manifest_path = Path(manifest).resolve() if manifest else None
    items = []
    for file_path in iter_files(paths):
        resolved = file_path.resolve()
        if resolved == manifest_path:
            continue
        own = entries.get(resolved, DocumentMetadata())
        items.append((file_path, own.merged_over(defaults), file_path.name))
    return items
