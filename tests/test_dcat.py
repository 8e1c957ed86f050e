"""The DCAT-AP.de catalogue (issue 15): valid by GovData's SHACL shapes, published documents only.

The shapes in ../shared/dcat-ap-de are what GovData's validator combines for the profile
"DCAT-AP 3.0.de"; the ontologies they refer to go into ``ont_graph`` and ``owl:imports`` are not
followed, so the check runs offline.
"""
from __future__ import annotations

import json
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, SKOS, XSD

from toolbox.extensions import db
from toolbox.models import Document, Municipality, User
from toolbox.services.curation import municipality_update
from toolbox.services.dcat import GAP_DESCRIPTION, GAP_LICENSE, GAP_PUBLISHER, dataset_gaps
from toolbox.services.review import document_withdraw

from conftest import make_document, make_user, running_app

SHAPES_DIR = Path(__file__).resolve().parents[2] / "shared" / "dcat-ap-de"
if not SHAPES_DIR.is_dir():  # a worktree under /work/wt sits one level deeper than the main checkout
    SHAPES_DIR = Path(__file__).resolve().parents[3] / "shared" / "dcat-ap-de"
SHAPE_FILES = ("dcat-ap-SHACL.ttl", "dcat-ap-SHACL-DE.ttl", "dcat-ap-de-deprecated.ttl",
               "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-controlledvocabularies.ttl")
ONTOLOGIES = (("foaf_0_1.rdf", "xml"), ("vcard.ttl", "turtle"), ("org.ttl", "turtle"))

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
BASE = "http://127.0.0.1:5000"

#: Warnings the README explains (section "Catalogue for GovData, …"); every other result fails the
#: test. None remain: the catalogue states the schemes the vocabulary shapes look for (see
#: test_the_catalogue_states_the_schemes_the_vocabulary_shapes_check).
EXPLAINED_WARNINGS: set[str] = set()


@pytest.fixture(scope="session")
def shapes() -> tuple[Graph, Graph]:
    if not SHAPES_DIR.is_dir():
        pytest.skip(f"SHACL shapes not present ({SHAPES_DIR})")
    shacl = Graph()
    for name in SHAPE_FILES:
        shacl.parse(SHAPES_DIR / name, format="turtle")
    ontologies = Graph()
    for name, rdf_format in ONTOLOGIES:
        ontologies.parse(SHAPES_DIR / name, format=rdf_format)
    return shacl, ontologies


def shacl_results(data: Graph, shapes) -> list[tuple[str, str, str]]:
    """(severity, message, focus node) of every result of validating ``data``."""
    shacl, ontologies = shapes
    _, report, _ = pyshacl.validate(data, shacl_graph=shacl, ont_graph=ontologies, inference="none",
                                    do_owl_imports=False, advanced=True, allow_warnings=True)
    return [
        (str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1], str(report.value(result, SH.resultMessage)),
         str(report.value(result, SH.focusNode)))
        for result in report.subjects(RDF.type, SH.ValidationResult)
    ]


def assert_valid(data: Graph, shapes) -> None:
    results = shacl_results(data, shapes)
    violations = [r for r in results if r[0] != "Warning"]
    assert not violations, violations
    unexplained = [r for r in results if r[1] not in EXPLAINED_WARNINGS]
    assert not unexplained, unexplained


def catalogue(client, path: str = "/catalog.ttl", **kwargs) -> Graph:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    rdf_format = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}[path.split("?")[0].rsplit(".", 1)[-1]]
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7 deprecates.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.data, format=rdf_format)


def datasets(graph: Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}


def editor(app) -> int:
    return make_user(app, role="editor")


def set_regional_key(app, name: str, key: str | None, *, ags: str | None = None) -> None:
    """Give a municipality its keys the way an editor does on its admin page."""
    with app.app_context():
        municipality = db.session.query(Municipality).filter_by(name=name).one()
        municipality_update(db.session.get(User, editor(app)), municipality, name=name, ars=key, ags=ags,
                            state=municipality.state, district=municipality.district,
                            population=municipality.population)
        db.session.commit()


