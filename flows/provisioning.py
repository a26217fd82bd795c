"""Provisioning use cases: an identity provider creates, changes, deactivates and deletes
people and groups. Every change happens in the caller's unit of work, with its audit events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import audit, people
from core.errors import Conflict, Invalid, NotFound
from core.models import Person, ScimGroup, ScimGroupMember
from core.schemas import PersonCreate
from core.settings import Settings
from flows import invitations, lifecycle
from rotation import group_roster
from rotation import members as rotation_members

# What an identity provider sets on a person, audited before and after an update.
_PROVIDED_FIELDS = ("email", "name", "user_name", "external_id")


@dataclass(frozen=True)
class PersonFields:
    """What an identity provider says about a person."""

    email: str
    user_name: str
    name: str
    external_id: str | None
    active: bool


def _check_unique(session: Session, *, fields: PersonFields, person_id: int | None) -> None:
    taken = people.find_by_email(session, fields.email)
    if taken is not None and taken.id != person_id and taken.deprovisioned_at is None:
        raise Conflict(f"a person with email {fields.email} already exists")
    holder = session.scalars(select(Person).where(Person.user_name == fields.user_name)).first()
    if holder is not None and holder.id != person_id:
        raise Conflict(f"userName {fields.user_name} is taken")


def offboard(session: Session, *, person: Person, now: datetime, note: str) -> None:
    """Deactivate ``person`` and cut every way in: future shifts reassigned, sessions ended,
    API tokens revoked, calendar URLs changed (deactivation itself does all of it)."""
    lifecycle.deactivate_person(session, person=person, now=now, actor=None)
    _audit(session, action="person.offboard", subject_id=person.id, now=now, note=note)


def _audit(
    session: Session,
    *,
    action: str,
    subject_id: int,
    now: datetime,
    note: str,
    subject_type: str = "person",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit event of the identity provider's doing: no actor, its request in the note."""
    audit.Trail(session, actor=None, at=now).record(
        action, (subject_type, subject_id), before=before, after=after, note=note
    )


def _restore(session: Session, *, person: Person, now: datetime, note: str) -> None:
    person.active = True
    person.deprovisioned_at = None
    session.flush()
    rotation_members.person_reactivated(session, person=person, now=now, actor=None)
    _audit(session, action="person.reactivate", subject_id=person.id, now=now, note=note)


def _apply(
    session: Session, *, person: Person, fields: PersonFields, now: datetime, note: str
) -> None:
    before = audit.snapshot(person, _PROVIDED_FIELDS)
    person.email = fields.email
    person.name = fields.name
    person.user_name = fields.user_name
    person.external_id = fields.external_id
    after = audit.snapshot(person, _PROVIDED_FIELDS)
    session.flush()
    if before != after:
        _audit(
            session,
            action="person.update",
            subject_id=person.id,
            before=before,
            after=after,
            now=now,
            note=note,
        )


def _valid(fields: PersonFields) -> PersonFields:
    try:
        data = PersonCreate(email=fields.email, name=fields.name)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise Invalid(f"not a valid person ({problems})") from exc
    return PersonFields(
        email=str(data.email).lower(),
        user_name=fields.user_name,
        name=data.name,
        external_id=fields.external_id,
        active=fields.active,
    )


def provision(
    session: Session, *, fields: PersonFields, settings: Settings, now: datetime, note: str
) -> tuple[Person, list[int]]:
    """Create a person (or bring back one the provider deleted before); returns the person
    and the outbox ids of their invitation email, to send once the transaction commits."""
    fields = _valid(fields)
    earlier = people.find_by_email(session, fields.email)
    if earlier is not None and earlier.deprovisioned_at is None:
        raise Conflict(f"a person with email {fields.email} already exists")
    _check_unique(session, fields=fields, person_id=earlier.id if earlier else None)
    if earlier is not None:
        person = earlier
        _apply(session, person=person, fields=fields, now=now, note=note)
        _restore(session, person=person, now=now, note=note)
    else:
        data = PersonCreate(email=fields.email, name=fields.name)
        person = people.create_person(session, data=data, now=now, actor=None)
        person.user_name = fields.user_name
        person.external_id = fields.external_id
        session.flush()
    message_ids: list[int] = []
    if settings.smtp_url and fields.active:
        invitation = invitations.invite_person(
            session, person=person, settings=settings, now=now, actor=None
        )
        message_ids = invitation.message_ids
    if not fields.active:
        offboard(session, person=person, now=now, note=note)
    return person, message_ids


