"""The demo corpus: municipalities, projects and the German documents they shared.

Everything here is fictional content attached to real Hessian place names. The data is
plain and immutable so that the renderers, the manifest and the tests all read the same
source; the renderers never invent text of their own apart from running headers/footers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field

from .. import vocabulary_seed

# The vocabularies are the repository's seed, so a demo document names its type and licence
# exactly as the repository's pages do.
TOPICS = tuple(slug for slug, _de, _en in vocabulary_seed.TOPICS)
DOCUMENT_TYPES = {slug: label_de for slug, label_de, _en in vocabulary_seed.DOCUMENT_TYPES}
SIZE_CLASSES = tuple(slug for slug, *_labels_and_range in vocabulary_seed.SIZE_CLASSES)
LICENSES = {slug: label_de for slug, label_de, *_details in vocabulary_seed.LICENSES}


def size_class_for_population(population: int) -> str:
    """Return the slug of the seed's size class whose population range holds this town."""
    return next(
        slug for slug, _de, _en, low, high in vocabulary_seed.SIZE_CLASSES
        if low is not None and population >= low and (high is None or population < high)
    )


# --- content blocks -------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Relative column widths; None lets the renderer share the width equally.
    widths: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"table row {row!r} does not match header {self.header!r}")


Block = Heading | Paragraph | BulletList | Table


def H(text: str) -> Heading:
    return Heading(text, 1)


def H2(text: str) -> Heading:
    return Heading(text, 2)


def P(text: str) -> Paragraph:
    return Paragraph(" ".join(text.split()))


def L(*items: str) -> BulletList:
    return BulletList(tuple(" ".join(item.split()) for item in items))


def T(header: tuple[str, ...], *rows: tuple[str, ...], widths: tuple[int, ...] | None = None) -> Table:
    return Table(tuple(header), tuple(tuple(row) for row in rows), widths)


# --- who shared what ------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    name: str
    # None for districts and associations, whose size class an editor sets.
    population: int | None
    size_class: str
    state: str
    district: str
    # Role used as document author, e.g. in DOCX core properties.
    author: str

    @property
    def size_class_derived(self) -> bool:
        """True when the size class follows from the population (towns, not districts)."""
        return self.size_class not in ("landkreis", "verbund-region")


@dataclass(frozen=True)
class Project:
    name: str
    municipality: Municipality
    year: int
    contact: str


@dataclass(frozen=True)
class DemoDocument:
    filename: str
    title: str
    description: str
    topics: tuple[str, ...]
    doc_type: str
    project: Project
    date: datetime.date
    license: str
    body: tuple[Block, ...]
    # "report" flows the blocks; "slides" starts a landscape page at every top heading.
    layout: str = "report"
    # An image-only scan: the PDF gets drawn shapes and no text layer at all.
    scan: bool = False
    keywords: tuple[str, ...] = field(default=())

    @property
    def format(self) -> str:
        return self.filename.rsplit(".", 1)[1].lower()

    @property
    def municipality(self) -> Municipality:
        return self.project.municipality

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def type_label(self) -> str:
        return DOCUMENT_TYPES[self.doc_type]

    @property
    def license_label(self) -> str:
        return LICENSES[self.license]


def _town(name: str, population: int, district: str, author: str) -> Municipality:
    return Municipality(name, population, size_class_for_population(population), "Hessen", district, author)


MUECKE = _town("Gemeinde Mücke", 9_183, "Vogelsbergkreis", "Digitalisierungsbeauftragte der Gemeinde")
FELDATAL = _town("Gemeinde Feldatal", 2_297, "Vogelsbergkreis", "Bauamt")
HOHENRODA = _town("Gemeinde Hohenroda", 3_154, "Landkreis Hersfeld-Rotenburg", "Hauptamt")
ALSFELD = _town("Stadt Alsfeld", 16_042, "Vogelsbergkreis", "Stadtbauamt, Sachgebiet Tiefbau")
SCHLITZ = _town("Stadt Schlitz", 9_841, "Vogelsbergkreis", "Ordnungsamt")
FULDA = _town("Stadt Fulda", 70_451, "Landkreis Fulda", "Stabsstelle Digitalisierung")
BAD_HERSFELD = _town("Stadt Bad Hersfeld", 30_217, "Landkreis Hersfeld-Rotenburg", "Fachdienst Kinderbetreuung")
GIESSEN = _town("Stadt Gießen", 91_803, "Landkreis Gießen", "Amt für Wirtschaftsförderung")
KASSEL = _town("Stadt Kassel", 204_202, "kreisfreie Stadt", "Vermessung und Geoinformation")
DARMSTADT = _town("Wissenschaftsstadt Darmstadt", 162_243, "kreisfreie Stadt", "Mobilitätsamt")
LK_GIESSEN = Municipality(
    "Landkreis Gießen", 271_644, "landkreis", "Hessen", "", "Stabsstelle Digitalisierung"
)
VOGELSBERG = Municipality(
    "Vogelsbergkreis", None, "landkreis", "Hessen", "", "Wirtschafts- und Tourismusförderung"
)
IKZ_FULDATAL = Municipality(
    "Interkommunale Zusammenarbeit Mittleres Fuldatal",
    None,
    "verbund-region",
    "Hessen",
    "Landkreis Hersfeld-Rotenburg",
    "Geschäftsstelle der IKZ",
)

MUNICIPALITIES = (
    MUECKE,
    FELDATAL,
    HOHENRODA,
    ALSFELD,
    SCHLITZ,
    FULDA,
    BAD_HERSFELD,
    GIESSEN,
    KASSEL,
    DARMSTADT,
    LK_GIESSEN,
    VOGELSBERG,
    IKZ_FULDATAL,
)

P_LORAWAN = Project(
    "Smartes Dorf Mücke – LoRaWAN für alle Ortsteile",
    MUECKE,
    2023,
    "Digitalisierungsbeauftragte, digital@muecke.example",
)
P_DATEN_FULDA = Project(
    "Datenstrategie und Open Data Fulda",
    FULDA,
    2024,
    "Stabsstelle Digitalisierung, opendata@fulda.example",
)
P_KITA = Project(
    "Kita-App Bad Hersfeld",
    BAD_HERSFELD,
    2022,
    "Fachdienst Kinderbetreuung, kita-digital@bad-hersfeld.example",
)
P_MODELLREGION = Project(
    "Smarte Modellregion Mittleres Fuldatal",
    IKZ_FULDATAL,
    2025,
    "Geschäftsstelle IKZ, smart@mittleres-fuldatal.example",
)
P_STRATEGIE_LKG = Project(
    "Digitalisierungsstrategie Landkreis Gießen 2030",
    LK_GIESSEN,
    2022,
    "Stabsstelle Digitalisierung, digitalisierung@lkgi.example",
)
P_PARKEN = Project(
    "Sensorbasiertes Parkraummanagement Darmstadt",
    DARMSTADT,
    2023,
    "Mobilitätsamt, Team Verkehrsdaten, verkehrsdaten@darmstadt.example",
)
P_HOCHWASSER = Project(
    "Hochwasser-Frühwarnsystem Schlitzerland",
    SCHLITZ,
    2024,
    "Ordnungsamt – Brand- und Katastrophenschutz, ordnungsamt@schlitz.example",
)
P_LICHT = Project(
    "Smarte Straßenbeleuchtung Alsfeld",
    ALSFELD,
    2023,
    "Stadtbauamt, Sachgebiet Tiefbau, tiefbau@alsfeld.example",
)
P_ZWILLING = Project(
    "Digitaler Zwilling Kassel",
    KASSEL,
    2025,
    "Vermessung und Geoinformation, zwilling@kassel.example",
)
P_INNENSTADT = Project(
    "Innenstadt-Lab Gießen",
    GIESSEN,
    2024,
    "Amt für Wirtschaftsförderung, Citymanagement, innenstadt@giessen.example",
)
P_TOURISMUS = Project(
    "Vogelsberg erleben – die Tourismus-App",
    VOGELSBERG,
    2022,
    "Wirtschafts- und Tourismusförderung, tourismus@vogelsbergkreis.example",
)
P_WAERME = Project(
    "Kommunale Wärmeplanung Feldatal",
    FELDATAL,
    2026,
    "Bauamt, Klimaschutzmanagement, klima@feldatal.example",
)
P_RATHAUS = Project(
    "Digitales Rathaus Hohenroda",
    HOHENRODA,
    2020,
    "Hauptamt, E-Government, rathaus@hohenroda.example",
)

# --- the documents --------------------------------------------------------------------

_DOCUMENTS: list[DemoDocument] = []


def _add(**kwargs: object) -> None:
    _DOCUMENTS.append(DemoDocument(**kwargs))  # type: ignore[arg-type]

# Smartes Dorf Mücke -------------------------------------------------------------------

_add(
    filename="Leistungsbeschreibung_LoRaWAN-Netz_Mücke.docx",
    title="Leistungsbeschreibung: Aufbau und Betrieb eines kommunalen LoRaWAN-Netzes",
    description=(
        "Vergabeunterlage für Lieferung, Montage und fünfjährigen Betrieb von zwölf Gateways "
        "samt Netzwerkserver, mit Mindestanforderungen, Leistungsverzeichnis und "
        "Zuschlagskriterien. Für Ausschreibungen kleiner Gemeinden leicht anpassbar."
    ),
    topics=("infrastruktur-netze-iot",),
    doc_type="leistungsbeschreibung-ausschreibung",
    project=P_LORAWAN,
    date=datetime.date(2022, 4, 11),
    license="cc-by-4.0",
    keywords=("LoRaWAN", "Ausschreibung", "Gateway", "Funknetz", "UVgO"),
    body=(
        H("1. Gegenstand der Ausschreibung"),
        P("""Die Gemeinde Mücke beabsichtigt, in allen elf Ortsteilen ein flächendeckendes
        Funknetz nach dem LoRaWAN-Standard aufzubauen. Das Netz soll kommunale Sensoren – etwa
        Füllstandsmelder an Altglascontainern, Pegelsonden an Bächen, Bodenfeuchtesensoren im
        Bauhof und Zähler in Liegenschaften – zuverlässig und energiesparend anbinden. Vergeben
        werden Lieferung, Montage, Inbetriebnahme und der Betrieb des Netzes für fünf Jahre mit
        Option auf zweimalige Verlängerung um jeweils ein Jahr."""),
        P("""Die Vergabe erfolgt als Verhandlungsvergabe mit Teilnahmewettbewerb nach der
        Unterschwellenvergabeordnung (UVgO). Bieterfragen sind bis zehn Kalendertage vor Ablauf
        der Angebotsfrist ausschließlich über die Vergabeplattform zu stellen."""),
        H("2. Ausgangslage"),
        P("""Die Gemeindegröße von rund 9.200 Einwohnerinnen und Einwohnern verteilt sich auf
        eine Fläche von 88 Quadratkilometern. Die Topografie des Vogelsbergs mit Höhenlagen
        zwischen 250 und 420 Metern erschwert die Funkversorgung. Gemeindeeigene Standorte mit
        Stromanschluss stehen zur Verfügung: Rathaus Nieder-Ohmen, Feuerwehrhäuser,
        Dorfgemeinschaftshäuser, der Hochbehälter Merlau sowie der Wasserturm Atzenhain."""),
        H("3. Leistungsumfang"),
        H2("3.1 Lieferung und Montage"),
        L(
            "Lieferung von mindestens zwölf Outdoor-Gateways (IP67) mit LTE-Rückfallebene",
            "Montage an den genannten Standorten einschließlich Blitzschutz und Überspannungsschutz",
            "Funkplanung mit Ausleuchtungsberechnung und Messfahrt nach Inbetriebnahme",
            "Dokumentation aller Standorte mit Fotos, Koordinaten und Antennenhöhe",
        ),
        H2("3.2 Betrieb"),
        P("""Der Auftragnehmer betreibt einen mandantenfähigen Netzwerkserver in einem
        Rechenzentrum innerhalb der Europäischen Union. Die Gemeinde erhält einen eigenen
        Mandanten mit vollem Zugriff auf Geräte, Schlüssel und Rohdaten. Eine offene
        Schnittstelle (MQTT und HTTP) zur Weitergabe der Messwerte an die kommunale
        Datenplattform ist Pflicht. Störungen werden werktags innerhalb von vier Stunden
        bearbeitet."""),
        H("4. Leistungsverzeichnis"),
        T(
            ("Pos.", "Leistung", "Menge", "Einheit"),
            ("1.1", "Outdoor-Gateway LoRaWAN, 8 Kanäle, LTE-Backhaul", "12", "Stück"),
            ("1.2", "Montage inkl. Mast, Kabel und Überspannungsschutz", "12", "Stück"),
            ("1.3", "Funkplanung und Messfahrt", "1", "pauschal"),
            ("2.1", "Netzwerkserver als Dienst, Mandant Gemeinde", "60", "Monate"),
            ("2.2", "Wartung, Firmware-Updates und Störungsbehebung", "60", "Monate"),
            ("3.1", "Schulung der Beschäftigten des Bauhofs", "2", "Tage"),
            widths=(8, 56, 12, 14),
        ),
        H("5. Mindestanforderungen"),
        L(
            "Konformität mit LoRaWAN-Spezifikation 1.0.3 oder höher, Regionalparameter EU868",
            "Keine Herstellerbindung: Gateways müssen mit mindestens zwei Netzwerkservern arbeiten",
            "Datenhaltung und Support ausschließlich in der EU; Auftragsverarbeitung nach Art. 28 DSGVO",
            "Übergabe aller Konfigurationen und Schlüssel bei Vertragsende ohne Zusatzkosten",
        ),
        H("6. Zuschlagskriterien"),
        T(
            ("Kriterium", "Gewichtung"),
            ("Preis (Gesamtkosten über fünf Jahre)", "40 %"),
            ("Qualität des Betriebskonzepts", "30 %"),
            ("Funkplanung und erreichte Flächenabdeckung", "20 %"),
            ("Referenzen vergleichbarer Kommunen", "10 %"),
            widths=(70, 20),
        ),
        P("""Angebote sind bis zum 20.05.2022, 12:00 Uhr, elektronisch einzureichen. Die
        Bindefrist endet am 30.06.2022. Rückfragen beantwortet die Digitalisierungsbeauftragte
        der Gemeinde Mücke."""),
    ),
)

_add(
    filename="Betriebskonzept_LoRaWAN_Ortsteile.pdf",
    title="Betriebskonzept für das LoRaWAN-Netz der Gemeinde",
    description=(
        "Regelt Rollen, Sensor-Aufnahme, Wartung und Kosten des gemeindeeigenen Funknetzes "
        "nach dem ersten Betriebsjahr – mit Erfahrungswerten zu Reichweite und Batterielaufzeit."
    ),
    topics=("infrastruktur-netze-iot", "daten-plattformen"),
    doc_type="konzept-strategie",
    project=P_LORAWAN,
    date=datetime.date(2023, 2, 6),
    license="cc-by-4.0",
    keywords=("LoRaWAN", "Betrieb", "Sensorik", "Bauhof"),
    body=(
        H("1. Zweck dieses Konzepts"),
        P("""Seit Herbst 2022 betreibt die Gemeinde ein eigenes LoRaWAN-Netz mit zwölf
        Gateways. Das Betriebskonzept legt fest, wer neue Sensoren beantragt, wer sie in das
        Netz aufnimmt, wie Störungen gemeldet werden und wie die laufenden Kosten verteilt
        werden. Es richtet sich an die Fachbereiche der Verwaltung, den Bauhof, die Feuerwehr
        und an Vereine, die das Netz mitnutzen möchten."""),
        H("2. Rollen und Verantwortlichkeiten"),
        T(
            ("Rolle", "Aufgaben", "Besetzung"),
            ("Netzverantwortliche", "Freigabe neuer Anwendungsfälle, Budget, Berichte an den Gemeindevorstand", "Digitalisierungsbeauftragte"),
            ("Geräteverwaltung", "Anlegen von Sensoren, Schlüsselverwaltung, Dokumentation", "IT-Administration"),
            ("Technischer Außendienst", "Montage, Batteriewechsel, Sichtprüfung der Gateways", "Bauhof"),
            ("Betreiber", "Netzwerkserver, Updates, Störungsbehebung", "Dienstleister laut Vertrag"),
            widths=(25, 50, 25),
        ),
        H("3. Aufnahme neuer Sensoren"),
        P("""Jeder neue Anwendungsfall wird mit einem einseitigen Steckbrief beantragt: Zweck,
        Messgröße, Messintervall, Standort, Verantwortliche Person und ob personenbezogene
        Daten entstehen können. Sensoren, die Bewegungen von Personen erfassen, bedürfen
        zusätzlich der Prüfung durch den Datenschutzbeauftragten. Erst nach Freigabe werden
        die Geräteschlüssel erzeugt; Sensoren mit werkseitig voreingestellten Schlüsseln werden
        nicht zugelassen."""),
        H("4. Erfahrungen aus dem ersten Betriebsjahr"),
        P("""Die Funkplanung hat sich bewährt: 96 Prozent der bebauten Fläche sind mit
        ausreichender Signalqualität versorgt. Schwächen zeigen sich in Tallagen entlang der
        Ohm und in Kellerräumen. Für Wasserzähler in Kellern wurde deshalb ein zusätzlicher
        Indoor-Gateway im Gemeindezentrum installiert."""),
        T(
            ("Anwendung", "Anzahl Sensoren", "Messintervall", "Batterielaufzeit (Prognose)"),
            ("Füllstand Altglascontainer", "24", "2 Stunden", "6 Jahre"),
            ("Pegel Ohm und Seenbach", "5", "15 Minuten", "3 Jahre"),
            ("Bodenfeuchte Grünflächen", "18", "1 Stunde", "5 Jahre"),
            ("Raumklima Kindertagesstätten", "31", "10 Minuten", "4 Jahre"),
            widths=(35, 20, 20, 25),
        ),
        H("5. Wartung und Störungen"),
        L(
            "Sichtprüfung aller Gateways zweimal jährlich durch den Bauhof",
            "Automatische Alarmierung, wenn ein Gateway länger als 30 Minuten keine Verbindung hat",
            "Batteriewechsel gesammelt im Frühjahr, Altbatterien über den Wertstoffhof",
            "Störungsmeldungen über das zentrale Ticketsystem der Verwaltung",
        ),
        H("6. Kosten und Verrechnung"),
        P("""Die jährlichen Betriebskosten von rund 9.800 € trägt der Haushalt der
        Zentralen Dienste. Fachbereiche zahlen für eigene Sensoren nur die Geräte; Vereine
        können das Netz für gemeinnützige Zwecke kostenfrei nutzen, wenn sie die Messdaten als
        offene Daten bereitstellen. Die Maßnahmen dieses Konzepts werden jährlich überprüft
        und dem Gemeindevorstand berichtet."""),
    ),
)

_add(
    filename="Muster-Dienstleistungsvertrag_Netzbetrieb_IoT.docx",
    title="Muster-Dienstleistungsvertrag für den Betrieb eines IoT-Funknetzes",
    description=(
        "Vertragsvorlage zwischen Kommune und Netzbetreiber: Leistungen, Verfügbarkeit, "
        "Vergütung, Exit-Regelung und Datenhoheit. Entstanden aus der LoRaWAN-Vergabe, "
        "frei nachnutzbar und ohne Namensnennung verwendbar."
    ),
    topics=("infrastruktur-netze-iot", "verwaltung-e-government"),
    doc_type="vertrag-vereinbarung",
    project=P_LORAWAN,
    date=datetime.date(2022, 7, 1),
    license="cc0-1.0",
    keywords=("Dienstleistungsvertrag", "Muster", "SLA", "Exit"),
    body=(
        P("""Zwischen der Gemeinde [Name], vertreten durch den Bürgermeister, – nachfolgend
        „Auftraggeberin“ – und [Firma, Anschrift], vertreten durch [Name] – nachfolgend
        „Auftragnehmer“ – wird folgender Vertrag geschlossen."""),
        H("§ 1 Vertragsgegenstand"),
        P("""Der Auftragnehmer betreibt für die Auftraggeberin ein Funknetz nach dem
        LoRaWAN-Standard einschließlich Netzwerkserver, Gateways und Schnittstellen. Grundlage
        sind die Leistungsbeschreibung vom [Datum] und das Angebot des Auftragnehmers vom
        [Datum], die Bestandteile dieses Vertrags sind. Bei Widersprüchen gilt zuerst dieser
        Vertrag, dann die Leistungsbeschreibung, dann das Angebot."""),
        H("§ 2 Leistungen des Auftragnehmers"),
        L(
            "Betrieb des Netzwerkservers mit einer Verfügbarkeit von 99,5 % im Jahresmittel",
            "Überwachung der Gateways rund um die Uhr und Benachrichtigung der Auftraggeberin bei Ausfällen",
            "Einspielen von Sicherheitsupdates innerhalb von 14 Tagen nach Veröffentlichung",
            "Quartalsbericht mit Verfügbarkeit, Paketverlusten und Störungen",
        ),
        H("§ 3 Service-Level"),
        T(
            ("Priorität", "Beispiel", "Reaktionszeit", "Behebungszeit"),
            ("1 – kritisch", "Netzwerkserver nicht erreichbar", "1 Stunde", "8 Stunden"),
            ("2 – hoch", "mehr als zwei Gateways ausgefallen", "4 Stunden", "2 Werktage"),
            ("3 – normal", "einzelnes Gateway gestört", "1 Werktag", "5 Werktage"),
            widths=(18, 40, 18, 18),
        ),
        P("""Für jede angefangene Stunde Überschreitung der Behebungszeit in Priorität 1
        mindert sich die monatliche Vergütung um 2 %, höchstens um 20 % je Monat."""),
        H("§ 4 Vergütung"),
        P("""Die monatliche Pauschale beträgt [Betrag] € zuzüglich gesetzlicher
        Umsatzsteuer. Sie ist jeweils zum 15. des Folgemonats fällig. Preisanpassungen sind
        frühestens nach 24 Monaten und höchstens in Höhe der Veränderung des
        Verbraucherpreisindex zulässig."""),
        H("§ 5 Daten und Datenhoheit"),
        P("""Alle Messdaten, Gerätekonfigurationen und kryptografischen Schlüssel stehen
        ausschließlich der Auftraggeberin zu. Der Auftragnehmer darf sie nur zur
        Vertragserfüllung verarbeiten. Soweit personenbezogene Daten betroffen sind, schließen
        die Parteien einen Vertrag zur Auftragsverarbeitung nach Art. 28 DSGVO."""),
        H("§ 6 Laufzeit, Kündigung und Exit"),
        P("""Der Vertrag läuft fünf Jahre ab Abnahme. Er verlängert sich zweimal um ein Jahr,
        wenn keine Partei sechs Monate vor Ablauf kündigt. Bei Vertragsende übergibt der
        Auftragnehmer innerhalb von 30 Tagen alle Daten in offenen Formaten und unterstützt den
        Wechsel zu einem neuen Betreiber mit bis zu fünf Personentagen ohne zusätzliche
        Vergütung."""),
        H("§ 7 Schlussbestimmungen"),
        P("""Änderungen bedürfen der Textform. Gerichtsstand ist der Sitz der
        Auftraggeberin. Sollte eine Bestimmung unwirksam sein, bleibt der Vertrag im Übrigen
        wirksam."""),
        P("Ort, Datum, Unterschriften beider Parteien"),
    ),
)

