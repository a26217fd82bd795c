"""Materialise shifts: extend to the horizon, fill open slots, reassign, regenerate, rebalance.

Every entry point works on one rotation with a fixed number of queries whatever its size
(the rotation row, its members, its live shifts, the members' time off and their shifts
elsewhere), hands plain values to ``rotation.scheduler`` and writes the answer back under
the feed contract of ``rotation.shifts``. New shifts go in with one bulk INSERT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, func, insert, select
from sqlalchemy.orm import Session

from core import audit
from core.models import Person
from core.wallclock import local_to_utc
from rotation import availability, own_holidays, scheduler
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift
from rotation.timeline import MIDNIGHT, Cadence

SHIFT_TABLE = cast(Table, Shift.__table__)


@dataclass
class ScheduleResult:
    """What one run did to one rotation."""

    rotation_id: int
    added: int = 0
    uncovered: int = 0
    changed_shift_ids: list[int] = field(default_factory=list)


def cadence_of(rotation: Rotation) -> Cadence:
    return Cadence(
        timezone=rotation.timezone,
        start_date=rotation.start_date,
        handoff_time=rotation.handoff_time,
        shift_days=rotation.shift_days,
    )


def start_of_day(rotation: Rotation, day: date) -> datetime:
    """Midnight at the start of ``day`` on the rotation's clock, as a UTC instant."""
    return local_to_utc(day, MIDNIGHT, cadence_of(rotation).zone)


def lock(session: Session, rotation_id: int) -> Rotation | None:
    """The rotation row, locked until the transaction ends (PostgreSQL; SQLite serialises writers).

    Everything that changes a rotation's shifts takes this lock first, so two processes
    extending or editing the same rotation at once queue instead of both inserting.
    """
    return session.scalars(
        select(Rotation).where(Rotation.id == rotation_id).with_for_update()
    ).one_or_none()


def memberships(session: Session, rotation_id: int) -> list[scheduler.Membership]:
    """Every person who ever belonged to the rotation, with all their membership periods."""
    rows = session.execute(
        select(RotationMember, Person.active)
        .join(Person, Person.id == RotationMember.person_id)
        .where(RotationMember.rotation_id == rotation_id)
        .order_by(RotationMember.joined_at, RotationMember.id)
    ).all()
    periods: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    latest: dict[int, tuple[RotationMember, bool]] = {}
    for member, active in rows:
        periods[member.person_id].append((member.joined_at, member.left_at))
        current = latest.get(member.person_id)
        if current is None or current[0].left_at is not None:
            latest[member.person_id] = (member, active)
    return [
        scheduler.Membership(
            person_id=person_id,
            position=member.position,
            periods=tuple(periods[person_id]),
            active=active,
            count_offset=member.count_offset,
        )
        for person_id, (member, active) in latest.items()
    ]


@dataclass(frozen=True)
class NewSlot:
    """A slot the cadence calls for that has no row yet."""

    index: int
    slot: int
    start: datetime
    end: datetime


def _new_slots(
    rotation: Rotation, *, frontier: datetime | None, now: datetime, origin: datetime
) -> list[NewSlot]:
    """The slots missing between the latest live shift and the horizon (``Cadence.shifts_from``)."""
    horizon_end = now + timedelta(days=rotation.horizon_days)
    slots: list[NewSlot] = []
    for index, start, end in cadence_of(rotation).shifts_from(frontier=frontier, origin=origin):
        if start >= horizon_end:
            break
        slots.extend(NewSlot(index, slot, start, end) for slot in range(rotation.people_per_shift))
    return slots


def _live(rotation_id: int) -> list[ColumnElement[bool]]:
    return [Shift.rotation_id == rotation_id, Shift.cancelled_at.is_(None)]


def _frontier(session: Session, rotation_id: int) -> datetime | None:
    """When the rotation's latest live shift ends."""
    return session.scalar(select(func.max(Shift.end)).where(*_live(rotation_id)))


