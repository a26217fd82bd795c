"""Flows that span several domains, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core import people
from core.models import Person
from rotation import members as rotation_members


def deactivate_person(
    session: Session, *, person: Person, now: datetime, actor: Person | None
) -> Person:
    """Deactivate ``person`` and hand their future shifts to others."""
    people.deactivate_person(session, person=person, now=now, actor=actor)
    rotation_members.release_person(session, person=person, now=now, actor=actor)
    return person
