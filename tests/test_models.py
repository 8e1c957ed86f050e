"""The schema: migrations match the models on SQLite and PostgreSQL, and seeding is idempotent."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from toolbox.extensions import db
from toolbox.models import DocumentType, License, SizeClass, Topic
from toolbox.services.vocabularies import seed_vocabularies, size_class_for_population


def _schema_drift(app) -> list:
    from toolbox.search import DATABASE_TABLES

    def ours(name, type_, _parent_names) -> bool:
        # The PostgreSQL search backend's tables are the search layer's, not models.
        return not (type_ == "table" and name in DATABASE_TABLES)

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": ours})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app):
    """Every model change has a migration: the migrated database equals the models."""
    assert _schema_drift(app) == []


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgresql(pg_app):
    """The same migrations produce the models' schema on PostgreSQL."""
    assert _schema_drift(pg_app) == []


def test_vocabularies_are_seeded_in_both_languages(app):
    """The DESIGN vocabularies exist on first start with German and English labels."""
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Topic)) == 13
        assert db.session.scalar(select(func.count()).select_from(DocumentType)) == 11
        assert db.session.scalar(select(func.count()).select_from(SizeClass)) == 6
        assert db.session.scalar(select(func.count()).select_from(License)) == 6
        topic = db.session.scalar(select(Topic).where(Topic.slug == "mobilitaet-verkehr"))
        assert topic.label_de == "Mobilität & Verkehr"
        assert topic.label_en == "Mobility & transport"


def test_seeding_again_keeps_editorial_changes(app):
    """A restart does not undo a rename or bring back a removed entry."""
    with app.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.slug == "tourismus-kultur"))
        topic.label_de = "Tourismus, Kultur & Freizeit"
        db.session.delete(db.session.scalar(select(Topic).where(Topic.slug == "bildung-schule")))
        db.session.commit()
        assert seed_vocabularies() == 0
        assert db.session.scalar(select(Topic).where(Topic.slug == "tourismus-kultur")).label_de == \
            "Tourismus, Kultur & Freizeit"
        assert db.session.scalar(select(Topic).where(Topic.slug == "bildung-schule")) is None


@pytest.mark.parametrize(
    "population, slug",
    [(0, "landgemeinde"), (4_999, "landgemeinde"), (5_000, "kleinstadt"), (19_999, "kleinstadt"),
     (20_000, "mittelstadt"), (99_999, "mittelstadt"), (100_000, "grossstadt"), (3_600_000, "grossstadt")],
)
def test_size_class_follows_bbsr_bounds(app, population, slug):
    """Population bounds are lower-inclusive and upper-exclusive, as in the BBSR types."""
    with app.app_context():
        assert size_class_for_population(population).slug == slug


@pytest.mark.postgres
def test_ingest_works_on_postgresql(pg_app, tmp_path):
    """The whole ingest path runs on PostgreSQL as on SQLite."""
    from toolbox.models import Document
    from toolbox.services.ingest import DocumentMetadata, ingest_file

    path = tmp_path / "Straßenbeleuchtung.txt"
    path.write_text("Smarte Straßenbeleuchtung mit Bewegungsmeldern", encoding="utf-8")
    with pg_app.app_context():
        outcome = ingest_file(path, DocumentMetadata(topics=["energie-klimaschutz"], municipality="Stadt Kassel",
                                                     population=200_000), publish=True)
        assert outcome.status == "ingested", outcome.message
        document = db.session.get(Document, outcome.document_id)
        assert document.municipality.size_class.slug == "grossstadt"
        assert document.published_at.tzinfo is not None
