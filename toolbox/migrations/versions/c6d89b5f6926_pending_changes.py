"""pending changes: new versions and metadata edits of published documents wait for an editor;
file_versions.privacy_report keeps what a stored file reveals about people for the review.

Old rows need nothing: no change was waiting before this revision, and a version without a
stored report is checked from its bytes when an editor opens it.

Revision ID: c6d89b5f6926
Revises: c4e7a91d3b58
Create Date: 2026-12-02 17:28:04.398642

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'c6d89b5f6926'
down_revision = 'c4e7a91d3b58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('proposed_metadata', sa.JSON(), nullable=True),
    sa.Column('proposed_file', sa.JSON(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_pending_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_pending_changes_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_pending_changes_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_changes')),
    sa.UniqueConstraint('document_id', name=op.f('uq_pending_changes_document_id'))
    )
    with op.batch_alter_table('pending_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_changes_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_changes_status'), ['status'], unique=False)

    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_report', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.drop_column('privacy_report')

    with op.batch_alter_table('pending_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_changes_status'))
        batch_op.drop_index(batch_op.f('ix_pending_changes_file_sha256'))

    op.drop_table('pending_changes')