# Datenstrategie und Open Data Fulda -------------------------------------------------------

_add(
    filename="Datenstrategie_Stadt_Fulda_2024.pdf",
    title="Datenstrategie der Stadt Fulda 2024–2028",
    description=(
        "Leitbild, Handlungsfelder und Maßnahmenplan für einen verantwortungsvollen Umgang "
        "mit kommunalen Daten: Datenkompetenz, Open Data, urbane Datenplattform und Governance."
    ),
    topics=("daten-plattformen", "strategie-organisation"),
    doc_type="konzept-strategie",
    project=P_DATEN_FULDA,
    date=datetime.date(2024, 3, 18),
    license="dl-de-by-2.0",
    keywords=("Datenstrategie", "Open Data", "Data Governance", "Datenplattform"),
    body=(
        H("1. Warum eine Datenstrategie?"),
        P("""Die Stadtverwaltung erzeugt täglich Daten: Bewohnerzahlen, Baustellen,
        Parkplatzbelegung, Energieverbräuche städtischer Gebäude, Haltestellen, Baumkataster.
        Bislang liegen sie verstreut in Fachverfahren und Tabellen. Diese Datenstrategie
        beschreibt, wie die Stadt Fulda Daten als gemeinsames Gut behandelt, sie besser für
        Entscheidungen nutzt und – wo möglich – als offene Daten für Bürgerinnen und Bürger,
        Wissenschaft und Wirtschaft bereitstellt."""),
        H("2. Bestandsaufnahme"),
        P("""Im Herbst 2023 hat die Stabsstelle Digitalisierung in Interviews mit allen
        Ämtern erhoben, welche Daten vorhanden sind, wo sie liegen und wer sie nutzt. Das
        Ergebnis zeigt ein typisches Bild: Viele wertvolle Daten sind vorhanden, aber kaum
        beschrieben, selten verknüpft und fast nie für Dritte nutzbar. Mehr als die Hälfte
        der Datenbestände wird in Tabellen gepflegt, die nur einzelne Beschäftigte kennen.
        Doppelte Erhebungen – etwa von Adressen städtischer Gebäude – kosten Zeit und führen
        zu widersprüchlichen Angaben."""),
        T(
            ("Bereich", "erfasste Datenbestände", "davon maschinenlesbar", "davon bereits offen"),
            ("Stadtplanung und Geodaten", "41", "36", "9"),
            ("Mobilität und Verkehr", "18", "12", "3"),
            ("Umwelt, Grün und Klima", "23", "15", "4"),
            ("Finanzen und Haushalt", "9", "6", "1"),
            ("Soziales, Bildung, Kultur", "27", "11", "0"),
            ("Summe", "118", "80", "17"),
            widths=(34, 22, 22, 22),
        ),
        P("""In den Interviews wurden drei Hemmnisse am häufigsten genannt: Unsicherheit,
        welche Daten veröffentlicht werden dürfen, fehlende Zeit für die Aufbereitung und
        Fachverfahren ohne Exportfunktion. Die Strategie setzt an allen drei Punkten an."""),
        H("3. Leitbild"),
        L(
            "Daten dienen dem Gemeinwohl und werden nicht zum Selbstzweck gesammelt.",
            "Offen, wo möglich – geschützt, wo nötig: personenbezogene Daten bleiben tabu.",
            "Daten werden einmal erhoben und mehrfach genutzt (Once-Only-Prinzip).",
            "Die Stadt behält die Hoheit über ihre Daten, auch bei externen Dienstleistern.",
        ),
        H("4. Handlungsfelder"),
        H2("4.1 Data Governance"),
        P("""Für jeden Datenbestand wird eine Datenverantwortliche Person benannt, die
        Qualität, Aktualität und Freigabe verantwortet. Ein Datenkatalog verzeichnet alle
        Bestände mit Beschreibung, Lizenz und Ansprechperson. Eine Datenrunde aus Vertretungen
        der Ämter tagt vierteljährlich und entscheidet über Standards."""),
        H2("4.2 Urbane Datenplattform"),
        P("""Sensordaten, Geodaten und Fachdaten werden auf einer offenen, standardbasierten
        Plattform zusammengeführt. Sie stellt Schnittstellen nach OGC-Standards bereit und
        speist das Open-Data-Portal sowie interne Dashboards, etwa zur Belegung der Parkhäuser
        oder zum Energieverbrauch der Schulen."""),
        H2("4.3 Datenkompetenz"),
        P("""Beschäftigte erhalten ein Fortbildungsangebot in drei Stufen – von der
        Grundschulung „Daten im Arbeitsalltag“ bis zur Qualifizierung als Data Steward. Ziel
        ist, dass jedes Amt mindestens eine geschulte Person hat."""),
        H2("4.4 Offene Daten und Beteiligung"),
        P("""Offene Daten werden unter der Datenlizenz Deutschland veröffentlicht. Die Stadt
        lädt die Zivilgesellschaft zu jährlichen Open-Data-Tagen ein und nimmt Wünsche nach
        neuen Datensätzen über ein Formular auf dem Portal entgegen."""),
        H("5. Maßnahmenplan"),
        T(
            ("Nr.", "Maßnahme", "Verantwortlich", "Zeitraum"),
            ("M1", "Datenkatalog mit allen Fachverfahren aufbauen", "Stabsstelle Digitalisierung", "2024"),
            ("M2", "Beitritt zum Open-Data-Portal Hessen", "Hauptamt", "2024"),
            ("M3", "Urbane Datenplattform ausschreiben und einführen", "Amt für IT", "2024–2025"),
            ("M4", "Qualifizierung von zwölf Data Stewards", "Personalamt", "2025"),
            ("M5", "Dashboard Energieverbrauch städtischer Gebäude", "Gebäudemanagement", "2025"),
            ("M6", "Evaluation und Fortschreibung der Datenstrategie", "Stabsstelle Digitalisierung", "2028"),
            widths=(8, 47, 28, 15),
        ),
        H("6. Datenethik und Datenschutz"),
        P("""Die Stadt nutzt Daten nicht, um Einzelne zu überwachen oder zu bewerten.
        Algorithmische Verfahren, die Entscheidungen über Bürgerinnen und Bürger vorbereiten,
        werden vor der Einführung auf Diskriminierungsrisiken geprüft und im Datenkatalog
        beschrieben. Sensoren im öffentlichen Raum erfassen, wo immer möglich, keine
        personenbezogenen Daten; Zählungen von Personen oder Fahrzeugen erfolgen anonym. Der
        Datenschutzbeauftragte ist Mitglied der Datenrunde."""),
        H("7. Ressourcen"),
        P("""Für die Umsetzung stellt die Stadt zwei zusätzliche Stellen in der Stabsstelle
        Digitalisierung bereit – eine Datenkoordination und eine Stelle für die urbane
        Datenplattform. Für Plattform, Fortbildungen und Dienstleistungen sind von 2024 bis
        2028 insgesamt 1,4 Mio. € vorgesehen, davon 0,6 Mio. € aus Fördermitteln des Landes.
        Jedes Amt stellt für seine Data Stewards mindestens zehn Prozent der Arbeitszeit
        bereit."""),
        H("8. Erfolgsmessung"),
        P("""Der Fortschritt wird jährlich an wenigen Kennzahlen gemessen: Zahl der
        katalogisierten Datenbestände, Zahl der offenen Datensätze, Abrufe auf dem Portal,
        Anzahl geschulter Beschäftigter und umgesetzte Maßnahmen. Der Bericht wird der
        Stadtverordnetenversammlung vorgelegt und veröffentlicht."""),
    ),
)

_add(
    filename="Beschlussvorlage_Beitritt_Open-Data-Portal.docx",
    title="Beschlussvorlage: Beitritt zum Open-Data-Portal des Landes Hessen",
    description=(
        "Vorlage für die Stadtverordnetenversammlung mit Sachverhalt, Kosten, "
        "rechtlicher Bewertung und Beschlussvorschlag zur Veröffentlichung offener Verwaltungsdaten."
    ),
    topics=("daten-plattformen", "buergerbeteiligung-open-government"),
    doc_type="beschlussvorlage",
    project=P_DATEN_FULDA,
    date=datetime.date(2023, 9, 25),
    license="dl-de-zero-2.0",
    keywords=("Open Data", "Beschluss", "Stadtverordnetenversammlung", "Transparenz"),
    body=(
        T(
            ("Vorlage Nr.", "Federführung", "Beratungsfolge"),
            ("SV/2023/147", "Stabsstelle Digitalisierung", "Magistrat – Haupt- und Finanzausschuss – Stadtverordnetenversammlung"),
            widths=(20, 30, 50),
        ),
        H("Beschlussvorschlag"),
        P("""Die Stadtverordnetenversammlung beschließt den Beitritt der Stadt Fulda zum
        Open-Data-Portal des Landes Hessen. Der Magistrat wird beauftragt, geeignete
        Datensätze der Stadtverwaltung schrittweise unter der Datenlizenz Deutschland –
        Zero 2.0 oder Namensnennung 2.0 zu veröffentlichen und jährlich über den Stand zu
        berichten."""),
        H("Sachverhalt"),
        P("""Offene Verwaltungsdaten schaffen Transparenz, erleichtern die Arbeit von
        Wissenschaft, Presse und Unternehmen und fördern die Bürgerbeteiligung. Das Land
        Hessen betreibt ein Open-Data-Portal, dem Kommunen kostenfrei beitreten können. Die
        Stadt vermeidet damit den Aufbau und Betrieb eines eigenen Portals. Mehrere hessische
        Städte veröffentlichen dort bereits Haushaltsdaten, Wahlergebnisse, Standorte von
        Ladesäulen und Baumkataster."""),
        P("""Die Datenstrategie der Stadt sieht den Beitritt als Maßnahme M2 vor. Für die erste
        Stufe sind folgende Datensätze vorgesehen:"""),
        T(
            ("Datensatz", "Fachbereich", "Aktualisierung"),
            ("Haushaltsplan und Jahresabschluss", "Kämmerei", "jährlich"),
            ("Wahlergebnisse nach Wahlbezirken", "Wahlamt", "nach jeder Wahl"),
            ("Standorte öffentlicher Toiletten und Trinkbrunnen", "Tiefbauamt", "halbjährlich"),
            ("Baumkataster", "Grünflächenamt", "monatlich"),
            ("Belegung der Parkhäuser (Echtzeit)", "Stadtwerke", "minütlich"),
            widths=(45, 30, 25),
        ),
        H("Rechtliche Bewertung"),
        P("""Veröffentlicht werden ausschließlich Daten ohne Personenbezug. Der
        Datenschutzbeauftragte der Stadt prüft jeden Datensatz vor der ersten
        Veröffentlichung. Urheberrechte Dritter, etwa an Luftbildern, werden vorab geklärt.
        Eine Pflicht zur Veröffentlichung entsteht durch den Beitritt nicht."""),
        H("Finanzielle Auswirkungen"),
        P("""Der Beitritt ist kostenfrei. Für die Aufbereitung der Daten entsteht
        Personalaufwand von geschätzt 0,25 Vollzeitstellen im ersten Jahr, der aus dem
        vorhandenen Stellenplan der Stabsstelle Digitalisierung gedeckt wird. Mittel für
        Fortbildungen sind im Haushalt 2024 bereits veranschlagt."""),
        H("Alternativen"),
        P("""Die Stadt könnte ein eigenes Portal betreiben. Das verursacht nach Angeboten
        vergleichbarer Städte Einrichtungskosten von rund 25.000 € und laufende Kosten von
        etwa 6.000 € im Jahr, ohne dass die Daten leichter auffindbar wären. Ein Verzicht auf
        offene Daten widerspräche der beschlossenen Digitalisierungsstrategie und den
        Erwartungen aus der Bürgerbeteiligung zum Stadtentwicklungskonzept, in der mehr
        Transparenz über städtische Planungen gefordert wurde."""),
        H("Auswirkungen auf Klima und Gleichstellung"),
        P("""Keine unmittelbaren Auswirkungen. Offene Daten können mittelbar Maßnahmen des
        Klimaschutzes unterstützen, etwa durch frei verfügbare Energieverbrauchsdaten."""),
        P("Fulda, den 25.09.2023 – Der Magistrat der Stadt Fulda"),
    ),
)

_add(
    filename="Beschluss_Datenstrategie_unterschrieben_Scan.pdf",
    title="Beschluss der Stadtverordnetenversammlung zur Datenstrategie (unterschriebener Scan)",
    description=(
        "Eingescannter, unterschriebener Auszug aus dem Beschlussbuch zur Datenstrategie. "
        "Bildscan ohne Textebene – zeigt, wie die Toolbox ihn per Texterkennung (OCR) durchsuchbar macht."
    ),
    topics=("strategie-organisation", "daten-plattformen"),
    doc_type="beschlussvorlage",
    project=P_DATEN_FULDA,
    date=datetime.date(2024, 4, 25),
    license="nach-ruecksprache",
    keywords=("Beschluss", "Scan", "Datenstrategie"),
    body=(
        H("Auszug aus dem Beschlussbuch der Stadtverordnetenversammlung"),
        P("""Sitzung vom 25. April 2024, Tagesordnungspunkt 7: Datenstrategie der Stadt Fulda.
        Die Stadtverordnetenversammlung beschließt die vom Magistrat vorgelegte Datenstrategie
        einschließlich des Maßnahmenplans für die Jahre 2024 bis 2027."""),
        P("""Der Magistrat wird beauftragt, ein Datenkompetenzzentrum einzurichten, einen
        Metadatenkatalog für alle städtischen Fachverfahren aufzubauen und jährlich über den
        Umsetzungsstand zu berichten. Die Haushaltsmittel werden im Rahmen der Fortschreibung
        bereitgestellt."""),
        T(("Abstimmung", "Stimmen"), ("Ja-Stimmen", "41"), ("Nein-Stimmen", "6"),
          ("Enthaltungen", "2")),
        P("Für die Richtigkeit des Auszugs: Fulda, den 29. April 2024 – Schriftführung"),
    ),
    scan=True,
)

# Kita-App Bad Hersfeld -------------------------------------------------------------------

_add(
    filename="DSFA_Kita-App_Bad_Hersfeld.pdf",
    title="Datenschutz-Folgenabschätzung für die Kita-App",
    description=(
        "DSFA nach Art. 35 DSGVO für eine App zur Kommunikation zwischen Kindertagesstätten "
        "und Eltern: Beschreibung der Verarbeitung, Notwendigkeit, Risikobewertung und "
        "Abhilfemaßnahmen, abgestimmt mit dem Datenschutzbeauftragten."
    ),
    topics=("bildung-schule", "verwaltung-e-government"),
    doc_type="datenschutz",
    project=P_KITA,
    date=datetime.date(2022, 5, 16),
    license="cc-by-sa-4.0",
    keywords=("DSFA", "Datenschutz-Folgenabschätzung", "Kita", "DSGVO", "Eltern-App"),
    body=(
        H("1. Anlass und Umfang"),
        P("""Die Stadt Bad Hersfeld führt in ihren neun städtischen Kindertagesstätten eine
        App ein, über die Eltern Krankmeldungen abgeben, Nachrichten der Einrichtung erhalten,
        Termine einsehen und Abholberechtigungen hinterlegen. Da personenbezogene Daten von
        Kindern – einer besonders schutzbedürftigen Gruppe – in großem Umfang verarbeitet
        werden und Gesundheitsangaben vorkommen können, ist nach Art. 35 DSGVO und der
        Muss-Liste der Aufsichtsbehörden eine Datenschutz-Folgenabschätzung erforderlich."""),
        H("2. Systematische Beschreibung der Verarbeitung"),
        T(
            ("Merkmal", "Beschreibung"),
            ("Betroffene", "rund 620 Kinder, etwa 1.100 Sorgeberechtigte, 140 Beschäftigte"),
            ("Datenkategorien", "Name, Geburtsdatum, Gruppe, Kontaktdaten, Abholberechtigte, Abwesenheiten, Nachrichten"),
            ("Besondere Kategorien", "Allergien und Unverträglichkeiten (freiwillig, nur für Verpflegung)"),
            ("Empfänger", "Leitung und Fachkräfte der jeweiligen Kita; Auftragsverarbeiter (App-Anbieter)"),
            ("Speicherort", "Rechenzentrum in Frankfurt am Main, zertifiziert nach ISO 27001"),
            ("Löschfrist", "sechs Monate nach Ende des Betreuungsvertrags"),
            widths=(25, 75),
        ),
        H("3. Notwendigkeit und Verhältnismäßigkeit"),
        P("""Zweck der Verarbeitung ist die schnelle und verlässliche Kommunikation zwischen
        Einrichtung und Familien. Bisher wurden Zettel, Aushänge und private Messenger genutzt;
        Letztere sind aus Sicht des Datenschutzes nicht zulässig. Die App ersetzt diese Wege.
        Eltern können weiterhin analog kommunizieren; die Nutzung der App ist freiwillig.
        Fotos von Kindern werden in der App ausdrücklich nicht geteilt, um das Risiko einer
        unkontrollierten Weiterverbreitung auszuschließen."""),
        H("4. Risikobewertung"),
        T(
            ("Nr.", "Risiko", "Eintritt", "Schwere", "Maßnahme"),
            ("R1", "Unbefugter Zugriff auf Kinderdaten durch schwache Passwörter", "mittel", "hoch", "Zwei-Faktor-Anmeldung für Beschäftigte, Passwortregeln"),
            ("R2", "Falsche Zuordnung von Nachrichten an andere Eltern", "gering", "mittel", "Versand nur an Gruppen, Vier-Augen-Prinzip bei Rundschreiben"),
            ("R3", "Weitergabe von Gesundheitsdaten an Dritte", "gering", "hoch", "Verschlüsselung, AV-Vertrag, keine Weitergabe an Werbepartner"),
            ("R4", "Übermittlung in Drittländer durch Unterauftragnehmer", "gering", "hoch", "vertraglicher Ausschluss, Hosting ausschließlich in der EU"),
            ("R5", "Fehlende Löschung nach Ende der Betreuung", "mittel", "mittel", "automatische Löschroutine, jährliche Kontrolle"),
            widths=(6, 34, 12, 12, 36),
        ),
        H("5. Abhilfemaßnahmen"),
        L(
            "Ende-zu-Ende-Verschlüsselung der Nachrichten und Verschlüsselung der Datenbank",
            "Rollen- und Rechtekonzept: Fachkräfte sehen nur ihre eigene Gruppe",
            "Protokollierung aller Zugriffe der Administration mit Aufbewahrung für zwölf Monate",
            "Schulung aller Beschäftigten vor Freischaltung ihres Zugangs",
            "Jährlicher Nachweis des Anbieters über technische und organisatorische Maßnahmen",
        ),
        H("6. Ergebnis"),
        P("""Nach Umsetzung der Maßnahmen wird das verbleibende Risiko als gering bewertet.
        Eine vorherige Konsultation der Aufsichtsbehörde nach Art. 36 DSGVO ist nicht
        erforderlich. Die Folgenabschätzung wird bei wesentlichen Änderungen der App,
        spätestens aber nach zwei Jahren überprüft. Der Datenschutzbeauftragte der Stadt hat
        der Einführung unter diesen Bedingungen zugestimmt; der Personalrat wurde beteiligt."""),
    ),
)

