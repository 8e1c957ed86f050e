"""Editorial curation: the four vocabularies, municipalities and projects.

Renaming keeps the slug (URLs and API clients rely on it); deactivating hides an entry from
forms but keeps it on documents; merging moves every document to the target, deletes the
source and leaves a ``SlugAlias`` so that old links with the merged slug redirect.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import flag_modified

from ..extensions import db
from ..models import (
    ROLE_ADMIN,
    ROLE_EDITOR,
    VOCABULARY_MODELS,
    Document,
    Municipality,
    Project,
    ReuseReport,
    SizeClass,
    SlugAlias,
    User,
    document_topics,
    utcnow,
)
from ..permissions import require
from . import indexing
from ..message import Message
from .audit import audit_record
from .dcat_vocabularies import DATA_THEMES, license_uri
from .vocabularies import size_class_for_population, vocabulary_get

#: SlugAlias.vocabulary for municipalities, whose search parameter is the name.
MUNICIPALITY_ALIAS = "municipality"
#: SlugAlias.vocabulary for projects, whose search parameter is the id (as text).
PROJECT_ALIAS = "project"

VOCABULARY_TITLES = {
    "topic": "Themenfelder",
    "type": "Dokumenttypen",
    "size_class": "Größenklassen",
    "license": "Lizenzen",
}


class CurationError(ValueError):
    """A curation step that cannot be done; German message, ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


# --- slugs and aliases -----------------------------------------------------------------------

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(text: str) -> str:
    """A URL slug the way the seed slugs look: "Mobilität & Verkehr" → "mobilitaet-verkehr"."""
    text = text.translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")


def resolve_slug_alias(vocabulary: str, slug: str) -> str | None:
    """The current slug (for municipalities: name) an old, merged one stands for, or None."""
    alias = db.session.scalar(select(SlugAlias).where(SlugAlias.vocabulary == vocabulary, SlugAlias.slug == slug))
    if alias is None:
        return None
    if vocabulary == MUNICIPALITY_ALIAS:
        target = db.session.get(Municipality, alias.target_id)
        return target.name if target is not None else None
    if vocabulary == PROJECT_ALIAS:
        project = db.session.get(Project, alias.target_id)
        return str(project.id) if project is not None else None
    model = VOCABULARY_MODELS.get(vocabulary)
    if model is None:
        return None
    target = db.session.get(model, alias.target_id)
    return target.slug if target is not None else None


def municipality_name_current(name: str | None) -> str | None:
    """The name to file a document under: a merged-away name gives the municipality it went into."""
    if not name or not name.strip():
        return name
    name = " ".join(name.split())
    if db.session.scalar(select(Municipality.id).where(Municipality.name == name)) is not None:
        return name
    return resolve_slug_alias(MUNICIPALITY_ALIAS, name) or name


def _add_alias(vocabulary: str, old: str, target_id: int, source_id: int) -> None:
    # Aliases that pointed at the source now point at the target: one hop, never a chain.
    db.session.execute(
        update(SlugAlias)
        .where(SlugAlias.vocabulary == vocabulary, SlugAlias.target_id == source_id)
        .values(target_id=target_id)
    )
    existing = db.session.scalar(select(SlugAlias).where(SlugAlias.vocabulary == vocabulary, SlugAlias.slug == old))
    if existing is None:
        db.session.add(SlugAlias(vocabulary=vocabulary, slug=old, target_id=target_id))
    else:
        existing.target_id = target_id


# --- vocabularies ----------------------------------------------------------------------------


def _model(vocabulary: str):
    try:
        return VOCABULARY_MODELS[vocabulary]
    except KeyError:
        raise CurationError(f"Unbekanntes Vokabular „{vocabulary}“.") from None


def vocabulary_entry_get(vocabulary: str, entry_id: int):
    entry = db.session.get(_model(vocabulary), entry_id)
    if entry is None:
        raise CurationError("Diesen Eintrag gibt es nicht (mehr).")
    return entry


