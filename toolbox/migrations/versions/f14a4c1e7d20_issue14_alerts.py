"""issue 14, saved searches and alerts: the alerts, the documents each has mailed, and extra
header lines of an outbox mail (List-Unsubscribe).

Revision ID: f14a4c1e7d20
Revises: e16a5f0c9b21
Create Date: 2026-12-03 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'f14a4c1e7d20'
down_revision = 'e16a5f0c9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('confirm_token_hash', sa.String(length=128), nullable=True),
    sa.Column('unsubscribe_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.Column('sent_until', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.Column('last_mail_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alerts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_alerts_confirm_token_hash')),
    sa.UniqueConstraint('unsubscribe_token', name=op.f('uq_alerts_unsubscribe_token'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_user_id'), ['user_id'], unique=False)

    op.create_table('alert_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_items_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_alert_items_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['mail_outbox.id'], name=op.f('fk_alert_items_outbox_id_mail_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_items')),
    sa.UniqueConstraint('alert_id', 'document_id', name=op.f('uq_alert_items_alert_id'))
    )
    with op.batch_alter_table('alert_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_items_alert_id'), ['alert_id'], unique=False)

    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('headers')

    with op.batch_alter_table('alert_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_items_alert_id'))

    op.drop_table('alert_items')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_user_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_email'))

    op.drop_table('alerts')