_add(
    filename="Verarbeitungsverzeichnis_Kita-App.docx",
    title="Verzeichnis von Verarbeitungstätigkeiten: Kommunikation mit Eltern über die Kita-App",
    description=(
        "Eintrag im Verarbeitungsverzeichnis nach Art. 30 DSGVO, ausgefüllt am Beispiel der "
        "Kita-App; taugt als Muster für andere Fachverfahren der Kinderbetreuung."
    ),
    topics=("bildung-schule", "verwaltung-e-government"),
    doc_type="datenschutz",
    project=P_KITA,
    date=datetime.date(2022, 6, 2),
    license="cc-by-sa-4.0",
    keywords=("Verarbeitungsverzeichnis", "Art. 30 DSGVO", "Kita", "VVT"),
    body=(
        H("1. Verantwortliche Stelle"),
        P("""Magistrat der Stadt Bad Hersfeld, Weinstraße 16, 36251 Bad Hersfeld,
        vertreten durch den Bürgermeister. Fachlich zuständig ist der Fachdienst
        Kinderbetreuung. Der behördliche Datenschutzbeauftragte ist über
        datenschutz@bad-hersfeld.de erreichbar."""),
        H("2. Angaben zur Verarbeitung"),
        T(
            ("Pflichtangabe nach Art. 30 Abs. 1 DSGVO", "Eintrag"),
            ("Bezeichnung der Verarbeitung", "Kommunikation zwischen städtischen Kitas und Sorgeberechtigten über die Kita-App"),
            ("Zwecke", "Krankmeldungen, Informationen der Einrichtung, Terminverwaltung, Abholberechtigungen"),
            ("Rechtsgrundlage", "Art. 6 Abs. 1 lit. e DSGVO i. V. m. § 3 HDSIG und dem Betreuungsvertrag; für Allergien Einwilligung nach Art. 9 Abs. 2 lit. a DSGVO"),
            ("Kategorien betroffener Personen", "Kinder, Sorgeberechtigte, Abholberechtigte, Beschäftigte der Kitas"),
            ("Kategorien personenbezogener Daten", "Stammdaten, Kontaktdaten, Gruppenzugehörigkeit, An- und Abwesenheiten, Nachrichteninhalte"),
            ("Empfänger", "Beschäftigte der jeweiligen Einrichtung, Fachdienst Kinderbetreuung, Auftragsverarbeiter"),
            ("Drittlandübermittlung", "keine"),
            ("Löschfristen", "Nachrichten nach zwölf Monaten, Stammdaten sechs Monate nach Vertragsende"),
            widths=(35, 65),
        ),
        H("3. Technische und organisatorische Maßnahmen"),
        P("""Die technischen und organisatorischen Maßnahmen des Auftragsverarbeiters sind
        in Anlage 2 des Vertrags zur Auftragsverarbeitung beschrieben. Ergänzend gelten in der
        Verwaltung die Dienstanweisung Informationssicherheit und das Rollen- und
        Rechtekonzept des Fachdienstes."""),
        L(
            "Zugang zur Verwaltungsoberfläche nur aus dem städtischen Netz oder per VPN",
            "Zwei-Faktor-Anmeldung für alle Beschäftigten",
            "Verschlüsselte Übertragung (TLS 1.3) und verschlüsselte Speicherung",
            "Regelmäßige Datensicherung mit Wiederherstellungstest einmal im Quartal",
            "Berechtigungen werden beim Wechsel einer Fachkraft in eine andere Kita sofort angepasst",
        ),
        H("4. Auftragsverarbeitung"),
        P("""Mit dem Anbieter der App besteht ein Vertrag nach Art. 28 DSGVO. Unterauftragnehmer
        sind der Hosting-Dienstleister in Frankfurt am Main und ein Dienstleister für den
        Versand von Push-Benachrichtigungen, der ausschließlich pseudonyme Kennungen erhält.
        Die Stadt hat ein Kontrollrecht und lässt sich jährlich die Zertifikate vorlegen."""),
        H("5. Datenschutz-Folgenabschätzung"),
        P("""Für die Verarbeitung wurde im Mai 2022 eine Datenschutz-Folgenabschätzung
        durchgeführt (siehe gesondertes Dokument). Das verbleibende Risiko wurde als gering
        bewertet. Dieser Eintrag wird bei jeder wesentlichen Änderung, mindestens jährlich,
        vom Fachdienst geprüft und fortgeschrieben."""),
        T(
            ("Version", "Datum", "Änderung", "Geprüft durch"),
            ("1.0", "02.06.2022", "Ersterstellung vor Pilotbetrieb in zwei Kitas", "Datenschutzbeauftragter"),
            ("1.1", "15.08.2022", "Ausweitung auf alle neun Einrichtungen", "Fachdienstleitung"),
            widths=(12, 18, 45, 25),
        ),
    ),
)

_add(
    filename="Elternbrief_Einführung_Kita-App.docx",
    title="Elternbrief zur Einführung der Kita-App",
    description=(
        "Beispiel für ein verständliches Anschreiben an Familien: Was die App kann, was "
        "freiwillig ist, wie die Registrierung funktioniert und wie Daten geschützt werden."
    ),
    topics=("bildung-schule",),
    doc_type="beispieldokument",
    project=P_KITA,
    date=datetime.date(2022, 8, 22),
    license="cc-by-4.0",
    keywords=("Elternbrief", "Kita-App", "Information", "Einwilligung"),
    body=(
        P("""Liebe Eltern, liebe Sorgeberechtigte,"""),
        P("""ab dem 1. September 2022 können Sie mit der Kita Ihres Kindes auch über unsere
        neue Kita-App Kontakt halten. Viele von Ihnen haben sich in der Elternbefragung im
        vergangenen Jahr gewünscht, Krankmeldungen nicht mehr morgens am Telefon abgeben zu
        müssen und wichtige Informationen nicht nur als Zettel im Rucksack zu finden. Diesem
        Wunsch kommen wir gerne nach."""),
        H("Was die App kann"),
        L(
            "Ihr Kind krank- oder abmelden – jederzeit, auch am Wochenende",
            "Nachrichten und Elternbriefe der Kita lesen, auch in Ihrer Sprache übersetzt",
            "Termine wie Elternabende, Schließtage und Ausflüge im Kalender sehen",
            "Abholberechtigte Personen hinterlegen und ändern",
        ),
        H("Was die App nicht tut"),
        P("""In der App werden keine Fotos oder Videos Ihrer Kinder geteilt. Es gibt keine
        Werbung, und Ihre Daten werden nicht an andere Firmen weitergegeben. Die Daten liegen
        auf Servern in Deutschland. Nur die Fachkräfte der Gruppe Ihres Kindes und die
        Kita-Leitung sehen Ihre Nachrichten."""),
        H("Die Nutzung ist freiwillig"),
        P("""Wenn Sie die App nicht nutzen möchten, ist das selbstverständlich in Ordnung. Sie
        erhalten alle Informationen weiterhin auf Papier und können Ihr Kind wie bisher
        telefonisch abmelden. Für Familien ohne Smartphone steht in jeder Kita ein Tablet im
        Eingangsbereich bereit."""),
        H("So melden Sie sich an"),
        T(
            ("Schritt", "Was Sie tun"),
            ("1", "App „Kita Bad Hersfeld“ im App-Store oder bei Google Play herunterladen"),
            ("2", "Den persönlichen Zugangscode eingeben, den Sie mit diesem Brief erhalten"),
            ("3", "Ein sicheres Passwort wählen und die Nutzungsbedingungen bestätigen"),
            ("4", "Freiwillig: Angaben zu Allergien ergänzen, damit die Küche sie berücksichtigt"),
            widths=(15, 85),
        ),
        P("""Ihr Zugangscode ist nur für Ihre Familie bestimmt. Bitte geben Sie ihn nicht
        weiter. Haben Sie ihn verloren, erhalten Sie in der Kita einen neuen."""),
        H("Fragen?"),
        P("""Sprechen Sie gerne die Leitung Ihrer Kita an. Am Donnerstag, 8. September,
        bieten wir von 15 bis 17 Uhr im Familienzentrum in der Dudenstraße eine offene
        Sprechstunde an, in der wir die App gemeinsam einrichten. Weitere Hinweise zum
        Datenschutz finden Sie auf der Internetseite der Stadt unter „Kinderbetreuung“."""),
        P("""Wir freuen uns auf einen guten Austausch mit Ihnen – digital und weiterhin
        natürlich auch persönlich an der Garderobe."""),
        P("""Mit freundlichen Grüßen – Ihr Fachdienst Kinderbetreuung der Stadt Bad Hersfeld"""),
    ),
)

# Smarte Modellregion Mittleres Fuldatal ---------------------------------------------------

_add(
    filename="Förderantrag_Smarte_Modellregion_Mittleres_Fuldatal.docx",
    title="Förderantrag „Smarte Modellregion Mittleres Fuldatal“",
    description=(
        "Antrag von vier Kommunen auf Förderung aus dem Programm Starke Heimat Hessen: "
        "Ausgangslage, Ziele, Arbeitspakete, Zeitplan und Finanzierungsplan für eine "
        "gemeinsame digitale Infrastruktur im ländlichen Raum."
    ),
    topics=("strategie-organisation", "infrastruktur-netze-iot", "gesundheit-pflege"),
    doc_type="foerderantrag",
    project=P_MODELLREGION,
    date=datetime.date(2020, 10, 12),
    license="nach-ruecksprache",
    keywords=("Förderantrag", "Modellregion", "Interkommunal", "ländlicher Raum"),
    body=(
        H("1. Antragstellende"),
        P("""Antragsteller ist die Stadt Bebra als federführende Kommune der Interkommunalen
        Zusammenarbeit Mittleres Fuldatal. Beteiligt sind außerdem die Stadt Rotenburg an der
        Fulda sowie die Gemeinden Alheim und Ronshausen. Zusammen leben in den vier Kommunen
        rund 34.000 Menschen in 41 Ortsteilen. Die Kooperation ist durch eine öffentlich-
        rechtliche Vereinbarung abgesichert."""),
        H("2. Ausgangslage"),
        P("""Die Region ist geprägt von kleinen Ortsteilen, einer alternden Bevölkerung und
        langen Wegen zu Ärztinnen und Ärzten, Geschäften und Behörden. Gleichzeitig
        verfügen die Kommunen jeweils nur über wenige Beschäftigte, die sich um
        Digitalisierung kümmern können. Einzelne Pilotprojekte – ein Bürgerbus mit
        Online-Buchung, ein Dorfladen mit Abholstation – zeigen, dass digitale Angebote
        angenommen werden, wenn sie nah an den Bedürfnissen der Menschen sind."""),
        H("3. Ziele des Vorhabens"),
        L(
            "Eine gemeinsame Geschäftsstelle Digitalisierung für alle vier Kommunen aufbauen",
            "Ein interkommunales LoRaWAN-Netz als Grundlage für Sensorik in Wasserwirtschaft und Gebäuden",
            "Telemedizinische Angebote für die ambulante Pflege in zwei Ortsteilen erproben",
            "Die Bürgerbeteiligung über eine gemeinsame Beteiligungsplattform stärken",
            "Erfahrungen so dokumentieren, dass andere Kommunen sie nachnutzen können",
        ),
        H("4. Arbeitspakete und Zeitplan"),
        T(
            ("AP", "Inhalt", "Zeitraum", "Federführung"),
            ("AP 1", "Geschäftsstelle, Steuerungsgruppe, Digitalisierungsstrategie der Region", "01/2021–12/2021", "Bebra"),
            ("AP 2", "LoRaWAN-Netz und erste Anwendungen (Pegel, Wasserzähler, Raumklima)", "07/2021–06/2023", "Rotenburg a. d. F."),
            ("AP 3", "Telemedizin in der ambulanten Pflege", "01/2022–12/2024", "Alheim"),
            ("AP 4", "Beteiligungsplattform und Bürgerbeteiligung digital", "01/2022–06/2023", "Ronshausen"),
            ("AP 5", "Evaluation, Wissenstransfer, Abschlussbericht", "01/2024–06/2025", "Bebra"),
            widths=(8, 52, 20, 20),
        ),
        H("5. Finanzierungsplan"),
        T(
            ("Kostenart", "Betrag", "davon Förderung"),
            ("Personal Geschäftsstelle (1,5 Stellen, 4 Jahre)", "372.000 €", "297.600 €"),
            ("Sachkosten Netz und Sensorik", "148.000 €", "118.400 €"),
            ("Telemedizin-Pilot (Geräte, Dienstleistung)", "96.000 €", "76.800 €"),
            ("Beteiligungsplattform", "38.000 €", "30.400 €"),
            ("Evaluation und Öffentlichkeitsarbeit", "46.000 €", "36.800 €"),
            ("Summe", "700.000 €", "560.000 €"),
            widths=(55, 20, 25),
        ),
        P("""Der Eigenanteil von 20 Prozent wird von den vier Kommunen nach Einwohnerzahl
        aufgebracht. Die Haushaltsmittel sind in den Haushaltsplänen 2021 vorbehaltlich der
        Förderzusage eingestellt."""),
        H("6. Nachhaltigkeit und Übertragbarkeit"),
        P("""Die Geschäftsstelle wird nach Ende der Förderung von den beteiligten Kommunen
        weiterfinanziert; eine entsprechende Absichtserklärung der Bürgermeister liegt bei.
        Alle Konzepte, Leistungsbeschreibungen und Verträge werden unter offenen Lizenzen
        in der Smart Region-Toolbox des Landes veröffentlicht, damit andere Kommunen mit
        ähnlicher Gemeindegröße sie übernehmen können."""),
    ),
)

_add(
    filename="Kooperationsvereinbarung_IKZ_Digitalisierung.pdf",
    title="Öffentlich-rechtliche Vereinbarung über die interkommunale Zusammenarbeit bei der Digitalisierung",
    description=(
        "Vereinbarung von vier Kommunen über eine gemeinsame Geschäftsstelle: Aufgaben, "
        "Steuerungsgruppe, Kostenverteilung nach Einwohnern, Laufzeit und Austritt."
    ),
    topics=("strategie-organisation", "verwaltung-e-government"),
    doc_type="vertrag-vereinbarung",
    project=P_MODELLREGION,
    date=datetime.date(2020, 12, 3),
    license="cc-by-4.0",
    keywords=("IKZ", "Kooperationsvereinbarung", "Geschäftsstelle", "KGG"),
    body=(
        P("""Die Stadt Bebra, die Stadt Rotenburg an der Fulda, die Gemeinde Alheim und die
        Gemeinde Ronshausen schließen auf Grundlage des Hessischen Gesetzes über kommunale
        Gemeinschaftsarbeit (KGG) folgende öffentlich-rechtliche Vereinbarung."""),
        H("§ 1 Zweck"),
        P("""Die Beteiligten arbeiten bei der Digitalisierung ihrer Verwaltungen und bei
        Smart-Region-Projekten zusammen. Ziel ist, Wissen zu bündeln, Kosten zu teilen und
        Lösungen gemeinsam zu beschaffen und zu betreiben. Die Eigenständigkeit der
        Kommunen in ihren Entscheidungen bleibt unberührt."""),
        H("§ 2 Gemeinsame Geschäftsstelle"),
        P("""Die Stadt Bebra richtet eine Geschäftsstelle Digitalisierung ein und stellt das
        Personal an. Die Geschäftsstelle arbeitet allen Beteiligten gleichermaßen zu. Zu ihren
        Aufgaben gehören insbesondere:"""),
        L(
            "Vorbereitung gemeinsamer Ausschreibungen und Förderanträge",
            "Betrieb der gemeinsamen IoT-Infrastruktur und Koordination der Dienstleister",
            "Beratung der Fachämter bei Digitalisierungsvorhaben",
            "Organisation von Fortbildungen und des Erfahrungsaustauschs",
            "Berichterstattung an die Steuerungsgruppe und die kommunalen Gremien",
        ),
        H("§ 3 Steuerungsgruppe"),
        P("""Die Steuerungsgruppe besteht aus den Bürgermeisterinnen und Bürgermeistern der
        Beteiligten oder ihren Vertretungen. Sie tritt mindestens viermal im Jahr zusammen,
        beschließt das Arbeitsprogramm und den Wirtschaftsplan der Geschäftsstelle und
        entscheidet mit einfacher Mehrheit; jede Kommune hat eine Stimme. Beschlüsse mit
        finanziellen Folgen über 10.000 € bedürfen der Einstimmigkeit."""),
        H("§ 4 Kostenverteilung"),
        P("""Die nicht durch Fördermittel gedeckten Kosten der Geschäftsstelle werden nach der
        Einwohnerzahl zum 30. Juni des Vorjahres verteilt. Für 2021 ergibt sich folgender
        Schlüssel:"""),
        T(
            ("Kommune", "Einwohner", "Anteil"),
            ("Stadt Bebra", "13.950", "41,0 %"),
            ("Stadt Rotenburg an der Fulda", "13.190", "38,8 %"),
            ("Gemeinde Alheim", "4.760", "14,0 %"),
            ("Gemeinde Ronshausen", "2.110", "6,2 %"),
            ("Summe", "34.010", "100,0 %"),
            widths=(50, 25, 25),
        ),
        P("""Kosten für Leistungen, die nur einzelnen Beteiligten zugutekommen, trägt die
        jeweilige Kommune allein. Die Geschäftsstelle weist diese Leistungen gesondert aus."""),
        H("§ 5 Datenschutz und Informationssicherheit"),
        P("""Jede Kommune bleibt Verantwortliche für die Daten ihrer Verwaltung. Soweit die
        Geschäftsstelle personenbezogene Daten im Auftrag verarbeitet, schließen die
        Beteiligten die erforderlichen Vereinbarungen nach Art. 26 oder Art. 28 DSGVO."""),
        H("§ 6 Laufzeit und Austritt"),
        P("""Die Vereinbarung tritt am 1. Januar 2021 in Kraft und gilt unbefristet. Ein
        Austritt ist mit einer Frist von zwölf Monaten zum Ende eines Kalenderjahres möglich,
        frühestens zum 31. Dezember 2025. Beschaffte Infrastruktur wird bei einem Austritt
        nach dem Kostenschlüssel ausgeglichen."""),
        P("""Bebra, Rotenburg an der Fulda, Alheim und Ronshausen, im Dezember 2020"""),
    ),
)

_add(
    filename="Abschlussbericht_Modellregion_2025.pdf",
    title="Abschlussbericht der Smarten Modellregion Mittleres Fuldatal",
    description=(
        "Bilanz nach vier Jahren interkommunaler Digitalisierung: Ergebnisse der "
        "Arbeitspakete, Kennzahlen, Kosten, Lessons Learned und Empfehlungen für Nachahmer."
    ),
    topics=("strategie-organisation", "infrastruktur-netze-iot", "buergerbeteiligung-open-government"),
    doc_type="bericht-evaluation",
    project=P_MODELLREGION,
    date=datetime.date(2025, 6, 30),
    license="dl-de-by-2.0",
    keywords=("Abschlussbericht", "Evaluation", "Lessons Learned", "Modellregion"),
    body=(
        H("1. Zusammenfassung"),
        P("""Von Januar 2021 bis Juni 2025 haben vier Kommunen im Mittleren Fuldatal gemeinsam
        digitale Lösungen aufgebaut. Das wichtigste Ergebnis ist nicht eine einzelne Technik,
        sondern die dauerhafte Zusammenarbeit: Die gemeinsame Geschäftsstelle wird ab Juli 2025
        ohne Förderung von allen Beteiligten weiterfinanziert. Das LoRaWAN-Netz versorgt alle
        41 Ortsteile, der Telemedizin-Pilot wird in den Regelbetrieb eines Pflegedienstes
        überführt, und die Beteiligungsplattform hat sich für Bauleitplanungen bewährt."""),
        H("2. Ergebnisse nach Arbeitspaketen"),
        T(
            ("Arbeitspaket", "Ziel", "Ergebnis", "Bewertung"),
            ("AP 1 Geschäftsstelle", "Aufbau, Strategie", "1,5 Stellen besetzt, Strategie 2022 beschlossen", "erreicht"),
            ("AP 2 LoRaWAN", "Netz in allen Ortsteilen", "23 Gateways, 412 Sensoren", "übertroffen"),
            ("AP 3 Telemedizin", "zwei Ortsteile", "drei Ortsteile, 58 Patientinnen und Patienten", "erreicht"),
            ("AP 4 Beteiligung", "Plattform, 3 Verfahren", "7 Verfahren, 1.940 Beiträge", "übertroffen"),
            ("AP 5 Transfer", "Dokumentation", "19 Dokumente in der Toolbox veröffentlicht", "erreicht"),
            widths=(22, 22, 38, 18),
        ),
        H("3. Kennzahlen"),
        P("""Die Wirkung wurde mit einfachen, jährlich erhobenen Kennzahlen verfolgt. Die
        Wasserverluste im Leitungsnetz sanken durch die Fernauslesung von Zählern und
        Drucksensoren um rund 18 Prozent. Die Fahrten des Bauhofs zur Kontrolle von
        Pumpwerken und Regenrückhaltebecken gingen um etwa ein Drittel zurück. In der
        Bürgerbeteiligung erreichten die Online-Verfahren deutlich mehr jüngere Menschen als
        die klassischen Bürgerversammlungen."""),
        T(
            ("Kennzahl", "2021", "2023", "2025"),
            ("Sensoren im Netz", "36", "245", "412"),
            ("Kontrollfahrten Bauhof je Monat", "96", "71", "63"),
            ("Beiträge in Beteiligungsverfahren", "–", "820", "1.940"),
            ("Anteil Beteiligter unter 30 Jahren", "–", "24 %", "31 %"),
            widths=(46, 18, 18, 18),
        ),
        H("4. Kosten"),
        P("""Von den geplanten 700.000 € wurden 671.300 € verausgabt. Mehrkosten bei den
        Gateways wurden durch geringere Ausgaben für die Beteiligungsplattform ausgeglichen,
        die als Mitnutzung einer Landeslösung günstiger war als erwartet."""),
        H("5. Was wir gelernt haben"),
        L(
            "Eine gemeinsame Geschäftsstelle ist für kleine Kommunen der Schlüssel – allein fehlen Zeit und Fachwissen.",
            "Ausschreibungen sollten den Datenexport und die Übergabe aller Schlüssel zwingend fordern.",
            "Sensorik lohnt sich dort zuerst, wo heute Kontrollfahrten anfallen.",
            "Telemedizin braucht Pflegekräfte, die mitgestalten – Technik allein überzeugt niemanden.",
            "Bürgerbeteiligung digital ersetzt die Versammlung nicht, ergänzt sie aber wirkungsvoll.",
        ),
        H("6. Empfehlungen"),
        P("""Kommunen mit ähnlicher Gemeindegröße empfehlen wir, mit einem überschaubaren
        Anwendungsfall zu beginnen, früh die Beschäftigten des Bauhofs und der Pflege
        einzubinden und von Beginn an auf offene Schnittstellen zu achten. Die
        Vertragsmuster und Leistungsbeschreibungen des Projekts stehen in der Toolbox zur
        Nachnutzung bereit; die Geschäftsstelle berät gerne."""),
    ),
)

