"""Catalogue and sitemap: response times of the pages harvesters and crawlers fetch.

    python -m bench.catalog                    # 10 000 published documents
    python -m bench.catalog --docs 1000 --runs 3

The documents (with description, municipality, licence and file, so every one is a dataset)
are inserted in bulk by `bench.search.build_database` into a temporary SQLite repository; no
search index is built, so parameters that need it (`q`, `topic`) are not measured. Each
address is fetched ``--runs`` times through the Flask test client after one untimed request;
the table gives the median and the largest time and the body size.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from .search import Corpus, _log, build_database


def measure(docs: int, runs: int) -> list[tuple[str, float, float, int]]:
    from toolbox import create_app
    from toolbox.services.database import prepare_database

    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "DOCUMENTS_DIR": f"{tmp}/documents", "INDEX_DIR": f"{tmp}/index"})
        prepare_database(app)
        build_database(app, docs, Corpus(), Path(tmp) / "fts.sqlite3")
        last = -(-docs // 100)
        paths = ["/catalog.rdf", "/catalog.ttl", "/catalog.jsonld", f"/catalog.rdf?page={last}",
                 "/catalog.rdf?modified_since=2000-01-01", "/sitemap.xml", "/sitemap-1.xml", "/documents/1"]
        client = app.test_client()
        rows = []
        for path in paths:
            headers = {"Accept": "text/turtle"} if path.startswith("/documents/") else {}
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - began) * 1000)
            label = path + (" (Accept: text/turtle)" if headers else "")
            rows.append((label, statistics.median(times), max(times), len(response.data)))
            _log(f"{label}: {statistics.median(times):.0f} ms")
        return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rows = measure(args.docs, args.runs)
    print(f"\n{args.docs} published documents, 100 datasets per catalogue page, {args.runs} runs each\n")
    print("| address | median ms | max ms | bytes |")
    print("|---|---|---|---|")
    for path, median, largest, size in rows:
        print(f"| `{path}` | {median:.0f} | {largest:.0f} | {size:,} |".replace(",", " "))


if __name__ == "__main__":
    main()