def vocabulary_usage(vocabulary: str) -> dict[int, int]:
    """Entry id → number of documents using it (size classes: via their municipality)."""
    if vocabulary == "topic":
        rows = db.session.execute(
            select(document_topics.c.topic_id, func.count()).group_by(document_topics.c.topic_id)
        )
    elif vocabulary == "type":
        rows = db.session.execute(
            select(Document.document_type_id, func.count()).where(Document.document_type_id.is_not(None))
            .group_by(Document.document_type_id)
        )
    elif vocabulary == "license":
        rows = db.session.execute(
            select(Document.license_id, func.count()).where(Document.license_id.is_not(None))
            .group_by(Document.license_id)
        )
    else:
        rows = db.session.execute(
            select(Municipality.size_class_id, func.count(Document.id))
            .join(Document, Document.municipality_id == Municipality.id)
            .where(Municipality.size_class_id.is_not(None))
            .group_by(Municipality.size_class_id)
        )
    return {entry_id: count for entry_id, count in rows}


def vocabulary_entry_create(user: User, vocabulary: str, label_de: str, label_en: str | None = None,
                            slug: str | None = None):
    """Add an entry at the end; the slug comes from the German label unless given."""
    require(user, ROLE_EDITOR)
    model = _model(vocabulary)
    label_de = _label(label_de, "label_de")
    label_en = " ".join((label_en or "").split()) or label_de
    slug = slugify(slug or label_de)
    if not slug:
        raise CurationError("Aus dieser Bezeichnung lässt sich kein Kürzel bilden.", field="label_de")
    if _slug_taken(vocabulary, slug):
        raise CurationError(f"Das Kürzel „{slug}“ ist schon vergeben.", field="slug")
    if db.session.scalar(select(model).where(func.lower(model.label_de) == label_de.lower())):
        raise CurationError(f"„{label_de}“ gibt es schon.", field="label_de")
    position = (db.session.scalar(select(func.max(model.position))) or 0) + 1
    entry = model(slug=slug, label_de=label_de, label_en=label_en, position=position, active=True)
    db.session.add(entry)
    db.session.flush()
    audit_record(f"{vocabulary}.create", user=user, object_type=vocabulary, object_id=entry.id,
                 summary=Message("audit.vocabulary.create", {"vocabulary": _name(vocabulary),
                                                             "label": _labels(entry), "slug": slug}),
                 details={"slug": slug, "label_de": label_de, "label_en": label_en})
    db.session.commit()
    return entry


def _name(vocabulary: str) -> Message:
    return Message(f"vocabulary.{vocabulary}")


def _labels(entry) -> dict[str, str]:
    """Both labels of a vocabulary entry: the audit log names it in the reader's language."""
    return {"de": entry.label_de, "en": entry.label_en}


def _slug_taken(vocabulary: str, slug: str) -> bool:
    model = _model(vocabulary)
    if db.session.scalar(select(model.id).where(model.slug == slug)) is not None:
        return True
    # An old, merged slug still redirects; reusing it would break those links.
    return db.session.scalar(
        select(SlugAlias.id).where(SlugAlias.vocabulary == vocabulary, SlugAlias.slug == slug)
    ) is not None


def vocabulary_entry_rename(user: User, vocabulary: str, entry_id: int, label_de: str, label_en: str | None):
    """Change the labels; the slug stays, so every link and API client keeps working."""
    require(user, ROLE_EDITOR)
    model = _model(vocabulary)
    entry = vocabulary_entry_get(vocabulary, entry_id)
    label_de = _label(label_de, "label_de")
    label_en = " ".join((label_en or "").split()) or label_de
    clash = db.session.scalar(select(model).where(func.lower(model.label_de) == label_de.lower(), model.id != entry.id))
    if clash is not None:
        raise CurationError(f"„{label_de}“ gibt es schon – zum Zusammenführen bitte „Zusammenführen“ nutzen.",
                            field="label_de")
    before = {"label_de": entry.label_de, "label_en": entry.label_en}
    if before == {"label_de": label_de, "label_en": label_en}:
        return entry
    entry.label_de, entry.label_en = label_de, label_en
    audit_record(f"{vocabulary}.rename", user=user, object_type=vocabulary, object_id=entry.id,
                 summary=Message("audit.vocabulary.rename", {
                     "vocabulary": _name(vocabulary), "old": {"de": before["label_de"], "en": before["label_en"]},
                     "new": _labels(entry)}),
                 details={"slug": entry.slug, "changes": {k: [before[k], v] for k, v in
                                                          (("label_de", label_de), ("label_en", label_en))
                                                          if before[k] != v}})
    db.session.commit()
    return entry