_add(
    filename="Konzept_Telemedizin_ambulante_Pflege.docx",
    title="Konzept Telemedizin in der ambulanten Pflege im ländlichen Raum",
    description=(
        "Pilotkonzept für Televisiten zwischen Pflegedienst, Hausarztpraxen und Pflegebedürftigen "
        "in Ortsteilen ohne Praxis: Ablauf, Technik, Datenschutz, Rollen und Finanzierung."
    ),
    topics=("gesundheit-pflege",),
    doc_type="konzept-strategie",
    project=P_MODELLREGION,
    date=datetime.date(2023, 11, 7),
    license="cc-by-4.0",
    keywords=("Telemedizin", "Pflege", "Televisite", "ländlicher Raum"),
    body=(
        H("1. Ausgangslage"),
        P("""In den Ortsteilen von Alheim und Ronshausen gibt es keine Hausarztpraxis mehr.
        Pflegebedürftige Menschen, die zu Hause von einem ambulanten Pflegedienst versorgt
        werden, müssen für Kontrollen oft mit dem Krankentransport in die Praxis gefahren
        werden oder warten lange auf einen Hausbesuch. Gleichzeitig beobachten Pflegekräfte
        Veränderungen – etwa bei Wunden oder Blutzuckerwerten –, die sie gerne schnell mit der
        Ärztin oder dem Arzt besprechen würden."""),
        H("2. Ziel des Pilotvorhabens"),
        P("""Pflegekräfte sollen während ihres regulären Einsatzes eine Videosprechstunde mit
        der behandelnden Hausarztpraxis aufbauen können. Dazu führen sie ein Tablet und
        ausgewählte Messgeräte mit, deren Werte direkt übertragen werden. Die Ärztin sieht die
        Wunde, spricht mit der Patientin und entscheidet über die weitere Behandlung – ohne
        Fahrt und ohne Wartezimmer."""),
        H("3. Ablauf einer Televisite"),
        T(
            ("Schritt", "Wer", "Was"),
            ("1", "Pflegekraft", "erkennt Abklärungsbedarf und bucht einen Termin im Televisiten-Kalender"),
            ("2", "Praxis", "bestätigt den Termin, hat Zugriff auf Medikationsplan und Vorbefunde"),
            ("3", "Pflegekraft", "misst Vitalwerte, fotografiert die Wunde, startet die Videoverbindung"),
            ("4", "Ärztin / Arzt", "berät, dokumentiert und passt Verordnungen an"),
            ("5", "Pflegekraft", "setzt die Anordnung um und dokumentiert in der Pflegesoftware"),
            widths=(10, 20, 70),
        ),
        H("4. Technik"),
        L(
            "Zertifizierter Videodienst nach Anlage 31b BMV-Ä mit Ende-zu-Ende-Verschlüsselung",
            "Robuste Tablets mit LTE, da nicht jeder Haushalt über WLAN verfügt",
            "Bluetooth-Messgeräte für Blutdruck, Puls, Sauerstoffsättigung und Blutzucker",
            "Keine dauerhafte Speicherung von Bildern auf dem Tablet; Übergabe in die Praxissoftware",
        ),
        H("5. Datenschutz und Einwilligung"),
        P("""Gesundheitsdaten sind besonders geschützt. Patientinnen und Patienten oder ihre
        Betreuerinnen willigen schriftlich in die Teilnahme ein und können jederzeit
        widerrufen. Für den Pilot wird eine Datenschutz-Folgenabschätzung erstellt. Die
        Kommunen selbst verarbeiten keine Gesundheitsdaten; sie koordinieren, beschaffen die
        Geräte und evaluieren anonymisiert."""),
        H("6. Rollen"),
        P("""Die Gemeinde Alheim koordiniert den Pilot im Auftrag der Interkommunalen
        Zusammenarbeit. Ein regionaler Pflegedienst und zwei Hausarztpraxen sind Partner. Die
        Kassenärztliche Vereinigung und die AOK Hessen begleiten das Vorhaben beratend."""),
        H("7. Finanzierung und Verstetigung"),
        P("""Geräte und Videodienst werden in der Pilotphase aus Fördermitteln bezahlt
        (96.000 € für drei Jahre). Ärztliche Leistungen werden über die
        Videosprechstunden-Ziffern abgerechnet. Ziel ist, dass der Pflegedienst die
        Televisite nach der Pilotphase als eigenes Angebot fortführt; dazu laufen Gespräche
        mit den Pflegekassen über eine Vergütung des Mehraufwands."""),
    ),
)

# Digitalisierungsstrategie Landkreis Gießen -------------------------------------------------

_add(
    filename="Präsentation_Digitalisierungsstrategie_Kreistag.pptx",
    title="Digitalisierungsstrategie des Landkreises – Präsentation im Kreistag",
    description=(
        "Foliensatz zur Vorstellung der Strategie im Kreistag: Ausgangslage, Vision, fünf "
        "Handlungsfelder, Leuchtturmprojekte, Organisation und Zeitplan bis 2030."
    ),
    topics=("strategie-organisation", "verwaltung-e-government"),
    doc_type="praesentation",
    project=P_STRATEGIE_LKG,
    date=datetime.date(2021, 11, 15),
    license="cc-by-4.0",
    layout="slides",
    keywords=("Digitalisierungsstrategie", "Kreistag", "Präsentation", "Handlungsfelder"),
    body=(
        H("Warum jetzt?"),
        L(
            "Onlinezugangsgesetz: 575 Verwaltungsleistungen sollen digital angeboten werden",
            "Fachkräftemangel: bis 2030 gehen 28 % der Beschäftigten in den Ruhestand",
            "Erwartungen der Bürgerinnen und Bürger: Termine, Anträge und Auskünfte online",
            "18 kreisangehörige Kommunen wünschen sich Unterstützung durch den Kreis",
        ),
        H("Was uns die Beteiligung gesagt hat"),
        P("""Im Frühjahr 2021 haben sich mehr als 1.300 Menschen an der Online-Umfrage und
        an vier digitalen Werkstätten beteiligt. Am häufigsten gewünscht wurden Termine und
        Anträge ohne Wartezeit, schnelles Internet in den Schulen und Hilfe für ältere
        Menschen beim Einstieg in die digitale Welt."""),
        T(
            ("Wunsch", "Nennungen"),
            ("Online-Terminvergabe in der Zulassungsstelle", "612"),
            ("WLAN und Endgeräte für Schulen", "547"),
            ("Anträge vollständig online stellen", "498"),
            ("Unterstützung für Seniorinnen und Senioren", "301"),
            widths=(75, 25),
        ),
        H("Unsere Vision 2030"),
        P("""Der Landkreis Gießen ist ein digitaler Dienstleister für Menschen, Unternehmen
        und Kommunen: Leistungen sind einfach online erreichbar, Daten werden geteilt statt
        mehrfach erhoben, und niemand wird abgehängt."""),
        H("Fünf Handlungsfelder"),
        T(
            ("Handlungsfeld", "Beispiel"),
            ("Digitale Verwaltung", "E-Akte in allen Fachdiensten, Online-Kfz-Zulassung"),
            ("Bildung", "Schul-WLAN und Endgeräte an allen 52 Kreisschulen"),
            ("Infrastruktur", "Glasfaser für Gewerbegebiete und Schulen"),
            ("Daten und Plattformen", "Geoportal und offene Daten des Kreises"),
            ("Teilhabe", "Digitallotsen für Seniorinnen und Senioren"),
            widths=(35, 65),
        ),
        H("Leuchtturmprojekte 2022–2024"),
        L(
            "Schul-WLAN: flächendeckend in allen Klassenräumen bis Sommer 2023",
            "Kreisportal mit Bürgerkonto und 120 Online-Diensten",
            "Breitband-Ausbau für 14 Gewerbegebiete mit Förderung von Bund und Land",
            "Interkommunale Digitalwerkstatt für die kreisangehörigen Kommunen",
        ),
        H("Organisation"),
        P("""Eine Stabsstelle Digitalisierung beim Kreisausschuss steuert die Umsetzung. Ein
        Digitalisierungsbeirat mit Vertretungen aus Kommunen, Schulen, Wirtschaft und
        Zivilgesellschaft berät zweimal im Jahr. Jeder Fachbereich benennt
        Digitalisierungslotsen."""),
        H("Zeitplan und Kosten"),
        T(
            ("Phase", "Zeitraum", "Mittel (Mio. €)"),
            ("Aufbau und Grundlagen", "2022", "2,1"),
            ("Umsetzung Leuchttürme", "2023–2024", "9,4"),
            ("Verstetigung und Ausbau", "2025–2027", "6,8"),
            ("Evaluation und Fortschreibung", "2028–2030", "1,2"),
            widths=(45, 30, 25),
        ),
        H("Beschlussempfehlung"),
        P("""Der Kreisausschuss empfiehlt dem Kreistag, die Digitalisierungsstrategie 2030
        zu beschließen und die Stabsstelle mit der Umsetzung zu beauftragen. Über den
        Fortschritt wird jährlich im Ausschuss für Digitales berichtet. Vielen Dank für Ihre
        Aufmerksamkeit – wir freuen uns auf Ihre Fragen."""),
    ),
)

_add(
    filename="Digitalisierungsstrategie_2030_Landkreis.docx",
    title="Digitalisierungsstrategie 2030 des Landkreises Gießen",
    description=(
        "Die vom Kreistag beschlossene Strategie mit Leitlinien, Zielen je Handlungsfeld, "
        "Governance und Kennzahlen – Vorlage für andere Landkreise."
    ),
    topics=("strategie-organisation", "verwaltung-e-government", "bildung-schule"),
    doc_type="konzept-strategie",
    project=P_STRATEGIE_LKG,
    date=datetime.date(2021, 12, 13),
    license="cc-by-4.0",
    keywords=("Digitalisierungsstrategie", "Landkreis", "OZG", "Governance"),
    body=(
        H("Vorwort"),
        P("""Digitalisierung ist kein Selbstzweck. Sie soll das Leben der Menschen im
        Landkreis einfacher machen, die Verwaltung entlasten und die 18 kreisangehörigen
        Städte und Gemeinden stärken. Diese Strategie ist in einem einjährigen Prozess mit
        Beschäftigten, Bürgermeisterinnen und Bürgermeistern, Schulen, Unternehmen und einer
        Online-Bürgerbeteiligung entstanden, an der sich mehr als 1.300 Menschen beteiligt
        haben."""),
        H("Ausgangsanalyse"),
        P("""Zu Beginn des Strategieprozesses hat der Kreis seine Stärken und Schwächen sowie
        Chancen und Risiken der Digitalisierung gemeinsam mit den kreisangehörigen Kommunen
        bewertet. Grundlage waren eine Befragung aller Fachdienste, ein Reifegrad-Check der
        IT-Infrastruktur und die Ergebnisse der Online-Bürgerbeteiligung."""),
        T(
            ("Stärken", "Schwächen"),
            ("leistungsfähiges kommunales Rechenzentrum", "viele Fachverfahren ohne Schnittstellen"),
            ("engagierte Beschäftigte in den Fachdiensten", "kaum digitale Prozesse von Antrag bis Bescheid"),
            ("Hochschulen im Kreisgebiet als Partner", "Funklöcher und langsames Internet in Randlagen"),
            widths=(50, 50),
        ),
        T(
            ("Chancen", "Risiken"),
            ("Förderprogramme von Bund und Land", "Fachkräftemangel in der IT"),
            ("gemeinsame Lösungen mit den Kommunen", "steigende Gefahr durch Cyberangriffe"),
            ("Entlastung der Beschäftigten durch Automatisierung", "digitale Spaltung der Bevölkerung"),
            widths=(50, 50),
        ),
        H("1. Leitlinien"),
        L(
            "Nutzerorientierung: Wir entwickeln Angebote gemeinsam mit denen, die sie nutzen.",
            "Teilhabe: Analoge Zugänge bleiben erhalten; niemand wird ausgeschlossen.",
            "Offenheit: Wir bevorzugen offene Standards und Open-Source-Software.",
            "Sicherheit: Informationssicherheit und Datenschutz sind von Anfang an mitgedacht.",
            "Zusammenarbeit: Wir teilen Lösungen mit Kommunen und anderen Kreisen.",
        ),
        H("2. Ziele nach Handlungsfeldern"),
        H2("2.1 Digitale Verwaltung"),
        P("""Bis 2025 sind alle Leistungen des Kreises mit hoher Nachfrage online verfügbar,
        bis 2027 arbeiten alle Fachdienste mit der elektronischen Akte. Interne Abläufe wie
        Rechnungseingang, Urlaubsanträge und Dienstreisen werden medienbruchfrei gestaltet."""),
        H2("2.2 Bildung"),
        P("""Jede Kreisschule erhält leistungsfähiges WLAN, einen Glasfaseranschluss und
        einen verlässlichen IT-Support. Lehrkräfte werden in Zusammenarbeit mit dem
        Staatlichen Schulamt fortgebildet."""),
        H2("2.3 Infrastruktur"),
        P("""Der Kreis koordiniert den geförderten Breitbandausbau und sorgt dafür, dass
        Gewerbegebiete, Schulen und Krankenhäuser bis 2025 mit Glasfaser versorgt sind."""),
        H2("2.4 Daten und Plattformen"),
        P("""Ein gemeinsames Geoportal bündelt die Geodaten von Kreis und Kommunen. Daten
        ohne Personenbezug werden als Open Data bereitgestellt."""),
        H2("2.5 Teilhabe"),
        P("""Digitallotsinnen und Digitallotsen helfen in Bibliotheken und
        Mehrgenerationenhäusern beim Umgang mit Smartphone und Online-Diensten."""),
        H("3. Governance"),
        T(
            ("Gremium", "Zusammensetzung", "Aufgabe"),
            ("Kreisausschuss", "Landrätin, Beigeordnete", "strategische Steuerung, Mittelfreigabe"),
            ("Stabsstelle Digitalisierung", "4 Stellen", "Programmsteuerung, Projektportfolio, Berichte"),
            ("Digitalisierungsbeirat", "Kommunen, Schulen, Wirtschaft, Zivilgesellschaft", "Beratung, Priorisierung"),
            ("Digitalisierungslotsen", "je Fachbereich eine Person", "Bedarfe erkennen, Umsetzung begleiten"),
            widths=(25, 35, 40),
        ),
        H("4. Kennzahlen"),
        T(
            ("Kennzahl", "Ausgangswert 2021", "Ziel 2025", "Ziel 2030"),
            ("Online verfügbare Leistungen", "34", "120", "alle relevanten"),
            ("Schulen mit flächendeckendem WLAN", "11 von 52", "52 von 52", "52 von 52"),
            ("Fachdienste mit E-Akte", "3", "15", "alle"),
            ("Offene Datensätze", "0", "40", "150"),
            widths=(40, 20, 20, 20),
        ),
        H("5. Finanzierung"),
        P("""Für die Umsetzung der Strategie sind bis 2030 rund 19,5 Mio. € veranschlagt.
        Etwa zwei Drittel davon entfallen auf Schul-WLAN und Breitband und werden überwiegend
        aus dem DigitalPakt Schule und den Breitbandprogrammen von Bund und Land gefördert.
        Für die digitale Verwaltung stehen jährlich 1,2 Mio. € im Haushalt bereit. Neue
        Vorhaben werden nur begonnen, wenn ihre Folgekosten für den Betrieb geklärt sind."""),
        H("6. Fortschreibung"),
        P("""Die Strategie wird jährlich im Ausschuss für Digitales bilanziert und 2026
        umfassend überprüft. Die Maßnahmen werden in einem öffentlich einsehbaren
        Umsetzungsplan geführt."""),
    ),
)

_add(
    filename="Konzept_Schul-WLAN_Kreisschulen.pdf",
    title="Technisches Konzept für flächendeckendes WLAN an den Kreisschulen",
    description=(
        "Konzept des Schulträgers für WLAN in allen Klassenräumen: Bestandsaufnahme, "
        "Netzarchitektur, Jugendschutzfilter, Betrieb, Kosten und Zeitplan je Schule."
    ),
    topics=("bildung-schule", "infrastruktur-netze-iot"),
    doc_type="konzept-strategie",
    project=P_STRATEGIE_LKG,
    date=datetime.date(2022, 2, 28),
    license="cc-by-sa-4.0",
    keywords=("Schul-WLAN", "DigitalPakt", "Schulträger", "Netzwerk"),
    body=(
        H("1. Ausgangslage"),
        P("""Der Landkreis ist Schulträger von 52 Schulen mit rund 31.000 Schülerinnen und
        Schülern. Eine Bestandsaufnahme im Herbst 2021 zeigte große Unterschiede: Elf Schulen
        verfügen über WLAN in allen Räumen, 27 nur in einzelnen Bereichen, 14 gar nicht. Die
        Verkabelung ist vielfach älter als zwanzig Jahre. Mit dem DigitalPakt Schule stehen
        Fördermittel zur Verfügung, die bis Mitte 2024 abgerufen werden müssen."""),
        H("2. Zielbild"),
        L(
            "WLAN nach Wi-Fi 6 in jedem Unterrichtsraum, in Fachräumen und der Aula",
            "getrennte Netze für Verwaltung, Lehrkräfte, Schülerinnen und Schüler sowie Gäste",
            "zentrale Verwaltung aller Access Points durch den Schulträger",
            "Glasfaseranschluss mit mindestens 1 Gbit/s je Schule",
        ),
        H("3. Netzarchitektur"),
        P("""Jede Schule erhält eine strukturierte Verkabelung nach Kategorie 6A, einen
        zentralen Netzwerkschrank und aktive Komponenten mit Stromversorgung über das
        Netzwerkkabel. Die Access Points werden über einen zentralen Controller im
        Rechenzentrum des Kreises verwaltet. Schülerinnen und Schüler melden sich mit ihrem
        Konto aus dem Schulportal an; Gäste erhalten zeitlich begrenzte Zugänge."""),
        T(
            ("Netz", "Nutzergruppe", "Zugang", "Filter"),
            ("VERWALTUNG", "Sekretariat, Schulleitung", "Kabel, Zertifikat", "keiner"),
            ("PAEDAGOGIK-L", "Lehrkräfte", "WLAN, Schulportal-Konto", "Basisfilter"),
            ("PAEDAGOGIK-S", "Schülerinnen und Schüler", "WLAN, Schulportal-Konto", "Jugendschutzfilter"),
            ("GAST", "Gäste, Eltern", "Ticket, 8 Stunden", "Jugendschutzfilter"),
            widths=(20, 30, 30, 20),
        ),
        H("4. Jugendschutz und Datenschutz"),
        P("""Ein Jugendschutzfilter sperrt jugendgefährdende Inhalte. Protokolldaten werden
        nur so lange gespeichert, wie es zur Störungsbeseitigung und zur Aufklärung von
        Missbrauch erforderlich ist, höchstens sieben Tage. Eine Auswertung des
        Surfverhaltens einzelner Schülerinnen und Schüler findet nicht statt."""),
        H("5. Kosten"),
        T(
            ("Position", "Kosten je Schule (Mittel)", "Gesamt 52 Schulen"),
            ("Verkabelung und Netzwerkschränke", "64.000 €", "3.328.000 €"),
            ("Access Points und Switches", "38.000 €", "1.976.000 €"),
            ("Planung und Bauüberwachung", "9.000 €", "468.000 €"),
            ("Summe", "111.000 €", "5.772.000 €"),
            widths=(40, 30, 30),
        ),
        P("""Die Kosten werden zu 90 Prozent aus dem DigitalPakt gefördert. Der Betrieb
        kostet nach Ablauf der Gewährleistung rund 260.000 € im Jahr."""),
        H("6. Umsetzung"),
        P("""Der Ausbau erfolgt in vier Losen nach Schulstandorten, um auch regionale
        Elektrobetriebe an den Ausschreibungen zu beteiligen. Arbeiten in den Klassenräumen
        finden überwiegend in den Ferien statt. Grundschulen in kleinen Ortsteilen werden
        wegen fehlender Glasfaseranbindung übergangsweise über Richtfunk angebunden."""),
    ),
)

