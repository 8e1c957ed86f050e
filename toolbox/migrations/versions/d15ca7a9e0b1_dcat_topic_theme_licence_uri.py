"""DCAT-AP.de: each topic's EU data theme and each licence's dcat-ap.de URI (issue 15)

Revision ID: d15ca7a9e0b1
Revises: c6d89b5f6926
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd15ca7a9e0b1'
down_revision = 'c6d89b5f6926'
branch_labels = None
depends_on = None

# The seeded entries' mapping as of this revision (toolbox/services/dcat_vocabularies.py), copied
# so that the migration means the same whatever that module says later. Entries editors created
# or renamed keep their slug, so matching by slug finds them; new ones wait for an admin.
THEMES = {
    "strategie-organisation": "GOVE", "verwaltung-e-government": "GOVE", "daten-plattformen": "TECH",
    "infrastruktur-netze-iot": "TECH", "mobilitaet-verkehr": "TRAN", "energie-klimaschutz": "ENER",
    "umwelt-wasser": "ENVI", "bevoelkerungsschutz": "JUST", "bildung-schule": "EDUC", "gesundheit-pflege": "HEAL",
    "wirtschaft-handel-innenstadt": "ECON", "tourismus-kultur": "EDUC", "buergerbeteiligung-open-government": "GOVE",
}
LICENSES = {
    "cc-by-4.0": "http://dcat-ap.de/def/licenses/cc-by/4.0",
    "cc-by-sa-4.0": "http://dcat-ap.de/def/licenses/cc-by-sa/4.0",
    "cc0-1.0": "http://dcat-ap.de/def/licenses/cc-zero",
    "dl-de-by-2.0": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "dl-de-zero-2.0": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    "nach-ruecksprache": "http://dcat-ap.de/def/licenses/other-closed",
}


def upgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_theme', sa.String(length=10), nullable=True))
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dcat_license', sa.String(length=200), nullable=True))
    topics = sa.table('topics', sa.column('slug', sa.String), sa.column('data_theme', sa.String))
    licenses = sa.table('licenses', sa.column('slug', sa.String), sa.column('dcat_license', sa.String))
    for slug, code in THEMES.items():
        op.execute(topics.update().where(topics.c.slug == slug).values(data_theme=code))
    for slug, uri in LICENSES.items():
        op.execute(licenses.update().where(licenses.c.slug == slug).values(dcat_license=uri))


def downgrade():
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.drop_column('dcat_license')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_column('data_theme')