COMPLETE = dict(description="Wie eine Gemeinde ihr LoRaWAN-Netz betreibt.", topics=["infrastruktur-netze-iot"],
                type="konzept-strategie", municipality="Musterstadt", population=42_000, state="Hessen",
                license="cc-by-4.0", contact="Geschäftsstelle Digitales, digital@musterstadt.de",
                project="Smarte Musterstadt")


def make_complete(app, **overrides) -> Document:
    return make_document(app, **{"title": "Betriebskonzept LoRaWAN", **COMPLETE, **overrides})


# --- SHACL --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, template_database):
    """The demo corpus (``toolbox demo``), ingested and published through the real services."""
    import shutil

    from toolbox import search
    from toolbox.services.demo import demo_ingest_items
    from toolbox.services.ingest import ingest_files

    folder = tmp_path_factory.mktemp("dcat-demo")
    database = folder / "toolbox.sqlite3"
    shutil.copyfile(template_database, database)
    config = {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{database}",
              "DOCUMENTS_DIR": str(folder / "documents"), "INDEX_DIR": str(folder / "index"),
              "WTF_CSRF_ENABLED": False, "DCAT_CONTRIBUTOR_ID": "http://dcat-ap.de/def/contributors/hessen"}
    with running_app(config) as app:
        with app.app_context():
            search.ensure_index()
            with demo_ingest_items() as items:
                outcomes = ingest_files(items, publish=True)
            assert all(outcome.status == "ingested" for outcome in outcomes)
            db.session.remove()
        yield app


def test_catalogue_of_the_demo_corpus_passes_govdatas_shapes(demo_app, shapes):
    """Every demo document is a dataset, and the catalogue has no SHACL violation and no unexplained warning."""
    client = demo_app.test_client()
    graph = catalogue(client)
    with demo_app.app_context():
        published = db.session.query(Document).filter_by(status="published").all()
        expected = {f"{BASE}/documents/{d.id}" for d in published if not dataset_gaps(d)}
    assert len(expected) == len(published) > 10
    assert datasets(graph) == expected
    assert_valid(graph, shapes)


@pytest.mark.parametrize("suffix", ["rdf", "jsonld"])
def test_rdf_xml_and_json_ld_say_the_same_as_turtle(demo_app, suffix):
    """``/catalog.rdf`` (what GovData harvests) and ``/catalog.jsonld`` carry the same triples."""
    client = demo_app.test_client()
    turtle = catalogue(client)
    other = catalogue(client, f"/catalog.{suffix}")
    assert len(other) == len(turtle)
    assert datasets(other) == datasets(turtle)
    content_type = client.get(f"/catalog.{suffix}").headers["Content-Type"]
    assert content_type.startswith({"rdf": "application/rdf+xml", "jsonld": "application/ld+json"}[suffix])


def test_documents_with_every_kind_of_gap_keep_the_catalogue_valid(app, shapes):
    """Gaps in optional metadata still give a valid dataset; gaps in mandatory ones leave the document out."""
    optional_gaps = [
        make_document(app, title="Ohne Themen und Typ", description="Kurz.", municipality="Kleindorf",
                      license="cc0-1.0"),
        make_document(app, title="Ohne Kontakt und Projekt", description="Kurz.", municipality="Kleindorf",
                      license="dl-de-zero-2.0", fmt="docx"),
        make_document(app, title="Nach Rücksprache", description="Kurz.", municipality="Kleindorf",
                      license="nach-ruecksprache", contact="Herr Beispiel, Rathaus"),
        make_document(app, title="Markdown", description="Kurz.", municipality="Kleindorf",
                      license="dl-de-by-2.0", fmt="md", topics=["tourismus-kultur", "bildung-schule"]),
        make_complete(app, fmt="pdf"),
    ]
    set_regional_key(app, "Kleindorf", None, ags="06631009")  # an AGS (8 digits) names no place in the catalogue
    mandatory_gaps = {
        GAP_DESCRIPTION: make_document(app, title="Ohne Beschreibung", municipality="Kleindorf", license="cc0-1.0"),
        GAP_PUBLISHER: make_document(app, title="Ohne Kommune", description="Kurz.", license="cc0-1.0"),
        GAP_LICENSE: make_document(app, title="Ohne Lizenz", description="Kurz.", municipality="Kleindorf"),
    }
    graph = catalogue(app.test_client())
    assert datasets(graph) == {f"{BASE}/documents/{d.id}" for d in optional_gaps}
    assert_valid(graph, shapes)
    with app.app_context():
        for gap, document in mandatory_gaps.items():
            assert dataset_gaps(db.session.get(Document, document.id)) == [gap]


