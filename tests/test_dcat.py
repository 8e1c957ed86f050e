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
from rdflib import Graph, Literal, Namespace, URIRef
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

#: Warnings the README explains (section "DCAT-AP.de-Katalog"); every other result fails the test.
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


def set_regional_key(app, name: str, key: str) -> None:
    """Give a municipality its key the way an editor does on its admin page."""
    with app.app_context():
        municipality = db.session.query(Municipality).filter_by(name=name).one()
        municipality_update(db.session.get(User, editor(app)), municipality, name=name, ags=key, state=municipality.state,
                            district=municipality.district, population=municipality.population)
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
    set_regional_key(app, "Kleindorf", "06631009")  # an AGS (8 digits) names no place in the catalogue
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