_add(
    filename="Ausschreibung_Breitband_Gewerbegebiete.docx",
    title="Ausschreibung Breitbandausbau: Glasfaseranbindung von Gewerbegebieten im Betreibermodell",
    description=(
        "Auswahlverfahren für einen Netzbetreiber zur Glasfaseranbindung unterversorgter "
        "Gewerbegebiete nach der Gigabit-Richtlinie: Lose, Anforderungen, Bewertung."
    ),
    topics=("infrastruktur-netze-iot", "wirtschaft-handel-innenstadt"),
    doc_type="leistungsbeschreibung-ausschreibung",
    project=P_STRATEGIE_LKG,
    date=datetime.date(2019, 9, 9),
    license="dl-de-zero-2.0",
    keywords=("Breitband", "Glasfaser", "Gewerbegebiet", "Betreibermodell", "Ausschreibung"),
    body=(
        H("1. Auftraggeber und Verfahren"),
        P("""Der Landkreis Gießen schreibt im Namen von neun kreisangehörigen Kommunen die
        Errichtung einer passiven Glasfaserinfrastruktur und deren Verpachtung an einen
        Netzbetreiber aus (Betreibermodell). Das Verfahren folgt der Förderrichtlinie des
        Bundes und dem Leitfaden zur Breitbandförderung des Landes Hessen. Die
        Ausschreibungen für Tiefbau und Netzbetrieb werden getrennt durchgeführt; dieses
        Dokument betrifft den Netzbetrieb."""),
        H("2. Ausbaugebiete"),
        T(
            ("Los", "Gewerbegebiet", "Kommune", "Unternehmen", "Trassenlänge"),
            ("1", "Am Schlangenzahl", "Grünberg", "38", "4,2 km"),
            ("2", "Lückebach", "Lich", "27", "3,1 km"),
            ("3", "Im Alten Feld", "Hungen", "19", "2,6 km"),
            ("4", "Industriestraße West", "Laubach", "22", "3,8 km"),
            ("5", "Am Bahnhof", "Buseck", "16", "1,9 km"),
            widths=(8, 28, 20, 20, 24),
        ),
        H("3. Leistungen des Netzbetreibers"),
        L(
            "Pacht der passiven Infrastruktur für mindestens sieben Jahre",
            "Aktivierung und Betrieb eines offenen Netzes (Open Access) auf Vorleistungsebene",
            "Angebot symmetrischer Anschlüsse bis 1 Gbit/s für jedes Unternehmen im Gebiet",
            "Endkundenvertrieb mit Anschluss innerhalb von acht Wochen nach Auftrag",
            "jährliche Berichte über Anschlussquote, Auslastung und Störungen",
        ),
        H("4. Mindestanforderungen"),
        P("""Bieter müssen nachweisen, dass sie mindestens drei vergleichbare Netze im
        Betreibermodell betreiben. Der Netzbetrieb erfolgt diskriminierungsfrei; anderen
        Anbietern ist zu transparenten Bedingungen Zugang zu gewähren. Die Pachtzahlungen
        fließen an die Kommunen zurück und mindern deren Eigenanteil."""),
        H("5. Bewertung der Angebote"),
        T(
            ("Kriterium", "Punkte"),
            ("Höhe der jährlichen Pacht", "35"),
            ("Endkundenpreise und Produktvielfalt", "25"),
            ("Vertriebs- und Marketingkonzept", "15"),
            ("Service-Level und Entstörzeiten", "15"),
            ("Erfahrung und Referenzen", "10"),
            widths=(75, 25),
        ),
        H("6. Förderrechtliche Vorgaben"),
        P("""Die Ausbaugebiete wurden im Markterkundungsverfahren von Mai bis Juli 2019 als
        unterversorgt festgestellt; kein Unternehmen hat einen eigenwirtschaftlichen Ausbau
        innerhalb von drei Jahren angekündigt. Der Netzbetreiber muss die Vorgaben der
        Förderrichtlinie zum offenen Netzzugang, zur Dokumentation im Infrastrukturatlas und
        zur Rückforderung bei Überkompensation vertraglich übernehmen. Die Einhaltung wird
        nach sieben Jahren durch einen Überprüfungsmechanismus kontrolliert."""),
        H("7. Fristen"),
        P("""Teilnahmeanträge sind bis zum 25.10.2019 einzureichen. Die Angebotsphase
        beginnt voraussichtlich im November 2019, der Zuschlag ist für das erste Quartal 2020
        geplant. Auskünfte erteilt die Stabsstelle Digitalisierung des Landkreises.
        Unternehmen aus den Gewerbegebieten können ihren Bedarf bereits jetzt im
        Online-Formular des Kreises melden."""),
    ),
)

# Parkraummanagement Darmstadt -------------------------------------------------------------

_add(
    filename="Evaluationsbericht_Parksensorik_Innenstadt.pdf",
    title="Evaluationsbericht Parksensorik: zwei Jahre sensorbasiertes Parkraummanagement",
    description=(
        "Auswertung von 1.150 Bodensensoren in der Innenstadt: Erkennungsgenauigkeit, "
        "Parksuchverkehr, Nutzung der Park-App, Kosten und Empfehlungen zur Fortführung."
    ),
    topics=("mobilitaet-verkehr", "daten-plattformen"),
    doc_type="bericht-evaluation",
    project=P_PARKEN,
    date=datetime.date(2023, 10, 9),
    license="dl-de-zero-2.0",
    keywords=("Parksensorik", "Parksuchverkehr", "Evaluation", "Verkehrsdaten"),
    body=(
        H("1. Kurzfassung"),
        P("""Seit Oktober 2021 erfassen 1.150 Bodensensoren die Belegung von Stellplätzen im
        öffentlichen Straßenraum der Innenstadt. Die Daten fließen in die Park-App, in
        dynamische Anzeigetafeln an den Einfallstraßen und als offene Daten in das
        Datenportal. Der Bericht bewertet Technik, Nutzen und Kosten nach zwei Jahren
        Betrieb. Ergebnis: Die Sensorik funktioniert zuverlässig, der Parksuchverkehr ging
        in den ausgestatteten Straßen messbar zurück, die Kosten je Stellplatz liegen aber
        über den Erwartungen."""),
        H("2. Methodik"),
        P("""Die Erkennungsgenauigkeit wurde in sechs Stichproben mit Videoauswertung an
        jeweils 120 Stellplätzen überprüft. Den Parksuchverkehr haben wir mit anonymen
        Verkehrszählungen und Fahrzeit-Messungen vor und nach der Einführung verglichen.
        Zur Nutzung der App lagen anonymisierte Abrufzahlen vor; zusätzlich wurden 640
        Personen in der Innenstadt befragt."""),
        H("3. Ergebnisse"),
        T(
            ("Kennzahl", "Vorher (2021)", "Nachher (2023)", "Veränderung"),
            ("Erkennungsgenauigkeit der Sensoren", "–", "97,8 %", "–"),
            ("mittlere Parksuchzeit", "7,9 min", "5,6 min", "−29 %"),
            ("Fahrzeuge im Suchverkehr (Spitzenstunde)", "1.240", "960", "−23 %"),
            ("Auslastung Bewohnerparkzonen", "104 %", "96 %", "−8 Prozentpunkte"),
            ("monatliche Abrufe der Park-App", "–", "38.500", "–"),
            widths=(40, 20, 20, 20),
        ),
        P("""Ausfälle einzelner Sensoren traten vor allem nach Frostperioden und bei
        Straßenbauarbeiten auf; 4,1 Prozent der Sensoren mussten innerhalb von zwei Jahren
        ersetzt werden. Falscherkennungen entstanden durch hohe Fahrzeuge, die über zwei
        Stellplätze ragen, sowie durch Lieferfahrzeuge in Ladezonen."""),
        H("4. Befragung"),
        P("""Zwei Drittel der Befragten kannten das Angebot. Von den Nutzerinnen und Nutzern
        bewerteten 71 Prozent die Anzeige freier Plätze als hilfreich. Kritisiert wurde, dass
        die Tafeln an den Einfallstraßen nur Parkhäuser, nicht aber freie Plätze am
        Straßenrand anzeigen. Menschen mit Behinderung wünschten sich eine gesonderte Anzeige
        der Behindertenparkplätze – diese wurde 2023 ergänzt."""),
        H("5. Kosten"),
        T(
            ("Kostenart", "Betrag"),
            ("Sensoren und Montage (1.150 Stück)", "287.500 €"),
            ("Gateways und Datenplattform", "64.000 €"),
            ("Betrieb und Wartung je Jahr", "71.000 €"),
            ("Entwicklung Park-App und Schnittstellen", "118.000 €"),
            widths=(70, 30),
        ),
        H("6. Datenschutz"),
        P("""Die Sensoren erfassen nur, ob ein Stellplatz belegt ist; Kennzeichen oder Bilder
        werden nicht verarbeitet. Ein Personenbezug ist daher ausgeschlossen. Die
        Belegungsdaten werden minütlich als offene Daten unter der Datenlizenz Deutschland –
        Zero veröffentlicht und von zwei privaten Navigationsdiensten bereits genutzt."""),
        H("7. Empfehlungen"),
        L(
            "Sensorik in Bewohnerparkzonen und Ladezonen fortführen, in Randlagen nicht ausweiten",
            "Anzeigetafeln um freie Straßenstellplätze und Behindertenparkplätze ergänzen",
            "Wartungsvertrag neu ausschreiben und Batterietausch bündeln",
            "Daten für die Parkraumbewirtschaftung und Tarifgestaltung auswerten",
        ),
    ),
)

_add(
    filename="Schnittstellenbeschreibung_Parkdaten_API.docx",
    title="Schnittstellenbeschreibung der offenen Parkdaten",
    description=(
        "Beispiel einer technischen Dokumentation für eine offene Echtzeit-Schnittstelle: "
        "Endpunkte, Datenfelder, Aktualisierung, Lizenz und Nutzungsbedingungen."
    ),
    topics=("mobilitaet-verkehr", "daten-plattformen"),
    doc_type="beispieldokument",
    project=P_PARKEN,
    date=datetime.date(2022, 3, 14),
    license="cc-by-4.0",
    keywords=("API", "Schnittstelle", "Open Data", "Parkdaten", "JSON"),
    body=(
        H("1. Überblick"),
        P("""Die Stadt stellt die Belegung der mit Sensoren ausgestatteten Stellplätze und
        der städtischen Parkhäuser als offene Daten bereit. Die Schnittstelle liefert
        JSON-Daten über HTTPS, ist ohne Anmeldung nutzbar und wird minütlich aktualisiert.
        Sie richtet sich an Navigationsanbieter, Forschung und alle, die eigene Anwendungen
        entwickeln möchten."""),
        H("2. Endpunkte"),
        T(
            ("Methode und Pfad", "Beschreibung"),
            ("GET /parken/v1/zonen", "alle Parkzonen mit Name, Geometrie und Zahl der Stellplätze"),
            ("GET /parken/v1/zonen/{id}/belegung", "aktuelle Belegung einer Zone"),
            ("GET /parken/v1/parkhaeuser", "Parkhäuser mit freien Plätzen und Öffnungszeiten"),
            ("GET /parken/v1/historie?zone=&datum=", "Belegung im Viertelstundentakt für einen Tag"),
            widths=(40, 60),
        ),
        H("3. Datenfelder der Belegung"),
        T(
            ("Feld", "Typ", "Bedeutung"),
            ("zone_id", "Text", "eindeutige Kennung der Parkzone, z. B. „IN-04“"),
            ("stellplaetze", "Zahl", "Zahl der erfassten Stellplätze in der Zone"),
            ("frei", "Zahl", "derzeit freie Stellplätze"),
            ("frei_barrierefrei", "Zahl", "freie Behindertenparkplätze"),
            ("zeitstempel", "Datum/Zeit", "Zeitpunkt der Messung in UTC nach ISO 8601"),
            ("qualitaet", "Text", "„ok“, „eingeschränkt“ (Sensorausfälle) oder „keine Daten“"),
            widths=(25, 15, 60),
        ),
        H("4. Beispielantwort"),
        P("""Eine Abfrage der Zone „IN-04“ (Luisenstraße) liefert unter anderem die Felder
        zone_id, stellplaetze = 48, frei = 7, frei_barrierefrei = 1 und den Zeitstempel der
        letzten Messung. Fehlen Messwerte von mehr als zehn Prozent der Sensoren einer Zone,
        wird die Qualität als „eingeschränkt“ gekennzeichnet."""),
        H("5. Technischer Hintergrund"),
        P("""Die Belegungswerte stammen von Bodensensoren, die über das städtische
        LoRaWAN-Netz an die urbane Datenplattform melden. Dort werden sie plausibilisiert,
        je Zone zusammengefasst und über ein Programmierschnittstellen-Gateway ausgeliefert.
        Die Parkhäuser liefern ihre Zählwerte über die Schnittstelle des jeweiligen
        Betreibers. Historische Werte werden fünf Jahre vorgehalten und eignen sich für
        Auswertungen der Verkehrsplanung und der Wissenschaft."""),
        H("6. Nutzungsbedingungen"),
        L(
            "Lizenz: Datenlizenz Deutschland – Zero 2.0, keine Namensnennung erforderlich",
            "Faire Nutzung: höchstens 60 Abfragen je Minute und IP-Adresse",
            "Änderungen der Schnittstelle werden mindestens drei Monate vorher angekündigt",
            "Keine Gewähr für Vollständigkeit; für Verkehrssteuerung ist die Verkehrszentrale zuständig",
        ),
        H("7. Kontakt und Weiterentwicklung"),
        P("""Fehler und Wünsche nehmen wir über das Kontaktformular des Datenportals entgegen.
        Geplant sind die Ausgabe nach dem europäischen Standard DATEX II sowie Angaben zu
        Ladesäulen für Elektrofahrzeuge. Wer die Daten nutzt, kann sich freiwillig in eine
        Liste eintragen und wird über Änderungen per E-Mail informiert."""),
    ),
)

# Hochwasser-Frühwarnsystem Schlitzerland --------------------------------------------------

_add(
    filename="Konzept_Hochwasser-Frühwarnsystem_Schlitz.pdf",
    title="Konzept für ein kommunales Hochwasser- und Starkregen-Frühwarnsystem",
    description=(
        "Sensorgestütztes Frühwarnsystem für Fulda, Schlitz und kleine Bäche: Messnetz, "
        "Warnstufen, Alarmierungskette, Einbindung der Feuerwehr und Information der Bevölkerung."
    ),
    topics=("umwelt-wasser", "bevoelkerungsschutz", "infrastruktur-netze-iot"),
    doc_type="konzept-strategie",
    project=P_HOCHWASSER,
    date=datetime.date(2022, 11, 21),
    license="cc-by-4.0",
    keywords=("Hochwasser", "Starkregen", "Frühwarnsystem", "Pegel", "Katastrophenschutz"),
    body=(
        H("1. Anlass"),
        P("""Das Starkregenereignis im Juni 2021 hat in mehreren Ortsteilen der Stadt
        Schlitz Keller geflutet und eine Straße unterspült. Die amtlichen Pegel des Landes an
        der Fulda warnen zuverlässig vor Flusshochwasser, nicht aber vor schnell
        anschwellenden kleinen Bächen wie der Schlitz, der Altefeld oder dem Sandbach. Ziel
        ist ein eigenes, kostengünstiges Messnetz, das der Feuerwehr und der Bevölkerung
        wertvolle Minuten für Schutzmaßnahmen verschafft."""),
        H("2. Messnetz"),
        T(
            ("Standort", "Gewässer", "Sensor", "Übertragung"),
            ("Brücke Hutzdorf", "Fulda", "Radarpegel", "LoRaWAN"),
            ("Pfordt, Ortseingang", "Schlitz", "Radarpegel", "LoRaWAN"),
            ("Queck, Mühlgraben", "Altefeld", "Drucksonde", "LoRaWAN"),
            ("Sandbach, Durchlass L 3141", "Sandbach", "Radarpegel und Kamera", "Mobilfunk"),
            ("Feuerwehrhaus Schlitz", "–", "Niederschlagsmesser", "LoRaWAN"),
            ("Hallenburg", "–", "Niederschlagsmesser", "LoRaWAN"),
            widths=(30, 20, 28, 22),
        ),
        P("""Die Sensoren messen alle fünf Minuten, bei steigendem Wasserstand jede Minute.
        Sie werden über das LoRaWAN-Netz des Vogelsbergkreises angebunden; der Standort am
        Sandbach nutzt wegen der Tallage Mobilfunk."""),
        H("3. Warnstufen"),
        T(
            ("Stufe", "Auslöser", "Maßnahmen"),
            ("1 – Vorwarnung", "Unwetterwarnung des DWD oder Pegel über Meldestufe 1", "Information des Ordnungsamts, erhöhte Messrate"),
            ("2 – Warnung", "Pegel steigt um mehr als 20 cm in 30 Minuten", "Alarmierung der Wehrführung, Push-Meldung an registrierte Anwohnende"),
            ("3 – Gefahr", "Pegel erreicht Ausuferungsgrenze", "Einsatz der Feuerwehr, Warnung über Warn-App und Sirenen"),
            widths=(18, 40, 42),
        ),
        H("4. Alarmierungskette"),
        L(
            "Automatische Auswertung auf der Datenplattform mit Schwellenwerten je Standort",
            "Meldung an die Rufbereitschaft des Ordnungsamts per SMS und Anruf",
            "Entscheidung über Alarmierung der Feuerwehr durch Wehrführung oder Bürgermeister",
            "Information der Bevölkerung über die Warn-App des Bundes und die Internetseite",
        ),
        H("5. Information der Bevölkerung"),
        P("""Die Pegelstände werden öffentlich auf einer Karte angezeigt. Anwohnende in
        gefährdeten Straßen können sich für Push-Meldungen registrieren. Zusätzlich erhalten
        alle Haushalte einen Flyer zu Schutzmaßnahmen bei Starkregen, etwa zu
        Rückstauklappen und dem Sichern von Kellerfenstern."""),
        H("6. Kosten und Betrieb"),
        P("""Die Investitionskosten betragen rund 46.000 €, davon 70 Prozent gefördert aus
        dem Landesprogramm Klimaanpassung. Für Betrieb und Wartung sind jährlich 4.500 €
        vorgesehen. Der Bauhof übernimmt Sichtprüfungen nach jedem Hochwasser. Das System wird
        nach der ersten Saison gemeinsam mit der Feuerwehr ausgewertet."""),
    ),
)

