"""Per-file metadata for ``toolbox ingest`` from a CSV (header row) or JSON manifest."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .ingest import DocumentMetadata

COLUMNS = (
    "path", "title", "description", "topics", "type", "municipality", "population", "size_class",
    "state", "district", "project", "project_year", "year", "license", "contact",
)
_INT_COLUMNS = {"population", "project_year", "year"}
# In order of preference when the header row has none of them (a single column).
_DELIMITERS = (",", ";", "\t")


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
    """The rows of a CSV manifest, keyed by the header's column names.

    The delimiter is decided from the header row alone: column names hold no commas or
    semicolons, whereas the data rows do (several topics are ``;``-separated in a comma
    manifest). The rest is the CSV every spreadsheet writes: ``"`` quotes, doubled inside a
    quoted cell, and line breaks inside quoted cells.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_header_delimiter(text))
    header = [name.strip() for name in next(reader, [])]
    if "path" not in header:
        raise ManifestError(f"{path.name}: die Kopfzeile muss eine Spalte „path“ enthalten.")
    rows = []
    line = reader.line_num
    for values in reader:
        number, line = line + 1, reader.line_num
        if not any(value.strip() for value in values):
            continue  # empty rows, also the ";;;" of cells Excel once formatted
        if len(values) > len(header):
            raise ManifestError(f"{path.name}, Zeile {number}: mehr Werte als Spalten in der Kopfzeile.")
        # A nameless column is the trailing delimiter some exports add; it counts once it holds a value.
        rows.append((number, {key: value.strip() for key, value in zip(header, values) if key or value.strip()}))
    return rows


def _header_delimiter(text: str) -> str:
    """The one of comma, semicolon and tab that the header row uses most (outside quotes)."""
    header = text.partition("\n")[0]
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif char in counts and not quoted:
            counts[char] += 1
    return max(_DELIMITERS, key=counts.__getitem__)


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
