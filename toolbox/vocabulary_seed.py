"""The vocabularies every repository starts with (DESIGN.md); editors curate them afterwards."""
from __future__ import annotations

TOPICS = [
    ("strategie-organisation", "Strategie & Organisation", "Strategy & organisation"),
    ("verwaltung-e-government", "Verwaltung & E-Government", "Administration & e-government"),
    ("daten-plattformen", "Daten & Plattformen", "Data & platforms"),
    ("infrastruktur-netze-iot", "Infrastruktur, Netze & IoT", "Infrastructure, networks & IoT"),
    ("mobilitaet-verkehr", "Mobilität & Verkehr", "Mobility & transport"),
    ("energie-klimaschutz", "Energie & Klimaschutz", "Energy & climate protection"),
    ("umwelt-wasser", "Umwelt & Wasser", "Environment & water"),
    ("bevoelkerungsschutz", "Katastrophen- & Bevölkerungsschutz", "Disaster & civil protection"),
    ("bildung-schule", "Bildung & Schule", "Education & schools"),
    ("gesundheit-pflege", "Gesundheit & Pflege", "Health & care"),
    ("wirtschaft-handel-innenstadt", "Wirtschaft, Handel & Innenstadt", "Economy, retail & town centre"),
    ("tourismus-kultur", "Tourismus & Kultur", "Tourism & culture"),
    ("buergerbeteiligung-open-government", "Bürgerbeteiligung & Open Government", "Citizen participation & open government"),
]

DOCUMENT_TYPES = [
    ("muster-vorlage", "Muster/Vorlage", "Template"),
    ("beispieldokument", "Beispieldokument", "Example document"),
    ("leistungsbeschreibung-ausschreibung", "Leistungsbeschreibung/Ausschreibung", "Specification/tender"),
    ("konzept-strategie", "Konzept/Strategie", "Concept/strategy"),
    ("vertrag-vereinbarung", "Vertrag/Vereinbarung", "Contract/agreement"),
    ("beschlussvorlage", "Beschlussvorlage", "Council resolution draft"),
    ("foerderantrag", "Förderantrag", "Funding application"),
    ("datenschutz", "Datenschutz (DSFA, Verarbeitungsverzeichnis)", "Data protection (DPIA, record of processing)"),
    ("leitfaden-checkliste", "Leitfaden/Checkliste", "Guide/checklist"),
    ("praesentation", "Präsentation", "Presentation"),
    ("bericht-evaluation", "Bericht/Evaluation", "Report/evaluation"),
]

# slug, German, English, min population (inclusive), max population (exclusive)
SIZE_CLASSES = [
    ("landgemeinde", "Landgemeinde (unter 5.000 Einw.)", "Rural municipality (under 5,000)", 0, 5_000),
    ("kleinstadt", "Kleinstadt (5.000 bis unter 20.000 Einw.)", "Small town (5,000 to under 20,000)", 5_000, 20_000),
    ("mittelstadt", "Mittelstadt (20.000 bis unter 100.000 Einw.)", "Medium-sized town (20,000 to under 100,000)", 20_000, 100_000),
    ("grossstadt", "Großstadt (ab 100.000 Einw.)", "City (100,000 and more)", 100_000, None),
    ("landkreis", "Landkreis", "District", None, None),
    ("verbund-region", "Interkommunaler Verbund / Region", "Inter-municipal association / region", None, None),
]

# slug, German, English, url, attribution required, notice (de), notice (en)
LICENSES = [
    ("cc-by-4.0", "CC BY 4.0", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/deed.de", True,
     "Namensnennung erforderlich: Urheber, Titel, Quelle und Lizenz angeben; Änderungen kennzeichnen.",
     "Attribution required: name the author, title, source and licence; indicate changes."),
    ("cc-by-sa-4.0", "CC BY-SA 4.0", "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.de", True,
     "Namensnennung und Weitergabe unter gleichen Bedingungen: Urheber, Titel, Quelle und Lizenz angeben; "
     "Bearbeitungen nur unter derselben Lizenz weitergeben.",
     "Attribution and share-alike: name author, title, source and licence; share adaptations under the same licence."),
    ("cc0-1.0", "CC0 1.0 (gemeinfrei)", "CC0 1.0 (public domain)", "https://creativecommons.org/publicdomain/zero/1.0/deed.de", False,
     "Keine Namensnennung erforderlich; eine Quellenangabe ist dennoch erwünscht.",
     "No attribution required; naming the source is appreciated."),
    ("dl-de-by-2.0", "Datenlizenz Deutschland – Namensnennung 2.0", "Data licence Germany – attribution 2.0",
     "https://www.govdata.de/dl-de/by-2-0", True,
     "Namensnennung erforderlich: Bereitsteller, Titel und Lizenz mit Verweis auf den Lizenztext angeben.",
     "Attribution required: name the provider, title and licence with a link to the licence text."),
    ("dl-de-zero-2.0", "Datenlizenz Deutschland – Zero 2.0", "Data licence Germany – zero 2.0",
     "https://www.govdata.de/dl-de/zero-2-0", False,
     "Keine Namensnennung erforderlich.",
     "No attribution required."),
    ("nach-ruecksprache", "Nutzung nach Rücksprache", "Use after consultation", None, True,
     "Nutzung nur nach Rücksprache mit der angegebenen Kontaktstelle; Quelle angeben.",
     "Use only after consulting the named contact; name the source."),
]
