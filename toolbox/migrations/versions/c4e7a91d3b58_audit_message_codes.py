"""audit summaries and job errors as codes with parameters

Revision ID: c4e7a91d3b58
Revises: c4f81a9e2d63
Create Date: 2026-12-02 18:10:00

Audit entries stored their summary, and jobs their last error, as a German sentence; they now
store a message code and its parameters, rendered in the reader's language. Known sentences are
parsed into codes once; anything else stays in ``summary`` or ``last_error`` and is shown as
stored.
"""
from toolbox.migrations.legacy_messages import AUDIT, JOBS, downgrade_to_sentences, upgrade_to_codes


# revision identifiers, used by Alembic.
revision = 'c4e7a91d3b58'
down_revision = 'c4f81a9e2d63'
branch_labels = None
depends_on = None


def upgrade():
    upgrade_to_codes("audit_log", "summary", "code", "params", AUDIT)
    upgrade_to_codes("jobs", "last_error", "last_error_code", "last_error_params", JOBS)


def downgrade():
    downgrade_to_sentences("jobs", "last_error", "last_error_code", "last_error_params", JOBS)
    downgrade_to_sentences("audit_log", "summary", "code", "params", AUDIT)
