"""Regionalschlüssel, Land, Kreis and population from Destatis' Gemeindeverzeichnis.

Destatis publishes the directory as GV100AD (fixed-width text) and, from its information system
GV-ISys, as a table ("Auszug GV": XLSX with the sheet "Onlineprodukt_Gemeinden…", which offices
also save as CSV with semicolons). Both layouts are read into the same places.

Editors type municipality names as they know them ("Fulda", "Landkreis Fulda"); the directory
writes "Fulda, Stadt" and lists the Kreis apart. The import matches each existing municipality
by its name and, where one is recorded, its Land; a name the directory has more than once in the
candidate Länder is reported, never guessed. It sets the 12-digit Amtlicher Regionalschlüssel
(what the DCAT-AP.de catalogue names the place with), the 8-digit Gemeindeschlüssel, the
population and, where empty, Land and Kreis; the size class follows the population unless an
editor set it by hand (Landkreise, Verbünde). Nothing is created: the directory has 11 000
municipalities, the toolbox the few that share documents.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import select

from ..extensions import db
from ..message import Message
from ..models import Municipality
from . import indexing
from .audit import audit_record
from .vocabularies import size_class_for_population

#: Record types (Satzart) of the directory, the same in GV100AD and GV-ISys.
RECORD_LAND = "10"
RECORD_KREIS = "40"
RECORD_GEMEINDE = "60"
#: Kreis types (Textkennzeichen of a Satzart-40 record) that are no Landkreis: the city is the Kreis.
CITY_KREIS_TYPES = ("41", "42")
#: Size classes an editor assigns to a Kreis; such a municipality is matched with the Kreise.
KREIS_SIZE_CLASSES = ("landkreis",)
#: The sheet of the GV-ISys workbook that lists the Gemeinden; its name may end in the date.
GV_ISYS_SHEET = "Onlineprodukt_Gemeinden"
#: Rows searched for the header of a GV-ISys table (the workbook has a title and notes above it).
HEADER_SEARCH_ROWS = 20
#: How often (in records) a long file reports its progress.
PROGRESS_EVERY = 500

_PREFIXES = ("landkreis ", "kreis ", "stadt ", "gemeinde ", "markt ", "flecken ", "hansestadt ")
_GV100AD_RECORD = re.compile(r"(10|20|30|40|50|60)\d{8}")

Progress = Callable[[int, int], None]


class PlacesImportError(ValueError):
    """The file cannot be read as a Gemeindeverzeichnis; the message says why, in German."""


@dataclass(frozen=True)
class GvPlace:
    ars: str
    name: str
    land: str
    district: str | None
    population: int | None
    is_kreis: bool

    @property
    def ags(self) -> str | None:
        """The Gemeindeschlüssel: a Gemeinde's ARS without the Verband digits; a Kreis has none."""
        return None if self.is_kreis else self.ars[:5] + self.ars[9:]


@dataclass(frozen=True)
class GvDirectory:
    places: list[GvPlace]
    layout: str  # "GV100AD", "GV-ISys (XLSX)", "GV-ISys (CSV)"
    gemeinden: int
    kreise: int


@dataclass
class PlacesImportReport:
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    manual_size_class_kept: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(self.updated) + len(self.unchanged)


def place_key(name: str) -> str:
    """A name as the directory and editors both write it: without ", Stadt", "Landkreis " and case."""
    text = unicodedata.normalize("NFC", name).split(",")[0].casefold()
    text = " ".join(text.split())
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    return text


def _decode(raw: bytes) -> str:
    # Recent files are UTF-8; older ones and CSV saved by Excel are Windows-1252 / Latin-1.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


class _Collector:
    """Lands, Kreise and Gemeinden as both layouts give them, turned into places at the end."""

    def __init__(self) -> None:
        self.lands: dict[str, str] = {}
        self.kreise: dict[str, tuple[str, str]] = {}
        self.gemeinden: list[tuple[str, str, int | None]] = []

    def add(self, kind: str, ars: str, name: str, kreis_type: str = "", population: int | None = None) -> None:
        """One record; ``ars`` is the 12-digit key, or as many digits as its level has."""
        name = " ".join(name.split())
        if not name:
            return
        if kind == RECORD_LAND and len(ars) >= 2:
            self.lands[ars[:2]] = name
        elif kind == RECORD_KREIS and len(ars) >= 5:
            self.kreise[ars[:5]] = (name, kreis_type)
        elif kind == RECORD_GEMEINDE and len(ars) == 12:
            self.gemeinden.append((ars, name, population))

    def directory(self, layout: str) -> GvDirectory:
        if not self.gemeinden:
            raise PlacesImportError(f"Die Datei enthält keine Gemeinde-Sätze (Satzart 60) im Format des "
                                    f"Gemeindeverzeichnisses ({layout}).")
        places = []
        for ars, name, population in self.gemeinden:
            kreis_name, kreis_type = self.kreise.get(ars[:5], (None, ""))
            district = kreis_name if kreis_type not in CITY_KREIS_TYPES else None
            places.append(GvPlace(ars, name, self.lands.get(ars[:2], ""), district, population, is_kreis=False))
        kreise = 0
        for key, (name, kreis_type) in self.kreise.items():
            if kreis_type not in CITY_KREIS_TYPES:
                kreise += 1
                places.append(GvPlace(key + "0000000", name, self.lands.get(key[:2], ""), None, None, is_kreis=True))
        return GvDirectory(places, layout, gemeinden=len(self.gemeinden), kreise=kreise)


