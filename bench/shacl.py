"""SHACL validation of the DCAT-AP.de catalogue: where the time of the test's check goes.

    python -m bench.shacl                      # catalogues of 1, 34 and 100 datasets
    python -m bench.shacl --datasets 34 --runs 5

Validates as ``tests/test_dcat.py`` does: GovData's shapes for DCAT-AP.de 3.0 from
``../shared/dcat-ap-de`` (parsed once), FOAF, vCard and ORG as ``ont_graph``, no ``owl:imports``,
``inference="none"``. The catalogues are pages of ``/catalog.ttl`` over documents inserted in bulk
by ``bench.search.build_database`` (each one a dataset). Reported per catalogue size: triples,
the median wall time and CPU time of a validation, and the CPU time of the same validation
with only the ontologies' ``rdfs:subClassOf`` triples (what copying all of them into the data
graph costs; the result is the same). CPU time is the figure to
compare on the shared machine: the wall time grows with the load of other processes.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from .search import Corpus, _log, build_database

SHAPES_DIR = Path(__file__).resolve().parents[2] / "shared" / "dcat-ap-de"
if not SHAPES_DIR.is_dir():  # a worktree under /work/wt sits one level deeper than the main checkout
    SHAPES_DIR = Path(__file__).resolve().parents[3] / "shared" / "dcat-ap-de"
SHAPE_FILES = ("dcat-ap-SHACL.ttl", "dcat-ap-SHACL-DE.ttl", "dcat-ap-de-deprecated.ttl",
               "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-controlledvocabularies.ttl")
ONTOLOGIES = (("foaf_0_1.rdf", "xml"), ("vcard.ttl", "turtle"), ("org.ttl", "turtle"))


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def load_shapes():
    from rdflib import Graph

    shacl = Graph()
    for name in SHAPE_FILES:
        shacl.parse(SHAPES_DIR / name, format="turtle")
    ontologies = Graph()
    for name, rdf_format in ONTOLOGIES:
        ontologies.parse(SHAPES_DIR / name, format=rdf_format)
    return shacl, ontologies


def class_hierarchy(ontologies):
    from rdflib import Graph
    from rdflib.namespace import RDFS

    hierarchy = Graph()
    for triple in ontologies.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


def validate(data, shacl, ontologies) -> bool:
    import pyshacl

    conforms, _, _ = pyshacl.validate(data, shacl_graph=shacl, ont_graph=ontologies, inference="none",
                                      do_owl_imports=False, advanced=True, allow_warnings=True)
    return conforms


def catalogues(sizes: list[int]):
    """``{size: graph}``: the first catalogue page of ``size`` datasets."""
    from toolbox import create_app
    from toolbox.services.database import prepare_database
    from rdflib import Graph

    from toolbox.services.dcat import catalog_page, serialize

    with tempfile.TemporaryDirectory(prefix="bench-shacl-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "DOCUMENTS_DIR": f"{tmp}/documents", "INDEX_DIR": f"{tmp}/index",
                          "DCAT_CONTRIBUTOR_ID": "http://dcat-ap.de/def/contributors/hessen"})
        prepare_database(app)
        build_database(app, max(sizes), Corpus(), Path(tmp) / "fts.sqlite3")
        with app.test_request_context():
            # As the test reads it: the Turtle a harvester gets, parsed into a context-aware graph.
            return {size: Graph().parse(data=serialize(catalog_page({}, page_size=size).graph, "ttl"), format="turtle")
                    for size in sizes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, nargs="+", default=[1, 34, 100])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not SHAPES_DIR.is_dir():
        raise SystemExit(f"SHACL shapes not found in {SHAPES_DIR}")
    (shacl, ontologies), load_wall, load_cpu = _timed(load_shapes)
    _log(f"shapes and ontologies parsed: {load_wall:.0f} ms")
    hierarchy = class_hierarchy(ontologies)
    graphs = catalogues(sorted(args.datasets))
    first_wall = first_cpu = None
    rows = []
    for size, graph in graphs.items():
        walls, cpus, bare = [], [], []
        for run in range(args.runs + (1 if first_wall is None else 0)):
            conforms, wall, cpu = _timed(lambda: validate(graph, shacl, ontologies))
            assert conforms, f"the catalogue of {size} datasets does not conform"
            if first_wall is None:
                first_wall, first_cpu = wall, cpu  # the process's first validation, reported apart
                continue
            walls.append(wall)
            cpus.append(cpu)
            conforms, _, cpu = _timed(lambda: validate(graph, shacl, hierarchy))
            assert conforms
            bare.append(cpu)
        rows.append((size, len(graph), statistics.median(walls), statistics.median(cpus), statistics.median(bare)))
        _log(f"{size} datasets: {statistics.median(walls):.0f} ms")
    print(f"\nshapes + ontologies parsed once: {load_wall:.0f} ms wall, {load_cpu:.0f} ms CPU; first validation "
          f"of the process: {first_wall:.0f} ms wall, {first_cpu:.0f} ms CPU; median of {args.runs} runs after\n")
    print("| datasets | triples | validation wall ms | validation CPU ms | CPU ms, class hierarchy only |")
    print("|---|---|---|---|---|")
    for size, triples, wall, cpu, without in rows:
        print(f"| {size} | {triples:,} | {wall:.0f} | {cpu:.0f} | {without:.0f} |".replace(",", " "))


if __name__ == "__main__":
    main()
