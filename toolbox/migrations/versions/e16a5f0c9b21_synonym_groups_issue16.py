"""synonym groups for the search (issue 16)

Revision ID: e16a5f0c9b21
Revises: e14a1m2c0b7d
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'e16a5f0c9b21'
down_revision = 'e14a1m2c0b7d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'synonym_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.Column('one_way', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=True),
        sa.Column('created_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_synonym_groups')),
    )


def downgrade():
    op.drop_table('synonym_groups')
