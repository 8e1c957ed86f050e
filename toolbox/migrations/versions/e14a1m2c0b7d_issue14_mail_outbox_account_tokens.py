"""issue 14, mail: the outbox of mails and their jobs' parameters, single-use account links
(password reset, e-mail change), and per account the mail language and how an editor hears of
new submissions.

Existing accounts get German mails and immediate notices; nothing else needs filling in.

Revision ID: e14a1m2c0b7d
Revises: d15ca7a9e0b1
Create Date: 2026-12-03 07:38:37.806247

"""
from alembic import op
import sqlalchemy as sa

import toolbox.models


# revision identifiers, used by Alembic.
revision = 'e14a1m2c0b7d'
down_revision = 'd15ca7a9e0b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('used_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', toolbox.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', toolbox.models.TZDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_mail_outbox_job_id_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_mail_outbox_message_id'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_job_id'), ['job_id'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='de', nullable=False))
        batch_op.add_column(sa.Column('notify_submissions', sa.String(length=10), server_default='immediate', nullable=False))
        batch_op.add_column(sa.Column('digest_sent_until', toolbox.models.TZDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_until')
        batch_op.drop_column('notify_submissions')
        batch_op.drop_column('language')

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('params')

    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_outbox_job_id'))

    op.drop_table('mail_outbox')
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))

    op.drop_table('account_tokens')
