"""Search latency of the PostgreSQL backend beside SQLite FTS5, on ``bench.search``'s corpus.

    python -m bench.search_postgresql --sizes 2000 10000        # a database per size, dropped after
    python -m bench.search_postgresql --sizes 10000 --keep       # keep it (bench_pg_<size>) for reruns

The documents, the queries and the FTS5 reference are those of ``bench.search``; here the app runs ``TOOLBOX_SEARCH_BACKEND=
postgresql`` on a database of its own on ``--url`` (default: the local test server), the entries
are built with ``toolbox.search.reindex()`` and queried through ``toolbox.search.search()``:
matching, ranking, every facet's counts and 20 hits with snippets, as the page and the API ask.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from . import search as bench

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def measure(size: int, queries: int, url: str, keep: bool) -> dict:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from toolbox import create_app, search
    from toolbox.services.database import prepare_database

    name = f"bench_pg_{size}"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    tmp = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    os.environ["TOOLBOX_INSTANCE_DIR"] = str(tmp)
    fts = tmp / "fts.sqlite3"
    with server.connect() as conn:
        existing = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if existing and not keep:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not existing or not keep:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    reuse = bool(existing and keep and Path(f"/tmp/bench_pg_{size}.fts.sqlite3").exists())
    if keep:
        fts = Path(f"/tmp/bench_pg_{size}.fts.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "DATABASE_URL": make_url(url).set(database=name).render_as_string(hide_password=False),
                      "DOCUMENTS_DIR": str(tmp / "documents"), "INDEX_DIR": str(tmp / "index"),
                      "SEARCH_BACKEND": "postgresql"})
    corpus = bench.Corpus()
    result: dict = {"size": size}
    try:
        if not reuse:
            prepare_database(app)
            fts.unlink(missing_ok=True)
            bench.build_database(app, size, corpus, fts)
            with app.app_context():
                began = time.perf_counter()
                search.reindex()
                result["index_seconds"] = time.perf_counter() - began
                from toolbox.extensions import db

                with db.engine.begin() as conn:
                    conn.execute(sa.text("ANALYZE search_entries"))
        with app.app_context():
            from toolbox.extensions import db
            from toolbox.models import SizeClass, Topic

            topics = [t.slug for t in db.session.scalars(sa.select(Topic).order_by(Topic.position))]
            classes = [c.slug for c in db.session.scalars(sa.select(SizeClass).order_by(SizeClass.position))]
            specs = bench.make_queries(corpus, size, queries, topics, classes)

            def postgres(spec: dict) -> int:
                return search.search(bench._search_query(spec)).total

            postgres({"words": ["Zuständigkeiten"], "topic": topics[0]})
            result["postgresql"] = {kind: bench._latencies(postgres, specs[kind]) for kind in bench.KINDS}
            db.session.remove()
            db.engine.dispose()
        reference = bench.Fts5(fts)
        reference.run({"words": ["Zuständigkeiten"], "topic": topics[0]})
        result["fts5"] = {kind: bench._latencies(reference.run, specs[kind]) for kind in bench.KINDS}
    finally:
        if not keep:
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--queries", type=int, default=30, help="distinct queries per kind (default 30)")
    parser.add_argument("--url", default=os.environ.get("TOOLBOX_TEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database bench_pg_<size>")
    args = parser.parse_args(argv)
    print(f"load before: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    print("| documents | query | n | PostgreSQL p50 | p95 | FTS5 p50 | p95 | mean hits PostgreSQL / FTS5 |")
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = measure(size, args.queries, args.url, args.keep)
        for kind in bench.KINDS:
            p, f = r["postgresql"][kind], r["fts5"][kind]
            print(f"| {size:,} | {kind} | {p['n']} | {p['p50']:.1f} | {p['p95']:.1f} | {f['p50']:.1f} | {f['p95']:.1f} "
                  f"| {p['mean_hits']:.0f} / {f['mean_hits']:.0f} |", flush=True)
        if "index_seconds" in r:
            print(f"\n- {size:,} documents: entries built in {r['index_seconds']:.1f} s", flush=True)
    print(f"load after: {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
