"""The DCAT-AP.de catalogue of the published documents, for GovData and the Länder portals.

Portals harvest a catalogue page by page and keep what changed since their last visit; they
validate each dataset against the DCAT-AP.de SHACL shapes and drop what fails. So every
dataset written here must satisfy the mandatory properties: a document whose metadata cannot
(no description, no municipality as publisher, no licence, no file) is left out, and
``dataset_gaps`` tells editors why. Every address comes from ``TOOLBOX_BASE_URL``.

Concepts of the controlled vocabularies (themes, file types, languages, licences) are written
with their ``skos:inScheme``: DCAT-AP.de's shapes check the scheme of each value, and a
harvester that does not fetch the EU vocabularies can still tell where a value comes from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Mapping

from flask import current_app
from flask_babel import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from sqlalchemy import and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import GenericFunction

from .. import search
from ..extensions import db
from ..i18n import N_
from ..models import (
    STATUS_PUBLISHED,
    Document,
    DocumentType,
    FileVersion,
    License,
    Municipality,
    Project,
    SizeClass,
    TZDateTime,
    Topic,
    document_topics,
)
from ..urls import absolute_url
from . import dcat_vocabularies as vocab
from .search_view import MULTI_FILTERS, public_query

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

#: What each ``/catalog.*`` suffix and each accepted media type serialise to.
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    # Flat RDF/XML: the same triples as rdflib's nested "pretty-xml", written three times faster.
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
MEDIA_TYPE_FORMATS = {media_type: suffix for suffix, (_rdf_format, media_type) in FORMATS.items()}

#: Datasets per catalogue page: GovData's harvester follows ``hydra:next`` page by page.
DEFAULT_PAGE_SIZE = 100
#: Parameters that narrow the catalogue the way they narrow ``/search``.
SEARCH_PARAMETERS = ("q", *MULTI_FILTERS, "year_from", "year_to")

#: Why a document stays out of the catalogue (codes; the admin page shows their labels).
GAP_DESCRIPTION = "description"
GAP_PUBLISHER = "publisher"
GAP_LICENSE = "license"
GAP_FILE = "file"
GAP_LABELS = {
    GAP_DESCRIPTION: N_("Es fehlt eine Beschreibung (dct:description ist Pflicht)."),
    GAP_PUBLISHER: N_("Es fehlt die Kommune, die als Herausgeberin (dct:publisher) genannt wird."),
    GAP_LICENSE: N_("Es fehlt eine Lizenz aus der Lizenzliste von DCAT-AP.de (dct:license ist Pflicht)."),
    GAP_FILE: N_("Es gibt keine Datei, die als Distribution angeboten werden kann."),
}

_EMAIL = re.compile(r"[^@\s<>()\"',;]+@[^@\s<>()\"',;]+\.[A-Za-z]{2,}")
_ARS = re.compile(r"\d{12}")
REGIONAL_KEY_BASE = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/"


class CatalogRequestError(ValueError):
    """A catalogue parameter that cannot be read; ``message`` says which, in German."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CatalogPage:
    graph: Graph
    total: int
    page: int
    last_page: int


# --- what keeps a document out ----------------------------------------------------------------


def dataset_gaps(document: Document) -> list[str]:
    """The codes of the mandatory DCAT-AP.de properties ``document`` cannot fill; empty if none."""
    gaps = []
    if not (document.description or "").strip():
        gaps.append(GAP_DESCRIPTION)
    if document.municipality is None:
        gaps.append(GAP_PUBLISHER)
    if document.license is None or vocab.license_uri(document.license.dcat_license) is None:
        gaps.append(GAP_LICENSE)
    if document.current_version is None:
        gaps.append(GAP_FILE)
    return gaps


# --- when a dataset's record last changed --------------------------------------------------------


