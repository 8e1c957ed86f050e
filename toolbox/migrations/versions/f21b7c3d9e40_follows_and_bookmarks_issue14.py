"""issue 14, feeds and follow: who follows which document, and each account's "Merkliste"

Revision ID: f21b7c3d9e40
Revises: f15a7c3e2b84
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'f21b7c3d9e40'
down_revision = 'f15a7c3e2b84'
branch_labels = None
depends_on = None


def _create(table: str) -> None:
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('created_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f(f'fk_{table}_document_id_documents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f(f'fk_{table}_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('user_id', 'document_id', name=op.f(f'uq_{table}_user_id')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_document_id'), ['document_id'], unique=False)


def upgrade():
    _create('document_follows')
    _create('bookmarks')


def downgrade():
    for table in ('bookmarks', 'document_follows'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_document_id'))
        op.drop_table(table)