_add(
    filename="Muster_Alarm-_und_Einsatzplan_Starkregen.doc",
    title="Muster-Alarm- und Einsatzplan Starkregen und Sturzflut",
    description=(
        "Ausfüllbare Vorlage für Kommunen: Zuständigkeiten, Meldewege, Schwellenwerte des "
        "Frühwarnsystems, Sofortmaßnahmen, Sandsacklager und Kommunikation mit der Bevölkerung."
    ),
    topics=("bevoelkerungsschutz", "umwelt-wasser"),
    doc_type="muster-vorlage",
    project=P_HOCHWASSER,
    date=datetime.date(2024, 3, 4),
    license="cc0-1.0",
    keywords=("Alarmplan", "Einsatzplan", "Starkregen", "Vorlage", "Feuerwehr"),
    body=(
        H("Hinweise zur Verwendung"),
        P("""Diese Vorlage wurde aus den Erfahrungen mit dem Hochwasser-Frühwarnsystem der
        Stadt Schlitz entwickelt. Eckige Klammern sind durch die eigenen Angaben zu ersetzen.
        Der Plan ersetzt nicht den Katastrophenschutzplan des Landkreises, sondern ergänzt ihn
        für die örtliche Gefahrenabwehr. Er sollte jährlich vor Beginn der
        Gewittersaison im Mai überprüft und mit der Feuerwehr geübt werden."""),
        H("1. Geltungsbereich"),
        P("""Der Plan gilt für das Gebiet der [Stadt/Gemeinde] mit den Ortsteilen [Liste].
        Besonders gefährdete Bereiche laut Starkregengefahrenkarte sind [Straßen, Senken,
        Unterführungen]."""),
        H("2. Zuständigkeiten"),
        T(
            ("Funktion", "Name", "Erreichbarkeit", "Vertretung"),
            ("Bürgermeisterin / Bürgermeister", "[Name]", "[Telefon]", "[Name]"),
            ("Leitung Ordnungsamt", "[Name]", "[Telefon]", "[Name]"),
            ("Stadtbrandinspektor/in", "[Name]", "[Telefon]", "[Name]"),
            ("Leitung Bauhof", "[Name]", "[Telefon]", "[Name]"),
            ("Pressestelle", "[Name]", "[Telefon]", "[Name]"),
            widths=(34, 22, 22, 22),
        ),
        H("3. Meldewege und Schwellenwerte"),
        T(
            ("Messstelle", "Vorwarnung ab", "Warnung ab", "Gefahr ab"),
            ("[Pegel 1]", "[cm]", "[cm]", "[cm]"),
            ("[Pegel 2]", "[cm]", "[cm]", "[cm]"),
            ("[Niederschlag]", "20 l/m² in 1 h", "30 l/m² in 1 h", "40 l/m² in 1 h"),
            widths=(34, 22, 22, 22),
        ),
        H("4. Sofortmaßnahmen je Warnstufe"),
        H2("Stufe 1 – Vorwarnung"),
        L(
            "Rufbereitschaft informieren, Lage beobachten",
            "Einlaufgitter und Durchlässe an bekannten Engstellen kontrollieren",
        ),
        H2("Stufe 2 – Warnung"),
        L(
            "Wehrführung und Bauhof alarmieren",
            "Sandsäcke aus dem Lager [Ort] an die Gefahrenpunkte bringen",
            "Anwohnende der gefährdeten Straßen über die Warn-App informieren",
        ),
        H2("Stufe 3 – Gefahr"),
        L(
            "Einsatzleitung im Feuerwehrhaus einrichten",
            "Straßen und Unterführungen sperren, Umleitungen ausschildern",
            "Evakuierung gefährdeter Gebäude prüfen, Notunterkunft [Dorfgemeinschaftshaus] öffnen",
        ),
        H("5. Sandsacklager und Material"),
        P("""Im Bauhof sind [Anzahl] gefüllte Sandsäcke, [Anzahl] leere Säcke und eine
        Befüllanlage vorzuhalten. Tauchpumpen, Absperrmaterial und Beleuchtung werden von der
        Feuerwehr gestellt. Die Bestände sind im Frühjahr zu prüfen; der Bauhof führt eine
        Liste mit Lagerort, Menge und Verantwortlicher Person."""),
        H("6. Kommunikation mit der Bevölkerung"),
        P("""Warnungen werden über die Warn-App des Bundes, die Internetseite, soziale
        Medien und in Ortsteilen ohne Mobilfunkempfang über Lautsprecherdurchsagen der
        Feuerwehr verbreitet. Textbausteine für typische Lagen liegen der Pressestelle vor."""),
        H("7. Nachbereitung"),
        P("""Nach jedem Ereignis werden Schäden, Einsatzzeiten und die Funktion des
        Frühwarnsystems dokumentiert. Eine Auswertung mit allen Beteiligten findet innerhalb
        von vier Wochen statt; Erkenntnisse fließen in die Fortschreibung dieses Plans ein."""),
    ),
)

# Smarte Straßenbeleuchtung Alsfeld -----------------------------------------------------------

_add(
    filename="Leistungsbeschreibung_Smarte_Straßenbeleuchtung_Alsfeld.pdf",
    title="Leistungsbeschreibung: Umrüstung auf smarte LED-Straßenbeleuchtung mit Lichtmanagement",
    description=(
        "Ausschreibung der Umrüstung von 2.350 Leuchten auf LED mit vernetzter Steuerung, "
        "bedarfsgerechter Dimmung, Störungsmeldung und insektenfreundlicher Lichtfarbe."
    ),
    topics=("energie-klimaschutz", "infrastruktur-netze-iot", "umwelt-wasser"),
    doc_type="leistungsbeschreibung-ausschreibung",
    project=P_LICHT,
    date=datetime.date(2023, 1, 23),
    license="cc-by-sa-4.0",
    keywords=("Straßenbeleuchtung", "LED", "Lichtmanagement", "Ausschreibung", "Energieeffizienz"),
    body=(
        H("1. Gegenstand"),
        P("""Die Stadt Alsfeld schreibt die Umrüstung ihrer Straßenbeleuchtung auf
        LED-Technik mit einem vernetzten Lichtmanagementsystem aus. Betroffen sind 2.350
        Leuchten in der Kernstadt und in 16 Stadtteilen, darunter 310 denkmalgerechte
        Leuchten in der historischen Altstadt. Ziel ist, den Stromverbrauch der
        Straßenbeleuchtung um mindestens 65 Prozent zu senken, Störungen automatisch zu
        erkennen und die Lichtverschmutzung zu verringern."""),
        H("2. Bestand"),
        T(
            ("Leuchtentyp", "Anzahl", "Leistung alt", "Ort"),
            ("Natriumdampf-Hochdrucklampe, Mastaufsatz", "1.420", "70 W", "Wohnstraßen"),
            ("Quecksilberdampflampe, Pilzleuchte", "380", "80 W", "Stadtteile"),
            ("Historische Laterne, Kompaktleuchtstofflampe", "310", "36 W", "Altstadt"),
            ("Seilhängeleuchte", "240", "150 W", "Hauptverkehrsstraßen"),
            widths=(46, 14, 16, 24),
        ),
        H("3. Technische Anforderungen"),
        L(
            "LED-Module mit Farbtemperatur von höchstens 3.000 Kelvin, in Randlagen 2.200 Kelvin",
            "Lichtstärkeklasse G*4 oder besser, kein Lichtaustritt oberhalb der Horizontalen",
            "Steuermodul nach Zhaga-Standard, austauschbar ohne Werkzeug",
            "Lichtmanagement über offenes Protokoll mit dokumentierter Schnittstelle",
            "Bedarfsgerechte Dimmung auf 30 Prozent zwischen 23 und 5 Uhr, Anhebung bei Bewegung",
            "Automatische Störungsmeldung an das Tiefbauamt",
        ),
        H("4. Lichtmanagement"),
        P("""Das System muss den Energieverbrauch jeder Leuchte erfassen und monatliche
        Auswertungen bereitstellen. Schaltprogramme werden nach Straßenkategorie festgelegt.
        Für Veranstaltungen in der Altstadt, etwa den Weihnachtsmarkt, müssen
        Sonderprogramme ohne Vor-Ort-Einsatz aktivierbar sein. Die Anbindung an die
        städtische Datenplattform über eine offene Schnittstelle ist Bestandteil der
        Leistung."""),
        H("5. Leistungsverzeichnis (Auszug)"),
        T(
            ("Pos.", "Leistung", "Menge"),
            ("01", "Demontage und fachgerechte Entsorgung der Altleuchten", "2.350 Stück"),
            ("02", "LED-Mastaufsatzleuchte mit Steuermodul liefern und montieren", "1.800 Stück"),
            ("03", "LED-Nachrüstsatz für historische Laternen", "310 Stück"),
            ("04", "LED-Seilhängeleuchte liefern und montieren", "240 Stück"),
            ("05", "Lichtmanagementsoftware inkl. Lizenz für 10 Jahre", "1 pauschal"),
            ("06", "Einweisung der Beschäftigten des Bauhofs", "1 pauschal"),
            widths=(8, 67, 25),
        ),
        H("6. Zuschlagskriterien"),
        P("""Der Zuschlag erfolgt auf das wirtschaftlichste Angebot. Bewertet werden der
        Preis einschließlich der Energiekosten über zehn Jahre (50 Prozent), die Qualität und
        Offenheit des Lichtmanagements (30 Prozent) sowie das Konzept für die Umrüstung der
        historischen Laternen in der Altstadt (20 Prozent). Eine Bemusterung ausgewählter
        Leuchten vor Ort ist Teil der Wertung."""),
        H("7. Förderung und Fristen"),
        P("""Die Maßnahme wird aus der Kommunalrichtlinie des Bundes gefördert. Die Umrüstung
        muss bis zum 30.11.2023 abgeschlossen sein. Arbeiten an Hauptverkehrsstraßen sind mit
        der Straßenverkehrsbehörde abzustimmen. Der Auftragnehmer dokumentiert jede Leuchte
        mit Standort, Typ und Leistung im Beleuchtungskataster."""),
    ),
)

_add(
    filename="Beschlussvorlage_LED-Umrüstung_Straßenbeleuchtung.docx",
    title="Beschlussvorlage: Umrüstung der Straßenbeleuchtung auf LED mit Lichtmanagement",
    description=(
        "Vorlage an die Stadtverordnetenversammlung mit Wirtschaftlichkeitsberechnung, "
        "CO2-Einsparung, Förderquote und Finanzierung aus dem Haushalt 2023."
    ),
    topics=("energie-klimaschutz",),
    doc_type="beschlussvorlage",
    project=P_LICHT,
    date=datetime.date(2022, 9, 5),
    license="dl-de-by-2.0",
    keywords=("Beschlussvorlage", "LED", "Wirtschaftlichkeit", "Klimaschutz"),
    body=(
        T(
            ("Drucksache", "Amt", "Sitzung"),
            ("VL-88/2022", "Stadtbauamt, Sachgebiet Tiefbau", "Stadtverordnetenversammlung am 29.09.2022"),
            widths=(20, 35, 45),
        ),
        H("Beschlussvorschlag"),
        P("""Die Stadtverordnetenversammlung beschließt, die gesamte Straßenbeleuchtung der
        Stadt Alsfeld im Jahr 2023 auf LED-Technik mit einem vernetzten Lichtmanagement
        umzurüsten. Der Magistrat wird ermächtigt, Fördermittel aus der Kommunalrichtlinie zu
        beantragen und den Auftrag nach öffentlicher Ausschreibung zu vergeben."""),
        H("Begründung"),
        P("""Die Straßenbeleuchtung verursacht rund 38 Prozent des Stromverbrauchs der
        städtischen Einrichtungen. Ein großer Teil der Leuchten ist über 25 Jahre alt;
        Quecksilberdampflampen dürfen seit 2015 nicht mehr in Verkehr gebracht werden, so dass
        Ersatzteile knapp werden. Die gestiegenen Strompreise machen die Umrüstung besonders
        dringlich. Mit smarter Straßenbeleuchtung kann die Helligkeit nachts abgesenkt und bei
        Bedarf angehoben werden; defekte Leuchten melden sich selbst."""),
        H("Wirtschaftlichkeit"),
        T(
            ("Größe", "heute", "nach Umrüstung"),
            ("Stromverbrauch pro Jahr", "1.180.000 kWh", "372.000 kWh"),
            ("Stromkosten pro Jahr (0,38 €/kWh)", "448.400 €", "141.400 €"),
            ("Wartungskosten pro Jahr", "96.000 €", "41.000 €"),
            ("CO2-Emissionen pro Jahr", "448 t", "141 t"),
            widths=(45, 25, 30),
        ),
        P("""Den Investitionskosten von 2,46 Mio. € stehen jährliche Einsparungen von rund
        362.000 € gegenüber. Nach Abzug der Förderung von 25 Prozent amortisiert sich die
        Maßnahme in etwa fünf Jahren; die Lebensdauer der LED-Leuchten beträgt mindestens
        20 Jahre."""),
        H("Finanzierung"),
        P("""Die Mittel sind im Entwurf des Haushalts 2023 im Teilhaushalt Tiefbau
        veranschlagt. Der Eigenanteil wird über einen Investitionskredit finanziert, dessen
        Zins und Tilgung vollständig aus den eingesparten Energiekosten gedeckt werden."""),
        H("Alternativen"),
        P("""Geprüft wurde auch eine schrittweise Umrüstung über zehn Jahre im Rahmen der
        laufenden Unterhaltung. Sie würde die Einsparungen deutlich verzögern und die
        Förderung nicht erreichen, weil die Kommunalrichtlinie eine zusammenhängende Maßnahme
        voraussetzt. Eine reine LED-Umrüstung ohne Lichtmanagement wäre rund 12 Prozent
        günstiger, verzichtet aber auf Dimmung und automatische Störungsmeldung."""),
        H("Beteiligung und Naturschutz"),
        P("""Der Ortsbeirat Altstadt und der Denkmalbeirat wurden zur Gestaltung der
        historischen Laternen angehört. Die untere Naturschutzbehörde begrüßt die warmweiße,
        insektenfreundliche Lichtfarbe. In der Bürgerbeteiligung auf der Internetseite der
        Stadt gingen 214 Hinweise ein, überwiegend zu dunklen Fußwegen, die bei der Planung
        berücksichtigt werden."""),
        P("Alsfeld, den 05.09.2022 – Der Magistrat"),
    ),
)

# Digitaler Zwilling Kassel ----------------------------------------------------------------

_add(
    filename="Konzept_Digitaler_Zwilling_Kassel.docx",
    title="Konzept Digitaler Zwilling: Stadtmodell, Datenplattform und Anwendungsfälle",
    description=(
        "Fachkonzept für einen urbanen digitalen Zwilling auf Basis des 3D-Stadtmodells: "
        "Datengrundlagen, Architektur, Anwendungsfälle in Planung und Klimaanpassung, Betrieb."
    ),
    topics=("daten-plattformen", "strategie-organisation", "energie-klimaschutz"),
    doc_type="konzept-strategie",
    project=P_ZWILLING,
    date=datetime.date(2025, 2, 17),
    license="cc-by-4.0",
    keywords=("Digitaler Zwilling", "3D-Stadtmodell", "CityGML", "Simulation", "Stadtplanung"),
    body=(
        H("1. Zielsetzung"),
        P("""Ein digitaler Zwilling ist ein virtuelles Abbild der Stadt, das Geodaten,
        Sensordaten und Fachdaten zusammenführt und Simulationen ermöglicht. Die Stadt Kassel
        will damit Planungsentscheidungen anschaulicher machen, Folgen des Klimawandels
        besser abschätzen und die Bürgerbeteiligung bei Bauvorhaben verbessern. Der Zwilling
        ist kein einzelnes Produkt, sondern ein Zusammenspiel aus Daten, offenen Standards,
        Software und Organisation."""),
        H("2. Datengrundlagen"),
        T(
            ("Datenbestand", "Quelle", "Format", "Aktualität"),
            ("3D-Gebäudemodell LoD2", "Hessische Verwaltung für Bodenmanagement und Geoinformation", "CityGML", "jährlich"),
            ("Digitales Geländemodell", "Land Hessen", "GeoTIFF", "alle drei Jahre"),
            ("Baumkataster", "Umwelt- und Gartenamt", "GeoPackage", "laufend"),
            ("Bebauungspläne", "Stadtplanung", "XPlanung", "laufend"),
            ("Verkehrszählungen", "Straßenverkehrsamt", "CSV, API", "stündlich"),
            ("Klimasensoren (Temperatur, Feuchte)", "Umweltamt", "SensorThings API", "alle 10 Minuten"),
            widths=(28, 36, 18, 18),
        ),
        H("3. Architektur"),
        P("""Der Zwilling folgt einer offenen, modularen Architektur. Eine urbane
        Datenplattform hält die Daten vor und stellt sie über OGC-Schnittstellen bereit. Ein
        webbasierter 3D-Viewer auf Basis von Open-Source-Software zeigt Gebäude, Gelände und
        Themenkarten. Simulationen – etwa zu Hitze, Starkregen oder Verschattung – laufen als
        austauschbare Dienste. Die Stadt behält die Hoheit über alle Daten; Dienstleister
        werden über offene Schnittstellen angebunden."""),
        H("4. Anwendungsfälle"),
        H2("4.1 Hitzevorsorge"),
        P("""Aus Temperatursensoren, Gebäudehöhen und Baumkataster wird eine Hitzekarte
        berechnet. Sie zeigt, wo Entsiegelung oder Baumpflanzungen am meisten bewirken, und
        unterstützt den Hitzeaktionsplan."""),
        H2("4.2 Starkregen"),
        P("""Auf dem Geländemodell werden Fließwege bei Starkregen simuliert. Die Ergebnisse
        fließen in die Starkregengefahrenkarte und in die Planung von Rückhalteflächen ein."""),
        H2("4.3 Planung und Beteiligung"),
        P("""Geplante Gebäude werden als 3D-Modell in den Bestand eingefügt. Bürgerinnen und
        Bürger können Höhe, Verschattung und Sichtachsen online ansehen und kommentieren."""),
        H("5. Organisation und Betrieb"),
        L(
            "Fachliche Leitung: Vermessung und Geoinformation, mit Umwelt- und Stadtplanungsamt",
            "Technischer Betrieb im kommunalen Rechenzentrum, Quellcode in einem öffentlichen Repository",
            "Datenverantwortliche Personen je Fachbestand nach der Datenstrategie",
            "Jährlicher Anwendertag für Verwaltung, Wissenschaft und Zivilgesellschaft",
        ),
        H("6. Kosten und Zeitplan"),
        T(
            ("Phase", "Zeitraum", "Kosten"),
            ("Datenaufbereitung und Plattform", "2024", "380.000 €"),
            ("3D-Viewer und erste Anwendungsfälle", "2024–2025", "420.000 €"),
            ("Simulationsdienste Hitze und Starkregen", "2025", "260.000 €"),
            ("Betrieb je Jahr ab 2026", "laufend", "140.000 €"),
            widths=(50, 20, 30),
        ),
        P("""Das Vorhaben wird im Programm Modellprojekte Smart Cities des Bundes gefördert.
        Ergebnisse und Software werden unter offenen Lizenzen veröffentlicht, damit andere
        Kommunen sie nachnutzen können."""),
    ),
)

_add(
    filename="Präsentation_Digitaler_Zwilling_Stadtplanung.pdf",
    title="Der digitale Zwilling in der Stadtplanung – Werkstattbericht",
    description=(
        "Foliensatz aus einem Fachforum: wie Kassel den digitalen Zwilling bei einem "
        "Bebauungsplan und der Hitzevorsorge eingesetzt hat, mit Zahlen und Stolpersteinen."
    ),
    topics=("daten-plattformen", "buergerbeteiligung-open-government"),
    doc_type="praesentation",
    project=P_ZWILLING,
    date=datetime.date(2025, 9, 24),
    license="cc-by-sa-4.0",
    layout="slides",
    keywords=("Digitaler Zwilling", "Werkstattbericht", "Bebauungsplan", "Hitze"),
    body=(
        H("Ausgangspunkt"),
        L(
            "Vier Ämter, zwölf Fachverfahren, keine gemeinsame Sicht auf die Stadt",
            "Planungsdiskussionen mit Plänen, die Laien schwer lesen können",
            "Hitzesommer 2022 und 2023: Wo hilft welche Maßnahme am meisten?",
        ),
        H("Was wir gebaut haben"),
        T(
            ("Baustein", "Stand September 2025"),
            ("Urbane Datenplattform", "im Betrieb, 46 Datensätze"),
            ("3D-Viewer im Browser", "öffentlich seit Mai 2025"),
            ("Hitzesimulation", "für die gesamte Kernstadt"),
            ("Starkregen-Fließwege", "Pilot in zwei Stadtteilen"),
            widths=(50, 50),
        ),
        H("Beispiel 1: Bebauungsplan Am Weinberg"),
        P("""Für ein neues Wohnquartier haben wir drei Varianten im 3D-Modell gezeigt. In der
        Online-Beteiligung gingen 412 Hinweise ein – viermal so viele wie bei vergleichbaren
        Verfahren. Die Diskussion über Gebäudehöhen wurde sachlicher, weil alle dieselben
        Bilder sahen."""),
        H("Beispiel 2: Hitzevorsorge"),
        P("""Die Hitzekarte zeigt 23 Hotspots mit hoher Wohndichte und wenig Grün. Für die
        Pflanzung von 600 Stadtbäumen wurden die Standorte nach Wirkung priorisiert.
        Kindertagesstätten und Pflegeheime in Hotspots erhalten vorrangig Verschattung."""),
        H("Stolpersteine"),
        L(
            "Datenqualität: Das Baumkataster war in Teilen zehn Jahre alt",
            "Rechenleistung: Simulationen brauchten anfangs eine Nacht pro Szenario",
            "Erwartungen: Ein Zwilling ersetzt keine Fachplanung, er unterstützt sie",
            "Personal: Geodaten-Fachleute sind am Arbeitsmarkt schwer zu finden",
        ),
        H("Kosten und Nutzen"),
        T(
            ("Posten", "Betrag"),
            ("Aufbau 2024–2025 (inkl. Förderung 65 %)", "1,06 Mio. €"),
            ("Betrieb je Jahr", "140.000 €"),
            ("eingesparte Gutachten je Jahr (Schätzung)", "90.000 €"),
            widths=(70, 30),
        ),
        P("""Der größte Nutzen lässt sich schwer in Euro fassen: schnellere Abstimmungen
        zwischen den Ämtern, verständlichere Beteiligungsverfahren und Entscheidungen auf
        besserer Datengrundlage. Die Zahl der Nutzerinnen und Nutzer in der Verwaltung stieg
        von 15 auf 140."""),
        H("Tipps für andere Kommunen"),
        L(
            "Mit einem konkreten Anwendungsfall beginnen, nicht mit der Plattform",
            "Offene Standards wie CityGML und SensorThings verlangen",
            "Nachnutzen: Viewer und Datenmodelle stehen unter offener Lizenz bereit",
            "Früh die Fachämter einbinden – sie sind die eigentlichen Nutzer",
        ),
        H("Ausblick"),
        P("""Bis 2026 sollen Lärmberechnungen, Solarpotenziale und die kommunale
        Wärmeplanung in den Zwilling integriert werden. Gemeinsam mit der Universität Kassel
        erproben wir Szenarien für klimaangepasste Straßenräume. Fragen und Austausch
        gerne jederzeit an das Team Vermessung und Geoinformation."""),
    ),
)