def record_modified(document: Document) -> datetime:
    """The last change of anything ``document``'s dataset is written from: ``dct:modified``.

    A harvester that asks for what changed since its last run must also get the documents whose
    municipality got a Regionalschlüssel, whose licence got another URI or whose topic another
    EU theme, though the document itself was not edited. ``record_modified_sql`` is the same
    for the database; both must name the same rows. The sitemap's ``lastmod`` and the page's
    schema.org ``dateModified`` use it too: the page shows the same facts.
    """
    moments = [document.updated_at]
    municipality = document.municipality
    if municipality is not None:
        moments.append(municipality.updated_at)
        if municipality.size_class is not None:
            moments.append(municipality.size_class.updated_at)
    for row in (document.license, document.project, document.document_type):
        if row is not None:
            moments.append(row.updated_at)
    moments.extend(topic.updated_at for topic in document.topics)
    return max(moment for moment in moments if moment is not None)


class greatest(GenericFunction):
    """The latest of its arguments (PostgreSQL's ``greatest``; SQLite's ``max`` with several)."""

    type = TZDateTime()
    inherit_cache = True
    # Registered under its own key, so that func.greatest elsewhere keeps SQLAlchemy's default.
    identifier = "dcat_greatest"
    name = "greatest"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


def record_modified_sql():
    """``record_modified`` as an SQL expression, so that filtering and paging stay in the database."""
    own = Document.updated_at
    related = [
        select(Municipality.updated_at).where(Municipality.id == Document.municipality_id),
        select(SizeClass.updated_at).join(Municipality, Municipality.size_class_id == SizeClass.id)
        .where(Municipality.id == Document.municipality_id),
        select(License.updated_at).where(License.id == Document.license_id),
        select(Project.updated_at).where(Project.id == Document.project_id),
        select(DocumentType.updated_at).where(DocumentType.id == Document.document_type_id),
        select(func.max(Topic.updated_at)).join(document_topics, document_topics.c.topic_id == Topic.id)
        .where(document_topics.c.document_id == Document.id),
    ]
    # SQLite's max() is NULL when any argument is: an unknown time counts as the document's own.
    return greatest(own, *(func.coalesce(stmt.scalar_subquery(), own) for stmt in related))


# --- reading the request ----------------------------------------------------------------------


