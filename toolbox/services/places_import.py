"""Regionalschlüssel, Land, Kreis and population from Destatis' Gemeindeverzeichnis (GV100AD).

Editors type municipality names as they know them ("Fulda", "Landkreis Fulda"); the directory
writes "Fulda, Stadt" and lists the Kreis apart. The import matches each existing municipality
by its name and, where one is recorded, its Land; a name the directory has more than once in the
candidate Länder is reported, never guessed. It sets the 12-digit Amtlicher Regionalschlüssel
(what the DCAT-AP.de catalogue names the place with), the population and, where empty, Land and
Kreis; the size class follows the population unless an editor set it by hand (Landkreise,
Verbünde). Nothing is created: the directory has 11 000 municipalities, the toolbox the few
that share documents.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from sqlalchemy import select

from ..extensions import db
from ..message import Message
from ..models import Municipality
from . import indexing
from .audit import audit_record
from .vocabularies import size_class_for_population

#: Record types (Satzart) of GV100AD.
RECORD_LAND = "10"
RECORD_KREIS = "40"
RECORD_GEMEINDE = "60"
#: Kreis types (Textkennzeichen of a Satzart-40 record) that are no Landkreis: the city is the Kreis.
CITY_KREIS_TYPES = ("41", "42")
#: Size classes an editor assigns to a Kreis; such a municipality is matched with the Kreise.
KREIS_SIZE_CLASSES = ("landkreis",)

_PREFIXES = ("landkreis ", "kreis ", "stadt ", "gemeinde ", "markt ", "flecken ", "hansestadt ")


class PlacesImportError(ValueError):
    """The file is not a GV100AD directory; the message says why, in German."""


@dataclass(frozen=True)
class GvPlace:
    ars: str
    name: str
    land: str
    district: str | None
    population: int | None
    is_kreis: bool


@dataclass
class PlacesImportReport:
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    manual_size_class_kept: list[str] = field(default_factory=list)


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
    # Recent files are UTF-8; older ones were written in Windows-1252.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_gv100ad(lines: Iterable[str]) -> list[GvPlace]:
    """The Gemeinden and Kreise of a GV100AD file (fixed-width records, Satzart in columns 1–2).

    :raise PlacesImportError: no line is a Gemeinde record.
    """
    lands: dict[str, str] = {}
    kreise: dict[str, tuple[str, str]] = {}
    gemeinden: list[tuple[str, str, int | None]] = []
    for line in lines:
        kind = line[:2]
        if kind == RECORD_LAND and len(line) >= 23:
            lands[line[10:12]] = line[22:72].strip()
        elif kind == RECORD_KREIS and len(line) >= 23:
            kreise[line[10:15]] = (line[22:72].strip(), line[122:124].strip())
        elif kind == RECORD_GEMEINDE and len(line) >= 150:
            key = line[10:22]
            if not key.isdigit():
                continue
            population = line[139:150].strip()
            # The directory's key runs Land, RB, Kreis, Gemeinde, Verband; the ARS puts the
            # Verband before the Gemeinde.
            gemeinden.append((key[:5] + key[8:12] + key[5:8], line[22:72].strip(),
                              int(population) if population.isdigit() else None))
    if not gemeinden:
        raise PlacesImportError("Die Datei enthält keine Gemeinde-Sätze (Satzart 60) im Format des "
                                "Gemeindeverzeichnisses GV100AD.")
    places = []
    for ars, name, population in gemeinden:
        kreis_name, kreis_type = kreise.get(ars[:5], (None, ""))
        district = kreis_name if kreis_type not in CITY_KREIS_TYPES else None
        places.append(GvPlace(ars, name, lands.get(ars[:2], ""), district, population, is_kreis=False))
    for key, (name, kreis_type) in kreise.items():
        if kreis_type not in CITY_KREIS_TYPES:
            places.append(GvPlace(key + "0000000", name, lands.get(key[:2], ""), None, None, is_kreis=True))
    return places


def read_gv100ad_file(path: Path) -> list[GvPlace]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PlacesImportError(f"Die Datei {path} lässt sich nicht lesen: {exc.strerror}.") from None
    return read_gv100ad(_decode(raw).splitlines())


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
    municipality.ags = place.ars
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
                 details={"changes": diff, "source": "GV100AD", "ars": place.ars})
    return True


def _snapshot(m: Municipality) -> dict:
    return {"ags": m.ags, "state": m.state, "district": m.district, "population": m.population,
            "size_class": m.size_class.slug if m.size_class else None}


__all__ = ["GvPlace", "PlacesImportError", "PlacesImportReport", "place_key", "places_import", "read_gv100ad",
           "read_gv100ad_file"]