# --- GovData's conventions, one test each -----------------------------------------------------


def _dataset(graph: Graph, document: Document) -> URIRef:
    return URIRef(f"{BASE}/documents/{document.id}")


def test_only_published_documents_are_datasets(app):
    """Submitted and withdrawn documents never appear in the catalogue."""
    published = make_complete(app, title="Veröffentlicht")
    make_complete(app, title="Eingereicht", publish=False)
    withdrawn = make_complete(app, title="Zurückgezogen")
    with app.app_context():
        document_withdraw(db.session.get(User, editor(app)), db.session.get(Document, withdrawn.id))
    graph = catalogue(app.test_client())
    assert datasets(graph) == {f"{BASE}/documents/{published.id}"}
    assert app.test_client().get(f"/documents/{withdrawn.id}", headers={"Accept": "text/turtle"}).status_code == 404


def test_distribution_is_the_current_file_with_size_and_sha256(app):
    """downloadURL = accessURL, byteSize and spdx:checksum (SHA-256) of the current version."""
    document = make_complete(app, fmt="pdf")
    graph = catalogue(app.test_client())
    (distribution,) = graph.objects(_dataset(graph, document), DCAT.distribution)
    download = URIRef(f"{BASE}/documents/{document.id}/download")
    assert graph.value(distribution, DCAT.downloadURL) == graph.value(distribution, DCAT.accessURL) == download
    with app.app_context():
        version = db.session.get(Document, document.id).current_version
        assert int(graph.value(distribution, DCAT.byteSize)) == version.size
        checksum = graph.value(distribution, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == version.sha256
    assert graph.value(distribution, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/PDF")
    assert graph.value(distribution, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/pdf")


@pytest.mark.parametrize("slug, uri, attribution", [
    ("cc-by-4.0", "http://dcat-ap.de/def/licenses/cc-by/4.0", True),
    ("dl-de-by-2.0", "http://dcat-ap.de/def/licenses/dl-by-de/2.0", True),
    ("cc0-1.0", "http://dcat-ap.de/def/licenses/cc-zero", False),
    ("dl-de-zero-2.0", "http://dcat-ap.de/def/licenses/dl-zero-de/2.0", False),
])
def test_licence_is_a_dcat_ap_de_uri_with_attribution_where_required(app, slug, uri, attribution):
    """dct:license names the dcat-ap.de licence; licenseAttributionByText only where the licence asks for it."""
    document = make_complete(app, license=slug)
    graph = catalogue(app.test_client())
    (distribution,) = graph.objects(_dataset(graph, document), DCAT.distribution)
    assert graph.value(distribution, DCTERMS.license) == URIRef(uri)
    assert (URIRef(uri), SKOS.inScheme, URIRef("http://dcat-ap.de/def/licenses")) in graph
    credit = graph.value(distribution, DCATDE.licenseAttributionByText)
    if attribution:
        assert "Musterstadt" in credit and "Betriebskonzept LoRaWAN" in credit
    else:
        assert credit is None


def test_publisher_contact_themes_keywords_and_dates(app):
    """Publisher is the municipality (foaf:Agent), contact a vCard with e-mail, topics map to EU themes."""
    document = make_complete(app, topics=["mobilitaet-verkehr", "tourismus-kultur", "bildung-schule"])
    graph = catalogue(app.test_client())
    dataset = _dataset(graph, document)
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "Musterstadt"
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:digital@musterstadt.de")
    theme = "http://publications.europa.eu/resource/authority/data-theme/"
    # Tourism & culture and education both belong to EDUC: one theme, not two.
    assert set(graph.objects(dataset, DCAT.theme)) == {URIRef(theme + "TRAN"), URIRef(theme + "EDUC")}
    assert {"Mobilität & Verkehr", "Konzept/Strategie"} <= {str(k) for k in graph.objects(dataset, DCAT.keyword)}
    assert graph.value(dataset, DCTERMS.issued).datatype == XSD.dateTime
    assert graph.value(dataset, DCTERMS.modified).datatype == XSD.dateTime


def test_contact_falls_back_to_the_project_page_then_the_setting(app_config, tmp_path, monkeypatch):
    """Without an e-mail in the document the vCard gives TOOLBOX_DCAT_CONTACT_EMAIL."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "DCAT_CONTACT_EMAIL": "toolbox@land.example"}) as app:
        document = make_complete(app, contact="Rathaus, Zimmer 3")
        graph = catalogue(app.test_client())
        contact = graph.value(_dataset(graph, document), DCAT.contactPoint)
        assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:toolbox@land.example")


def test_regional_key_gives_the_political_place_and_level(app, shapes):
    """A 12-digit Regionalschlüssel becomes dct:spatial with the geocoding level; GovData's shapes accept it."""
    document = make_complete(app)
    set_regional_key(app, "Musterstadt", "066310009009")
    graph = catalogue(app.test_client())
    dataset = _dataset(graph, document)
    assert graph.value(dataset, DCTERMS.spatial) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/regionalKey/066310009009")
    assert graph.value(dataset, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
    assert_valid(graph, shapes)


def test_catalogue_settings_and_contributor_id(app_config, tmp_path, monkeypatch, shapes):
    """Title, publisher and homepage of the catalogue and dcatde:contributorID come from the settings."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    settings = {"DCAT_CATALOG_TITLE": "Smart-Region-Toolbox Hessen", "DCAT_PUBLISHER_NAME": "Hessisches Ministerium",
                "DCAT_PUBLISHER_URL": "https://digitales.hessen.de", "DCAT_CATALOG_HOMEPAGE": "https://toolbox.hessen.de",
                "DCAT_CONTRIBUTOR_ID": "http://dcat-ap.de/def/contributors/transparenzportalHessen"}
    with running_app({**app_config, **settings}) as app:
        document = make_complete(app)
        graph = catalogue(app.test_client())
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert str(graph.value(catalog, DCTERMS.title)) == "Smart-Region-Toolbox Hessen"
    assert graph.value(catalog, FOAF.homepage) == URIRef("https://toolbox.hessen.de")
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Hessisches Ministerium"
    assert graph.value(_dataset(graph, document), DCATDE.contributorID) == URIRef(settings["DCAT_CONTRIBUTOR_ID"])
    assert_valid(graph, shapes)


# --- harvesting: pages, changes, search parameters, content negotiation -----------------------


def test_pages_link_to_each_other_with_hydra(app_config, tmp_path, monkeypatch):
    """With two datasets per page, three documents give two pages linked by hydra:next/previous."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_app({**app_config, "DCAT_PAGE_SIZE": 2}) as app:
        ids = [make_complete(app, title=f"Konzept {n}").id for n in range(3)]
        client = app.test_client()
        first = catalogue(client)
        (view,) = first.subjects(RDF.type, HYDRA.PartialCollectionView)
        assert int(first.value(view, HYDRA.totalItems)) == 3
        assert first.value(view, HYDRA.previous) is None
        next_page = str(first.value(view, HYDRA.next))
        assert next_page == f"{BASE}/catalog.ttl?page=2"
        second = catalogue(client, next_page.removeprefix(BASE))
        (view2,) = second.subjects(RDF.type, HYDRA.PartialCollectionView)
        assert str(second.value(view2, HYDRA.previous)) == f"{BASE}/catalog.ttl?page=1"
        assert second.value(view2, HYDRA.next) is None
        assert datasets(first) | datasets(second) == {f"{BASE}/documents/{i}" for i in ids}
        assert not datasets(first) & datasets(second)
        beyond = client.get("/catalog.ttl?page=3")
        assert beyond.status_code == 404 and "2 Seite" in beyond.get_data(as_text=True)
        for bad_page in ("zwei", "0", "²", "-1", "99999999999"):
            bad = client.get(f"/catalog.ttl?page={bad_page}")
            assert bad.status_code == 400 and "„page“" in bad.get_data(as_text=True), bad_page


def test_modified_since_keeps_what_changed(app):
    """``?modified_since=`` lists only documents changed at or after that moment; a bad date is a 400."""
    old = make_complete(app, title="Alt")
    new = make_complete(app, title="Neu")
    age_records(app)
    with app.app_context():
        db.session.get(Document, new.id).updated_at = datetime.now(timezone.utc)
        db.session.commit()
    client = app.test_client()
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    assert datasets(catalogue(client, f"/catalog.ttl?modified_since={yesterday}")) == {f"{BASE}/documents/{new.id}"}
    assert len(datasets(catalogue(client, "/catalog.ttl?modified_since=2024-04-30T00:00:00Z"))) == 2
    for bad_date in ("gestern", "2026-13-01", "31.01.2026", "2026-01-31T25:00"):
        bad = client.get(f"/catalog.ttl?modified_since={bad_date}")
        assert bad.status_code == 400, bad_date
        assert "kein Datum" in bad.get_data(as_text=True)


def test_modified_since_reads_the_time_zone(app):
    """A moment with an offset ("+02:00") means that moment, not the same clock time in UTC."""
    document = make_complete(app)
    berlin = timezone(timedelta(hours=2))
    client = app.test_client()
    before = (datetime.now(berlin) - timedelta(minutes=30)).replace(microsecond=0).isoformat()
    after = (datetime.now(berlin) + timedelta(minutes=30)).replace(microsecond=0).isoformat()
    assert datasets(catalogue(client, "/catalog.ttl", query_string={"modified_since": before})) == {
        f"{BASE}/documents/{document.id}"}
    assert datasets(catalogue(client, "/catalog.ttl", query_string={"modified_since": after})) == set()


OLD = datetime(2024, 5, 1, tzinfo=timezone.utc)


def age_records(app) -> None:
    """Date every document and every row a dataset is written from back to OLD."""
    from sqlalchemy import update

    from toolbox.models import DocumentType, License, Project, SizeClass, Topic

    with app.app_context():
        for model in (Document, Municipality, Project, Topic, DocumentType, SizeClass, License):
            db.session.execute(update(model).values(updated_at=OLD))
        db.session.commit()


def _entry(model_name: str, slug: str):
    import toolbox.models

    return db.session.query(getattr(toolbox.models, model_name)).filter_by(slug=slug).one()


def _municipality_edit(**changes):
    def change(app):
        municipality = db.session.query(Municipality).filter_by(name="Musterstadt").one()
        facts = dict(name=municipality.name, ars=municipality.ars, ags=municipality.ags, state=municipality.state,
                     district=municipality.district, population=municipality.population)
        municipality_update(db.session.get(User, editor(app)), municipality, **{**facts, **changes})
    return change


def _dcat_mapping(vocabulary: str, model_name: str, slug: str, value: str):
    def change(app):
        from toolbox.services.curation import vocabulary_entry_dcat_set

        admin = db.session.get(User, make_user(app, role="admin"))
        vocabulary_entry_dcat_set(admin, vocabulary, _entry(model_name, slug).id, value)
    return change


def _rename(vocabulary: str, model_name: str, slug: str, label: str):
    def change(app):
        from toolbox.services.curation import vocabulary_entry_rename

        vocabulary_entry_rename(db.session.get(User, editor(app)), vocabulary, _entry(model_name, slug).id, label, None)
    return change


def _merge(vocabulary: str, model_name: str, source: str, target: str):
    def change(app):
        from toolbox.services.curation import vocabulary_entry_merge

        vocabulary_entry_merge(db.session.get(User, editor(app)), vocabulary, _entry(model_name, source).id,
                               _entry(model_name, target).id)
    return change


def _project_contact(app):
    from toolbox.models import Project
    from toolbox.services.curation import project_update

    project = db.session.query(Project).filter_by(name="Smarte Musterstadt").one()
    project_update(db.session.get(User, editor(app)), project, name=project.name,
                   municipality_id=project.municipality_id, contact="Stabsstelle, smart@musterstadt.de")


def _municipality_merge(app):
    from toolbox.services.curation import municipality_merge

    source = db.session.query(Municipality).filter_by(name="Musterstadt").one()
    target = db.session.query(Municipality).filter_by(name="Stadt Musterstadt").one()
    municipality_merge(db.session.get(User, editor(app)), source, target)


RECORD_CHANGES = {
    "municipality gets a Regionalschlüssel": _municipality_edit(ars="066310009009"),
    "municipality renamed": _municipality_edit(name="Musterstadt (Hessen)"),
    "population moves the size class": _municipality_edit(population=150_000),
    "admin changes the licence URI": _dcat_mapping("license", "License", "cc-by-4.0",
                                                   "http://dcat-ap.de/def/licenses/cc-by-de/3.0"),
    "admin maps the topic to another theme": _dcat_mapping("topic", "Topic", "infrastruktur-netze-iot", "GOVE"),
    "topic renamed": _rename("topic", "Topic", "infrastruktur-netze-iot", "Netze & Sensorik"),
    "document type renamed": _rename("type", "DocumentType", "konzept-strategie", "Konzept"),
    "licence renamed": _rename("license", "License", "cc-by-4.0", "Creative Commons Namensnennung 4.0"),
    "project contact changed": _project_contact,
    "topic merged into another": _merge("topic", "Topic", "infrastruktur-netze-iot", "daten-plattformen"),
    "licence merged into another": _merge("license", "License", "cc-by-4.0", "dl-de-by-2.0"),
    "municipality merged into another": _municipality_merge,
}


@pytest.mark.parametrize("change", RECORD_CHANGES.values(), ids=RECORD_CHANGES.keys())
def test_a_change_of_what_the_record_is_made_of_counts_as_modified(app, change):
    """dct:modified and ?modified_since= follow every change that alters a dataset's record, also of
    the municipality, licence, topic, type or project it points to; untouched datasets keep their time."""
    document = make_complete(app)
    make_document(app, title="Anderswo", description="Kurz.", municipality="Stadt Musterstadt", license="cc0-1.0",
                  topics=["umwelt-wasser"])
    untouched = make_document(app, title="Unberührt", description="Kurz.", municipality="Andersdorf",
                              license="cc0-1.0", topics=["umwelt-wasser"])
    age_records(app)
    client = app.test_client()
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    assert datasets(catalogue(client, "/catalog.ttl", query_string={"modified_since": since})) == set()
    with app.app_context():
        change(app)
        db.session.commit()
    changed = catalogue(client, "/catalog.ttl", query_string={"modified_since": since})
    assert f"{BASE}/documents/{document.id}" in datasets(changed)
    assert f"{BASE}/documents/{untouched.id}" not in datasets(changed)
    modified = changed.value(_dataset(changed, document), DCTERMS.modified).toPython()
    assert modified >= datetime.fromisoformat(since)
    everything = catalogue(client)
    assert everything.value(_dataset(everything, untouched), DCTERMS.modified).toPython() == OLD
    # Oldest change first: the changed dataset, made first, is no longer on the first page.
    app.config["TOOLBOX_DCAT_PAGE_SIZE"] = 1
    assert datasets(catalogue(client, "/catalog.ttl?page=1")) != {f"{BASE}/documents/{document.id}"}


def test_order_visibility_and_downloads_are_no_change_of_the_record(app):
    """Moving a topic in the list, hiding it from forms or downloading a file leaves the datasets as they were."""
    from toolbox.models import Topic
    from toolbox.services.curation import vocabulary_entry_move, vocabulary_entry_set_active

    document = make_complete(app)
    age_records(app)
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    with app.app_context():
        user = db.session.get(User, editor(app))
        topic_id = db.session.query(Topic).filter_by(slug="infrastruktur-netze-iot").one().id
        vocabulary_entry_move(user, "topic", topic_id, -2)
        vocabulary_entry_set_active(user, "topic", topic_id, False)
    client = app.test_client()
    download = client.get(f"/documents/{document.id}/download")
    assert download.status_code == 200 and download.data
    download.close()
    assert datasets(catalogue(client, "/catalog.ttl", query_string={"modified_since": since})) == set()


def test_search_parameters_narrow_the_catalogue(app):
    """``topic`` and ``q`` select datasets as on /search."""
    mobility = make_complete(app, title="Parkraumkonzept", topics=["mobilitaet-verkehr"], text="Parkhaus Sensoren")
    make_complete(app, title="Schulkonzept", topics=["bildung-schule"], text="Tablets im Unterricht")
    client = app.test_client()
    assert datasets(catalogue(client, "/catalog.ttl?topic=mobilitaet-verkehr")) == {f"{BASE}/documents/{mobility.id}"}
    assert datasets(catalogue(client, "/catalog.rdf?q=Parkhaus")) == {f"{BASE}/documents/{mobility.id}"}


def test_document_page_serves_its_dataset_by_content_negotiation(app, shapes):
    """``Accept: text/turtle`` on /documents/<id> gives the dataset; a browser still gets the page."""
    document = make_complete(app)
    gap = make_document(app, title="Ohne Beschreibung", municipality="Musterstadt", license="cc0-1.0")
    client = app.test_client()
    response = client.get(f"/documents/{document.id}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.data, format="turtle")
    assert datasets(graph) == {f"{BASE}/documents/{document.id}"}
    assert_valid(graph, shapes)
    json_ld = client.get(f"/documents/{document.id}", headers={"Accept": "application/ld+json"})
    assert json_ld.headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(json_ld.data)
    page = client.get(f"/documents/{document.id}",
                      headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert page.headers["Content-Type"].startswith("text/html") and b"Betriebskonzept" in page.data
    refused = client.get(f"/documents/{gap.id}", headers={"Accept": "text/turtle"})
    assert refused.status_code == 406 and "Pflichtangaben" in refused.get_data(as_text=True)


def test_every_address_comes_from_the_base_url(app_config, tmp_path, monkeypatch):
    """Behind a proxy that forwards its own host name, the catalogue names only TOOLBOX_BASE_URL."""
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    public = "https://toolbox.example.org"
    with running_app({**app_config, "BASE_URL": public, "TRUSTED_HOSTS": "toolbox-intern",
                      "DCAT_PAGE_SIZE": 1}) as app:
        make_complete(app, title="Eins")
        make_complete(app, title="Zwei")
        response = app.test_client().get("/catalog.ttl", base_url="http://toolbox-intern")
    graph = Graph().parse(data=response.data, format="turtle")
    local = {str(term) for triple in graph for term in triple
             if isinstance(term, URIRef) and ("toolbox-intern" in term or "127.0.0.1" in term)}
    assert not local
    assert any(str(s).startswith(public + "/documents/") for s in graph.subjects(RDF.type, DCAT.Dataset))
    assert any(str(o).startswith(public + "/catalog.ttl?page=2") for o in graph.objects(None, HYDRA.next))


def test_editors_see_on_the_admin_page_why_a_document_is_left_out(app, client, auth):
    """The document's admin page names each missing mandatory property; a complete one says it is listed."""
    gap = make_document(app, title="Ohne Beschreibung und Lizenz", municipality="Musterstadt")
    listed = make_complete(app)
    email = "redaktion-dcat@example.org"
    make_user(app, email, role="editor")
    auth.login(email)
    page = client.get(f"/admin/documents/{gap.id}").get_data(as_text=True)
    assert "Nicht im Katalog" in page
    assert "Es fehlt eine Beschreibung" in page and "Es fehlt eine Lizenz" in page
    assert "Es fehlt die Kommune" not in page
    listed_page = client.get(f"/admin/documents/{listed.id}").get_data(as_text=True)
    assert "Steht im Katalog" in listed_page and "Nicht im Katalog" not in listed_page


# --- admins keep the mapping --------------------------------------------------------------------


def _entry_id(app, model, slug: str) -> int:
    with app.app_context():
        return db.session.query(model).filter_by(slug=slug).one().id


def test_admin_maps_a_topic_to_another_eu_theme_and_the_catalogue_follows(app, client, auth):
    """An admin sets the topic's data theme on its vocabulary page; the datasets carry the new theme."""
    from toolbox.models import Topic

    document = make_complete(app, topics=["tourismus-kultur"])
    make_user(app, "admin-dcat@example.org", role="admin")
    auth.login("admin-dcat@example.org")
    topic_id = _entry_id(app, Topic, "tourismus-kultur")
    page = client.get(f"/admin/vocabularies/topic/{topic_id}").get_data(as_text=True)
    assert "Katalog für GovData (DCAT-AP.de)" in page and '<option selected value="EDUC">' in page
    response = client.post(f"/admin/vocabularies/topic/{topic_id}/dcat", data={"data_theme": "REGI"})
    assert response.status_code == 302
    graph = catalogue(client)
    assert set(graph.objects(_dataset(graph, document), DCAT.theme)) == {
        URIRef("http://publications.europa.eu/resource/authority/data-theme/REGI")}
    refused = client.post(f"/admin/vocabularies/topic/{topic_id}/dcat", data={"data_theme": "XXXX"})
    assert refused.status_code == 400 and "Bitte einen Eintrag aus der Liste wählen." in refused.get_data(as_text=True)


def test_admin_sets_a_licence_uri_and_a_licence_without_one_keeps_documents_out(app, client, auth, shapes):
    """A licence without a dcat-ap.de URI keeps its documents out; once an admin sets one, they are listed."""
    from toolbox.models import License

    document = make_complete(app, license="nach-ruecksprache")
    make_user(app, "admin-lizenz@example.org", role="admin")
    auth.login("admin-lizenz@example.org")
    licence_id = _entry_id(app, License, "nach-ruecksprache")
    assert client.post(f"/admin/vocabularies/license/{licence_id}/dcat", data={"dcat_license": ""}).status_code == 302
    assert datasets(catalogue(client)) == set()
    with app.app_context():
        assert dataset_gaps(db.session.get(Document, document.id)) == [GAP_LICENSE]
    bad = client.post(f"/admin/vocabularies/license/{licence_id}/dcat",
                      data={"dcat_license": "https://creativecommons.org/licenses/by/4.0/"})
    assert bad.status_code == 400 and "Lizenzliste von DCAT-AP.de" in bad.get_data(as_text=True)
    uri = "http://dcat-ap.de/def/licenses/other-commercial"
    assert client.post(f"/admin/vocabularies/license/{licence_id}/dcat", data={"dcat_license": uri}).status_code == 302
    graph = catalogue(client)
    (distribution,) = graph.objects(_dataset(graph, document), DCAT.distribution)
    assert graph.value(distribution, DCTERMS.license) == URIRef(uri)
    assert_valid(graph, shapes)


def test_only_admins_edit_the_dcat_mapping(app, client, auth):
    """Editors curate the vocabularies but neither see nor may post the DCAT-AP.de mapping."""
    from toolbox.models import Topic

    make_user(app, "redaktion-mapping@example.org", role="editor")
    auth.login("redaktion-mapping@example.org")
    topic_id = _entry_id(app, Topic, "tourismus-kultur")
    assert "DCAT-AP.de" not in client.get(f"/admin/vocabularies/topic/{topic_id}").get_data(as_text=True)
    assert client.post(f"/admin/vocabularies/topic/{topic_id}/dcat", data={"data_theme": "REGI"}).status_code == 403
    with app.app_context():
        assert db.session.get(Topic, topic_id).data_theme == "EDUC"


def test_the_catalogue_states_the_schemes_the_vocabulary_shapes_check(app, shapes):
    """Offline, only the catalogue's own skos:inScheme statements satisfy the controlled-vocabulary
    shapes: without them theme, format and language are violations (README, "Catalogue for GovData")."""
    make_complete(app)
    set_regional_key(app, "Musterstadt", "066310009009")
    graph = catalogue(app.test_client())
    assert_valid(graph, shapes)
    for triple in list(graph.triples((None, SKOS.inScheme, None))):
        graph.remove(triple)
    graph.remove((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    results = shacl_results(graph, shapes)
    violations = {message.split(" MUSS")[0] for severity, message, _ in results if severity == "Violation"}
    assert violations == {"dcat:Dataset: dcat:theme", "dcat:Distribution: dcterms:format",
                          "dcat:Catalog: dcterms:language", "dcat:Dataset: dcterms:language"}
    warnings = {message.split(" SOLL")[0] for severity, message, _ in results if severity == "Warning"}
    assert warnings == {"dcat:Distribution: dcterms:license", "spdx:Checksum: spdx:algorithm",
                        "dcat:Dataset: dcatde:politicalGeocodingLevelURI"}