def _report_progress(progress: Progress | None, done: int, total: int, *, last: bool = False) -> None:
    if progress is not None and (last or done % PROGRESS_EVERY == 0):
        progress(done, total)


# --- GV100AD: fixed-width text ------------------------------------------------------------------


def _read_gv100ad_lines(lines: list[str], progress: Progress | None = None) -> GvDirectory:
    collected = _Collector()
    for number, line in enumerate(lines, start=1):
        kind = line[:2]
        if kind in (RECORD_LAND, RECORD_KREIS) and len(line) >= 23:
            collected.add(kind, line[10:15].strip(), line[22:72], kreis_type=line[122:124].strip())
        elif kind == RECORD_GEMEINDE and len(line) >= 150:
            key, verband = line[10:18], line[18:22]
            if key.isdigit() and verband.isdigit():
                population = line[139:150].strip()
                # The directory's key runs Land, RB, Kreis, Gemeinde and then the Verband; the
                # ARS puts the Verband before the Gemeinde.
                collected.add(kind, key[:5] + verband + key[5:], line[22:72],
                              population=int(population) if population.isdigit() else None)
        _report_progress(progress, number, len(lines))
    _report_progress(progress, len(lines), len(lines), last=True)
    return collected.directory("GV100AD")


# --- GV-ISys: the table of the "Auszug GV", as XLSX or CSV ----------------------------------------


def _label(value) -> str:
    """A header cell as a key: "Satz-\nart" and "Satzart", "Text-kenn-zeichen" all compare equal."""
    text = unicodedata.normalize("NFC", str(value or "")).casefold().replace("\u00ad", "")
    return re.sub(r"[\s\-–_.:]+", "", text)


