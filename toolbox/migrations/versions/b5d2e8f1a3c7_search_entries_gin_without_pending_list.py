"""search entries: GIN indexes without a pending list (issue 17)

With GIN's default ``fastupdate``, new entries first go to an unsorted pending list of up to
``gin_pending_list_limit`` (4 MB), which every search scans in full until a vacuum or an
insert past the limit moves it into the index. A document's entry holds a few thousand
lexemes (its word pairs), so the last few dozen uploads filled hundreds of pending pages, and
each of a two-word query's ~20 GIN lookups read them all: on the 10 000-document benchmark,
351 pending pages made a two-word search read 11 000 buffers instead of 3 700. Without the
list, each write goes straight into the index: on that corpus 14 ms instead of 9.6 ms per
document (500 entries rewritten in 7.0 s against 4.8 s), once per upload, against a few
milliseconds on every search until the next vacuum. Whatever is pending now is moved into the
index here.

Revision ID: b5d2e8f1a3c7
Revises: a17c3e5f9b20
Create Date: 2026-12-03 22:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d2e8f1a3c7'
down_revision = 'a17c3e5f9b20'
branch_labels = None
depends_on = None

INDEXES = ("ix_search_entries_tsv", "ix_search_entries_topics")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list(CAST('{name}' AS regclass)) "
                   f"WHERE to_regclass('{name}') IS NOT NULL")


def downgrade():
    if not _postgresql():
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")