# Innenstadt-Lab Gießen --------------------------------------------------------------------

_add(
    filename="Konzept_Leerstandsmanagement_Innenstadt_Gießen.pdf",
    title="Konzept digitales Leerstandsmanagement für die Innenstadt",
    description=(
        "Wie die Stadt leerstehende Ladenlokale erfasst, mit Eigentümern und Gründern "
        "zusammenbringt und Zwischennutzungen ermöglicht – inklusive Leerstandskataster und Prozess."
    ),
    topics=("wirtschaft-handel-innenstadt", "daten-plattformen"),
    doc_type="konzept-strategie",
    project=P_INNENSTADT,
    date=datetime.date(2023, 4, 3),
    license="dl-de-by-2.0",
    keywords=("Leerstand", "Innenstadt", "Zwischennutzung", "Leerstandskataster", "Einzelhandel"),
    body=(
        H("1. Ausgangslage"),
        P("""In der Gießener Innenstadt standen im Herbst 2022 rund 60 Ladenlokale leer,
        vor allem in Nebenlagen wie der Neustadt und dem Seltersweg-Süd. Gründe sind der
        Strukturwandel im Einzelhandel, Schließungen nach der Pandemie und hohe
        Mietvorstellungen. Leerstand zieht weiteren Leerstand nach sich. Die Stadt will
        deshalb schneller erfahren, wo Flächen frei werden, und aktiv vermitteln."""),
        H("2. Ziele"),
        L(
            "Leerstände vollständig und aktuell erfassen",
            "Eigentümerinnen und Eigentümer frühzeitig ansprechen und beraten",
            "Zwischennutzungen durch Gründungen, Kultur und soziale Träger ermöglichen",
            "Den Branchenmix in der Innenstadt bewusst gestalten",
        ),
        H("3. Das digitale Leerstandskataster"),
        P("""Das Kataster ist eine webbasierte Anwendung auf der Datenplattform der Stadt. Es
        führt jede Gewerbeeinheit mit Lage, Fläche, Zustand und Nutzungsstatus. Informationen
        kommen aus Begehungen des Citymanagements, Meldungen von Maklern, dem
        Gewerbeamt und einem Online-Meldeformular. Eigentümerdaten werden nur mit
        Einwilligung gespeichert und sind ausschließlich für das Citymanagement sichtbar."""),
        T(
            ("Merkmal", "Beispielwert", "öffentlich sichtbar"),
            ("Adresse und Lage", "Seltersweg 41, 1a-Lage", "ja"),
            ("Verkaufsfläche", "145 m²", "ja"),
            ("Leerstand seit", "03/2022", "ja"),
            ("Zustand", "renovierungsbedürftig, barrierefrei", "ja"),
            ("Eigentümer und Kontakt", "nur mit Einwilligung", "nein"),
            ("Mietvorstellung", "Verhandlungssache", "nein"),
            widths=(35, 40, 25),
        ),
        H("4. Prozess"),
        T(
            ("Schritt", "Beschreibung", "Zuständig"),
            ("1 Erfassen", "Begehung zweimal im Jahr, laufende Meldungen", "Citymanagement"),
            ("2 Ansprechen", "Brief und Gesprächsangebot an Eigentümer", "Wirtschaftsförderung"),
            ("3 Vermitteln", "Exposé im Flächenportal, Abgleich mit Gesuchen", "Citymanagement"),
            ("4 Zwischennutzen", "Mustervertrag, Mietzuschuss bis zu 12 Monate", "Innenstadt-Lab"),
            ("5 Auswerten", "Quote der wieder vermieteten Flächen", "Wirtschaftsförderung"),
            widths=(20, 55, 25),
        ),
        H("5. Förderprogramm Zwischennutzung"),
        P("""Aus dem Bundesprogramm „Zukunftsfähige Innenstädte und Zentren“ unterstützt die
        Stadt Zwischennutzungen: Sie mietet Flächen zu höchstens 70 Prozent der letzten
        Miete an und überlässt sie Gründungen, Pop-up-Stores und Kulturprojekten zu einem
        symbolischen Betrag. Nach zwölf Monaten sollen die Nutzer regulär mieten."""),
        H("6. Erste Ergebnisse"),
        P("""Nach einem Jahr waren 58 Flächen im Kataster erfasst. 17 Ladenlokale wurden
        vermittelt, davon neun über Zwischennutzungen, von denen fünf inzwischen in reguläre
        Mietverhältnisse übergegangen sind."""),
        H("7. Datenschutz und Transparenz"),
        P("""Die Karte der Leerstände ist öffentlich, weil sie Gründerinnen und Gründern die
        Suche erleichtert. Personenbezogene Daten werden nicht veröffentlicht. Eigentümer
        können der Darstellung ihrer Fläche jederzeit widersprechen. Die Maßnahmen werden
        jährlich im Ausschuss für Wirtschaft berichtet."""),
    ),
)

_add(
    filename="Mustervertrag_Zwischennutzung_Ladenlokal.docx",
    title="Muster-Zwischennutzungsvertrag für Ladenlokale in der Innenstadt",
    description=(
        "Vertragsvorlage zwischen Stadt, Eigentümer und Zwischennutzer für die befristete "
        "Überlassung leerstehender Gewerbeflächen mit Mietzuschuss, Pflichten und Kündigung."
    ),
    topics=("wirtschaft-handel-innenstadt",),
    doc_type="muster-vorlage",
    project=P_INNENSTADT,
    date=datetime.date(2023, 5, 15),
    license="cc0-1.0",
    keywords=("Zwischennutzung", "Mustervertrag", "Pop-up-Store", "Leerstand"),
    body=(
        P("""Dieses Muster ist für die Überlassung von Ladenlokalen im Rahmen des städtischen
        Programms zur Zwischennutzung gedacht. Es besteht aus einem Hauptmietvertrag zwischen
        Eigentümer und Stadt und einem Untermietvertrag zwischen Stadt und Zwischennutzer.
        Abgebildet ist hier der Untermietvertrag; die Stadt tritt als Vermieterin auf."""),
        H("§ 1 Mietsache"),
        P("""Die Vermieterin überlässt dem Nutzer das Ladenlokal in [Straße, Hausnummer] mit
        einer Fläche von [Fläche] m² einschließlich Schaufenster und Nebenraum zur Nutzung als
        [Nutzungszweck, z. B. Pop-up-Store für regionale Produkte]. Eine Änderung des
        Nutzungszwecks bedarf der Zustimmung der Vermieterin."""),
        H("§ 2 Mietzeit"),
        P("""Das Mietverhältnis beginnt am [Datum] und endet nach [höchstens zwölf] Monaten,
        ohne dass es einer Kündigung bedarf. Beide Seiten können mit einer Frist von einem
        Monat zum Monatsende kündigen. Findet der Eigentümer einen regulären Mieter, kann die
        Vermieterin mit einer Frist von sechs Wochen kündigen."""),
        H("§ 3 Miete und Nebenkosten"),
        T(
            ("Position", "Betrag je Monat", "Hinweis"),
            ("Grundmiete", "[Betrag] €", "höchstens 20 % der ortsüblichen Miete"),
            ("Nebenkostenvorauszahlung", "[Betrag] €", "Heizung, Wasser, Müll"),
            ("Strom", "direkt mit dem Versorger", "eigener Zähler"),
            widths=(30, 30, 40),
        ),
        H("§ 4 Pflichten des Nutzers"),
        L(
            "Öffnung des Ladenlokals an mindestens vier Tagen je Woche, davon ein Samstag",
            "Gestaltung der Schaufenster, kein dauerhafter Sichtschutz",
            "Abschluss einer Betriebshaftpflichtversicherung",
            "Teilnahme an den Aktionstagen der Innenstadtgemeinschaft",
            "Rückgabe der Räume im übernommenen Zustand, besenrein",
        ),
        H("§ 5 Bauliche Veränderungen"),
        P("""Einbauten sind nur mit schriftlicher Zustimmung der Vermieterin und des
        Eigentümers zulässig. Einfache Schönheitsreparaturen wie Streichen sind erlaubt. Bei
        Auszug sind Einbauten zu entfernen, sofern nichts anderes vereinbart ist."""),
        H("§ 6 Öffentlichkeitsarbeit"),
        P("""Der Nutzer ist damit einverstanden, dass die Stadt über die Zwischennutzung
        berichtet und das Ladenlokal im Flächenportal und auf der Leerstandskarte zeigt.
        Fotos des Nutzers werden nur mit gesonderter Einwilligung veröffentlicht."""),
        H("§ 7 Mietzuschuss"),
        P("""Die Differenz zwischen der mit dem Eigentümer vereinbarten Miete und der
        Grundmiete nach § 3 trägt die Stadt aus Mitteln des Förderprogramms. Ein Anspruch auf
        Verlängerung des Zuschusses besteht nicht."""),
        H("§ 8 Schlussbestimmungen"),
        P("""Nebenabreden bestehen nicht. Änderungen bedürfen der Schriftform. Sollte eine
        Bestimmung unwirksam sein, berührt dies die übrigen Regelungen nicht."""),
        P("[Ort], [Datum] – Für die Stadt: [Name, Funktion] – Nutzer: [Name]"),
    ),
)

_add(
    filename="Bericht_Passantenfrequenz_Innenstadt_2024.xlsx",
    title="Bericht: Passantenfrequenzen in der Innenstadt 2022–2024",
    description=(
        "Auswertung anonymer Laserzähler an sechs Standorten: Entwicklung der Besucherzahlen, "
        "Wochentage, Wirkung von Veranstaltungen und Zwischennutzungen auf die Frequenz."
    ),
    topics=("wirtschaft-handel-innenstadt", "daten-plattformen", "mobilitaet-verkehr"),
    doc_type="bericht-evaluation",
    project=P_INNENSTADT,
    date=datetime.date(2024, 11, 11),
    license="cc-by-4.0",
    keywords=("Passantenfrequenz", "Frequenzmessung", "Innenstadt", "Einzelhandel", "Sensorik"),
    body=(
        H("1. Anlass und Methode"),
        P("""Seit März 2022 messen Laserzähler an sechs Standorten in der Innenstadt, wie
        viele Menschen vorbeigehen. Die Sensoren erfassen nur Bewegungen und Richtungen,
        keine Bilder und keine Geräte-Kennungen; ein Personenbezug entsteht nicht. Die
        Zähldaten werden stündlich an die Datenplattform übertragen und als offene Daten
        veröffentlicht. Der Bericht wertet die ersten zweieinhalb Jahre aus."""),
        H("2. Entwicklung der Frequenzen"),
        T(
            ("Standort", "2022 (Tagesmittel)", "2023", "2024", "Veränderung"),
            ("Seltersweg Nord", "18.420", "19.310", "19.880", "+7,9 %"),
            ("Seltersweg Süd", "11.950", "12.240", "12.900", "+7,9 %"),
            ("Marktplatz", "9.870", "10.410", "11.020", "+11,7 %"),
            ("Neustadt", "6.130", "6.080", "6.750", "+10,1 %"),
            ("Kirchenplatz", "4.220", "4.610", "5.140", "+21,8 %"),
            ("Bahnhofstraße", "7.310", "7.050", "6.920", "−5,3 %"),
            widths=(26, 22, 14, 14, 24),
        ),
        P("""Die Frequenzen sind an fünf von sechs Standorten gestiegen. Den stärksten
        Zuwachs verzeichnet der Kirchenplatz, wo seit 2023 drei Zwischennutzungen und ein
        wöchentlicher Feierabendmarkt stattfinden. An der Bahnhofstraße sinken die Werte,
        vermutlich wegen der Baustelle am Bahnhofsvorplatz."""),
        H("3. Wochentage und Tageszeiten"),
        P("""Der Samstag bleibt der stärkste Tag mit durchschnittlich 38 Prozent mehr
        Passantinnen und Passanten als an Werktagen. Die Spitzenstunde liegt zwischen 12 und
        13 Uhr. Nach 19 Uhr ist die Innenstadt außer bei Veranstaltungen deutlich leerer;
        hier sehen Handel und Gastronomie Potenzial für längere Öffnungszeiten."""),
        H("4. Wirkung von Veranstaltungen"),
        T(
            ("Veranstaltung", "Zusätzliche Passanten je Tag", "Standort mit größtem Effekt"),
            ("Weihnachtsmarkt", "+42 %", "Marktplatz"),
            ("Stadtfest", "+65 %", "Seltersweg Nord"),
            ("Verkaufsoffener Sonntag", "+24 % gegenüber Samstag", "Seltersweg Süd"),
            ("Feierabendmarkt (donnerstags)", "+18 %", "Kirchenplatz"),
            widths=(35, 30, 35),
        ),
        H("5. Datenqualität"),
        P("""Die Zähler erreichen nach Kontrollzählungen eine Genauigkeit von rund 95
        Prozent. Bei Regen und dichtem Gedränge werden Gruppen etwas unterschätzt."""),
        H("6. Schlussfolgerungen"),
        L(
            "Zwischennutzungen beleben Nebenlagen messbar und sollten fortgeführt werden.",
            "Veranstaltungen wirken vor allem dort, wo sie stattfinden – Wege dazwischen gestalten.",
            "Die Messung ist ein günstiges Instrument: rund 2.400 € je Standort und Jahr.",
            "Die offenen Daten werden von Handel, Maklern und der Hochschule genutzt.",
        ),
        P("""Das Citymanagement empfiehlt, zwei weitere Zähler in der Neustadt und am
        Lindenplatz zu installieren und die Daten mit Leerstands- und Umsatzdaten des
        Handelsverbands zu verknüpfen."""),
    ),
)

# Vogelsberg erleben – Tourismus-App -------------------------------------------------------

_add(
    filename="Leistungsbeschreibung_Tourismus-App_Vogelsberg.docx",
    title="Leistungsbeschreibung: Entwicklung und Betrieb einer regionalen Tourismus-App",
    description=(
        "Ausschreibung einer App für Wander- und Radtouren, Gastgeber, Veranstaltungen und "
        "Kultur im Naturpark, mit Offline-Karten, Barrierefreiheit und offener Datenanbindung."
    ),
    topics=("tourismus-kultur", "daten-plattformen"),
    doc_type="leistungsbeschreibung-ausschreibung",
    project=P_TOURISMUS,
    date=datetime.date(2021, 3, 8),
    license="cc-by-4.0",
    keywords=("Tourismus-App", "Ausschreibung", "Wandern", "Naturpark", "Offline-Karten"),
    body=(
        H("1. Ausgangslage"),
        P("""Der Vogelsbergkreis vermarktet gemeinsam mit 19 Städten und Gemeinden die
        Urlaubsregion Vogelsberg mit dem Vulkanradweg, dem Vogelsberger Höhenrundweg und
        zahlreichen Museen, Burgen und Festen. Informationen sind heute auf Internetseiten der
        Kommunen, Prospekte und Aushänge verteilt. Gäste wünschen sich eine App, die auch in
        Gegenden ohne Mobilfunkempfang funktioniert – im Hohen Vogelsberg keine Seltenheit."""),
        H("2. Ziele"),
        L(
            "Alle Touren, Sehenswürdigkeiten, Gastgeber und Veranstaltungen an einem Ort",
            "Navigation auf Wander- und Radwegen mit Offline-Karten",
            "Pflege der Inhalte einmal zentral, Ausspielung auch auf den Internetseiten der Kommunen",
            "Barrierefreie Nutzung und Angaben zur Zugänglichkeit der Angebote",
        ),
        H("3. Funktionale Anforderungen"),
        T(
            ("Nr.", "Anforderung", "Priorität"),
            ("F1", "Tourenliste mit Filtern (Länge, Schwierigkeit, Kinderwagen, Rollstuhl)", "muss"),
            ("F2", "Offline-Karten und Navigation mit Abweichungshinweis", "muss"),
            ("F3", "Veranstaltungskalender aus der Landesdatenbank", "muss"),
            ("F4", "Gastgeberverzeichnis mit Verfügbarkeitsanzeige", "soll"),
            ("F5", "Hörführungen zu Kulturdenkmälern in Deutsch und Englisch", "soll"),
            ("F6", "Meldung von Wegeschäden mit Foto und Standort", "soll"),
            ("F7", "Stempelpass für Familien mit Belohnung", "kann"),
            widths=(8, 72, 20),
        ),
        H("4. Nichtfunktionale Anforderungen"),
        L(
            "Native Apps für Android und iOS sowie eine Web-Version",
            "Barrierefreiheit nach BITV 2.0 und WCAG 2.1 Stufe AA",
            "Datenschutzfreundliche Voreinstellungen, keine Werbe-Tracker",
            "Daten werden in offenen Formaten (GPX, Open-Data-Schnittstelle) bereitgestellt",
            "Redaktionssystem für Beschäftigte der Tourist-Informationen ohne Programmierkenntnisse",
        ),
        H("5. Leistungsumfang und Laufzeit"),
        P("""Zu erbringen sind Konzeption, Design, Entwicklung, Test, Veröffentlichung in den
        App-Stores, Schulung von zehn Redakteurinnen und Redakteuren sowie Betrieb, Wartung
        und Weiterentwicklung für drei Jahre mit Option auf zwei weitere Jahre. Bestehende
        Inhalte (rund 140 Touren, 600 Sehenswürdigkeiten) werden vom Auftraggeber geliefert
        und vom Auftragnehmer importiert."""),
        H("6. Nutzungsrechte"),
        P("""Der Auftraggeber erhält ein einfaches, zeitlich unbeschränktes Nutzungsrecht an
        der App und ein ausschließliches Recht an allen eigens für ihn erstellten Inhalten.
        Eine Veröffentlichung des Quellcodes unter einer Open-Source-Lizenz wird positiv
        bewertet."""),
        H("7. Zuschlagskriterien"),
        T(
            ("Kriterium", "Gewichtung"),
            ("Preis über fünf Jahre", "35 %"),
            ("Qualität des Konzepts und Prototyp", "35 %"),
            ("Barrierefreiheit und Offline-Fähigkeit", "20 %"),
            ("Offenheit (Schnittstellen, Quellcode)", "10 %"),
            widths=(75, 25),
        ),
    ),
)

_add(
    filename="Evaluationsbericht_Tourismus-App_erstes_Jahr.pdf",
    title="Evaluationsbericht: das erste Jahr der Tourismus-App „Vogelsberg erleben“",
    description=(
        "Nutzungszahlen, Gästebefragung, Wirkung auf Übernachtungen und Redaktionsaufwand "
        "nach einem Jahr Betrieb, mit Verbesserungsliste für die zweite Saison."
    ),
    topics=("tourismus-kultur",),
    doc_type="bericht-evaluation",
    project=P_TOURISMUS,
    date=datetime.date(2022, 12, 5),
    license="cc-by-4.0",
    keywords=("Tourismus-App", "Evaluation", "Gästebefragung", "Nutzungszahlen"),
    body=(
        H("1. Überblick"),
        P("""Die App „Vogelsberg erleben“ ist seit April 2022 in den App-Stores und im
        Browser verfügbar. Sie enthält 152 Touren, 640 Sehenswürdigkeiten, 210 Gastgeber und
        einen Veranstaltungskalender. Dieser Bericht fasst die Erfahrungen der ersten Saison
        zusammen und dient dem Kreisausschuss als Grundlage für die Entscheidung über den
        weiteren Ausbau."""),
        H("2. Nutzung"),
        T(
            ("Kennzahl", "Wert April–November 2022"),
            ("Installationen Android und iOS", "23.700"),
            ("Besuche der Web-Version", "61.300"),
            ("Heruntergeladene Offline-Karten", "9.850"),
            ("Meistgenutzte Tour", "Vulkanradweg (Altenstadt – Schlitz)"),
            ("Gemeldete Wegeschäden", "184"),
            ("Bewertung in den App-Stores", "4,5 von 5 Sternen"),
            widths=(55, 45),
        ),
        H("3. Gästebefragung"),
        P("""An der Befragung in der App und in den Tourist-Informationen nahmen 1.126 Gäste
        teil. 78 Prozent gaben an, die App habe ihnen bei der Planung geholfen, 41 Prozent
        haben durch sie ein Angebot entdeckt, das sie sonst nicht besucht hätten. Besonders
        gelobt wurden die Offline-Karten und die Angaben zu Kinderwagen- und
        Rollstuhleignung. Kritik gab es an fehlenden Öffnungszeiten kleiner Museen und an der
        Suche, die Tippfehler nicht verzeiht."""),
        H("4. Wirkung auf Betriebe und Kultur"),
        P("""Gastgeber mit Verfügbarkeitsanzeige erhielten nach eigenen Angaben im Mittel
        zwölf Prozent mehr Direktanfragen. Die Hörführungen zu Burgen und Kirchen wurden über
        14.000 Mal abgerufen; mehrere Heimatvereine haben angeboten, weitere Führungen
        einzusprechen. Die Zahl der Übernachtungen im Kreis stieg 2022 um 9 Prozent, was
        allerdings vor allem auf das Ende der Pandemiebeschränkungen zurückzuführen ist."""),
        H("5. Redaktionsaufwand"),
        P("""Die Pflege der Inhalte bindet in den Tourist-Informationen zusammen etwa 0,8
        Vollzeitstellen. Der Veranstaltungsimport aus der Landesdatenbank spart Arbeit, die
        Dateneingabe durch kleinere Veranstalter bleibt aber lückenhaft."""),
        H("6. Kosten"),
        P("""Entwicklung und erste Betriebssaison kosteten 186.000 €, davon wurden 60 Prozent
        aus dem Regionalbudget der LEADER-Region gefördert. Für den laufenden Betrieb sind
        jährlich 34.000 € vorgesehen, die sich der Kreis und die beteiligten Kommunen nach
        Übernachtungszahlen teilen. Die Kosten je Installation liegen damit im ersten Jahr
        bei knapp acht Euro."""),
        H("7. Verbesserungen für die Saison 2023"),
        L(
            "Fehlertolerante Suche und Suche nach Orten und Stichworten",
            "Öffnungszeiten aus dem Gastgeber- und Museumsverzeichnis übernehmen",
            "Bus-Abfahrten des Verkehrsverbunds an Tourenstartpunkten anzeigen",
            "Schulung für Vereine zum Eintragen eigener Veranstaltungen",
            "Alle Tourendaten zusätzlich als offene Daten im GPX-Format veröffentlichen",
        ),
    ),
)

