"""What the scheduler needs to know of one rotation, read in a fixed number of queries.

The collect step of ``rotation.generation.reschedule``: members with their figures (shift
counts, or burden under burden fairness) and the covers owed to them, the shifts held fixed
around the open slots, and who is away (time off, shifts elsewhere), all as plain values for
``rotation.scheduler.assign``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import (
    availability,
    burden,
    debts,
    fairness_settings,
    own_holidays,
    scheduler,
    shadowing,
)
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift


def live(rotation_id: int) -> list[ColumnElement[bool]]:
    """Filter for the rotation's primary shifts that are not cancelled (shadow shifts are
    neither coverage nor counted)."""
    return [
        Shift.rotation_id == rotation_id,
        Shift.cancelled_at.is_(None),
        Shift.role == shift_rows.PRIMARY_ROLE,
    ]


def as_utc(value: datetime) -> datetime:
    # An aggregate loses the column's type on SQLite, so max() comes back naive there.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True)
class SchedulerInputs:
    """Plain values for ``scheduler.assign``."""

    members: list[scheduler.Membership]
    held: list[scheduler.HeldShift]
    open_slots: list[scheduler.OpenSlot]
    unavailable: dict[int, list[scheduler.Interval]]
    # Per person, the covers owed to them (release ids, oldest first).
    owed: dict[int, list[int]]


def collect(
    session: Session,
    *,
    rotation: Rotation,
    reopened: dict[int, Shift],
    open_slots: list[scheduler.OpenSlot],
    count_since: datetime | None,
) -> SchedulerInputs:
    """Members with their figures, held shifts and unavailability over the open slots' window
    (people's own public holidays included when the rotation treats them as time off)."""
    rotation_id = rotation.id
    window_start = open_slots[0].start
    window_end = max(slot.end for slot in open_slots)
    counts, last_ends, near = history(
        session,
        rotation_id=rotation_id,
        window_start=window_start,
        window_end=window_end,
        count_since=count_since,
    )
    owed = debts.owed(session, rotation_id=rotation_id)
    read = Read(counts, last_ends, near, owed, memberships(session, rotation_id))
    inputs = assemble(
        session, rotation, read, reopened=reopened, open_slots=open_slots, count_since=count_since
    )
    person_ids = [m.person_id for m in inputs.members]
    unavailable = unavailability(
        session, rotation_id=rotation_id, person_ids=person_ids, start=window_start, end=window_end
    )
    own_holidays.add_time_off(
        session, rotation=rotation, unavailable=unavailable, start=window_start, end=window_end
    )
    return replace(inputs, unavailable=unavailable)


class Member(NamedTuple):
    """A person's membership rows folded into one: every period they belonged, and their
    latest row's position, count offset and whether they can take slots."""

    person_id: int
    position: int
    periods: tuple[tuple[datetime, datetime | None], ...]
    active: bool
    count_offset: int


@dataclass(frozen=True)
class Read:
    """What ``collect`` reads of one rotation's shifts and members (``history``, ``owed``,
    ``memberships``); ``rotation.batch_extend`` reads the same for many rotations at once."""

    counts: dict[int, int]
    last_ends: dict[int, datetime]
    near: list[tuple[int, int, datetime, datetime]]
    owed: dict[int, list[int]]
    roster: list[Member]


def assemble(
    session: Session,
    rotation: Rotation,
    read: Read,
    *,
    reopened: dict[int, Shift],
    open_slots: list[scheduler.OpenSlot],
    count_since: datetime | None,
) -> SchedulerInputs:
    """The scheduler's inputs from what was read, without unavailability (left empty)."""
    counts = dict(read.counts)
    for shift in reopened.values():
        # Reopened shifts are decided afresh, so they must not count for their old holder.
        if shift.person_id is not None and (count_since is None or shift.start >= count_since):
            counts[shift.person_id] -= 1
    figure, open_slots = _figures(
        session,
        rotation=rotation,
        roster=read.roster,
        counts=counts,
        reopened=reopened,
        open_slots=open_slots,
        count_since=count_since,
    )
    members = [
        scheduler.Membership(
            person_id=member.person_id,
            position=member.position,
            periods=member.periods,
            active=member.active,
            count_offset=figure[member.person_id],
            last_shift_end=read.last_ends.get(member.person_id),
            owed=len(read.owed.get(member.person_id, ())),
        )
        for member in read.roster
    ]
    held = [
        scheduler.HeldShift(person_id=person_id, start=start, end=end, counted=False)
        for shift_id, person_id, start, end in read.near
        if shift_id not in reopened
    ]
    return SchedulerInputs(
        members=members, held=held, open_slots=open_slots, unavailable={}, owed=read.owed
    )


def _figures(
    session: Session,
    *,
    rotation: Rotation,
    roster: list[Member],
    counts: dict[int, int],
    reopened: dict[int, Shift],
    open_slots: list[scheduler.OpenSlot],
    count_since: datetime | None,
) -> tuple[dict[int, float], list[scheduler.OpenSlot]]:
    """The figure each member starts from, and the open slots weighing what they add.

    What they hold, plus the credit they joined with (a shift count), unless counting starts
    at ``count_since``; under burden fairness in weighed hours, each slot its own burden.
    """
    if not fairness_settings.by_burden(rotation):
        return {
            m.person_id: (0 if count_since is not None else m.count_offset)
            + counts.get(m.person_id, 0)
            for m in roster
        }, open_slots
    found = burden.figures(
        session,
        rotation=rotation,
        skip_ids=set(reopened),
        open_slots=open_slots,
        count_since=count_since,
    )
    # A join credit, counted in shifts, is valued at the average burden of a shift.
    return {
        m.person_id: found.by_person.get(m.person_id, 0.0)
        + (0 if count_since is not None else m.count_offset * found.per_shift)
        for m in roster
    }, found.open_slots


def unavailability(
    session: Session, *, rotation_id: int, person_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[scheduler.Interval]]:
    """Each person's time off and shifts in other rotations over [start, end)."""
    unavailable = availability.time_off_intervals(
        session, person_ids=person_ids, start=start, end=end
    )
    elsewhere = availability.shift_intervals(
        session, person_ids=person_ids, start=start, end=end, outside_rotation=rotation_id
    )
    for person_id, intervals in elsewhere.items():
        unavailable.setdefault(person_id, []).extend(intervals)
    return unavailable


# A member row's columns the scheduler needs, with the person's ``active``.
MEMBER_COLUMNS = (
    RotationMember.person_id,
    RotationMember.position,
    RotationMember.joined_at,
    RotationMember.left_at,
    RotationMember.stage,
    RotationMember.count_offset,
    Person.active,
)


def memberships(session: Session, rotation_id: int) -> list[Member]:
    """Every person who ever belonged to the rotation, with all their membership periods."""
    rows = session.execute(
        select(*MEMBER_COLUMNS)
        .join(Person, Person.id == RotationMember.person_id)
        .where(RotationMember.rotation_id == rotation_id)
        .order_by(RotationMember.joined_at, RotationMember.id)
    ).all()
    return roster_of(rows)


def roster_of(rows: Iterable[Any]) -> list[Member]:
    """Members from one rotation's member rows (``MEMBER_COLUMNS``), in the order joined."""
    return rosters_of((None, *row) for row in rows).get(None, [])


def rosters_of(rows: Iterable[Any]) -> dict[Any, list[Member]]:
    """Members per rotation from the member rows of several, each a rotation key followed by
    ``MEMBER_COLUMNS`` (read by position; any further columns are not read), each rotation's
    members in the order joined."""
    periods: dict[tuple[Any, int], list[tuple[datetime, datetime | None]]] = {}
    latest: dict[tuple[Any, int], Any] = {}
    for row in rows:
        key = (row[0], row[1])
        # A row read without its join time (``batch_reads``: it began before every instant
        # decided and has not ended) counts as belonging from the start of time.
        period = (row[3] or scheduler.NEVER, row[4])
        found = periods.get(key)
        if found is None:
            periods[key] = [period]
            latest[key] = row
        else:
            found.append(period)
            if latest[key][4] is not None:
                latest[key] = row
    rosters: dict[Any, list[Member]] = defaultdict(list)
    for key, row in latest.items():
        rotation, person_id, position, _, _, stage, count_offset, active = row[:8]
        rosters[rotation].append(
            # A shadow sits beside primaries (rotation.shadow_pairing), never in their slots.
            Member(
                person_id,
                position,
                tuple(periods[key]),
                active and stage != shadowing.SHADOW,
                count_offset,
            )
        )
    return rosters


def history(
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
    assigned = [*live(rotation_id), Shift.person_id.is_not(None)]
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