#: What each vocabulary tells the DCAT-AP.de catalogue, and under which column.
DCAT_ATTRIBUTES = {"topic": "data_theme", "license": "dcat_license"}


def vocabulary_entry_dcat_set(user: User, vocabulary: str, entry_id: int, value: str | None):
    """Set a topic's EU data theme or a licence's dcat-ap.de URI: what GovData learns about them.

    Admins only: a wrong licence URI misstates the terms of every document under it in every
    portal that harvests the catalogue.
    """
    require(user, ROLE_ADMIN)
    attribute = DCAT_ATTRIBUTES.get(vocabulary)
    if attribute is None:
        raise CurationError("Nur Themenfelder und Lizenzen haben eine Entsprechung in DCAT-AP.de.")
    entry = vocabulary_entry_get(vocabulary, entry_id)
    value = (value or "").strip() or None
    if vocabulary == "topic" and value is not None and value not in DATA_THEMES:
        raise CurationError("Bitte wählen Sie ein Datenthema aus der Liste der EU.", field=attribute)
    if vocabulary == "license" and value is not None and license_uri(value) is None:
        raise CurationError("Bitte geben Sie eine Adresse aus der Lizenzliste von DCAT-AP.de an, "
                            "z. B. http://dcat-ap.de/def/licenses/cc-by/4.0.", field=attribute)
    old = getattr(entry, attribute)
    if old == value:
        return entry
    setattr(entry, attribute, value)
    audit_record(f"{vocabulary}.dcat", user=user, object_type=vocabulary, object_id=entry.id,
                 summary=Message("audit.vocabulary.dcat", {"vocabulary": _name(vocabulary), "label": _labels(entry),
                                                           "old": old or "–", "new": value or "–"}),
                 details={"slug": entry.slug, "changes": {attribute: [old, value]}})
    db.session.commit()
    return entry


def vocabulary_entry_move(user: User, vocabulary: str, entry_id: int, offset: int) -> None:
    """Move an entry ``offset`` places up (negative) or down (positive) in the list."""
    require(user, ROLE_EDITOR)
    model = _model(vocabulary)
    entries = list(db.session.scalars(select(model).order_by(model.position, model.id)))
    index = next((i for i, e in enumerate(entries) if e.id == entry_id), None)
    if index is None:
        raise CurationError("Diesen Eintrag gibt es nicht (mehr).")
    new_index = min(max(index + offset, 0), len(entries) - 1)
    if new_index == index:
        return
    entries.insert(new_index, entries.pop(index))
    _apply_order(user, vocabulary, entries)


def _keep_record_time(entry) -> None:
    """Leave ``updated_at`` as it is: order and form visibility are in no catalogue record, so
    they must not make every document of the entry look changed to a harvester. Setting the
    column itself keeps its onupdate from firing; flag_modified writes the value even unchanged."""
    entry.updated_at = entry.updated_at
    flag_modified(entry, "updated_at")


def _apply_order(user: User, vocabulary: str, entries: list) -> None:
    for position, entry in enumerate(entries):
        if entry.position != position:
            entry.position = position
            _keep_record_time(entry)
    audit_record(f"{vocabulary}.reorder", user=user, object_type=vocabulary,
                 summary=Message("audit.vocabulary.reorder", {"vocabularies": Message(f"vocabularies.{vocabulary}")}),
                 details={"order": [e.slug for e in entries]})
    db.session.commit()