def change(
    session: Session, *, person: Person, fields: PersonFields, now: datetime, note: str
) -> Person:
    """Apply the provider's view of ``person``; ``active: false`` offboards them at once."""
    fields = _valid(fields)
    _check_unique(session, fields=fields, person_id=person.id)
    _apply(session, person=person, fields=fields, now=now, note=note)
    if person.active and not fields.active:
        offboard(session, person=person, now=now, note=note)
    elif fields.active and not person.active:
        _restore(session, person=person, now=now, note=note)
    return person


def deprovision(session: Session, *, person: Person, now: datetime, note: str) -> None:
    """The provider deleted the person: offboard them and hide them from provisioning.

    The row stays, so shifts, acknowledgements and the audit trail keep their history.
    """
    if person.active:
        offboard(session, person=person, now=now, note=note)
    person.deprovisioned_at = now
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.person_id == person.id))
    session.flush()
    _audit(session, action="person.deprovision", subject_id=person.id, now=now, note=note)


def provisioned_person(session: Session, person_id: int) -> Person:
    """A person the provider can see: not deleted by it."""
    person = session.get(Person, person_id)
    if person is None or person.deprovisioned_at is not None:
        raise NotFound(f"person {person_id} not found")
    return person


# --- groups -------------------------------------------------------------------------------


def group_members(session: Session, *, group_ids: Sequence[int]) -> dict[int, list[Person]]:
    """The members of each group, by group id, in one query."""
    members: dict[int, list[Person]] = {group_id: [] for group_id in group_ids}
    rows = session.execute(
        select(ScimGroupMember.group_id, Person)
        .join(Person, Person.id == ScimGroupMember.person_id)
        .where(ScimGroupMember.group_id.in_(list(group_ids)))
        .order_by(ScimGroupMember.group_id, Person.id)
    )
    for group_id, person in rows:
        members[group_id].append(person)
    return members


def _set_members(session: Session, *, group: ScimGroup, person_ids: Sequence[int]) -> None:
    wanted = set(person_ids)
    found = set(
        session.scalars(
            select(Person.id).where(Person.id.in_(wanted), Person.deprovisioned_at.is_(None))
        )
    )
    if wanted - found:
        raise Invalid(f"no such user(s): {', '.join(str(i) for i in sorted(wanted - found))}")
    current = set(
        session.scalars(
            select(ScimGroupMember.person_id).where(ScimGroupMember.group_id == group.id)
        )
    )
    for person_id in sorted(wanted - current):
        session.add(ScimGroupMember(group_id=group.id, person_id=person_id))
    if current - wanted:
        session.execute(
            delete(ScimGroupMember).where(
                ScimGroupMember.group_id == group.id,
                ScimGroupMember.person_id.in_(current - wanted),
            )
        )
    session.flush()


def save_group(
    session: Session,
    *,
    group: ScimGroup | None,
    display_name: str,
    external_id: str | None,
    member_ids: Sequence[int],
    now: datetime,
    note: str,
) -> ScimGroup:
    """Create a group (``group`` None) or replace one's name, external id and members."""
    name = display_name.strip()
    if not name or len(name) > 255:
        raise Invalid("displayName must have 1 to 255 characters")
    clash = session.scalars(select(ScimGroup).where(ScimGroup.display_name == name)).first()
    if clash is not None and clash is not group:
        raise Conflict(f"a group named {name} already exists")
    if group is None:
        group = ScimGroup(display_name=name, created_at=now, updated_at=now, version=1)
        session.add(group)
    else:
        group.version += 1
        if group.display_name != name:
            group_roster.rename_group(session, old=group.display_name, new=name, now=now)
    group.display_name, group.external_id, group.updated_at = name, external_id, now
    session.flush()
    _set_members(session, group=group, person_ids=member_ids)
    group_roster.follow_group(session, name=name, now=now)
    _audit(
        session,
        action="group.save",
        subject_type="scim_group",
        subject_id=group.id,
        after={"display_name": name, "member_ids": sorted(set(member_ids))},
        now=now,
        note=note,
    )
    return group


def delete_group(session: Session, *, group: ScimGroup, now: datetime, note: str) -> None:
    _audit(
        session,
        action="group.delete",
        subject_type="scim_group",
        subject_id=group.id,
        before={"display_name": group.display_name},
        now=now,
        note=note,
    )
    session.delete(group)
    session.flush()
