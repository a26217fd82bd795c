"""Who may manage which rotation: the role checks every entry point shares."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation.models import Rotation, rotation_manager


def is_manager(session: Session, *, person: Person, rotation: Rotation) -> bool:
    """True for admins and for managers of this rotation."""
    if person.is_admin:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    rotation_manager.c.rotation_id == rotation.id,
                    rotation_manager.c.person_id == person.id,
                )
            )
        )
    )


def manages_any(session: Session, *, person: Person) -> bool:
    """True for admins and for anyone managing at least one rotation."""
    if person.is_admin:
        return True
    return bool(session.scalar(select(exists().where(rotation_manager.c.person_id == person.id))))


def managed_rotation_ids(session: Session, *, person: Person) -> set[int]:
    """Ids of the rotations ``person`` manages (admins: every rotation)."""
    if person.is_admin:
        return set(session.scalars(select(Rotation.id)))
    return set(
        session.scalars(
            select(rotation_manager.c.rotation_id).where(rotation_manager.c.person_id == person.id)
        )
    )