def vocabulary_entry_set_active(user: User, vocabulary: str, entry_id: int, active: bool):
    """Hide an entry from forms (documents keep it) or show it again."""
    require(user, ROLE_EDITOR)
    entry = vocabulary_entry_get(vocabulary, entry_id)
    if entry.active == active:
        return entry
    entry.active = active
    _keep_record_time(entry)
    verb = "activate" if active else "deactivate"
    audit_record(f"{vocabulary}.{verb}", user=user, object_type=vocabulary, object_id=entry.id,
                 summary=Message(f"audit.vocabulary.{verb}", {"vocabulary": _name(vocabulary),
                                                              "label": _labels(entry)}),
                 details={"slug": entry.slug})
    db.session.commit()
    return entry


def vocabulary_entry_merge(user: User, vocabulary: str, source_id: int, target_id: int) -> int:
    """Move every document from ``source`` to ``target``, delete ``source``, keep its slug as alias.

    Returns the number of documents that moved; they are re-indexed so that a search by the
    target finds them at once.
    """
    require(user, ROLE_EDITOR)
    if source_id == target_id:
        raise CurationError("Ein Eintrag kann nicht mit sich selbst zusammengeführt werden.", field="target")
    source = vocabulary_entry_get(vocabulary, source_id)
    try:
        target = vocabulary_entry_get(vocabulary, target_id)
    except CurationError:
        raise CurationError("Bitte wählen Sie den Eintrag, in den zusammengeführt wird.", field="target") from None
    document_ids = _move_vocabulary_documents(vocabulary, source, target)
    _add_alias(vocabulary, source.slug, target.id, source.id)
    summary = Message("audit.vocabulary.merge", {"vocabulary": _name(vocabulary), "old": _labels(source),
                                                 "new": _labels(target), "count": len(document_ids)})
    audit_record(f"{vocabulary}.merge", user=user, object_type=vocabulary, object_id=target.id, summary=summary,
                 details={"source": {"id": source.id, "slug": source.slug, "label_de": source.label_de},
                          "target": {"id": target.id, "slug": target.slug, "label_de": target.label_de},
                          "documents": document_ids})
    db.session.delete(source)
    for document_id in document_ids:
        indexing.queue_document(document_id)
    db.session.commit()
    # Relationship collections loaded before the bulk updates are stale now.
    db.session.expire_all()
    indexing.flush_index_queue()
    return len(document_ids)


def _move_vocabulary_documents(vocabulary: str, source, target) -> list[int]:
    if vocabulary == "topic":
        ids = list(db.session.scalars(
            select(document_topics.c.document_id).where(document_topics.c.topic_id == source.id)))
        # A document with both topics keeps one row: the target's.
        has_target = select(document_topics.c.document_id).where(document_topics.c.topic_id == target.id)
        db.session.execute(delete(document_topics).where(
            document_topics.c.topic_id == source.id, document_topics.c.document_id.in_(has_target)))
        db.session.execute(update(document_topics).where(document_topics.c.topic_id == source.id)
                           .values(topic_id=target.id))
        # The documents' rows are untouched by the move, yet their topics changed.
        db.session.execute(update(Document).where(Document.id.in_(ids)).values(updated_at=utcnow())
                           .execution_options(synchronize_session=False))
        return sorted(ids)
    if vocabulary in ("type", "license"):
        column = Document.document_type_id if vocabulary == "type" else Document.license_id
        ids = list(db.session.scalars(select(Document.id).where(column == source.id)))
        db.session.execute(update(Document).where(column == source.id).values({column.key: target.id})
                           .execution_options(synchronize_session=False))
        return sorted(ids)
    # Size classes belong to municipalities; their documents follow.
    municipality_ids = list(db.session.scalars(select(Municipality.id).where(Municipality.size_class_id == source.id)))
    db.session.execute(update(Municipality).where(Municipality.size_class_id == source.id)
                       .values(size_class_id=target.id).execution_options(synchronize_session=False))
    return _documents_of_municipalities(municipality_ids)


def _documents_of_municipalities(municipality_ids: list[int]) -> list[int]:
    if not municipality_ids:
        return []
    project_ids = select(Project.id).where(Project.municipality_id.in_(municipality_ids))
    return sorted(db.session.scalars(select(Document.id).where(
        or_(Document.municipality_id.in_(municipality_ids), Document.project_id.in_(project_ids)))))


