"""The roster: who belongs to a rotation, and what happens to shifts when people come and go."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session, joinedload

from core import audit
from core.errors import Conflict
from core.models import Person
from rotation import access, generation, reassignment, shadowing
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift


def manages_member(session: Session, *, manager: Person, person: Person) -> bool:
    """True for admins and for managers of a live rotation ``person`` currently belongs to.

    An archived rotation's roster stays as it was, so its former managers would otherwise
    keep rights over its members (their time off, checklists, acknowledgements).
    """
    if manager.is_admin:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    RotationMember.person_id == person.id,
                    RotationMember.left_at.is_(None),
                    RotationMember.rotation_id.in_(access.live_managed_ids(manager)),
                )
            )
        )
    )


def list_members(session: Session, *, rotation: Rotation) -> list[RotationMember]:
    """Current members in roster order, people loaded (one query)."""
    return list(
        session.scalars(
            select(RotationMember)
            .where(RotationMember.rotation_id == rotation.id, RotationMember.left_at.is_(None))
            .options(joinedload(RotationMember.person))
            .order_by(RotationMember.position, RotationMember.id)
        )
    )


def set_members(
    session: Session,
    *,
    rotation: Rotation,
    person_ids: Sequence[int],
    now: datetime,
    actor: Person | None,
    from_group: bool = False,
) -> list[RotationMember]:
    """Make ``person_ids`` the roster, in order.

    Newcomers join with the rotation's current minimum count; leavers' shifts ahead are
    reassigned; nobody else's shifts move. Open slots are filled and the horizon extended.
    A rotation that names an identity provider's group takes its roster from the group only.
    """
    if rotation.archived:
        raise Conflict("rotation is archived")
    if rotation.scim_group and not from_group:
        raise Conflict(
            f"the members come from the identity provider's group {rotation.scim_group!r}: "
            "change the group there, or clear scim_group to set them here"
        )
    people = rotation_service.require_active_people(session, person_ids, role="member")
    generation.lock(session, rotation.id)
    current = {m.person_id: m for m in list_members(session, rotation=rotation)}
    before = [m.person_id for m in sorted(current.values(), key=lambda m: m.position)]
    wanted = [p.id for p in people]
    leavers = _update_roster(session, rotation=rotation, current=current, wanted=wanted, now=now)
    leaving_shifts = [
        shift
        for member in leavers
        for shift in reassignment.shifts_of(
            session, person_id=member.person_id, after=now, rotation_id=rotation.id
        )
    ]
    changed = reassignment.release(
        session, shifts=leaving_shifts, now=now, actor=actor, reason="member removed"
    )
    generation.reschedule(session, rotation=rotation, now=now, actor=actor, reason="members set")
    audit.Trail(session, actor=actor, at=now).record_change(
        "rotation.members",
        ("rotation", rotation.id),
        before={"person_ids": before},
        after={"person_ids": wanted, "reassigned_shift_ids": changed},
    )
    return list_members(session, rotation=rotation)


def _update_roster(
    session: Session,
    *,
    rotation: Rotation,
    current: dict[int, RotationMember],
    wanted: list[int],
    now: datetime,
) -> list[RotationMember]:
    """Leavers leave, stayers take their new positions, joiners join; returns the leavers.

    A joiner is credited with the staying members' minimum count, less what they already
    hold, so they are not handed a run of shifts to catch up. Where the rotation asks for
    shadow shifts and has primaries to shadow, joiners start as shadows (and join the count
    when they graduate); the first roster is all primaries.
    """
    held = _live_shift_counts(session, rotation_id=rotation.id)
    staying = [m for pid, m in current.items() if pid in wanted]
    minimum = _minimum_count(held, staying)
    has_primaries = any(m.stage != shadowing.SHADOW for m in staying)
    stage = (
        shadowing.SHADOW
        if rotation.shadow_shifts_required > 0 and has_primaries
        else shadowing.PRIMARY
    )
    leavers = [m for pid, m in current.items() if pid not in wanted]
    for member in leavers:
        member.left_at = now
    joiners = []
    for position, person_id in enumerate(wanted):
        existing = current.get(person_id)
        if existing is not None:
            existing.position = position
            continue
        joiners.append(
            {
                "rotation_id": rotation.id,
                "person_id": person_id,
                "position": position,
                "joined_at": now,
                "count_offset": max(0, minimum - held.get(person_id, 0)),
                "stage": stage,
            }
        )
    session.flush()
    if joiners:
        session.execute(insert(RotationMember), joiners)
    return leavers


def _minimum_count(held: dict[int, int], members: Sequence[RotationMember]) -> int:
    """The lowest shift count among the members who take primary shifts."""
    return min(
        (held.get(m.person_id, 0) + m.count_offset for m in members if m.stage != shadowing.SHADOW),
        default=0,
    )


def join_credit(session: Session, *, rotation: Rotation, member: RotationMember) -> int:
    """The count a member joining the primaries now is credited with: the other primaries'
    minimum, less what they already hold (the current fairness level)."""
    held = _live_shift_counts(session, rotation_id=rotation.id)
    others = [m for m in list_members(session, rotation=rotation) if m.id != member.id]
    return max(0, _minimum_count(held, others) - held.get(member.person_id, 0))


def _live_shift_counts(session: Session, *, rotation_id: int) -> dict[int, int]:
    """How many live primary shifts of the rotation each person holds."""
    rows = session.execute(
        select(Shift.person_id, func.count())
        .where(
            Shift.rotation_id == rotation_id,
            Shift.cancelled_at.is_(None),
            Shift.role == shift_rows.PRIMARY_ROLE,
            Shift.person_id.is_not(None),
        )
        .group_by(Shift.person_id)
    )
    return {person_id: count for person_id, count in rows if person_id is not None}


def release_person(
    session: Session, *, person: Person, now: datetime, actor: Person | None
) -> list[int]:
    """Reassign every shift ahead of a person who can no longer serve (e.g. deactivated)."""
    ahead = reassignment.shifts_of(session, person_id=person.id, after=now)
    changed = reassignment.release(
        session, shifts=ahead, now=now, actor=actor, reason=f"person {person.id} deactivated"
    )
    if changed:
        audit.Trail(session, actor=actor, at=now).record(
            "person.shifts_released", ("person", person.id), after={"reassigned_shift_ids": changed}
        )
    return changed


def person_reactivated(
    session: Session, *, person: Person, now: datetime, actor: Person | None
) -> None:
    """A person is back: open slots in their rotations are filled (nothing else moves)."""
    reassignment.refill_rotations_of(session, person_id=person.id, now=now, actor=actor)


def people_managed_by(session: Session, *, manager: Person) -> list[Person]:
    """Active people whose time off ``manager`` may handle (admins: everyone), by name."""
    query = select(Person).where(Person.active.is_(True))
    if not manager.is_admin:
        managed = access.managed_rotation_ids(session, person=manager)
        query = query.where(
            Person.id.in_(
                select(RotationMember.person_id).where(
                    RotationMember.left_at.is_(None),
                    RotationMember.rotation_id.in_(sorted(managed)),
                )
            )
        )
    return list(session.scalars(query.order_by(func.lower(Person.name), Person.id)))
