"""Cached PostgreSQL repositories for the benchmarks: built once into a template database, and
each run works on a copy of its own (``CREATE DATABASE … TEMPLATE``), so that runs neither
disturb each other nor grow the cache. ``bench/search.py`` and ``bench/load.py`` share it."""
from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def with_database(url: str, name: str) -> str:
    """``url`` pointing at the database ``name`` of the same server."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _exists(admin, name: str) -> bool:
    with admin.connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is not None


def copy_of_template(server_url: str, template: str, cached: Path, build: Callable[[str], None], *,
                     run_prefix: str, fresh: bool = False, log: Callable[[str], None] = print
                     ) -> tuple[str, Callable[[], None]]:
    """The URL of a new copy of ``template`` and the function that drops it.

    The template is (re)built first when ``fresh``, when it is missing, or when ``cached`` (the
    folder of the build's other files, such as an index or figures) has no ``ready`` marker:
    ``build(template_url)`` fills the new, empty template database and ``cached``.
    """
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        if fresh or not ((cached / "ready").exists() and _exists(admin, template)):
            shutil.rmtree(cached, ignore_errors=True)
            cached.mkdir(parents=True)
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{template}"'))
            log(f"building the cached PostgreSQL repository {template}")
            build(with_database(server_url, template))
            analyze(with_database(server_url, template))
            (cached / "ready").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
        name = f"{run_prefix}_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    except BaseException:
        admin.dispose()
        raise

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return with_database(server_url, name), drop


def analyze(url: str) -> None:
    """Planner statistics for a bulk-loaded database, as autovacuum would gather them later.

    The copies are made and dropped within minutes, before autovacuum gets to them, and copy
    the template's statistics: without this every run planned without any (``reltuples`` -1),
    and the planner read 20 hits' newest versions by a sequential scan of ``file_versions``
    (6 ms at 10 000 documents instead of a tenth of that through its index).
    """
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()


def drop_template(server_url: str, template: str) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    finally:
        admin.dispose()
