"""DCAT-AP.de: a Regionalschlüssel column apart from the AGS, and when catalogue-relevant rows changed (issue 15)

Until this revision ``municipalities.ags`` held either the 8-digit Amtlicher Gemeindeschlüssel
or the 12-digit Amtlicher Regionalschlüssel. A 12-digit value moves to ``ars``; ``ags`` keeps
the AGS derived from it (Land, Regierungsbezirk, Kreis, then the Gemeinde digits after the
Verband) and shrinks to 8 characters.

``updated_at`` of municipalities, projects and the vocabularies lets the catalogue's
``dct:modified`` and ``?modified_since=`` see a change of the rows a document's record is built
from. Rows that exist already get no time: nobody knows when they last changed, and the
document's own ``updated_at`` still counts.

Revision ID: f15a7c3e2b84
Revises: f14a4c1e7d20
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'f15a7c3e2b84'
down_revision = 'f14a4c1e7d20'
branch_labels = None
depends_on = None

TABLES_WITH_UPDATED_AT = ('municipalities', 'projects', 'topics', 'document_types', 'size_classes', 'licenses')


def upgrade():
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ars', sa.String(length=12), nullable=True))
    municipalities = sa.table('municipalities', sa.column('id', sa.Integer), sa.column('ags', sa.String),
                              sa.column('ars', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(municipalities.c.id, municipalities.c.ags)).all()
    for municipality_id, key in rows:
        key = (key or '').strip()
        if len(key) == 12 and key.isdigit():
            connection.execute(municipalities.update().where(municipalities.c.id == municipality_id)
                               .values(ars=key, ags=key[:5] + key[9:]))
        elif key and not (len(key) == 8 and key.isdigit()):
            connection.execute(municipalities.update().where(municipalities.c.id == municipality_id)
                               .values(ags=None))
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.alter_column('ags', existing_type=sa.String(length=12), type_=sa.String(length=8),
                              existing_nullable=True)
    for table in TABLES_WITH_UPDATED_AT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', toolbox.models.TZDateTime(timezone=True), nullable=True))


def downgrade():
    for table in reversed(TABLES_WITH_UPDATED_AT):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.alter_column('ags', existing_type=sa.String(length=8), type_=sa.String(length=12),
                              existing_nullable=True)
    municipalities = sa.table('municipalities', sa.column('ags', sa.String), sa.column('ars', sa.String))
    op.execute(municipalities.update().where(municipalities.c.ars.is_not(None))
               .values(ags=municipalities.c.ars))
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_column('ars')
