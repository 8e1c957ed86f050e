"""Municipalities and projects: found by name or created on first mention."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Municipality, Project
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