# Kommunale Wärmeplanung Feldatal --------------------------------------------------------

_add(
    filename="Förderantrag_Kommunale_Wärmeplanung_Feldatal.pdf",
    title="Förderantrag: Kommunale Wärmeplanung für eine Landgemeinde",
    description=(
        "Antrag einer Gemeinde mit 2.300 Einwohnern auf Förderung der Wärmeplanung: "
        "Bestandsanalyse, Potenziale, Beteiligung, Zeit- und Kostenplan im Konvoi mit Nachbarn."
    ),
    topics=("energie-klimaschutz", "buergerbeteiligung-open-government"),
    doc_type="foerderantrag",
    project=P_WAERME,
    date=datetime.date(2025, 3, 10),
    license="cc0-1.0",
    keywords=("Wärmeplanung", "Förderantrag", "Nahwärme", "Klimaschutz", "Konvoi"),
    body=(
        H("1. Antragstellerin"),
        P("""Die Gemeinde Feldatal im Vogelsbergkreis hat rund 2.300 Einwohnerinnen und
        Einwohner in sieben Ortsteilen. Die Verwaltung besteht aus zwölf Beschäftigten; ein
        eigenes Klimaschutzmanagement teilt sich die Gemeinde seit 2023 mit der Nachbargemeinde
        Mücke. Die Gemeinde beantragt die Förderung der kommunalen Wärmeplanung im
        vereinfachten Verfahren für Gemeinden unter 10.000 Einwohnern."""),
        H("2. Ausgangslage"),
        P("""Über 80 Prozent der Wohngebäude werden mit Heizöl beheizt; ein Gasnetz gibt es
        nicht. Viele Häuser stammen aus den Jahren vor 1978. In zwei Ortsteilen haben
        landwirtschaftliche Betriebe Biogasanlagen, deren Abwärme bisher kaum genutzt wird.
        Bürgerinnen und Bürger fragen zunehmend, ob sich eine Wärmepumpe lohnt oder ob ein
        Nahwärmenetz kommt. Die Wärmeplanung soll darauf verlässliche Antworten geben."""),
        H("3. Arbeitsschritte"),
        T(
            ("Schritt", "Inhalt", "Zeitraum"),
            ("Eignungsprüfung", "Gebiete, die sich nicht für Wärmenetze eignen, ausweisen", "Q2 2025"),
            ("Bestandsanalyse", "Gebäude, Heizungsarten, Verbräuche aus Schornsteinfegerdaten", "Q2–Q3 2025"),
            ("Potenzialanalyse", "Biogas-Abwärme, Solarthermie, Umweltwärme, Holz", "Q3 2025"),
            ("Zielszenario", "Wärmeversorgungsgebiete für 2030, 2035 und 2045", "Q4 2025"),
            ("Umsetzungsstrategie", "Maßnahmen, Zuständigkeiten, Finanzierung", "Q1 2026"),
            widths=(22, 58, 20),
        ),
        H("4. Beteiligung"),
        P("""Die Öffentlichkeit wird in jedem Ortsteil bei einem Dorfgespräch informiert.
        Ergänzend gibt es eine Online-Umfrage zu Heizungsalter und Interesse an Nahwärme sowie
        eine digitale Karte, auf der Gebäudeeigentümer eigene Daten freiwillig ergänzen
        können. Landwirtschaftliche Betriebe, der Schornsteinfeger und die Energiegenossenschaft
        Vogelsberg werden als Akteure eingebunden."""),
        H("5. Kosten- und Finanzierungsplan"),
        T(
            ("Position", "Kosten"),
            ("Fachplanung durch externes Büro (Konvoi mit zwei Nachbargemeinden)", "38.500 €"),
            ("Beteiligung: Dorfgespräche, Umfrage, Karte", "6.200 €"),
            ("Datenbeschaffung und Aufbereitung", "3.800 €"),
            ("Summe", "48.500 €"),
            ("beantragte Förderung (90 %)", "43.650 €"),
            ("Eigenanteil der Gemeinde", "4.850 €"),
            widths=(75, 25),
        ),
        H("6. Personal und Organisation"),
        P("""Die Projektleitung übernimmt das gemeinsame Klimaschutzmanagement. Im Bauamt
        werden für die Datenbeschaffung und die Beteiligung rund zehn Stunden je Woche
        eingeplant. Ein Lenkungskreis aus Bürgermeister, Ortsvorstehern und Klimaschutzmanagerin
        trifft sich alle zwei Monate."""),
        H("7. Zusammenarbeit im Konvoi"),
        P("""Die Gemeinden Feldatal, Mücke und Grebenhain vergeben die Fachplanung gemeinsam,
        um Kosten zu sparen und Erfahrungen zu teilen. Jede Gemeinde erhält einen eigenen
        Wärmeplan; Analysen über die Gemarkungsgrenze hinweg – etwa für ein gemeinsames
        Nahwärmenetz – werden abgestimmt. Die Ergebnisse werden als offene Daten und in der
        Smart Region-Toolbox veröffentlicht."""),
    ),
)

_add(
    filename="Leitfaden_Bürgerbeteiligung_digital.odt",
    title="Leitfaden Bürgerbeteiligung digital für kleine Gemeinden",
    description=(
        "Praxisleitfaden, wie eine Landgemeinde mit wenig Personal Online-Beteiligung plant "
        "und mit Präsenzformaten verbindet – am Beispiel der Wärmeplanung, mit Checkliste."
    ),
    topics=("buergerbeteiligung-open-government", "energie-klimaschutz"),
    doc_type="leitfaden-checkliste",
    project=P_WAERME,
    date=datetime.date(2026, 1, 19),
    license="cc-by-sa-4.0",
    keywords=("Bürgerbeteiligung", "Online-Beteiligung", "Leitfaden", "Dorfgespräch", "Beteiligungsplattform"),
    body=(
        H("Wozu dieser Leitfaden?"),
        P("""Viele kleine Gemeinden möchten ihre Bürgerinnen und Bürger stärker beteiligen,
        haben aber weder eine eigene Stelle für Öffentlichkeitsarbeit noch ein Budget für
        Agenturen. Dieser Leitfaden zeigt, wie die Gemeinde Feldatal die Bürgerbeteiligung zur
        kommunalen Wärmeplanung mit einfachen digitalen Mitteln organisiert hat – und was sie
        dabei gelernt hat. Er lässt sich auf andere Themen wie Dorfentwicklung,
        Spielplatzplanung oder Haushaltsberatungen übertragen."""),
        H("1. Grundsätze"),
        L(
            "Digital und analog verbinden: Jede Online-Beteiligung hat ein Präsenzangebot.",
            "Ehrlich sein über den Spielraum: Was kann noch entschieden werden, was nicht?",
            "Rückmeldung geben: Alle sollen erfahren, was aus ihren Hinweisen geworden ist.",
            "Einfach bleiben: Kurze Texte, klare Fragen, wenige Klicks.",
        ),
        H("2. Werkzeuge"),
        T(
            ("Werkzeug", "Einsatz", "Aufwand", "Kosten"),
            ("Beteiligungsplattform des Landes", "Umfragen, Kommentare auf Karten", "gering", "kostenfrei"),
            ("Online-Umfrage", "Heizungsalter, Interessen, Wünsche", "gering", "kostenfrei"),
            ("Digitale Karte", "Hinweise zu Gebäuden und Standorten", "mittel", "kostenfrei"),
            ("Videokonferenz", "Sprechstunde am Abend", "gering", "vorhanden"),
            ("Dorfgespräch mit Tablet-Station", "Präsenz in jedem Ortsteil", "hoch", "ca. 150 € je Termin"),
            widths=(30, 35, 15, 20),
        ),
        H("3. Ablauf in fünf Schritten"),
        H2("Schritt 1: Ziel und Fragen klären"),
        P("""Bevor ein Werkzeug gewählt wird, legt der Gemeindevorstand fest, wozu die
        Beteiligung dient und welche drei Fragen beantwortet werden sollen."""),
        H2("Schritt 2: Zielgruppen erreichen"),
        P("""Ältere Menschen erreicht man über das Amtsblatt, Vereine und Kirchengemeinden,
        jüngere über soziale Medien und die Feuerwehr. Ein Plakat mit QR-Code am Dorfladen
        wirkt oft mehr als eine Pressemitteilung."""),
        H2("Schritt 3: Beteiligung durchführen"),
        P("""Die Online-Phase dauert vier Wochen. In dieser Zeit findet in jedem Ortsteil ein
        Dorfgespräch statt, bei dem Ehrenamtliche an einer Tablet-Station helfen."""),
        H2("Schritt 4: Auswerten"),
        P("""Hinweise werden nach Themen sortiert und im Gemeindevorstand beraten. Eine
        einfache Tabelle genügt."""),
        H2("Schritt 5: Rückmelden"),
        P("""Eine Seite im Amtsblatt und auf der Plattform erklärt, welche Hinweise
        aufgenommen wurden und warum andere nicht."""),
        H("4. Checkliste"),
        T(
            ("Prüfpunkt", "erledigt"),
            ("Beteiligungsziel und Entscheidungsspielraum schriftlich festgelegt", "[ ]"),
            ("Datenschutzhinweise für Umfrage und Karte veröffentlicht", "[ ]"),
            ("Barrierefreie Texte in Einfacher Sprache geprüft", "[ ]"),
            ("Präsenztermine in allen Ortsteilen terminiert", "[ ]"),
            ("Rückmeldung an die Teilnehmenden geplant", "[ ]"),
            widths=(85, 15),
        ),
        H("5. Erfahrungen aus Feldatal"),
        P("""An der Beteiligung zur Wärmeplanung nahmen 412 Haushalte teil – fast die Hälfte
        aller Haushalte der Gemeinde. Zwei Drittel nutzten die Online-Umfrage, ein Drittel
        füllte sie beim Dorfgespräch aus. Das Interesse an einem Nahwärmenetz in den
        Ortsteilen Groß-Felda und Ermenrod war so groß, dass dort eine Machbarkeitsstudie
        folgt."""),
    ),
)

# Digitales Rathaus Hohenroda ------------------------------------------------------------

_add(
    filename="Checkliste_Barrierefreiheit_Webauftritt.pdf",
    title="Checkliste Barrierefreiheit für den kommunalen Webauftritt",
    description=(
        "Prüfliste nach BITV 2.0 und WCAG 2.1 für Redaktion und Relaunch einer "
        "Gemeinde-Internetseite: Texte, Bilder, Formulare, PDF-Dokumente und Erklärung zur Barrierefreiheit."
    ),
    topics=("verwaltung-e-government", "buergerbeteiligung-open-government"),
    doc_type="leitfaden-checkliste",
    project=P_RATHAUS,
    date=datetime.date(2019, 11, 4),
    license="cc-by-sa-4.0",
    keywords=("Barrierefreiheit", "BITV 2.0", "WCAG", "Webauftritt", "Checkliste"),
    body=(
        H("Hinweise"),
        P("""Öffentliche Stellen in Hessen müssen ihre Internetseiten barrierefrei gestalten.
        Diese Checkliste hat die Gemeinde Hohenroda beim Relaunch ihres Webauftritts 2019
        eingesetzt. Sie ersetzt keinen vollständigen BITV-Test, hilft aber der Redaktion, die
        häufigsten Hürden zu vermeiden. Jeder Punkt wird mit „ja“, „nein“ oder „teilweise“
        bewertet; offene Punkte kommen in die Erklärung zur Barrierefreiheit."""),
        H("1. Texte und Struktur"),
        T(
            ("Nr.", "Prüfpunkt", "Ergebnis"),
            ("1.1", "Überschriften sind als Überschriften ausgezeichnet und logisch gegliedert", "ja"),
            ("1.2", "Linktexte sind aussagekräftig, kein „hier klicken“", "teilweise"),
            ("1.3", "Wichtige Inhalte gibt es in Leichter Sprache", "nein"),
            ("1.4", "Die Seitensprache ist als Deutsch ausgezeichnet", "ja"),
            widths=(8, 74, 18),
        ),
        H("2. Bilder und Medien"),
        T(
            ("Nr.", "Prüfpunkt", "Ergebnis"),
            ("2.1", "Alle informativen Bilder haben einen Alternativtext", "teilweise"),
            ("2.2", "Dekorative Bilder werden von Screenreadern übersprungen", "ja"),
            ("2.3", "Videos haben Untertitel, Audiodateien ein Transkript", "nein"),
            ("2.4", "Kontrast von Text zu Hintergrund mindestens 4,5 : 1", "ja"),
            widths=(8, 74, 18),
        ),
        H("3. Bedienung und Formulare"),
        T(
            ("Nr.", "Prüfpunkt", "Ergebnis"),
            ("3.1", "Alle Funktionen sind mit der Tastatur erreichbar", "ja"),
            ("3.2", "Der Tastaturfokus ist immer sichtbar", "ja"),
            ("3.3", "Formularfelder haben sichtbare Beschriftungen", "ja"),
            ("3.4", "Fehlermeldungen erklären, wie der Fehler behoben wird", "teilweise"),
            ("3.5", "Zeitbegrenzungen können verlängert werden", "ja"),
            widths=(8, 74, 18),
        ),
        H("4. PDF-Dokumente"),
        P("""Satzungen, Formulare und Amtsblätter liegen oft nur als PDF vor. Neue
        Dokumente werden als getaggte PDF aus dem Textprogramm erzeugt; eingescannte Dokumente
        ohne Textebene sind nicht barrierefrei und werden schrittweise ersetzt. Wo das nicht
        möglich ist, wird eine Textfassung auf der Internetseite angeboten."""),
        H("5. Erklärung zur Barrierefreiheit"),
        L(
            "Stand der Vereinbarkeit mit den Anforderungen und Datum der Bewertung",
            "Liste der nicht barrierefreien Inhalte mit Begründung",
            "Feedback-Möglichkeit: E-Mail-Adresse und Telefonnummer der Gemeindeverwaltung",
            "Hinweis auf das Schlichtungsverfahren bei der Durchsetzungsstelle",
        ),
        H("6. Maßnahmen nach der Prüfung"),
        P("""Die offenen Punkte wurden in einen Maßnahmenplan übernommen: Alternativtexte
        ergänzt die Redaktion bis Ende 2019, Untertitel für die beiden Imagevideos werden
        beauftragt, Texte in Leichter Sprache zu Rathaus, Müllabfuhr und Kindergarten folgen
        2020. Die Checkliste wird jährlich erneut durchgegangen."""),
    ),
)

_add(
    filename="Muster-Dienstanweisung_E-Akte.docx",
    title="Muster-Dienstanweisung zur Einführung der elektronischen Akte",
    description=(
        "Vorlage für eine Dienstanweisung: Geltungsbereich, ersetzendes Scannen, Aktenplan, "
        "Zugriffsrechte, Aufbewahrung und Aussonderung in einer kleinen Gemeindeverwaltung."
    ),
    topics=("verwaltung-e-government",),
    doc_type="muster-vorlage",
    project=P_RATHAUS,
    date=datetime.date(2020, 6, 29),
    license="cc-by-4.0",
    keywords=("E-Akte", "Dienstanweisung", "Scannen", "Aktenplan", "Muster"),
    body=(
        P("""Diese Muster-Dienstanweisung wurde im Projekt „Digitales Rathaus Hohenroda“
        erarbeitet und mit dem Personalrat und dem Datenschutzbeauftragten abgestimmt. Sie
        richtet sich an kleine Gemeindeverwaltungen und ist in eckigen Klammern anzupassen."""),
        H("§ 1 Geltungsbereich"),
        P("""Diese Dienstanweisung gilt für alle Beschäftigten der [Gemeindeverwaltung] ab dem
        [Datum]. Ab diesem Zeitpunkt werden neue Vorgänge ausschließlich elektronisch geführt.
        Ausnahmen regelt § 8."""),
        H("§ 2 Begriffe"),
        T(
            ("Begriff", "Bedeutung"),
            ("E-Akte", "elektronische Akte im Dokumentenmanagementsystem der Gemeinde"),
            ("Vorgang", "Zusammenfassung aller Dokumente zu einem Geschäftsvorfall"),
            ("Ersetzendes Scannen", "Digitalisierung mit anschließender Vernichtung des Papieroriginals"),
            ("Aktenplan", "verbindliche Ordnung aller Akten nach Aufgabengebieten"),
            widths=(30, 70),
        ),
        H("§ 3 Posteingang und Scannen"),
        P("""Der Posteingang wird zentral im Bürgerbüro geöffnet, gescannt und dem
        zuständigen Vorgang zugeordnet. Gescannt wird nach der Technischen Richtlinie
        „Rechtssicheres ersetzendes Scannen“ (TR-RESISCAN). Die Qualität des Scans wird vor
        der Zuordnung geprüft; die Texterkennung ist einzuschalten, damit Dokumente
        durchsuchbar sind."""),
        H("§ 4 Aufbewahrung der Papieroriginale"),
        T(
            ("Dokumentart", "Umgang mit dem Original"),
            ("allgemeiner Schriftverkehr", "Vernichtung nach drei Monaten"),
            ("Urkunden, notarielle Verträge", "dauerhafte Aufbewahrung im Original"),
            ("Bauanträge mit Plänen", "Rückgabe oder Aufbewahrung bis zur Bestandskraft"),
            ("Rechnungen", "Vernichtung nach Prüfung der Vollständigkeit des Scans"),
            widths=(40, 60),
        ),
        H("§ 5 Zugriffsrechte"),
        P("""Zugriffsrechte werden nach Aufgabengebieten vergeben. Personalakten, Sozial-
        und Steuerdaten sind nur für die jeweils zuständigen Beschäftigten sichtbar. Der
        Bürgermeister und das Hauptamt erhalten Leserechte auf alle übrigen Akten.
        Vertretungen werden im System hinterlegt."""),
        H("§ 6 Datenschutz und Informationssicherheit"),
        P("""Das Dokumentenmanagementsystem wird im Rechenzentrum des kommunalen
        IT-Dienstleisters betrieben. Der Zugang erfolgt nur mit persönlicher Kennung; Passwörter
        werden nicht weitergegeben. Zugriffe auf besonders geschützte Akten werden
        protokolliert. Verdacht auf unbefugten Zugriff ist unverzüglich dem Hauptamt und dem
        Datenschutzbeauftragten zu melden."""),
        H("§ 7 Aussonderung"),
        P("""Nach Ablauf der Aufbewahrungsfristen werden E-Akten dem Kreisarchiv zur
        Übernahme angeboten; nicht archivwürdige Akten werden gelöscht. Die Löschung wird
        protokolliert."""),
        H("§ 8 Ausnahmen und Übergang"),
        P("""Laufende Papierakten werden bis zum Abschluss in Papier weitergeführt oder bei
        Bedarf vollständig gescannt. Das Standesamt und die Kasse nutzen ihre
        Fachverfahren. Fragen beantwortet das Hauptamt."""),
        H("§ 9 Inkrafttreten"),
        P("[Ort], den [Datum] – Der Bürgermeister"),
    ),
)


# --- end of documents -----------------------------------------------------------------

DEMO_DOCUMENTS: tuple[DemoDocument, ...] = tuple(_DOCUMENTS)
