"""Who may manage which rotation: the role checks every entry point shares.

Every check reads the rotation's live state from the database: an archived rotation grants
its former managers nothing (admins keep every right), and a right is never inferred from a
row loaded earlier in the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation.models import Rotation, rotation_manager


def live_managed_ids(person: Person) -> Select[tuple[int]]:
    """A query for the ids of the live (not archived) rotations ``person`` manages."""
    return (
        select(rotation_manager.c.rotation_id)
        .join(Rotation, Rotation.id == rotation_manager.c.rotation_id)
        .where(rotation_manager.c.person_id == person.id, Rotation.archived.is_(False))
    )


def is_manager(session: Session, *, person: Person, rotation: Rotation) -> bool:
    """True for admins and for managers of this rotation while it is live."""
    if person.is_admin:
        return True
    managed = live_managed_ids(person).where(rotation_manager.c.rotation_id == rotation.id)
    return bool(session.scalar(select(exists(managed))))


def manages_any(session: Session, *, person: Person) -> bool:
    """True for admins and for anyone managing at least one live rotation."""
    if person.is_admin:
        return True
    return bool(session.scalar(select(exists(live_managed_ids(person)))))


def managed_rotation_ids(session: Session, *, person: Person) -> set[int]:
    """Ids of the live rotations ``person`` manages (admins: every rotation)."""
    if person.is_admin:
        return set(session.scalars(select(Rotation.id)))
    return set(session.scalars(live_managed_ids(person)))


def active_managers(session: Session, *, rotation_ids: Sequence[int]) -> list[tuple[int, Person]]:
    """(rotation id, manager) for every active manager of these rotations, by rotation and id."""
    return list(
        session.execute(
            select(rotation_manager.c.rotation_id, Person)
            .join(Person, Person.id == rotation_manager.c.person_id)
            .where(rotation_manager.c.rotation_id.in_(rotation_ids), Person.active.is_(True))
            .order_by(rotation_manager.c.rotation_id, Person.id)
        )
    )
