"""Alert digests: how long the hourly run takes for many saved searches over a large repository.

    python -m bench.alerts                         # 10 000 documents, 1 000 alerts
    python -m bench.alerts --docs 2000 --alerts 200

The documents of `bench.search.build_database`, republished one an hour (so the newest 24 fall into
the last day, a busy day of the real toolbox), are indexed with `toolbox.search.reindex()`. The alerts belong to accounts,
each a daily alert whose last run was a day ago, with a mix of saved searches: a topic alone, a
size class alone, one word, two words, a word and a topic. One run of
`toolbox.services.alerts.alert_digests_send` then does what the hourly queue task does: for every
alert the claim, the search, the permission check, the mail rendered into the outbox and the
items, one commit per alert. The jobs of the mails are put on a SQLite queue nobody consumes.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .search import Corpus, _log, _rss_mb, build_database


def _title_words(corpus: Corpus, docs: int) -> list[str]:
    return [word for n in range(0, docs, max(1, docs // 200)) for word in corpus.text(n)[0].split() if len(word) >= 6]


def _searches(rng: random.Random, title_words: list[str], topics: list[str], classes: list[str]) -> list:
    """One saved search: words taken from the titles of the repository, and filters."""
    kind = rng.randrange(5)
    if kind == 0:
        return [["topic", rng.choice(topics)]]
    if kind == 1:
        return [["size_class", rng.choice(classes)]]
    if kind == 2:
        return [["q", rng.choice(title_words)]]
    if kind == 3:
        return [["q", f"{rng.choice(title_words)} {rng.choice(title_words)}"]]
    return [["q", rng.choice(title_words)], ["topic", rng.choice(topics)]]


def measure(docs: int, alerts: int) -> dict:
    from toolbox import create_app
    from toolbox.services.database import prepare_database

    corpus = Corpus()
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "DOCUMENTS_DIR": f"{tmp}/documents", "INDEX_DIR": f"{tmp}/index"})
        prepare_database(app)
        build_database(app, docs, corpus, Path(tmp) / "fts.sqlite3")
        with app.app_context():
            from sqlalchemy import func, insert, select

            from toolbox import search
            from toolbox.extensions import db
            from toolbox.models import Alert, AlertItem, OutboxMail, SizeClass, Topic, User
            from toolbox.services.alerts import alert_digests_send

            from sqlalchemy import update

            from toolbox.models import Document

            hour_ago = datetime.now(timezone.utc)
            db.session.execute(update(Document), [{"id": n + 1, "published_at": hour_ago - timedelta(hours=docs - n)}
                                                  for n in range(docs)])
            db.session.commit()
            _log(f"{docs}: reindex")
            search.reindex()
            topics = list(db.session.scalars(select(Topic.slug)))
            classes = list(db.session.scalars(select(SizeClass.slug)))
            now = datetime.now(timezone.utc)
            day_ago = now - timedelta(days=1)
            rng = random.Random(alerts)
            db.session.execute(insert(User), [{"id": 10_000 + n, "email": f"leser{n}@bench.example", "role": "contributor",
                                               "active": True, "language": "de", "created_at": day_ago}
                                              for n in range(alerts)])
            title_words = _title_words(corpus, docs)
            searches = [_searches(rng, title_words, topics, classes) for _ in range(alerts)]
            db.session.execute(insert(Alert), [
                {"user_id": 10_000 + n, "language": "de", "params": searches[n], "frequency": "daily",
                 "unsubscribe_token": f"bench-{n}", "created_at": day_ago, "confirmed_at": day_ago,
                 "sent_until": day_ago} for n in range(alerts)])
            db.session.commit()
            _log(f"{docs}: digest run for {alerts} alerts")
            began = time.perf_counter()
            queued = alert_digests_send(now=now + timedelta(hours=1))
            seconds = time.perf_counter() - began
            items = db.session.scalar(select(func.count(AlertItem.id)))
            mails = db.session.scalar(select(func.count(OutboxMail.id)))
            assert mails == queued
            began = time.perf_counter()
            again = alert_digests_send(now=now + timedelta(hours=2))
            idle_seconds = time.perf_counter() - began
            assert again == 0
    return {"docs": docs, "alerts": alerts, "queued": queued, "items": items, "seconds": seconds,
            "idle_seconds": idle_seconds, "rss_mb": _rss_mb()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=1_000)
    args = parser.parse_args(argv)
    result = measure(args.docs, args.alerts)
    print(f"\n{result['docs']} published documents (24 of them in the last day), {result['alerts']} daily alerts\n")
    print("| digest run | seconds | per alert ms | mails queued | documents listed |")
    print("|---|---|---|---|---|")
    print(f"| due (first run of the day) | {result['seconds']:.1f} | {1000 * result['seconds'] / result['alerts']:.0f} "
          f"| {result['queued']} | {result['items']} |")
    print(f"| nothing due (the next hour) | {result['idle_seconds']:.2f} | "
          f"{1000 * result['idle_seconds'] / result['alerts']:.1f} | 0 | 0 |")
    print(f"\npeak memory {result['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
