"""The search synonyms editors curate (issue 16): list, create, change, delete, seed.

The search reads the table at query time (``toolbox.search``), so a change here takes
effect with the next search, without a reindex. Every change leaves an audit entry.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import func, select

from ..extensions import db
from ..message import Message
from ..models import ROLE_EDITOR, SynonymGroup, User
from ..permissions import require
from ..search import synonym_key
from .audit import audit_record

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "synonyms_seed.json"
MAX_TERMS = 12
MAX_TERM_LENGTH = 120


class SynonymError(ValueError):
    """Input that makes no synonym group; the message is for the form field ``terms``."""

    field = "terms"


def parse_terms(text: str) -> list[str]:
    """The terms of the form's text: one per line or separated by commas, duplicates dropped."""
    terms: list[str] = []
    keys: set[tuple[str, ...]] = set()
    for raw in re.split(r"[,\n;]", text or ""):
        term = " ".join(raw.split())
        if not term:
            continue
        if len(term) > MAX_TERM_LENGTH:
            raise SynonymError(gettext("Ein Begriff darf höchstens %(count)s Zeichen lang sein: „%(term)s…“.",
                                       count=MAX_TERM_LENGTH, term=term[:30]))
        key = synonym_key(term)
        if not key:
            raise SynonymError(gettext("„%(term)s“ enthält kein Wort, nach dem sich suchen lässt.", term=term))
        if key not in keys:
            keys.add(key)
            terms.append(term)
    if len(terms) < 2:
        raise SynonymError(gettext("Bitte mindestens zwei verschiedene Begriffe angeben, durch Komma oder "
                                   "Zeilenumbruch getrennt."))
    if len(terms) > MAX_TERMS:
        raise SynonymError(gettext("Höchstens %(count)s Begriffe je Gruppe.", count=MAX_TERMS))
    return terms


def synonym_groups() -> list[SynonymGroup]:
    """All groups in German dictionary order of their first term."""
    from ..search import sort_key

    groups = list(db.session.scalars(select(SynonymGroup)))
    return sorted(groups, key=lambda group: (sort_key((group.terms or [""])[0]), group.id))


def synonym_group_get(group_id: int) -> SynonymGroup | None:
    return db.session.get(SynonymGroup, group_id)


def _summary(group: SynonymGroup) -> str:
    return (" → " if group.one_way else " = ").join(
        [group.terms[0], ", ".join(group.terms[1:])] if group.one_way else [", ".join(group.terms)])


def synonym_group_create(user: User, text: str, one_way: bool) -> SynonymGroup:
    """Add a group of equivalent terms, or (``one_way``) a first term that also finds the rest."""
    require(user, ROLE_EDITOR)
    terms = parse_terms(text)
    group = SynonymGroup(terms=terms, one_way=bool(one_way))
    db.session.add(group)
    db.session.flush()
    audit_record("synonym.create", user=user, object_type="synonym", object_id=group.id,
                 summary=Message("audit.synonym.create", {"terms": _summary(group)}),
                 details={"terms": terms, "one_way": bool(one_way)})
    db.session.commit()
    return group


def synonym_group_update(user: User, group_id: int, text: str, one_way: bool) -> SynonymGroup:
    """Replace a group's terms and direction."""
    require(user, ROLE_EDITOR)
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise LookupError(group_id)
    terms = parse_terms(text)
    before = _summary(group)
    old = {"terms": list(group.terms or []), "one_way": group.one_way}
    group.terms = terms
    group.one_way = bool(one_way)
    db.session.flush()
    audit_record("synonym.update", user=user, object_type="synonym", object_id=group.id,
                 summary=Message("audit.synonym.update", {"old": before, "new": _summary(group)}),
                 details={"from": old, "to": {"terms": terms, "one_way": bool(one_way)}})
    db.session.commit()
    return group


def synonym_group_delete(user: User, group_id: int) -> None:
    """Remove a group; searches no longer expand its terms."""
    require(user, ROLE_EDITOR)
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise LookupError(group_id)
    summary = _summary(group)
    audit_record("synonym.delete", user=user, object_type="synonym", object_id=group.id,
                 summary=Message("audit.synonym.delete", {"terms": summary}),
                 details={"terms": list(group.terms or []), "one_way": group.one_way})
    db.session.delete(group)
    db.session.commit()


def seed_synonyms() -> int:
    """Fill an empty synonym list from the seed file (``toolbox/data/synonyms_seed.json``).

    Only an empty list is filled, so that editors' changes survive a restart (as with the
    vocabularies); an editor who deleted every group gets the seed back, which is the lesser
    surprise than a search that silently lost all abbreviations.
    """
    if db.session.scalar(select(func.count()).select_from(SynonymGroup)):
        return 0
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    added = 0
    for entry in seed["groups"]:
        db.session.add(SynonymGroup(terms=list(entry["terms"]), one_way=bool(entry.get("one_way")),
                                    source=entry.get("source")))
        added += 1
    db.session.commit()
    return added
