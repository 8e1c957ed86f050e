"""Reading and seeding the curated vocabularies."""
from __future__ import annotations

from sqlalchemy import func, select

from .. import vocabulary_seed
from ..extensions import db
from ..i18n import DEFAULT_LOCALE
from ..message import Message
from ..message_render import render
from ..models import VOCABULARY_MODELS, DocumentType, License, SizeClass, Topic
from .dcat_vocabularies import LICENSE_URIS, THEME_CODES


class UnknownSlugError(ValueError):
    """A slug that names no entry of a vocabulary; ``message`` lists the valid ones."""

    def __init__(self, vocabulary: str, slug: str, valid: list[str]):
        self.vocabulary = vocabulary
        self.slug = slug
        self.valid = valid
        self.message = Message("metadata.unknown_slug", {"slug": slug, "vocabulary": Message(f"vocabulary.{vocabulary}"),
                                                         "valid": list(valid)})
        # str() stays the German sentence for the command line and the logs.
        super().__init__(render(self.message, DEFAULT_LOCALE))


VOCABULARY_NAMES_DE = {
    "topic": "Themenfeld",
    "type": "Dokumenttyp",
    "size_class": "Größenklasse",
    "license": "Lizenz",
}


def seed_vocabularies() -> int:
    """Fill each empty vocabulary with the entries of DESIGN.md.

    Only empty vocabularies are filled, so that an editor's renames, deactivations and merges
    are never undone by a restart.
    """
    added = 0
    seeds = {
        Topic: [dict(slug=s, label_de=de, label_en=en, data_theme=THEME_CODES.get(s))
                for s, de, en in vocabulary_seed.TOPICS],
        DocumentType: [dict(slug=s, label_de=de, label_en=en) for s, de, en in vocabulary_seed.DOCUMENT_TYPES],
        SizeClass: [
            dict(slug=s, label_de=de, label_en=en, min_population=lo, max_population=hi)
            for s, de, en, lo, hi in vocabulary_seed.SIZE_CLASSES
        ],
        License: [
            dict(slug=s, label_de=de, label_en=en, url=url, attribution_required=attr, notice_de=nde, notice_en=nen,
                 dcat_license=LICENSE_URIS.get(s))
            for s, de, en, url, attr, nde, nen in vocabulary_seed.LICENSES
        ],
    }
    for model, rows in seeds.items():
        if db.session.scalar(select(func.count()).select_from(model)):
            continue
        for position, row in enumerate(rows):
            db.session.add(model(position=position, active=True, **row))
            added += 1
    db.session.commit()
    return added


def vocabulary_entries(vocabulary: str, *, active_only: bool = False) -> list:
    model = VOCABULARY_MODELS[vocabulary]
    stmt = select(model).order_by(model.position, model.id)
    if active_only:
        stmt = stmt.where(model.active.is_(True))
    return list(db.session.scalars(stmt))


def vocabulary_get(vocabulary: str, slug: str):
    """Return the entry for ``slug`` or raise UnknownSlugError naming the valid slugs."""
    model = VOCABULARY_MODELS[vocabulary]
    entry = db.session.scalar(select(model).where(model.slug == slug))
    if entry is None:
        raise UnknownSlugError(vocabulary, slug, [e.slug for e in vocabulary_entries(vocabulary)])
    return entry


def size_class_for_population(population: int | None) -> SizeClass | None:
    """Derive the BBSR size class from a population figure."""
    if population is None:
        return None
    for entry in vocabulary_entries("size_class"):
        if entry.min_population is None:
            continue
        if population >= entry.min_population and (entry.max_population is None or population < entry.max_population):
            return entry
    return None
