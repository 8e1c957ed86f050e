"""search entries of the PostgreSQL full-text backend (issue 17, section 2)

The tables of ``TOOLBOX_SEARCH_BACKEND=postgresql`` (``toolbox/search/_pg_*.py``): one entry per
document with its pre-analysed ``tsvector`` and the filter and facet columns, the vocabulary
(words and compound keys, for typo corrections, autocomplete and compound expansion) and a
small state table (the analysis version the entries were built with). Created on PostgreSQL
only: SQLite has no ``tsvector`` and runs the Whoosh backend, so there this revision does nothing.

Revision ID: a17c3e5f9b20
Revises: f2a7c4e81d35
Create Date: 2026-12-03 16:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a17c3e5f9b20'
down_revision = 'f2a7c4e81d35'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    # IF NOT EXISTS: a restore drops the repository's tables and migrates again from its
    # revision; these are dropped with them (``toolbox.search.DATABASE_TABLES``), but an older
    # program version's restore would not know them.
    op.execute("""
        CREATE TABLE IF NOT EXISTS search_entries (
            document_id integer PRIMARY KEY,
            status text NOT NULL,
            tsv tsvector NOT NULL,
            title text NOT NULL DEFAULT '',
            title_sort text COLLATE "C" NOT NULL DEFAULT '',
            sort_date bigint NOT NULL DEFAULT 0,
            topics text[] NOT NULL DEFAULT '{}',
            size_class text NOT NULL DEFAULT '',
            type text NOT NULL DEFAULT '',
            format text NOT NULL DEFAULT '',
            license text NOT NULL DEFAULT '',
            year integer,
            municipality text NOT NULL DEFAULT '',
            municipality_key text NOT NULL DEFAULT '',
            state text NOT NULL DEFAULT '',
            state_key text NOT NULL DEFAULT '',
            project text NOT NULL DEFAULT '',
            accessibility text NOT NULL DEFAULT '',
            words integer NOT NULL DEFAULT 0,
            fingerprint text NOT NULL DEFAULT ''
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_search_entries_tsv ON search_entries USING gin (tsv)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_search_entries_topics ON search_entries USING gin (topics)")
    # No b-tree on the status on purpose: offered one, the planner reads a common word's matches
    # through it and tests ``@@`` on each row, de-toasting every ``tsvector``; without it, a
    # word goes through the GIN index, and a browse reads the table's small main rows.
    op.execute("""
        CREATE TABLE IF NOT EXISTS search_terms (
            kind "char" NOT NULL,
            term text COLLATE "C" NOT NULL,
            PRIMARY KEY (kind, term)
        )""")
    op.execute("""
        CREATE TABLE IF NOT EXISTS search_state (
            key text PRIMARY KEY,
            value text NOT NULL
        )""")


def downgrade():
    if not _postgresql():
        return
    op.execute("DROP TABLE IF EXISTS search_state")
    op.execute("DROP TABLE IF EXISTS search_terms")
    op.execute("DROP TABLE IF EXISTS search_entries")