def _parse_modified_since(raw: str) -> datetime:
    text = raw.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CatalogRequestError(_(
            "„modified_since“ ist kein Datum. Bitte als JJJJ-MM-TT oder JJJJ-MM-TTThh:mm:ssZ angeben, "
            "z. B. 2026-01-31."
        )) from None
    # SQLite keeps times without their zone, all in UTC: "+02:00" must become UTC first.
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _parse_page(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    text = raw.strip()
    # isascii: "²" is a digit to str.isdigit but no number to int().
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10_000_000:
        raise CatalogRequestError(_("„page“ muss eine ganze Zahl ab 1 sein."))
    return int(text)


def _narrowed(args: Mapping) -> bool:
    return any(args.get(name) for name in SEARCH_PARAMETERS)


# --- the catalogue ----------------------------------------------------------------------------


def _catalog_filter(args: Mapping):
    """The WHERE clause of the catalogue: published, selected by the parameters, no mandatory gap.

    The gaps of ``dataset_gaps`` are checked in SQL, so that counting and paging stay in the
    database however many documents there are.
    """
    since_raw = args.get("modified_since")
    conditions = [
        Document.status == STATUS_PUBLISHED,
        func.length(func.trim(func.coalesce(Document.description, ""))) > 0,
        Document.municipality_id.is_not(None),
        Document.license_id.in_(select(License.id).where(License.dcat_license.is_not(None))),
        Document.id.in_(select(FileVersion.document_id)),
    ]
    if since_raw:
        conditions.append(record_modified_sql() >= _parse_modified_since(since_raw))
    if _narrowed(args):
        # The search index answers the same parameters as /search; the database stays the
        # judge of what is published (a stale index entry never adds a document).
        conditions.append(Document.id.in_(search.matching_document_ids(public_query(args))))
    return and_(*conditions)


def catalog_page(args: Mapping, *, suffix: str = "ttl", page_size: int | None = None) -> CatalogPage:
    """One page of the catalogue (oldest change first) as an rdflib graph.

    :raise CatalogRequestError: a parameter is unreadable (400) or the page is past the end (404).
    """
    page = _parse_page(args.get("page"))
    size = page_size or int(current_app.config.get("TOOLBOX_DCAT_PAGE_SIZE") or DEFAULT_PAGE_SIZE)
    where = _catalog_filter(args)
    total = db.session.scalar(select(func.count()).select_from(Document).where(where)) or 0
    last_page = max(1, -(-total // size))
    if page > last_page:
        raise CatalogRequestError(
            _("Diese Seite des Katalogs gibt es nicht; er hat %(pages)s Seite(n).", pages=last_page), status=404)
    stmt = (
        select(Document).where(where)
        .options(
            selectinload(Document.versions).defer(FileVersion.text),
            selectinload(Document.topics),
            joinedload(Document.license),
            joinedload(Document.document_type),
            joinedload(Document.project),
            joinedload(Document.municipality).joinedload(Municipality.size_class),
        )
        .order_by(record_modified_sql(), Document.id)
        .offset((page - 1) * size).limit(size)
    )
    graph = new_graph()
    catalog = _catalog_node(graph)
    for document in db.session.scalars(stmt).unique():
        if not dataset_gaps(document):  # a licence URI that no longer fits the list
            graph.add((catalog, DCAT.dataset, add_dataset(graph, document)))
    if last_page > 1:
        _paging(graph, args, suffix, page, last_page, total, size)
    return CatalogPage(graph=graph, total=total, page=page, last_page=last_page)


def dataset_document_graph(document: Document) -> Graph | None:
    """One published document as a dataset of the catalogue, or None if it cannot be one."""
    if document.status != STATUS_PUBLISHED or dataset_gaps(document):
        return None
    graph = new_graph()
    catalog = _catalog_node(graph)
    graph.add((catalog, DCAT.dataset, add_dataset(graph, document)))
    return graph


def serialize(graph: Graph, suffix: str) -> bytes:
    rdf_format = FORMATS[suffix][0]
    if rdf_format == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True).encode("utf-8")
    return graph.serialize(format=rdf_format, encoding="utf-8")


def new_graph() -> Graph:
    # No contexts and only the prefixes bound below: both cut rdflib's time per triple.
    graph = Graph(store="SimpleMemory", bind_namespaces="core")
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("skos", SKOS),
                              ("spdx", SPDX), ("dcatde", DCATDE), ("hydra", HYDRA), ("xsd", XSD)):
        graph.bind(prefix, namespace, override=True)
    return graph


def _setting(name: str, default: str = "") -> str:
    return str(current_app.config.get(f"TOOLBOX_DCAT_{name}") or default).strip()


def catalog_uri() -> URIRef:
    return URIRef(absolute_url("public.index"))


def _catalog_node(graph: Graph) -> URIRef:
    catalog = catalog_uri()
    title = _setting("CATALOG_TITLE", "Smart Region Toolbox")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(title, lang="de")))
    graph.add((catalog, DCTERMS.description, Literal(_setting(
        "CATALOG_DESCRIPTION",
        "Muster und Beispieldokumente aus abgeschlossenen Smart-City- und Smart-Region-Projekten "
        "deutscher Kommunen."), lang="de")))
    publisher = BNode()
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(_setting("PUBLISHER_NAME", title), lang="de")))
    publisher_url = _setting("PUBLISHER_URL")
    if publisher_url:
        graph.add((publisher, FOAF.homepage, URIRef(publisher_url)))
    graph.add((catalog, FOAF.homepage, URIRef(_setting("CATALOG_HOMEPAGE") or str(catalog))))
    _add_concept(graph, catalog, DCTERMS.language, vocab.language_uri("de"), vocab.LANGUAGE_SCHEME)
    return catalog


def _add_concept(graph: Graph, subject, predicate, uri: str | None, scheme: str, kind=SKOS.Concept) -> None:
    if not uri:
        return
    node = URIRef(uri)
    graph.add((subject, predicate, node))
    graph.add((node, RDF.type, kind))
    graph.add((node, SKOS.inScheme, URIRef(scheme)))