def _history(
    session: Session,
    *,
    rotation_id: int,
    window_start: datetime,
    window_end: datetime,
    count_since: datetime | None,
) -> tuple[dict[int, int], dict[int, datetime], list[tuple[int, int, datetime, datetime]]]:
    """What the scheduler needs of the rotation's held shifts, in three queries.

    Counts per person (all time, or since ``count_since``), each person's last shift end
    before the window, and the shifts that reach into the window, as plain tuples. Shifts
    far outside the window matter only through those two aggregates, so the work grows
    with the window, not with years of history.
    """
    assigned = [*_live(rotation_id), Shift.person_id.is_not(None)]
    counted = select(Shift.person_id, func.count()).where(*assigned).group_by(Shift.person_id)
    if count_since is not None:
        counted = counted.where(Shift.start >= count_since)
    counts = {
        person_id: count for person_id, count in session.execute(counted) if person_id is not None
    }
    last_ends = {
        person_id: as_utc(last_end)
        for person_id, last_end in session.execute(
            select(Shift.person_id, func.max(Shift.end))
            .where(*assigned, Shift.end <= window_start)
            .group_by(Shift.person_id)
        )
        if person_id is not None
    }
    near = [
        (shift_id, person_id, start, end)
        for shift_id, person_id, start, end in session.execute(
            select(Shift.id, Shift.person_id, Shift.start, Shift.end).where(
                *assigned, Shift.end > window_start, Shift.start < window_end
            )
        )
        if person_id is not None
    ]
    return counts, last_ends, near


def reschedule(
    session: Session,
    *,
    rotation: Rotation,
    now: datetime,
    actor: Person | None,
    reason: str,
    reassign: Iterable[Shift] = (),
    extend: bool = True,
    origin: datetime | None = None,
    count_since: datetime | None = None,
) -> ScheduleResult:
    """Reassign ``reassign``, fill uncovered slots that have not ended, extend to the horizon.

    Every other live shift is held fixed. Call with the rotation locked (``lock``).
    ``count_since`` counts only shifts from then on, without join credits (see rebalance).
    """
    result = ScheduleResult(rotation_id=rotation.id)
    if rotation.archived:
        return result
    reopened = {shift.id: shift for shift in reassign}
    uncovered = session.scalars(
        select(Shift).where(*_live(rotation.id), Shift.person_id.is_(None), Shift.end > now)
    )
    reopened.update({shift.id: shift for shift in uncovered})
    new_slots = (
        _new_slots(
            rotation,
            frontier=_frontier(session, rotation.id),
            now=now,
            origin=origin or rotation.created_at,
        )
        if extend
        else []
    )
    if not reopened and not new_slots:
        return result

    # Keys: the Shift row for a slot that exists, a NewSlot for one to insert.
    open_slots = [
        scheduler.OpenSlot(key=shift, start=shift.start, end=shift.end)
        for shift in sorted(reopened.values(), key=lambda s: (s.start, s.slot, s.id))
    ]
    open_slots.extend(
        scheduler.OpenSlot(key=new, start=new.start, end=new.end) for new in new_slots
    )
    open_slots.sort(key=lambda s: s.start)
    window_start = open_slots[0].start
    window_end = max(slot.end for slot in open_slots)

    counts, last_ends, near = _history(
        session,
        rotation_id=rotation.id,
        window_start=window_start,
        window_end=window_end,
        count_since=count_since,
    )
    for shift in reopened.values():
        # Reopened shifts are decided afresh, so they must not count for their old holder.
        if shift.person_id is not None and (count_since is None or shift.start >= count_since):
            counts[shift.person_id] -= 1
    members = [
        replace(
            member,
            count_offset=(0 if count_since is not None else member.count_offset)
            + counts.get(member.person_id, 0),
            last_shift_end=last_ends.get(member.person_id),
        )
        for member in memberships(session, rotation.id)
    ]
    person_ids = [m.person_id for m in members]
    unavailable = availability.time_off_intervals(
        session, person_ids=person_ids, start=window_start, end=window_end
    )
    own_holidays.add_time_off(
        session, rotation=rotation, unavailable=unavailable, start=window_start, end=window_end
    )
    elsewhere = availability.shift_intervals(
        session,
        person_ids=person_ids,
        start=window_start,
        end=window_end,
        outside_rotation=rotation.id,
    )
    for person_id, intervals in elsewhere.items():
        unavailable.setdefault(person_id, []).extend(intervals)
    held = [
        scheduler.HeldShift(person_id=person_id, start=start, end=end, counted=False)
        for shift_id, person_id, start, end in near
        if shift_id not in reopened
    ]
    assignments = scheduler.assign(
        members=members, held=held, open_slots=open_slots, unavailable=unavailable, as_of=now
    )

    rows = []
    releases: list[dict[str, object]] = []
    for assignment in assignments:
        if assignment.person_id is None:
            result.uncovered += 1
        if isinstance(assignment.key, Shift):
            shift = assignment.key
            if shift_rows.give_to(
                session,
                shift=shift,
                person_id=assignment.person_id,
                kind=shift_rows.SCHEDULED,
                now=now,
                releases=releases,
            ):
                result.changed_shift_ids.append(shift.id)
            continue
        new = assignment.key
        assert isinstance(new, NewSlot)
        rows.append(
            {
                "rotation_id": rotation.id,
                "index": new.index,
                "slot": new.slot,
                "start": new.start,
                "end": new.end,
                "person_id": assignment.person_id,
                "kind": shift_rows.SCHEDULED,
                "sequence": 0,
                "uid": shift_rows.new_uid(rotation_id=rotation.id, index=new.index, slot=new.slot),
                "created_at": now,
                "updated_at": now,
                "cancelled_at": None,
            }
        )
    session.flush()
    shift_rows.insert_releases(session, releases)
    if rows:
        # A Core INSERT of the table: one executemany, no per-row ORM bookkeeping.
        session.execute(insert(SHIFT_TABLE), rows)
        result.added = len(rows)
    if result.added or result.changed_shift_ids:
        audit.record(
            session,
            actor=actor,
            action="rotation.schedule",
            subject_type="rotation",
            subject_id=rotation.id,
            after={
                "added": result.added,
                "changed_shift_ids": sorted(result.changed_shift_ids),
                "uncovered": result.uncovered,
            },
            at=now,
            note=reason,
        )
    return result


