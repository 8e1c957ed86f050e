"""The load scenario of bench/load.py, shortened: real gunicorn with 4 workers, real HTTP on loopback.

On PostgreSQL when ``TOOLBOX_TEST_DATABASE_URL`` is set, otherwise on SQLite. Latency is the
benchmark's business (figures in the README); this test holds the two rules that must never
break under concurrency: no request fails, and every upload is found by search afterwards.
"""
from __future__ import annotations

import os

import pytest

from bench import load


@pytest.mark.slow
def test_searchers_and_uploaders_at_once_lose_nothing(tmp_path):
    """With 8 searchers and 2 uploaders on 4 workers, no request fails and every upload is found."""
    options = load.Options(docs=100, duration=8.0, searchers=8, uploaders=2, max_requests=2000,
                           think=0.5, upload_think=0.5,
                           database_url=os.environ.get("TOOLBOX_TEST_DATABASE_URL") or None,
                           cache=tmp_path / "cache", warm_up_rounds=1)
    try:
        result = load.run(options)
    finally:
        load.forget_repository(options.docs, options.database_url, options.cache)

    assert result["errors"] == 0, result["error_samples"]
    assert result["searches"] >= 20
    assert result["published"] >= options.uploaders, result
    assert result["not_found"] == []
    assert list((tmp_path / "cache").glob("run-*")) == [], "the run's copy of the repository is removed"


def test_load_refuses_targets_outside_this_machine(tmp_path):
    """The load script only ever runs against loopback: a remote server or database is refused."""
    load.require_loopback("127.0.0.1", "server address")
    load.require_loopback("::1", "server address")
    load.require_loopback("localhost", "database host")
    for host in ("10.0.0.5", "example.org", "192.168.1.20"):
        with pytest.raises(SystemExit, match="not a loopback address"):
            load.require_loopback(host, "server address")
    with pytest.raises(SystemExit, match="not a loopback address"):
        load.prepare_repository(1, "postgresql+psycopg://postgres@db.example.org:5432/test", tmp_path)
    assert list(tmp_path.iterdir()) == []
