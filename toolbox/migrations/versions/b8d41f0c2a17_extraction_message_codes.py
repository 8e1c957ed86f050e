"""extraction messages as codes with parameters

Revision ID: b8d41f0c2a17
Revises: 30e4c0020c69
Create Date: 2026-12-02 17:45:00

File versions stored their extraction message as a German sentence; they now store a message
code and its parameters, rendered in the reader's language. Known sentences are parsed into
codes once; anything else stays in ``extraction_message`` and is shown as stored.
"""
from toolbox.migrations.legacy_messages import EXTRACTION, downgrade_to_sentences, upgrade_to_codes


# revision identifiers, used by Alembic.
revision = 'b8d41f0c2a17'
down_revision = '30e4c0020c69'
branch_labels = None
depends_on = None


def upgrade():
    upgrade_to_codes("file_versions", "extraction_message", "extraction_code", "extraction_params", EXTRACTION)


def downgrade():
    downgrade_to_sentences("file_versions", "extraction_message", "extraction_code", "extraction_params", EXTRACTION)
