"""A generated German corpus for the search tests, ingested through the real services."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import _config, write_docx


@dataclass
class Spec:
    """One document of the corpus: what it says and its metadata."""

    key: str
    title: str
    text: str
    publish: bool = True
    fmt: str = "txt"
    metadata: dict[str, Any] = field(default_factory=dict)


def ingest_specs(app, specs: list[Spec], folder: Path) -> dict[str, int]:
    """Ingest the specs in two batches (published, submitted); return document ids by key."""
    from toolbox.services.ingest import DocumentMetadata, ingest_files

    folder.mkdir(parents=True, exist_ok=True)
    ids: dict[str, int] = {}
    for publish in (True, False):
        batch = [spec for spec in specs if spec.publish == publish]
        if not batch:
            continue
        items = []
        for spec in batch:
            path = folder / f"{spec.key}.{spec.fmt}"
            if spec.fmt == "docx":
                write_docx(path, [spec.text])
            else:
                path.write_text(spec.text + "\n", encoding="utf-8")
            items.append((path, DocumentMetadata(title=spec.title, **spec.metadata), path.name))
        with app.app_context():
            outcomes = ingest_files(items, publish=publish)
        for spec, outcome in zip(batch, outcomes):
            assert outcome.status == "ingested", (spec.key, outcome.message)
            ids[spec.key] = outcome.document_id
    return ids


def make_app(tmp: Path, template_database: Path):
    """A fresh app on a copy of the migrated template database, with its own index."""
    from toolbox import create_app

    database = tmp / "toolbox.sqlite3"
    shutil.copyfile(template_database, database)
    os.environ.setdefault("TOOLBOX_INSTANCE_DIR", str(tmp / "instance"))
    return create_app(_config(tmp, f"sqlite:///{database}"))


FULDA = dict(municipality="Fulda", population=68_000)            # Mittelstadt
DARMSTADT = dict(municipality="Darmstadt", population=160_000)   # Großstadt
ALSFELD = dict(municipality="Alsfeld", population=16_000)        # Kleinstadt
SCHLITZ = dict(municipality="Schlitz", population=9_000)         # Kleinstadt
ULRICHSTEIN = dict(municipality="Ulrichstein", population=3_000)  # Landgemeinde
LANDKREIS = dict(municipality="Landkreis Fulda", size_class="landkreis")

FILLER = "Die Verwaltung beschreibt Ziele und Maßnahmen für die nächsten Jahre."

CORPUS: list[Spec] = [
    # inflection
    Spec("tender_plural", "Vergabeunterlagen Sensorik",
         "Die Ausschreibungen für Umweltsensoren wurden veröffentlicht.", fmt="txt",
         metadata=dict(topics=["infrastruktur-netze-iot"], type="leistungsbeschreibung-ausschreibung", year=2022,
                       license="cc-by-4.0", **FULDA)),
    Spec("tender_singular", "Leistungsverzeichnis Gateways",
         "Eine Ausschreibung für LoRaWAN Gateways im Stadtgebiet.", fmt="docx",
         metadata=dict(topics=["infrastruktur-netze-iot", "daten-plattformen"],
                       type="leistungsbeschreibung-ausschreibung", year=2023, license="cc0-1.0", **DARMSTADT)),
    # umlauts and transliterations, both ways
    Spec("umlauts", "Beteiligungsverfahren online",
         "Leitfaden zur Bürgerbeteiligung. Die Straße wird gemeinsam geplant, die Größe des Platzes bleibt.",
         metadata=dict(topics=["buergerbeteiligung-open-government"], type="leitfaden-checkliste", year=2021,
                       license="dl-de-by-2.0", **ALSFELD)),
    Spec("typed", "Protokoll Anwohnerversammlung",
         "Protokoll: Buergerinnen und Buerger diskutierten ueber die Strasse am Marktplatz und die Groesse.",
         metadata=dict(topics=["buergerbeteiligung-open-government"], type="bericht-evaluation", year=2020,
                       license="cc-by-4.0", **SCHLITZ)),
    # compounds: same sentence, only the word differs
    Spec("strategy_exact", "Papier Verwaltung", "Die Strategie der Verwaltung. " + FILLER,
         metadata=dict(topics=["strategie-organisation"], type="konzept-strategie", year=2023, **FULDA)),
    Spec("strategy_data", "Papier Informationen", "Die Datenstrategie der Verwaltung. " + FILLER,
         metadata=dict(topics=["strategie-organisation", "daten-plattformen"], type="konzept-strategie", year=2023,
                       **DARMSTADT)),
    Spec("strategy_digital", "Papier Digitales", "Die Digitalisierungsstrategie der Verwaltung. " + FILLER,
         metadata=dict(topics=["strategie-organisation"], type="konzept-strategie", year=2024, **ULRICHSTEIN)),
    Spec("traffic", "Mobilitätskonzept", "Die Verkehrsplanung für den Ortskern.",
         metadata=dict(topics=["mobilitaet-verkehr"], type="konzept-strategie", year=2022, **SCHLITZ)),
    # phrases with stop words
    Spec("phrase_exact", "Konzeptpapier Schulen", "Ein Konzept für die Digitalisierung der Schulen im Landkreis.",
         fmt="docx", metadata=dict(topics=["bildung-schule"], type="konzept-strategie", year=2021,
                                   license="cc-by-sa-4.0", **LANDKREIS)),
    Spec("phrase_other", "Konzeptpapier Kitas", "Ein Konzept für eine Digitalisierung der Kitas und die Schulung.",
         metadata=dict(topics=["bildung-schule"], type="konzept-strategie", year=2022, **ALSFELD)),
    # exclusion, OR, sorting by title (German collation)
    Spec("waste", "Abfallkalender App", "Konzept für die Abfuhr von Abfall und Wertstoffen.",
         metadata=dict(topics=["umwelt-wasser"], type="muster-vorlage", year=2020, license="cc0-1.0", **ULRICHSTEIN)),
    Spec("fibre", "Glasfaserausbau Gewerbegebiet", "Glasfaser für das Gewerbegebiet, Breitband für alle Betriebe.",
         metadata=dict(topics=["infrastruktur-netze-iot"], type="foerderantrag", year=2019, license="cc-by-4.0",
                       **FULDA)),
    Spec("doctors", "Ärztehaus Nordstadt", "Gesundheitszentrum mit Telemedizin im Ärztehaus.",
         metadata=dict(topics=["gesundheit-pflege"], type="beispieldokument", year=2024, license="cc-by-4.0",
                       **DARMSTADT)),
    Spec("station", "Bahnhof Süd Mobilitätsstation", "Mobilitätsstation am Bahnhof mit Carsharing und Fahrradboxen.",
         metadata=dict(topics=["mobilitaet-verkehr"], type="beispieldokument", year=2024, license="cc-by-4.0",
                       **ALSFELD)),
    # field search
    Spec("guide_title", "Leitfaden Datenschutz", "Hinweise zur Verarbeitung personenbezogener Daten.",
         metadata=dict(topics=["verwaltung-e-government"], type="datenschutz", year=2023, license="cc-by-4.0",
                       **FULDA)),
    Spec("guide_body", "Checkliste Videokonferenz", "Dieser Leitfaden hilft bei Videokonferenzen.",
         metadata=dict(topics=["verwaltung-e-government"], type="leitfaden-checkliste", year=2023, **SCHLITZ)),
    # escaping in snippets
    Spec("markup", "Sonderzeichen im Vergleich",
         "Vergleich: Kosten < Nutzen & Aufwand > 0 bei der Telemedizin <script>alert(1)</script> im Test.",
         metadata=dict(topics=["gesundheit-pflege"], type="bericht-evaluation", year=2021, **ULRICHSTEIN)),
    # more like this
    Spec("parking_a", "Smart Parking Sensoren",
         "Parkplatzsensoren melden freie Parkplätze an das Parkleitsystem. Parkraum, Parkgebühren und Sensoren.",
         metadata=dict(topics=["mobilitaet-verkehr"], type="beispieldokument", year=2022, **FULDA)),
    Spec("parking_b", "Parkleitsystem Innenstadt",
         "Das Parkleitsystem zeigt freie Parkplätze; Parkraum und Parkgebühren werden digital erfasst.",
         metadata=dict(topics=["mobilitaet-verkehr", "wirtschaft-handel-innenstadt"], type="beispieldokument",
                       year=2023, **DARMSTADT)),
    # not published: visitors must never see it
    Spec("draft", "Entwurf Zebrastreifen", "Vertrauliche Planung der Zebrastreifen mit Quokkazählung.", publish=False,
         metadata=dict(topics=["mobilitaet-verkehr"], type="konzept-strategie", year=2024, **FULDA)),
]


#: Documents for the phrase tests of every engine (``test_search_contract.py``): phrases from word
#: pairs in a title or a body, pairs that occur apart, a dropped junk word, a body longer than
#: PostgreSQL's first part of positions (``_pg_entries.PART_WORDS``). Kept apart from ``CORPUS``,
#: whose counts other tests rely on.
PHRASE_CORPUS: list[Spec] = [
    Spec("pairs_title", "Netz der Stadtwerke", "Leitungen werden im Sommer verlegt.",
         metadata=dict(topics=["infrastruktur-netze-iot"], type="bericht-evaluation", year=2022, **FULDA)),
    Spec("pairs_body", "Leitungsbau Nordstadt", "Das Netz der Stadtwerke wächst um neue Leitungen.",
         metadata=dict(topics=["infrastruktur-netze-iot"], type="bericht-evaluation", year=2023, **DARMSTADT)),
    Spec("pairs_apart", "Betreiber Südstadt", "Das Netz der Kommune und die Leitungen der Stadtwerke.",
         metadata=dict(topics=["infrastruktur-netze-iot"], type="bericht-evaluation", year=2023, **SCHLITZ)),
    Spec("pairs_junk", "Messstelle Fluss", f"Messwerte der Sensoren {'x' * 61} Pegelmessung im Fluss.",
         metadata=dict(topics=["umwelt-wasser"], type="bericht-evaluation", year=2021, **ULRICHSTEIN)),
    Spec("pairs_long", "Pegelbericht Jahr",
         "Der Pegel des Flusses wird täglich gemessen und protokolliert. " * 460
         + "Am Ende warnt das Hochwasserportal die Anwohner des Flusses rechtzeitig.",
         metadata=dict(topics=["umwelt-wasser"], type="bericht-evaluation", year=2024, **FULDA)),
]

# A PDF whose pages repeat a running header and a page footer (snippets and excerpts omit them).
RUNNING_HEADER = "Gemeinde Mücke - Leistungsbeschreibung Funknetz"
FUNKNETZ_PAGES = [
    f"{RUNNING_HEADER}\n{body}\nSeite {n} von 4" for n, body in enumerate([
        "Die Gemeinde schreibt den Aufbau eines Funknetzes aus. Zwölf Gateways sollen die Ortsteile "
        "abdecken, dazu kommen Sensoren für Pegel und Wasserzähler. Die Gateways werden auf "
        "kommunalen Gebäuden montiert und über LTE angebunden.",
        "Anforderungen an die Gateways: acht Kanäle, Schutzart IP67 und Fernwartung.",
        "Betrieb und Wartung übernimmt der Auftragnehmer für fünf Jahre.",
        "Die Vergütung erfolgt pauschal je Jahr des Betriebs.",
    ], 1)
]