# --- municipalities --------------------------------------------------------------------------


def municipalities_list() -> list[Municipality]:
    return sorted(db.session.scalars(select(Municipality)), key=lambda m: _german_key(m.name))


def municipality_document_counts() -> dict[int, int]:
    rows = db.session.execute(select(Document.municipality_id, func.count()).where(
        Document.municipality_id.is_not(None)).group_by(Document.municipality_id))
    return {mid: count for mid, count in rows}


def municipality_update(
    user: User,
    municipality: Municipality,
    *,
    name: str,
    ags: str | None = None,
    ars: str | None = None,
    district: str | None = None,
    state: str | None = None,
    population: int | None = None,
    size_class: str | None = None,
) -> dict[str, list]:
    """Correct a municipality's facts. Without a size class given, it follows the population."""
    require(user, ROLE_EDITOR)
    name = _label(name, "name")
    clash = db.session.scalar(select(Municipality).where(Municipality.name == name, Municipality.id != municipality.id))
    if clash is not None:
        raise CurationError(f"„{name}“ gibt es schon – bitte zusammenführen.", field="name")
    if population is not None and population < 0:
        raise CurationError("Die Einwohnerzahl darf nicht negativ sein.", field="population")
    ags, ars = official_keys_check(ags, ars)
    before = _municipality_snapshot(municipality)
    old_name = municipality.name
    municipality.name = name
    municipality.ags = ags
    municipality.ars = ars
    municipality.district = (district or "").strip() or None
    municipality.state = (state or "").strip() or None
    municipality.population = population
    if size_class:
        municipality.size_class = vocabulary_get("size_class", size_class)
        municipality.size_class_manual = True
    else:
        municipality.size_class = size_class_for_population(population)
        municipality.size_class_manual = False
    after = _municipality_snapshot(municipality)
    diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not diff:
        return {}
    if old_name != name:
        _add_alias(MUNICIPALITY_ALIAS, old_name, municipality.id, municipality.id)
    audit_record("municipality.update", user=user, object_type="municipality", object_id=municipality.id,
                 summary=Message("audit.municipality.update", {"name": name}), details={"changes": diff})
    for document_id in _documents_of_municipalities([municipality.id]):
        indexing.queue_document(document_id)
    db.session.commit()
    indexing.flush_index_queue()
    return diff


#: Länder keys of the Regionalschlüssel: 01 Schleswig-Holstein … 16 Thüringen.
_LAND_KEYS = {f"{number:02d}" for number in range(1, 17)}


def official_keys_check(ags: str | None, ars: str | None) -> tuple[str | None, str | None]:
    """Validate a Gemeindeschlüssel and a Regionalschlüssel and return them cleaned.

    The ARS is the AGS with the four Verband digits between Kreis and Gemeinde, so the two must
    agree; the catalogue names places by the ARS, and a typo there puts a document in another
    town on every portal. A Gemeinde's AGS follows from its ARS and is filled in when missing.

    :raise CurationError: a key has the wrong length, an unknown Land, or they disagree.
    """
    ags = "".join((ags or "").split()) or None
    ars = "".join((ars or "").split()) or None
    if ags is not None and not (re.fullmatch(r"\d{8}", ags) and ags[:2] in _LAND_KEYS):
        raise CurationError("Der Amtliche Gemeindeschlüssel (AGS) hat 8 Ziffern und beginnt mit dem Land "
                            "(01 bis 16), z. B. 06631009.", field="ags")
    if ars is not None and not (re.fullmatch(r"\d{12}", ars) and ars[:2] in _LAND_KEYS):
        raise CurationError("Der Amtliche Regionalschlüssel (ARS) hat 12 Ziffern und beginnt mit dem Land "
                            "(01 bis 16), z. B. 066310009009.", field="ars")
    if ars is not None:
        ags_of_ars = ars[:5] + ars[9:]
        if ags is not None and ags != ags_of_ars:
            raise CurationError(f"Gemeindeschlüssel und Regionalschlüssel passen nicht zusammen: zum ARS {ars} "
                                f"gehört der AGS {ags_of_ars}.", field="ags")
        if ags is None and ars[9:] != "000":
            ags = ags_of_ars
    return ags, ars