# --- the periodic job ---------------------------------------------------------------------


def rotations_due(session: Session, *, now: datetime) -> list[int]:
    """Live rotations whose shifts stop short of their horizon or have open slots to fill."""
    frontier = (
        select(Shift.rotation_id, func.max(Shift.end).label("frontier"))
        .where(Shift.cancelled_at.is_(None))
        .group_by(Shift.rotation_id)
        .subquery()
    )
    rows = session.execute(
        select(Rotation.id, Rotation.horizon_days, frontier.c.frontier)
        .outerjoin(frontier, frontier.c.rotation_id == Rotation.id)
        .where(Rotation.archived.is_(False))
        .order_by(Rotation.id)
    ).all()
    with_open_slots = set(
        session.scalars(
            select(Shift.rotation_id)
            .where(Shift.cancelled_at.is_(None), Shift.person_id.is_(None), Shift.end > now)
            .distinct()
        )
    )
    due = []
    for rotation_id, horizon_days, last_end in rows:
        short = last_end is None or as_utc(last_end) < now + timedelta(days=horizon_days)
        if short or rotation_id in with_open_slots:
            due.append(rotation_id)
    return due


def as_utc(value: datetime) -> datetime:
    # An aggregate loses the column's type on SQLite, so max() comes back naive there.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def extend(
    session: Session, *, rotation_id: int, now: datetime, actor: Person | None = None
) -> ScheduleResult:
    """Extend one rotation to its horizon and fill what can be filled (idempotent)."""
    rotation = lock(session, rotation_id)
    if rotation is None:
        return ScheduleResult(rotation_id=rotation_id)
    return reschedule(session, rotation=rotation, now=now, actor=actor, reason="schedule extend")
