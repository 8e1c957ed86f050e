"""background jobs

Revision ID: b7e2c41d9a05
Revises: b8d41f0c2a17
Create Date: 2026-12-02 17:40:00

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'b7e2c41d9a05'
down_revision = 'b8d41f0c2a17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('file_version_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('limit_seconds', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('created_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_jobs_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_version_id'], ['file_versions.id'], name=op.f('fk_jobs_file_version_id_file_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_state'))
        batch_op.drop_index(batch_op.f('ix_jobs_document_id'))
    op.drop_table('jobs')
