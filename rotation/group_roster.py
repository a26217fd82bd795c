"""Rosters kept by an identity provider: a rotation naming a SCIM group has its people.

The group's people who are active join at the end of the roster (in name order), those who
left the group leave it (their shifts ahead reassigned), and everyone else keeps their place.
A group that does not exist (yet, or any more) leaves the roster as it is, so naming a group
before the identity provider has pushed it empties nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person, ScimGroup, ScimGroupMember
from rotation import members
from rotation.models import Rotation


def follow(session: Session, *, rotation: Rotation, now: datetime, actor: Person | None) -> bool:
    """Make the roster the group's active people; True when it changed."""
    if not rotation.scim_group or rotation.archived:
        return False
    group_id = session.scalar(
        select(ScimGroup.id).where(ScimGroup.display_name == rotation.scim_group)
    )
    if group_id is None:
        return False
    in_group = list(
        session.scalars(
            select(Person.id)
            .join(ScimGroupMember, ScimGroupMember.person_id == Person.id)
            .where(ScimGroupMember.group_id == group_id, Person.active.is_(True))
            .order_by(Person.name, Person.id)
        )
    )
    current = [m.person_id for m in members.list_members(session, rotation=rotation)]
    wanted = [p for p in current if p in in_group] + [p for p in in_group if p not in current]
    if wanted == current:
        return False
    members.set_members(
        session, rotation=rotation, person_ids=wanted, now=now, actor=actor, from_group=True
    )
    return True


def follow_group(session: Session, *, name: str, now: datetime) -> list[str]:
    """Bring every rotation naming group ``name`` up to date; the slugs that changed."""
    rotations = session.scalars(
        select(Rotation).where(Rotation.scim_group == name, Rotation.archived.is_(False))
    ).all()
    return [r.slug for r in rotations if follow(session, rotation=r, now=now, actor=None)]


def rename_group(session: Session, *, old: str, new: str, now: datetime) -> None:
    """Rotations naming the group by its old name follow it to the new one."""
    for rotation in session.scalars(select(Rotation).where(Rotation.scim_group == old)):
        rotation.scim_group, rotation.updated_at = new, now
