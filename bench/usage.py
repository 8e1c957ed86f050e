"""What counting views and downloads costs a request: the same request by a browser (counted) and
by a crawler (not counted), alternating, on the same app and document.

    python -m bench.usage                    # SQLite, 300 requests of each kind
    python -m bench.usage --requests 1000
    python -m bench.usage --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_usage

A page view is counted by one upsert of the day's row and its commit; a single download also
raises the document's total and refreshes its index entry (the "downloads" sort), which it did
before the daily rows existed. The crawler's request does the same work except the counting and
the bot check's answer, so the difference of the medians is what counting adds. The app runs
in-process through Flask's test client on a fresh database migrated by the toolbox itself.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
CRAWLER = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _app(folder: Path, database: str | None):
    os.environ["TOOLBOX_INSTANCE_DIR"] = str(folder / "instance")
    from toolbox import create_app, search
    from toolbox.services.database import prepare_database

    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "DATABASE_URL": database or f"sqlite:///{folder / 'toolbox.sqlite3'}",
        "DOCUMENTS_DIR": str(folder / "documents"), "INDEX_DIR": str(folder / "index"),
        "RATELIMIT_ENABLED": False,
    })
    prepare_database(app)
    with app.app_context():
        search.ensure_index()
    return app


def _document(app, folder: Path) -> int:
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    path = folder / "leitfaden.txt"
    path.write_text("Leitfaden für die Ausschreibung von LoRaWAN-Gateways.\n" * 200, encoding="utf-8")
    with app.app_context():
        outcome = ingest_file(path, DocumentMetadata(title="Leitfaden LoRaWAN"), filename=path.name, publish=True)
        return outcome.document_id


def _time(client, url: str, headers: dict) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    assert response.status_code == 200, (url, response.status_code)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", help="a database URL (empty database); default: a new SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as tmp:
        folder = Path(tmp)
        app = _app(folder, args.database)
        document_id = _document(app, folder)
        client = app.test_client()
        print(f"{args.requests} requests of each kind, alternating; database "
              f"{app.config['TOOLBOX_DATABASE_URL'].split('://')[0]}")
        print("| request | browser (counted) p50 / p95 | crawler (not counted) p50 / p95 | counting adds (p50) |")
        print("|---|---:|---:|---:|")
        for name, url in (("document page", f"/documents/{document_id}"),
                          ("single download", f"/documents/{document_id}/download")):
            for _ in range(10):  # warm templates, the index reader and the bot check's cache
                _time(client, url, BROWSER)
                _time(client, url, CRAWLER)
            counted, skipped = [], []
            for _ in range(args.requests):
                counted.append(_time(client, url, BROWSER))
                skipped.append(_time(client, url, CRAWLER))
            c50, s50 = statistics.median(counted), statistics.median(skipped)
            print(f"| {name} | {c50:.2f} / {_p95(counted):.2f} ms | {s50:.2f} / {_p95(skipped):.2f} ms "
                  f"| {c50 - s50:+.2f} ms |")
        from toolbox.services.usage import usage_totals

        with app.app_context():
            totals = usage_totals([document_id])[document_id]
            print(f"counted: {totals.views} views, {totals.downloads} downloads")


if __name__ == "__main__":
    main()
