"""Atom feeds: response times of ``/search.atom`` beside the search page with the same parameters.

    python -m bench.feeds                     # 10 000 published documents
    python -m bench.feeds --docs 2000 --runs 3

The documents are inserted in bulk by ``bench.search.build_database`` into a temporary SQLite
repository and indexed with ``search.reindex``. Each address is fetched ``--runs`` times through
the Flask test client after one untimed request; the table gives the median and the largest
time and the body size. A feed always carries the newest 50 matches.
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
    from sqlalchemy import select

    from toolbox import create_app, search
    from toolbox.extensions import db
    from toolbox.models import Topic
    from toolbox.services.database import prepare_database

    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "DOCUMENTS_DIR": f"{tmp}/documents", "INDEX_DIR": f"{tmp}/index"})
        prepare_database(app)
        build_database(app, docs, Corpus(), Path(tmp) / "fts.sqlite3")
        with app.app_context():
            _log(f"{docs}: reindex")
            search.reindex()
            topic = db.session.scalar(select(Topic.slug).order_by(Topic.position))
        queries = ["", f"?topic={topic}", "?q=Zuständigkeiten", f"?q=Zuständigkeiten&topic={topic}"]
        paths = [base + query for query in queries for base in ("/search.atom", "/search")]
        client = app.test_client()
        rows = []
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
            rows.append((path, statistics.median(times), max(times), len(response.data)))
            _log(f"{path}: {statistics.median(times):.0f} ms")
        return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rows = measure(args.docs, args.runs)
    print(f"\n{args.docs} published documents, {args.runs} runs each\n")
    print("| address | median ms | max ms | bytes |")
    print("|---|---|---|---|")
    for path, median, largest, size in rows:
        print(f"| `{path}` | {median:.0f} | {largest:.0f} | {size:,} |".replace(",", " "))


if __name__ == "__main__":
    main()