def _municipality_snapshot(m: Municipality) -> dict:
    return {"name": m.name, "ags": m.ags, "ars": m.ars, "district": m.district, "state": m.state, "population": m.population,
            "size_class": m.size_class.slug if m.size_class else None, "size_class_manual": m.size_class_manual}


def municipality_merge(user: User, source: Municipality, target: Municipality) -> int:
    """Merge a duplicate ("Lübeck") into the right entry ("Hansestadt Lübeck").

    Documents and projects move; facts the target lacks are taken from the source; the old
    name redirects in searches. Returns the number of documents that moved.
    """
    require(user, ROLE_EDITOR)
    if source.id == target.id:
        raise CurationError("Eine Kommune kann nicht mit sich selbst zusammengeführt werden.", field="target")
    affected = _documents_of_municipalities([source.id])
    moved = list(db.session.scalars(select(Document.id).where(Document.municipality_id == source.id)))
    db.session.execute(update(Document).where(Document.municipality_id == source.id)
                       .values(municipality_id=target.id).execution_options(synchronize_session=False))
    # Reported reuses go along; deleting the source would otherwise unlink them.
    db.session.execute(update(ReuseReport).where(ReuseReport.municipality_id == source.id)
                       .values(municipality_id=target.id).execution_options(synchronize_session=False))
    for project in list(db.session.scalars(select(Project).where(Project.municipality_id == source.id))):
        twin = db.session.scalar(select(Project).where(Project.municipality_id == target.id,
                                                       Project.name == project.name))
        if twin is None:
            project.municipality_id = target.id
        else:
            _merge_project_rows(project, twin)
    for attribute in ("ags", "ars", "district", "state", "population"):
        if getattr(target, attribute) is None and getattr(source, attribute) is not None:
            setattr(target, attribute, getattr(source, attribute))
    if target.size_class is None:
        if source.size_class is not None and source.size_class_manual:
            target.size_class, target.size_class_manual = source.size_class, True
        else:
            target.size_class = size_class_for_population(target.population)
    _add_alias(MUNICIPALITY_ALIAS, source.name, target.id, source.id)
    audit_record("municipality.merge", user=user, object_type="municipality", object_id=target.id,
                 summary=Message("audit.municipality.merge", {"old": source.name, "new": target.name,
                                                              "count": len(moved)}),
                 details={"source": {"id": source.id, "name": source.name},
                          "target": {"id": target.id, "name": target.name}, "documents": moved})
    db.session.flush()
    db.session.delete(source)
    for document_id in affected:
        indexing.queue_document(document_id)
    db.session.commit()
    db.session.expire_all()
    indexing.flush_index_queue()
    return len(moved)


# --- projects --------------------------------------------------------------------------------


def projects_list() -> list[Project]:
    return sorted(db.session.scalars(select(Project)),
                  key=lambda p: (_german_key(p.name), _german_key(p.municipality.name if p.municipality else "")))


def project_document_counts() -> dict[int, int]:
    rows = db.session.execute(select(Document.project_id, func.count()).where(
        Document.project_id.is_not(None)).group_by(Document.project_id))
    return {pid: count for pid, count in rows}


