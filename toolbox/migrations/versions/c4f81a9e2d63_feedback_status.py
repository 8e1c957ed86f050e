"""feedback status: open, answered or done, with when and by whom

Revision ID: c4f81a9e2d63
Revises: b7e2c41d9a05
Create Date: 2026-12-02 18:20:00

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'c4f81a9e2d63'
down_revision = 'b7e2c41d9a05'
branch_labels = None
depends_on = None


def upgrade():
    # Reports received before the status existed start as "open": nobody recorded an answer.
    with op.batch_alter_table('accessibility_feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('status_changed_at', toolbox.models.TZDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handled_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_accessibility_feedback_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_accessibility_feedback_handled_by_id_users'), 'users',
                                    ['handled_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('accessibility_feedback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_accessibility_feedback_handled_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_accessibility_feedback_status'))
        batch_op.drop_column('handled_by_id')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('status')
