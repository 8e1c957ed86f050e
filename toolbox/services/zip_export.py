"""The filtered ZIP download: every document a search returns, in one archive.

The archive is written incrementally into a small in-memory sink that is drained after every
chunk, so memory stays flat however many and however large the files are; ZIP64 records are
used where sizes or offsets need them. Everything that needs the database (the documents, the
limits, manifest.csv, metadata.json, LIZENZEN.txt) is prepared before the first byte is sent:
a limit that is exceeded is reported as a page, never as a broken download.

``manifest.csv`` is UTF-8 with a byte order mark and uses ``;`` as delimiter: that is what
Excel with German regional settings expects (the comma is the decimal separator there), so a
double click opens it in columns with umlauts intact. Cells that a spreadsheet would run as a
formula get a leading apostrophe, also behind invisible or full-width characters, and every
cell is quoted. The companion files are German whatever the interface
language, as their names (LIZENZEN.txt) and the licence notices are.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Iterator

from babel.dates import format_date
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from .. import search
from ..models import Document
from ..storage import BlobBackend, blob_store
from .documents import download_filename, downloads_count
from .search_view import document_json, documents_for_ids, label_maps, query_params

log = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
LOCALE = "de"
MANIFEST_NAME = "manifest.csv"
METADATA_NAME = "metadata.json"
LICENSES_NAME = "LIZENZEN.txt"
RESERVED_NAMES = (MANIFEST_NAME, METADATA_NAME, LICENSES_NAME)
# Formats that are compressed already: deflating them again costs CPU and gains nothing.
_PRECOMPRESSED = {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "zip", "png", "jpg", "jpeg", "gif", "webp"}
# Characters Windows does not allow in file names; a ZIP must unpack everywhere.
_FORBIDDEN = set('<>:"/\\|?*')
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a cell may start with and still be run as a formula: spreadsheets skip invisible format
# characters (zero-width space, BOM, bidi marks) and spaces, and some read the full-width or
# small forms (＝ ﹦ ＋ － ＠, folded by NFKC) and the minus sign U+2212 as operators.
_FORMULA_START_FOLDED = (*_FORMULA_START, "\u2212")
_SKIPPED_CATEGORIES = {"Cf", "Cc", "Zs", "Zl", "Zp"}
# Names Windows reserves for devices, with any extension: "CON.txt" cannot be unpacked there.
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# Well below the 255 bytes of common file systems, leaving room for " (2)" and the like.
_MAX_NAME_BYTES = 200

MANIFEST_COLUMNS = (
    "Datei", "ID", "Titel", "Beschreibung", "Dokumenttyp", "Themenfelder", "Kommune", "Größenklasse",
    "Projekt", "Jahr", "Format", "Lizenz", "Lizenz-URL", "Kontakt", "Originaldateiname", "Größe (Bytes)",
    "Seiten", "SHA-256", "Veröffentlicht am", "Downloads", "Adresse", "Download-Adresse",
)


class ZipExportError(Exception):
    """The selection cannot be delivered as a ZIP; ``message`` says why, in German."""

    status = 422

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class ZipLimitExceeded(ZipExportError):
    """More documents or more bytes than the configured limit."""


class ZipSelectionEmpty(ZipExportError):
    """The search returns no document, so there is nothing to pack."""

    status = 404


@dataclass(frozen=True)
class ZipMember:
    document_id: int
    arcname: str
    sha256: str
    size: int
    date_time: tuple[int, int, int, int, int, int]
    precompressed: bool


@dataclass
class ZipPlan:
    """Everything the stream needs, computed while the database is at hand."""

    filename: str
    members: list[ZipMember]
    extra_files: list[tuple[str, bytes]]
    total_size: int
    document_ids: list[int] = field(default_factory=list)
    #: ZIP timestamp of the companion files; local time, as ZIP headers have no time zone.
    created: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)


def zip_limits() -> tuple[int, int]:
    """The configured maximum number of documents and of bytes."""
    config = current_app.config
    return int(config["TOOLBOX_ZIP_MAX_DOCUMENTS"]), int(config["TOOLBOX_ZIP_MAX_MB"]) * 1024 * 1024


def zip_export_prepare(query, document_ids: list[int] | None = None) -> ZipPlan:
    """Check the limits and prepare the archive for the documents ``query`` returns, or for
    ``document_ids`` in their order (a Merkliste) with the statuses ``query`` allows.

    :raise ZipLimitExceeded: too many documents or bytes; nothing has been sent yet.
    :raise ZipSelectionEmpty: the search returns no document.
    """
    max_documents, max_bytes = zip_limits()
    ids = search.matching_document_ids(query) if document_ids is None else list(document_ids)
    if not ids:
        raise ZipSelectionEmpty(_("Zu dieser Suche gibt es keine Dokumente zum Herunterladen."))
    if len(ids) > max_documents:
        raise ZipLimitExceeded(
            _("Die Auswahl umfasst %(count)s Dokumente. Als ZIP-Datei lassen sich höchstens %(max)s Dokumente "
              "auf einmal herunterladen. Bitte grenzen Sie die Suche mit Filtern weiter ein.",
              count=_number(len(ids)), max=_number(max_documents)),
            documents=len(ids), max_documents=max_documents,
        )
    documents = documents_for_ids(ids, statuses=query.statuses)
    store = blob_store()
    available = [d for d in documents if d.current_version is not None and store.exists(d.current_version.sha256)]
    for missing in (d for d in documents if d not in available):
        log.error("ZIP export: file of document %s is missing from the blob store", missing.id)
    total = sum(d.current_version.size for d in available)
    if total > max_bytes:
        raise ZipLimitExceeded(
            _("Die Auswahl ist %(size)s MB groß. Als ZIP-Datei lassen sich höchstens %(max)s MB auf einmal "
              "herunterladen. Bitte grenzen Sie die Suche mit Filtern weiter ein.",
              size=_number(round(total / 1024 / 1024, 1)), max=_number(max_bytes // 1024 // 1024)),
            total_bytes=total, max_bytes=max_bytes,
        )
    if not available:
        raise ZipSelectionEmpty(_("Die Dateien dieser Auswahl sind derzeit nicht verfügbar."))

    names = UniqueNames(RESERVED_NAMES)
    members = []
    arcnames: dict[int, str] = {}
    for document in available:
        version = document.current_version
        arcname = names.claim(download_filename(version))
        arcnames[document.id] = arcname
        members.append(ZipMember(
            document_id=document.id,
            arcname=arcname,
            sha256=version.sha256,
            size=version.size,
            date_time=_zip_date_time(version.uploaded_at),
            precompressed=(version.format or "").lower() in _PRECOMPRESSED,
        ))
    records = [(document, document_json(document, LOCALE)) for document in available]
    now = datetime.now(timezone.utc)
    extra_files = [
        (MANIFEST_NAME, manifest_csv(records, arcnames)),
        (LICENSES_NAME, licenses_txt(records, arcnames, now)),
        (METADATA_NAME, metadata_json(records, arcnames, query, now)),
    ]
    return ZipPlan(
        filename=f"smart-region-toolbox-auswahl-{to_user_timezone(now).date().isoformat()}.zip",
        members=members,
        extra_files=extra_files,
        total_size=total,
        document_ids=[d.id for d in available],
        created=_zip_date_time(now),
    )


def zip_download(query, document_ids: list[int] | None = None, *, count: bool = True) -> tuple[ZipPlan, Iterator[bytes]]:
    """Prepare the archive, count one download per document and return the byte stream.

    Downloads are counted when the download starts, as for single files: the server cannot
    know whether the client kept the whole stream. Each document counts once per archive;
    ``count=False`` (a known bot) counts nothing.
    """
    plan = zip_export_prepare(query, document_ids)
    store = blob_store()
    if count:
        downloads_count(plan.document_ids, in_zip=True)
    return plan, zip_stream(plan, store)


# --- writing ----------------------------------------------------------------------------------


class _Sink:
    """A write-only stream that collects what zipfile writes until it is drained.

    It has no ``seek``, so zipfile writes data descriptors after each member instead of
    going back to patch headers.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _zip_info(name: str, date_time: tuple, size: int, *, level: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Known in advance, so zipfile can decide on ZIP64 records before writing the header.
    info.file_size = size
    info.external_attr = 0o644 << 16
    # Python 3.13 made the per-member level public as ``compress_level``.
    if hasattr(info, "compress_level"):
        info.compress_level = level
    else:
        info._compresslevel = level
    return info


def zip_stream(plan: ZipPlan, store: BlobBackend) -> Iterator[bytes]:
    """Yield the archive in pieces of at most about ``CHUNK_SIZE`` bytes of input each.

    Needs neither the database nor an app context: the response body runs after the view
    has returned.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, data in plan.extra_files:
            with archive.open(_zip_info(name, plan.created, len(data), level=6), "w") as target:
                target.write(data)
            yield sink.drain()
        for member in plan.members:
            try:
                source = store.open(member.sha256)
            except OSError:
                # Checked before streaming; a file that vanished since is left out rather
                # than breaking an archive that is already half sent.
                log.error("ZIP export: %s vanished from the blob store during the download", member.sha256)
                continue
            info = _zip_info(member.arcname, member.date_time, member.size, level=1 if member.precompressed else 6)
            with source, archive.open(info, "w") as target:
                for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
                    target.write(chunk)
                    data = sink.drain()
                    if data:
                        yield data
            data = sink.drain()
            if data:
                yield data
    yield sink.drain()


def _zip_date_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    if moment is None:
        moment = datetime.now(timezone.utc)
    local = to_user_timezone(moment)
    if local.year < 1980:  # the earliest date a ZIP header can hold
        return (1980, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


# --- names ------------------------------------------------------------------------------------


def safe_filename(name: str) -> str:
    """A name that unpacks on every system: NFC umlauts kept, no path, no forbidden characters,
    no Windows device name, and short enough in bytes for any file system (255 bytes), with
    its extension kept when it has to be shortened."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if ch in _FORBIDDEN or not ch.isprintable() else ch for ch in name)
    name = name.strip().strip(".").strip() or "dokument"
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 10:
        stem, suffix = name, ""
    suffix = f".{suffix}" if suffix else ""
    room = _MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    if len(stem.encode("utf-8")) > room:
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") or "dokument"
    if stem.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    return stem + suffix


class UniqueNames:
    """Hands out file names unique within one archive, ignoring case as Windows does."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken = {name.casefold() for name in reserved}

    def claim(self, wanted: str) -> str:
        name = safe_filename(wanted)
        path = PurePosixPath(name)
        stem, suffix = (path.stem, path.suffix) if path.stem else (name, "")
        candidate = name
        number = 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{stem} ({number}){suffix}"
        self._taken.add(candidate.casefold())
        return candidate


# --- the three companion files ----------------------------------------------------------------


def neutralise_cell(value) -> object:
    """Make a text cell inert in spreadsheets: no formula (=, +, -, @, tab, CR) ever runs,
    also not one hidden behind invisible characters or written in full-width forms."""
    if isinstance(value, str) and _could_be_formula(value):
        return "'" + value
    return value


def _could_be_formula(value: str) -> bool:
    if value.startswith(_FORMULA_START):
        return True
    folded = unicodedata.normalize("NFKC", value)
    start = next((char for char in folded if unicodedata.category(char) not in _SKIPPED_CATEGORIES), "")
    return start in _FORMULA_START_FOLDED


def _german_date(moment: datetime, style: str) -> str:
    return format_date(to_user_timezone(moment).date(), style, locale=LOCALE)


def _number(value) -> str:
    return format_decimal(value)


def manifest_csv(records: list[tuple[Document, dict]], arcnames: dict[int, str]) -> bytes:
    buffer = io.StringIO()
    # Every cell quoted: a spreadsheet then reads each as one value and never splits or evaluates it.
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for document, data in records:
        file = data["file"] or {}
        license_ = document.license
        row = [
            arcnames.get(document.id, ""),
            document.id,
            data["title"],
            data["description"],
            (data["type"] or {}).get("label", ""),
            " | ".join(t["label"] for t in data["topics"]),
            data["municipality"] or "",
            (data["size_class"] or {}).get("label", ""),
            data["project"] or "",
            data["year"] if data["year"] is not None else "",
            (data["format"] or "").upper(),
            (data["license"] or {}).get("label", ""),
            (license_.url if license_ else "") or "",
            data["contact"] or "",
            file.get("filename", ""),
            file.get("size", ""),
            file.get("page_count") or "",
            file.get("sha256", ""),
            _german_date(document.published_at, "medium") if document.published_at else "",
            data["download_count"],
            data["url"],
            data["download_url"],
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    # The byte order mark is what makes Excel read the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def metadata_json(records: list[tuple[Document, dict]], arcnames: dict[int, str], query, now: datetime) -> bytes:
    payload = {
        "generated_at": now.isoformat(),
        "query": _params_dict(query_params(query, page=False)),
        "count": len(records),
        "documents": [dict(data, zip_filename=arcnames.get(document.id)) for document, data in records],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def _params_dict(params: list[tuple[str, str]]) -> dict:
    result: dict[str, list[str] | str] = {}
    for key, value in params:
        if key in ("q", "year_from", "year_to", "sort", "per_page"):
            result[key] = value
        else:
            result.setdefault(key, []).append(value)  # type: ignore[union-attr]
    return result


def licenses_txt(records: list[tuple[Document, dict]], arcnames: dict[int, str], now: datetime) -> bytes:
    """Per licence: its terms and, for each document, what an attribution must name."""
    order = {slug: i for i, slug in enumerate(label_maps(LOCALE)["license"])}
    groups: dict[str | None, list[Document]] = {}
    for document, _data in records:
        groups.setdefault(document.license.slug if document.license else None, []).append(document)
    data_by_id = {document.id: data for document, data in records}

    lines = [
        "Lizenzhinweise zu den Dokumenten dieser Auswahl",
        f"Smart Region Toolbox – zusammengestellt am {_german_date(now, 'long')}",
        "",
        "Die Dokumente stammen aus kommunalen Digitalisierungsprojekten und stehen unter den",
        "unten genannten Lizenzen. Wer sie weitergibt oder bearbeitet, muss die Bedingungen der",
        "jeweiligen Lizenz einhalten, insbesondere die verlangte Namensnennung.",
    ]
    for slug in sorted(groups, key=lambda s: (s is None, order.get(s, len(order)))):
        documents = groups[slug]
        license_ = documents[0].license
        lines += ["", "=" * 72]
        if license_ is None:
            lines += [
                "Ohne Lizenzangabe",
                "=" * 72,
                "Für diese Dokumente ist keine Lizenz angegeben. Eine Nachnutzung ist nur nach",
                "Rücksprache mit der angegebenen Kommune bzw. Kontaktstelle zulässig.",
            ]
        else:
            lines += [license_.label_de, "=" * 72]
            if license_.url:
                lines.append(f"Lizenztext: {license_.url}")
            # The notice is the licence's own summary and already says whether attribution is
            # required; only a licence without one gets the bare yes/no, so it is said once.
            if license_.notice_de:
                lines.append(license_.notice_de)
            else:
                lines.append("Namensnennung erforderlich: " + ("ja" if license_.attribution_required else "nein"))
        lines += ["", f"Dokumente ({len(documents)}):"]
        for document in documents:
            data = data_by_id[document.id]
            author = document.municipality.name if document.municipality else "unbekannt"
            lines += ["", f"- „{document.title}“", f"  Datei im ZIP: {arcnames.get(document.id, '')}",
                      f"  Urheber/Bereitsteller: {author}"]
            if document.project:
                lines.append(f"  Projekt: {document.project.name}")
            if document.contact:
                lines.append(f"  Kontakt: {document.contact}")
            lines.append(f"  Quelle: {data['url']}")
            if license_ is not None and license_.attribution_required:
                licence_ref = license_.label_de + (f" ({license_.url})" if license_.url else "")
                lines.append(f"  Namensnennung: „{document.title}“, {author}, Lizenz: {licence_ref}, "
                             f"Quelle: {data['url']}")
    lines.append("")
    return "\r\n".join(lines).encode("utf-8")