def _datetime(moment: datetime | None) -> Literal | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return Literal(moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                   datatype=XSD.dateTime)


def dataset_uri(document: Document) -> URIRef:
    return URIRef(absolute_url("public.document_detail", document_id=document.id))


def add_dataset(graph: Graph, document: Document) -> URIRef:
    """Write ``document`` as a ``dcat:Dataset`` with its current file as distribution."""
    dataset = dataset_uri(document)
    language = document.language or "de"
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    graph.add((dataset, DCTERMS.title, Literal(document.title, lang=language)))
    graph.add((dataset, DCTERMS.description, Literal(document.description.strip(), lang=language)))
    graph.add((dataset, DCAT.landingPage, dataset))
    for predicate, moment in ((DCTERMS.issued, document.published_at or document.created_at),
                              (DCTERMS.modified, record_modified(document))):
        literal = _datetime(moment)
        if literal is not None:
            graph.add((dataset, predicate, literal))
    _add_concept(graph, dataset, DCTERMS.language, vocab.language_uri(language), vocab.LANGUAGE_SCHEME)
    themes = {vocab.theme_uri(topic.data_theme) for topic in document.topics} - {None}
    for theme in sorted(themes):
        _add_concept(graph, dataset, DCAT.theme, theme, vocab.THEME_SCHEME)
    for keyword in _keywords(document):
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="de")))
    _add_publisher(graph, dataset, document.municipality)
    _add_contact(graph, dataset, document)
    contributor = _setting("CONTRIBUTOR_ID")
    if contributor.startswith(("http://", "https://")):
        if contributor.startswith(vocab.CONTRIBUTOR_SCHEME + "/"):
            _add_concept(graph, dataset, DCATDE.contributorID, contributor, vocab.CONTRIBUTOR_SCHEME)
        else:
            graph.add((dataset, DCATDE.contributorID, URIRef(contributor)))
    _add_place(graph, dataset, document.municipality)
    graph.add((dataset, DCAT.distribution, _add_distribution(graph, document, dataset)))
    return dataset


def _add_place(graph: Graph, dataset: URIRef, municipality: Municipality) -> None:
    """The municipality's Amtlicher Regionalschlüssel as the dataset's place.

    DCAT-AP.de 3.0 names the political place as ``dct:spatial`` with an IRI of its geocoding
    vocabulary; the older ``dcatde:politicalGeocodingURI`` is deprecated (its shapes warn).
    Only the 12-digit key names a place there: the 8-digit AGS lacks the Verband digits.
    """
    ars = (municipality.ars or "").strip()
    if not _ARS.fullmatch(ars):
        return
    place = URIRef(f"{REGIONAL_KEY_BASE}{ars}")
    graph.add((dataset, DCTERMS.spatial, place))
    graph.add((place, RDF.type, DCTERMS.Location))
    level = geocoding_level(ars)
    _add_concept(graph, dataset, DCATDE.politicalGeocodingLevelURI, f"{vocab.GEOCODING_LEVEL_SCHEME}/{level}",
                 vocab.GEOCODING_LEVEL_SCHEME)


def geocoding_level(ars: str) -> str:
    """The level of a Regionalschlüssel (Land 2, Regierungsbezirk 1, Kreis 2, Verband 4, Gemeinde 3
    digits): a Landkreis ends in seven zeros, a Land in ten."""
    if ars[5:] != "0000000":
        return "municipality"
    if ars[3:5] != "00":
        return "administrativeDistrict"
    return "state"


def _keywords(document: Document) -> list[str]:
    words = [topic.label_de for topic in document.topics]
    if document.document_type is not None:
        words.append(document.document_type.label_de)
    if document.size_class is not None:
        words.append(document.size_class.label_de)
    return list(dict.fromkeys(words))


def _add_publisher(graph: Graph, dataset: URIRef, municipality: Municipality) -> None:
    agent = BNode()
    graph.add((dataset, DCTERMS.publisher, agent))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(municipality.name, lang="de")))


