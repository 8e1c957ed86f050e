"""Municipalities and projects: found by name or created on first mention."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..models import STATUS_PUBLISHED, Document, Municipality, Project, User
from ..permissions import is_editor
from .vocabularies import size_class_for_population, vocabulary_get


def municipality_get_or_create(
    name: str,
    *,
    population: int | None = None,
    size_class: str | None = None,
    state: str | None = None,
    district: str | None = None,
) -> Municipality:
    """Return the municipality called ``name``, creating it, and fill in facts it lacked.

    Facts already recorded are never overwritten by an ingest: an editor's correction wins.
    """
    from .curation import municipality_name_current

    # A name an editor merged away ("Lübeck") files the document under the merge target.
    name = municipality_name_current(" ".join(name.split()))
    municipality = db.session.scalar(select(Municipality).where(Municipality.name == name))
    if municipality is None:
        municipality = Municipality(name=name)
        db.session.add(municipality)
    if population is not None and municipality.population is None:
        municipality.population = population
    if state and not municipality.state:
        municipality.state = state
    if district and not municipality.district:
        municipality.district = district
    if municipality.size_class is None or not municipality.size_class_manual:
        if size_class:
            municipality.size_class = vocabulary_get("size_class", size_class)
            municipality.size_class_manual = True
        elif municipality.population is not None:
            municipality.size_class = size_class_for_population(municipality.population)
    return municipality


def project_get_or_create(
    name: str, municipality: Municipality | None, *, year_finished: int | None = None, contact: str | None = None
) -> Project:
    name = " ".join(name.split())
    if municipality is not None and municipality.id is None:
        db.session.flush()
    stmt = select(Project).where(Project.name == name)
    if municipality is None:
        stmt = stmt.where(Project.municipality_id.is_(None))
    else:
        stmt = stmt.where(Project.municipality_id == municipality.id)
    project = db.session.scalar(stmt)
    if project is None:
        project = Project(name=name, municipality=municipality)
        db.session.add(project)
    if year_finished is not None and project.year_finished is None:
        project.year_finished = year_finished
    if contact and not project.contact:
        project.contact = contact
    return project


# --- what the upload and edit forms offer ------------------------------------------------------


def municipalities_offered(user: User) -> list[Municipality]:
    """The municipality names the upload and edit forms suggest to ``user``.

    Editors get every one. Others get the public ones, named by a published document directly
    or through its project, and those of their own documents: an unpublished upload must not
    give away its municipality, which may be the very news its contributor waits to publish.
    """
    from .curation import municipalities_list

    if is_editor(user):
        return municipalities_list()
    shown = _documents_shown_to(user)
    ids = set(db.session.scalars(select(Document.municipality_id).where(shown)))
    ids |= set(db.session.scalars(
        select(Project.municipality_id).join(Document, Document.project_id == Project.id).where(shown)))
    return [municipality for municipality in municipalities_list() if municipality.id in ids]


def projects_offered(user: User) -> list[Project]:
    """The projects the upload and edit forms offer to ``user``: every one to editors; to others
    those of published documents and of their own documents (see ``municipalities_offered``)."""
    from .curation import projects_list

    if is_editor(user):
        return projects_list()
    ids = set(db.session.scalars(select(Document.project_id).where(_documents_shown_to(user))))
    return [project for project in projects_list() if project.id in ids]


def _documents_shown_to(user: User):
    return or_(Document.status == STATUS_PUBLISHED, Document.uploader_id == user.id)