def project_update(
    user: User,
    project: Project,
    *,
    name: str,
    municipality_id: int | None = None,
    year_finished: int | None = None,
    description: str | None = None,
    contact: str | None = None,
    link: str | None = None,
) -> dict[str, list]:
    require(user, ROLE_EDITOR)
    name = _label(name, "name")
    if municipality_id is not None and db.session.get(Municipality, municipality_id) is None:
        raise CurationError("Diese Kommune gibt es nicht (mehr).", field="municipality_id")
    clash = db.session.scalar(select(Project).where(
        Project.name == name, Project.id != project.id,
        Project.municipality_id == municipality_id if municipality_id is not None
        else Project.municipality_id.is_(None)))
    if clash is not None:
        raise CurationError(f"Das Projekt „{name}“ gibt es für diese Kommune schon – bitte zusammenführen.",
                            field="name")
    if year_finished is not None and not 1990 <= year_finished <= 2100:
        raise CurationError("Das Jahr muss zwischen 1990 und 2100 liegen.", field="year_finished")
    link = (link or "").strip() or None
    if link and not re.match(r"^https?://", link):
        raise CurationError("Der Link muss mit http:// oder https:// beginnen.", field="link")
    before = _project_snapshot(project)
    project.name = name
    project.municipality_id = municipality_id
    project.year_finished = year_finished
    project.description = (description or "").strip() or None
    project.contact = (contact or "").strip() or None
    project.link = link
    db.session.flush()
    db.session.refresh(project)
    after = _project_snapshot(project)
    diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not diff:
        return {}
    audit_record("project.update", user=user, object_type="project", object_id=project.id,
                 summary=Message("audit.project.update", {"name": name}), details={"changes": diff})
    for document_id in db.session.scalars(select(Document.id).where(Document.project_id == project.id)):
        indexing.queue_document(document_id)
    db.session.commit()
    indexing.flush_index_queue()
    return diff


def _project_snapshot(p: Project) -> dict:
    return {"name": p.name, "municipality": p.municipality.name if p.municipality else None,
            "year_finished": p.year_finished, "description": p.description, "contact": p.contact, "link": p.link}


def project_merge(user: User, source: Project, target: Project) -> int:
    """Move every document of ``source`` to ``target`` and delete ``source``."""
    require(user, ROLE_EDITOR)
    if source.id == target.id:
        raise CurationError("Ein Projekt kann nicht mit sich selbst zusammengeführt werden.", field="target")
    names = {"old": source.name, "new": target.name}
    details = {"source": {"id": source.id, "name": source.name}, "target": {"id": target.id, "name": target.name}}
    # A search link to the merged project (/search?project=<id>) keeps finding its documents.
    _add_alias(PROJECT_ALIAS, str(source.id), target.id, source.id)
    moved = _merge_project_rows(source, target)
    details["documents"] = moved
    audit_record("project.merge", user=user, object_type="project", object_id=target.id,
                 summary=Message("audit.project.merge", {**names, "count": len(moved)}), details=details)
    for document_id in moved:
        indexing.queue_document(document_id)
    db.session.commit()
    db.session.expire_all()
    indexing.flush_index_queue()
    return len(moved)


def _merge_project_rows(source: Project, target: Project) -> list[int]:
    moved = sorted(db.session.scalars(select(Document.id).where(Document.project_id == source.id)))
    db.session.execute(update(Document).where(Document.project_id == source.id)
                       .values(project_id=target.id).execution_options(synchronize_session=False))
    for attribute in ("year_finished", "description", "contact", "link"):
        if getattr(target, attribute) is None and getattr(source, attribute) is not None:
            setattr(target, attribute, getattr(source, attribute))
    db.session.flush()
    db.session.delete(source)
    db.session.flush()
    return moved


# --- helpers ---------------------------------------------------------------------------------


def _label(value: str | None, field: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise CurationError("Bitte geben Sie eine Bezeichnung an.", field=field)
    if len(value) > 200:
        raise CurationError("Die Bezeichnung ist länger als 200 Zeichen.", field=field)
    return value


def _german_key(text: str) -> str:
    """Sort key with German conventions: ä sorts with a, ß with ss, case ignored."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode("ascii")
    return folded.casefold()


__all__ = [
    "CurationError",
    "MUNICIPALITY_ALIAS",
    "SizeClass",
    "VOCABULARY_TITLES",
    "municipalities_list",
    "municipality_merge",
    "municipality_update",
    "project_merge",
    "project_update",
    "projects_list",
    "resolve_slug_alias",
    "slugify",
    "vocabulary_entry_create",
    "vocabulary_entry_merge",
    "vocabulary_entry_move",
    "vocabulary_entry_rename",
    "vocabulary_entry_set_active",
    "vocabulary_usage",
]
