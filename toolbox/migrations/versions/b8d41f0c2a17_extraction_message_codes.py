"""extraction messages as codes with parameters

Revision ID: b8d41f0c2a17
Revises: 30e4c0020c69
Create Date: 2026-12-02 17:45:00

File versions stored their extraction message as a German sentence; they now store a message
code and its parameters, rendered in the reader's language. Known sentences are parsed into
codes once; anything else stays in ``extraction_message`` and is shown as stored.
"""
from alembic import op
import sqlalchemy as sa

from toolbox.migrations.legacy_messages import EXTRACTION, parse, sentence


# revision identifiers, used by Alembic.
revision = 'b8d41f0c2a17'
down_revision = '30e4c0020c69'
branch_labels = None
depends_on = None

_versions = sa.table(
    "file_versions",
    sa.column("id", sa.Integer),
    sa.column("extraction_message", sa.Text),
    sa.column("extraction_code", sa.String),
    sa.column("extraction_params", sa.JSON),
)


def upgrade():
    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extraction_code', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('extraction_params', sa.JSON(), nullable=True))
    conn = op.get_bind()
    conn.execute(_versions.update().values(extraction_params={}))
    # Thousands of versions share a few dozen sentences: parse each sentence once.
    texts = conn.execute(sa.select(_versions.c.extraction_message).distinct()).scalars().all()
    for text in texts:
        parsed = parse(text, EXTRACTION)
        if parsed is not None:
            conn.execute(_versions.update().where(_versions.c.extraction_message == text).values(
                extraction_code=parsed["code"], extraction_params=parsed["params"], extraction_message=""))
    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.alter_column('extraction_params', existing_type=sa.JSON(), nullable=False)


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.select(_versions.c.id, _versions.c.extraction_code, _versions.c.extraction_params)
                        .where(_versions.c.extraction_code.is_not(None))).all()
    for row_id, code, params in rows:
        conn.execute(_versions.update().where(_versions.c.id == row_id).values(
            extraction_message=sentence(code, params, EXTRACTION) or code))
    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.drop_column('extraction_params')
        batch_op.drop_column('extraction_code')
