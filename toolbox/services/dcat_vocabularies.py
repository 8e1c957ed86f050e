"""The controlled vocabularies DCAT-AP.de asks for, and how the toolbox's own codes map onto them.

GovData accepts licences only from the dcat-ap.de licence list, themes only from the EU data
themes and formats only from the EU file types; a free-text value or a Creative Commons deed
URL makes a harvested dataset unfindable by licence or theme there. The toolbox's vocabularies
keep their own slugs, so the mapping lives here, keyed by slug.
"""
from __future__ import annotations

import re

from ..i18n import N_

#: Concept schemes, as the SHACL shapes of DCAT-AP.de name them.
LICENSE_SCHEME = "http://dcat-ap.de/def/licenses"
THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
CONTRIBUTOR_SCHEME = "http://dcat-ap.de/def/contributors"
GEOCODING_LEVEL_SCHEME = "http://dcat-ap.de/def/politicalGeocoding/Level"

#: The seeded licences (vocabulary_seed.LICENSES) and their dcat-ap.de licence; afterwards
#: ``License.dcat_license`` is the truth, kept by admins.
#: "Nutzung nach Rücksprache" is no open licence: dcat-ap.de calls that "other-closed".
LICENSE_URIS = {
    "cc-by-4.0": "http://dcat-ap.de/def/licenses/cc-by/4.0",
    "cc-by-sa-4.0": "http://dcat-ap.de/def/licenses/cc-by-sa/4.0",
    "cc0-1.0": "http://dcat-ap.de/def/licenses/cc-zero",
    "dl-de-by-2.0": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "dl-de-zero-2.0": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    "nach-ruecksprache": "http://dcat-ap.de/def/licenses/other-closed",
}

#: The seeded topics (vocabulary_seed.TOPICS) and their EU data theme; afterwards
#: ``Topic.data_theme`` is the truth, kept by admins.
THEME_CODES = {
    "strategie-organisation": "GOVE",
    "verwaltung-e-government": "GOVE",
    "daten-plattformen": "TECH",
    "infrastruktur-netze-iot": "TECH",
    "mobilitaet-verkehr": "TRAN",
    "energie-klimaschutz": "ENER",
    "umwelt-wasser": "ENVI",
    # "Justiz, Rechtssystem und öffentliche Sicherheit" holds civil protection.
    "bevoelkerungsschutz": "JUST",
    "bildung-schule": "EDUC",
    "gesundheit-pflege": "HEAL",
    "wirtschaft-handel-innenstadt": "ECON",
    # "Bildung, Kultur und Sport" holds culture; tourism has no theme of its own.
    "tourismus-kultur": "EDUC",
    "buergerbeteiligung-open-government": "GOVE",
}

#: The toolbox's detected formats (FileVersion.format) and their EU file type.
FILE_TYPE_CODES = {
    "pdf": "PDF",
    "docx": "DOCX",
    "doc": "DOC",
    "odt": "ODT",
    "rtf": "RTF",
    "xlsx": "XLSX",
    "xls": "XLS",
    "ods": "ODS",
    "pptx": "PPTX",
    "ppt": "PPT",
    "odp": "ODP",
    "txt": "TXT",
    "md": "MARKDOWN",
    "csv": "CSV",
    "png": "PNG",
    "jpeg": "JPEG",
    "tiff": "TIFF",
}

#: ISO 639-1 codes of Document.language and the EU language authority's codes.
LANGUAGE_CODES = {"de": "DEU", "en": "ENG", "fr": "FRA", "pl": "POL", "tr": "TUR", "ru": "RUS", "ar": "ARA"}


#: The EU data themes, code and German label (the EU's own), for the admins' choice.
DATA_THEMES = {
    "AGRI": N_("Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel"),
    "ECON": N_("Wirtschaft und Finanzen"),
    "EDUC": N_("Bildung, Kultur und Sport"),
    "ENER": N_("Energie"),
    "ENVI": N_("Umwelt"),
    "GOVE": N_("Regierung und öffentlicher Sektor"),
    "HEAL": N_("Gesundheit"),
    "INTR": N_("Internationale Themen"),
    "JUST": N_("Justiz, Rechtssystem und öffentliche Sicherheit"),
    "REGI": N_("Regionen und Städte"),
    "SOCI": N_("Bevölkerung und Gesellschaft"),
    "TECH": N_("Wissenschaft und Technologie"),
    "TRAN": N_("Verkehr"),
}

LICENSE_URI_PATTERN = re.compile(r"http://dcat-ap\.de/def/licenses/[A-Za-z0-9][A-Za-z0-9._-]*(/[0-9][0-9.]*)?")


def license_uri(value: str | None) -> str | None:
    """``value`` if it is a URI of the dcat-ap.de licence list, else None."""
    value = (value or "").strip()
    return value if LICENSE_URI_PATTERN.fullmatch(value) else None


def theme_uri(code: str | None) -> str | None:
    return f"{THEME_SCHEME}/{code}" if code in DATA_THEMES else None


def file_type_uri(format: str | None) -> str | None:
    code = FILE_TYPE_CODES.get((format or "").lower())
    return f"{FILE_TYPE_SCHEME}/{code}" if code else None


def language_uri(language: str | None) -> str | None:
    code = LANGUAGE_CODES.get((language or "").lower()[:2])
    return f"{LANGUAGE_SCHEME}/{code}" if code else None


def media_type_uri(media_type: str | None) -> str | None:
    """The IANA register's address of a media type, as DCAT-AP wants ``dcat:mediaType``."""
    if not media_type or "/" not in media_type or media_type.startswith("application/x-"):
        return None
    return f"https://www.iana.org/assignments/media-types/{media_type.split(';')[0].strip()}"
