"""Synthetic German text with a realistic word distribution for the benchmarks.

Words are drawn from a Zipf distribution over a vocabulary that mixes the most frequent German
function words with the domain words of municipal digitalisation documents, so that stop words,
compounds and umlauts occur about as often as in real tenders and strategies.
"""
from __future__ import annotations

import random

FUNCTION_WORDS = """der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an
werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder
aber vor zur bis mehr durch man sein wurde sei kann diese sowie soll können muss alle unter einer gegen
damit dabei wenn ob zwischen ihre seine beim innerhalb hierzu hierbei jedoch bereits insbesondere""".split()

DOMAIN_WORDS = """Digitalisierung Datenstrategie Digitalisierungsstrategie Ausschreibung Ausschreibungen
Leistungsbeschreibung Vergabe Vergabeverfahren Auftragnehmer Auftraggeber Kommune Kommunen Gemeinde
Landkreis Stadtverwaltung Bürgerbeteiligung Bürgerinnen Bürger Beteiligung Datenschutz
Datenschutz-Folgenabschätzung Verarbeitungsverzeichnis personenbezogene Daten Verarbeitung Einwilligung
Rechtsgrundlage LoRaWAN Gateway Sensoren Sensor Sensorik Messwerte Funknetz Breitband Glasfaser
Straßenbeleuchtung Straße Straßen Parkplätze Parksensorik Mobilität Verkehr Radverkehr Ladeinfrastruktur
Elektromobilität Energie Klimaschutz Wärmeplanung Photovoltaik Hochwasser Pegel Frühwarnsystem
Katastrophenschutz Bevölkerungsschutz Schule Schulen Medienentwicklungsplan WLAN Tablets Pflege Telemedizin
Gesundheit Innenstadt Leerstand Einzelhandel Tourismus Kultur Museum Plattform Plattformen Schnittstelle
Schnittstellen Open-Data-Portal Datenplattform Urbane Datenplattform digitaler Zwilling Geodaten Betrieb
Wartung Servicelevel Haftung Vertrag Vereinbarung Kooperationsvereinbarung Förderantrag Fördermittel
Förderprogramm Modellprojekt Smart City Smart Region Beschluss Beschlussvorlage Gemeindevertretung
Stadtverordnetenversammlung Kreistag Ausschuss Haushalt Haushaltsmittel Kosten Wirtschaftlichkeit Evaluation
Bericht Ergebnisse Maßnahmen Maßnahme Zielbild Handlungsfelder Handlungsfeld Steuerung Lenkungsgruppe
Projektleitung Geschäftsstelle Zuständigkeit Verantwortlichkeit Barrierefreiheit Informationssicherheit
IT-Sicherheit Rechenzentrum Cloud Hosting Lizenz Lizenzen Nutzung Anforderungen Anforderung Zuschlag
Angebot Angebote Eignung Kriterien Bewertung Wertung Preis Qualität Nachhaltigkeit Interoperabilität
offene Standards Quellcode Open Source Pilotphase Umsetzung Planung Konzept Strategie Leitfaden
Checkliste Muster Vorlage Beispiel Größe Gemeindegröße Einwohner Einwohnerinnen Verwaltung Onlinezugangsgesetz
Verwaltungsleistungen Antrag Anträge Bürgerportal Bürgerservice Terminvergabe Kita-App Eltern Kinder
Jugend Senioren Ehrenamt Vereine Ortsbeirat Ortsteil Dorfentwicklung ländlicher Raum Mitfahrbank
Rufbus Bedarfsverkehr ÖPNV Haltestelle Fahrgastinformation Echtzeitdaten Umweltsensoren Luftqualität
Bodenfeuchte Bewässerung Stadtbäume Abfall Abfallbehälter Füllstand Winterdienst Glätte Wetterstation""".split()


def vocabulary() -> list[str]:
    words = []
    for i in range(max(len(FUNCTION_WORDS), len(DOMAIN_WORDS))):
        if i < len(FUNCTION_WORDS):
            words.append(FUNCTION_WORDS[i])
        if i < len(DOMAIN_WORDS):
            words.append(DOMAIN_WORDS[i])
    return words


class TextGenerator:
    """Deterministic German-like text: the same seed gives the same words."""

    def __init__(self, seed: int = 1):
        self.random = random.Random(seed)
        self.words = vocabulary()
        # Zipf-like weights: the n-th word is 1/n as frequent as the first.
        self.weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.words))]

    def words_(self, count: int) -> list[str]:
        return self.random.choices(self.words, weights=self.weights, k=count)

    def sentence(self, length: int | None = None) -> str:
        length = length or self.random.randint(8, 20)
        words = self.words_(length)
        return " ".join(words).capitalize() + "."

    def paragraph(self, words: int) -> str:
        sentences, total = [], 0
        while total < words:
            length = min(self.random.randint(8, 20), words - total)
            sentences.append(self.sentence(max(length, 1)))
            total += max(length, 1)
        return " ".join(sentences)