def _cell(value) -> str:
    """A cell as text: Excel hands numbers back as int or float (70112.0), CSV as text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _digits(value, width: int) -> str | None:
    """A key part padded to its width: Excel drops the leading zero of "06" when a file is re-saved."""
    text = _cell(value)
    if not text.isdigit() or len(text) > width:
        return None
    return text.zfill(width)


def _population(value) -> int | None:
    text = re.sub(r"[\s.\u00a0\u202f']", "", _cell(value))
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class _Columns:
    satzart: int
    name: int
    textkennzeichen: int | None
    population: int | None
    parts: tuple[int, int, int, int, int] | None  # Land, RB, Kreis, VB, Gem
    ars: int | None  # one column with the whole key, as some exports give it


_PART_LABELS = ("land", "rb", "kreis", "vb", "gem")
_NAME_LABELS = ("gemeindename", "name", "gemeinde", "bezeichnung", "gemeindenamen")
_ARS_LABELS = ("ars", "regionalschlüssel", "amtlicherregionalschlüssel", "amtlicherregionalschlüssel(ars)")


def _find_columns(header_rows: list[list]) -> _Columns | None:
    """The columns of a GV-ISys table from its header rows (the labels of one column may be spread
    over several rows: "Bevölkerung" above "insgesamt", "Amtlicher Regionalschlüssel" above "Land")."""
    labels: dict[int, list[str]] = {}
    for row in header_rows:
        for index, value in enumerate(row):
            if _label(value):
                labels.setdefault(index, []).append(_label(value))

    def first(predicate) -> int | None:
        return next((index for index in sorted(labels) if any(predicate(label) for label in labels[index])), None)

    satzart = first(lambda label: label == "satzart")
    name = first(lambda label: label in _NAME_LABELS)
    if satzart is None or name is None:
        return None
    parts = tuple(first(lambda label, part=part: label == part) for part in _PART_LABELS)
    population_head = first(lambda label: label.startswith(("bevölkerung", "einwohner")))
    population = None
    if population_head is not None:
        # "insgesamt" under "Bevölkerung"; a one-row header names the column itself.
        below = [index for index in sorted(labels) if index >= population_head and "insgesamt" in labels[index]]
        population = below[0] if below else population_head
    return _Columns(
        satzart=satzart, name=name,
        textkennzeichen=first(lambda label: label.startswith("textkennzeichen")),
        population=population,
        parts=parts if None not in parts else None,
        ars=first(lambda label: label in _ARS_LABELS),
    )


def _record_key(row: list, columns: _Columns) -> str | None:
    if columns.parts is not None:
        widths = (2, 1, 2, 4, 3)
        values = [_cell(row[i]) if i < len(row) else "" for i in columns.parts]
        parts = []
        for value, width in zip(values, widths):
            if not value:
                break  # a Land or Kreis record fills only its own levels
            padded = _digits(value, width)
            if padded is None:
                return None
            parts.append(padded)
        return "".join(parts)
    if columns.ars is not None and columns.ars < len(row):
        key = re.sub(r"\s", "", _cell(row[columns.ars]))
        return key if key.isdigit() else None
    return None


def _read_table(rows: Iterator[list], total: int, layout: str, progress: Progress | None) -> GvDirectory:
    header: list[list] = []
    columns = None
    collected = _Collector()
    done = 0
    for row in rows:
        done += 1
        _report_progress(progress, done, total)
        if columns is None:
            found = _find_columns(header) if header else None
            # The header ends where the first record starts (its Satzart is a number).
            if found is not None and _cell(row[found.satzart] if found.satzart < len(row) else "").isdigit():
                columns = found
            else:
                header.append(list(row))
                if len(header) > HEADER_SEARCH_ROWS:
                    break
                continue
        kind = _cell(row[columns.satzart]) if columns.satzart < len(row) else ""
        if kind not in (RECORD_LAND, RECORD_KREIS, RECORD_GEMEINDE):
            continue
        key = _record_key(row, columns)
        if key is None:
            continue
        name = _cell(row[columns.name]) if columns.name < len(row) else ""
        kreis_type = _cell(row[columns.textkennzeichen]) if columns.textkennzeichen is not None \
            and columns.textkennzeichen < len(row) else ""
        population = _population(row[columns.population]) if columns.population is not None \
            and columns.population < len(row) else None
        collected.add(kind, key, name, kreis_type=kreis_type, population=population)
    if columns is None:
        raise PlacesImportError(
            f"In der Datei ({layout}) fehlt die Kopfzeile des Gemeindeverzeichnisses: erwartet werden die "
            f"Spalten „Satzart“, „Gemeindename“ und der Regionalschlüssel (Land, RB, Kreis, VB, Gem) in den "
            f"ersten {HEADER_SEARCH_ROWS} Zeilen.")
    _report_progress(progress, done, max(total, done), last=True)
    return collected.directory(layout)


def _read_xlsx(path: Path, progress: Progress | None) -> GvDirectory:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    # openpyxl raises many kinds of errors for a damaged or foreign file; each means "unreadable".
    except Exception as exc:  # noqa: BLE001
        raise PlacesImportError(f"Die Datei {path.name} lässt sich nicht als Excel-Arbeitsmappe (XLSX) lesen "
                                f"({type(exc).__name__}).") from None
    try:
        names = workbook.sheetnames
        # "Onlineprodukt_Gemeinden" or "Onlineprodukt_Gemeinden31122023"; else the only sheet.
        sheet_name = next((name for name in names if name.casefold().startswith(GV_ISYS_SHEET.casefold())), None)
        if sheet_name is None and len(names) == 1:
            sheet_name = names[0]
        if sheet_name is None:
            raise PlacesImportError(f"Die Arbeitsmappe {path.name} hat kein Blatt „{GV_ISYS_SHEET}“ "
                                    f"(Blätter: {', '.join(names)}).")
        sheet = workbook[sheet_name]
        total = sheet.max_row or 0
        rows = (list(row) for row in sheet.iter_rows(values_only=True))
        try:
            return _read_table(rows, total, "GV-ISys (XLSX)", progress)
        except PlacesImportError:
            raise
        except Exception as exc:  # noqa: BLE001 - as above, while the rows are read
            raise PlacesImportError(f"Das Blatt „{sheet_name}“ in {path.name} ist beschädigt "
                                    f"({type(exc).__name__}).") from None
    finally:
        workbook.close()


def _read_csv(text: str, progress: Progress | None) -> GvDirectory:
    lines = text.splitlines()
    sample = "\n".join(lines[:HEADER_SEARCH_ROWS])
    delimiter = max((";", ",", "\t"), key=sample.count)
    rows = csv.reader(lines, delimiter=delimiter)
    return _read_table(rows, len(lines), "GV-ISys (CSV)", progress)


def read_directory(path: Path, progress: Progress | None = None) -> GvDirectory:
    """Read a Gemeindeverzeichnis in any of the layouts Destatis publishes (see the module).

    ``progress(done, total)`` follows the records read.

    :raise PlacesImportError: the file cannot be read, or it is no Gemeindeverzeichnis.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError as exc:
        raise PlacesImportError(f"Die Datei {path} lässt sich nicht lesen: {exc.strerror}.") from None
    if start.startswith(b"PK\x03\x04") or path.suffix.casefold() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, progress)
    if start.startswith((b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise PlacesImportError(f"Die Datei {path.name} ist weder Text (GV100AD, CSV) noch XLSX; bitte das "
                                "Gemeindeverzeichnis als XLSX, CSV oder GV100AD-Textdatei angeben.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlacesImportError(f"Die Datei {path} lässt sich nicht lesen: {exc.strerror}.") from None
    if not raw.strip():
        raise PlacesImportError(f"Die Datei {path.name} ist leer.")
    if b"\x00" in raw[:4096]:
        raise PlacesImportError(f"Die Datei {path.name} ist keine Textdatei (GV100AD, CSV) und keine XLSX-Datei.")
    text = _decode(raw)
    lines = text.splitlines()
    if any(_GV100AD_RECORD.match(line) and len(line) >= 100 for line in lines[:50]):
        return _read_gv100ad_lines(lines, progress)
    return _read_csv(text, progress)


def _is_kreis(municipality: Municipality) -> bool:
    slug = municipality.size_class.slug if municipality.size_class is not None else None
    return (municipality.size_class_manual and slug in KREIS_SIZE_CLASSES) or \
        municipality.name.casefold().startswith(("landkreis ", "kreis "))


def places_import(places: list[GvPlace]) -> PlacesImportReport:
    """Match every municipality with the directory and record what it says (see the module)."""
    index: dict[tuple[str, bool], list[GvPlace]] = {}
    for place in places:
        index.setdefault((place_key(place.name), place.is_kreis), []).append(place)
    report = PlacesImportReport()
    changed_ids = []
    for municipality in db.session.scalars(select(Municipality).order_by(Municipality.name)):
        if municipality.size_class_manual and not _is_kreis(municipality):
            # An association or region: no single key names it.
            report.not_found.append(municipality.name)
            continue
        candidates = index.get((place_key(municipality.name), _is_kreis(municipality)), [])
        if municipality.state:
            candidates = [p for p in candidates if place_key(p.land) == place_key(municipality.state)]
        if not candidates:
            report.not_found.append(municipality.name)
            continue
        if len(candidates) > 1:
            report.ambiguous.append(f"{municipality.name}: " + ", ".join(
                f"{p.name} ({p.land}, {p.ars})" for p in candidates))
            continue
        if _apply(municipality, candidates[0], report):
            changed_ids.append(municipality.id)
            report.updated.append(municipality.name)
        else:
            report.unchanged.append(municipality.name)
    # Size class, Land and Kreis are search facets: the documents of each changed municipality
    # go to the index queue, as when an editor corrects the municipality.
    from .curation import _documents_of_municipalities

    for document_id in _documents_of_municipalities(changed_ids):
        indexing.queue_document(document_id)
    db.session.commit()
    indexing.flush_index_queue()
    return report


def _apply(municipality: Municipality, place: GvPlace, report: PlacesImportReport) -> bool:
    before = _snapshot(municipality)
    municipality.ars = place.ars
    if place.ags is not None:
        municipality.ags = place.ags
    if place.population is not None:
        municipality.population = place.population
    if place.land and not municipality.state:
        municipality.state = place.land
    if place.district and not municipality.district:
        municipality.district = place.district
    if municipality.size_class_manual:
        if place.population is not None:
            report.manual_size_class_kept.append(municipality.name)
    elif municipality.population is not None:
        municipality.size_class = size_class_for_population(municipality.population)
    after = _snapshot(municipality)
    diff = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if not diff:
        return False
    audit_record("municipality.update", object_type="municipality", object_id=municipality.id,
                 summary=Message("audit.municipality.update", {"name": municipality.name}),
                 details={"changes": diff, "source": "Gemeindeverzeichnis", "ars": place.ars})
    return True


def _snapshot(m: Municipality) -> dict:
    return {"ags": m.ags, "ars": m.ars, "state": m.state, "district": m.district, "population": m.population,
            "size_class": m.size_class.slug if m.size_class else None}


__all__ = ["GvDirectory", "GvPlace", "PlacesImportError", "PlacesImportReport", "place_key", "places_import",
           "read_directory"]
