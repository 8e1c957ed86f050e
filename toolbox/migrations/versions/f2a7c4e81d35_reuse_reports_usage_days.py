"""reuse reports and daily usage counts of documents (issue 14, section 6)

Revision ID: f2a7c4e81d35
Revises: f21b7c3d9e40
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'f2a7c4e81d35'
down_revision = 'f21b7c3d9e40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reuse_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('municipality_name', sa.String(length=200), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('received_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reuse_reports_decided_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_reuse_reports_document_id_documents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'],
                                name=op.f('fk_reuse_reports_municipality_id_municipalities'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reuse_reports')),
    )
    with op.batch_alter_table('reuse_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reuse_reports_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reuse_reports_status'), ['status'], unique=False)

    op.create_table(
        'document_usage_days',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), server_default='0', nullable=False),
        sa.Column('downloads', sa.Integer(), server_default='0', nullable=False),
        sa.Column('zip_downloads', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_document_usage_days_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id', 'day', name=op.f('pk_document_usage_days')),
    )


def downgrade():
    op.drop_table('document_usage_days')
    with op.batch_alter_table('reuse_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_reports_status'))
        batch_op.drop_index(batch_op.f('ix_reuse_reports_document_id'))
    op.drop_table('reuse_reports')