def _add_contact(graph: Graph, dataset: URIRef, document: Document) -> None:
    """A vCard with the document's or project's e-mail, else the project's page, else the catalogue's."""
    project = document.project
    texts = [document.contact, project.contact if project else None]
    email = next((m.group(0) for text in texts if text for m in [_EMAIL.search(text)] if m), None)
    url = project.link if project and project.link and project.link.startswith(("http://", "https://")) else None
    if email is None and url is None:
        email = _setting("CONTACT_EMAIL") or None
    if email is None and url is None:
        return
    card = BNode()
    graph.add((dataset, DCAT.contactPoint, card))
    graph.add((card, RDF.type, VCARD.Organization))
    name = next((text.strip() for text in texts if text and text.strip()), None) or (
        document.municipality.name if document.municipality else _setting("PUBLISHER_NAME", "Smart Region Toolbox"))
    graph.add((card, VCARD.fn, Literal(name)))
    if email:
        graph.add((card, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    if url:
        graph.add((card, VCARD.hasURL, URIRef(url)))


def _add_distribution(graph: Graph, document: Document, dataset: URIRef) -> URIRef:
    version = document.current_version
    distribution = URIRef(f"{dataset}#version-{version.number}")
    download = URIRef(absolute_url("public.document_download", document_id=document.id))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(version.original_filename)))
    graph.add((distribution, DCAT.accessURL, download))
    graph.add((distribution, DCAT.downloadURL, download))
    graph.add((distribution, DCAT.byteSize, Literal(version.size, datatype=XSD.nonNegativeInteger)))
    modified = _datetime(version.uploaded_at)
    if modified is not None:
        graph.add((distribution, DCTERMS.modified, modified))
    _add_concept(graph, distribution, DCTERMS.format, vocab.file_type_uri(version.format), vocab.FILE_TYPE_SCHEME,
                 kind=DCTERMS.MediaTypeOrExtent)
    media_type = vocab.media_type_uri(version.media_type)
    if media_type:
        graph.add((distribution, DCAT.mediaType, URIRef(media_type)))
        graph.add((URIRef(media_type), RDF.type, DCTERMS.MediaType))
    license = document.license
    _add_concept(graph, distribution, DCTERMS.license, vocab.license_uri(license.dcat_license), vocab.LICENSE_SCHEME,
                 kind=DCTERMS.LicenseDocument)
    if license.attribution_required:
        graph.add((distribution, DCATDE.licenseAttributionByText, Literal(_attribution(document), lang="de")))
    checksum = BNode()
    graph.add((distribution, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    graph.add((checksum, SPDX.checksumValue, Literal(version.sha256, datatype=XSD.hexBinary)))
    return distribution


def _attribution(document: Document) -> str:
    """The credit line a licence with attribution asks for: who, what, under which licence."""
    who = document.municipality.name
    if document.project is not None:
        who = f"{who}, Projekt „{document.project.name}“"
    return f"{who}: {document.title} ({document.license.label_de})"


def _paging(graph: Graph, args: Mapping, suffix: str, page: int, last_page: int, total: int, size: int) -> None:
    def page_url(number: int) -> URIRef:
        params = {key: args.getlist(key) if hasattr(args, "getlist") else args[key]
                  for key in args if key != "page"}
        return URIRef(absolute_url(f"catalog.catalog_{suffix}", **params, page=number))

    view = page_url(page)
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
    graph.add((view, HYDRA.first, page_url(1)))
    graph.add((view, HYDRA.last, page_url(last_page)))
    if page > 1:
        graph.add((view, HYDRA.previous, page_url(page - 1)))
    if page < last_page:
        graph.add((view, HYDRA.next, page_url(page + 1)))


__all__ = ["CatalogRequestError", "CatalogPage", "catalog_page", "dataset_document_graph", "dataset_gaps", "record_modified",
           "record_modified_sql",
           "serialize", "FORMATS", "MEDIA_TYPE_FORMATS", "GAP_LABELS"]
