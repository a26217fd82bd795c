"""Typed factories for rotations and shift rows, written the way the rotation services do.

Feed tests build shifts directly: a change of person bumps ``sequence`` and ``updated_at``
and records a ``ShiftRelease`` for the previous person; a removal sets ``cancelled_at``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.models import Person
from rotation.models import Rotation, Shift, ShiftRelease
from tests.conftest import DEFAULT_NOW

_counter = itertools.count(1)


def make_rotation(
    session: Session,
    *,
    name: str | None = None,
    slug: str | None = None,
    timezone: str = "Europe/Amsterdam",
    start_date: date = date(2026, 9, 7),
    handoff_time: time = time(9, 0),
    shift_days: int = 7,
    people_per_shift: int = 1,
    horizon_days: int = 182,
    archived: bool = False,
    now: datetime = DEFAULT_NOW,
) -> Rotation:
    n = next(_counter)
    rotation = Rotation(
        name=name or f"Tier 2 support {n}",
        slug=slug or f"tier-2-{n}",
        description="",
        timezone=timezone,
        start_date=start_date,
        handoff_time=handoff_time,
        shift_days=shift_days,
        people_per_shift=people_per_shift,
        horizon_days=horizon_days,
        archived=archived,
        created_at=now,
        updated_at=now,
    )
    session.add(rotation)
    session.flush()
    return rotation


def handoff(rotation: Rotation, index: int) -> datetime:
    """The UTC start of shift ``index``: local start date + k·shift_days at the handoff time."""
    day = rotation.start_date + timedelta(days=index * rotation.shift_days)
    local = datetime.combine(day, rotation.handoff_time, tzinfo=ZoneInfo(rotation.timezone))
    return local.astimezone(UTC)


def make_shift(
    session: Session,
    *,
    rotation: Rotation,
    index: int,
    person: Person | None,
    slot: int = 0,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime = DEFAULT_NOW,
) -> Shift:
    shift = Shift(
        rotation_id=rotation.id,
        index=index,
        slot=slot,
        start=start or handoff(rotation, index),
        end=end or handoff(rotation, index + 1),
        person_id=person.id if person is not None else None,
        kind="scheduled",
        sequence=0,
        uid=f"shift-{next(_counter)}-{rotation.slug}-{index}-{slot}@allhands.test",
        created_at=now,
        updated_at=now,
    )
    session.add(shift)
    session.flush()
    return shift


def make_shifts(
    session: Session,
    *,
    rotation: Rotation,
    people: Sequence[Person | None],
    indexes: range,
    now: datetime = DEFAULT_NOW,
) -> list[Shift]:
    """One shift per index (and per slot), people taking turns in order."""
    slots = rotation.people_per_shift
    shifts = []
    turn = itertools.cycle(people)
    for index in indexes:
        for slot in range(slots):
            shifts.append(
                make_shift(
                    session, rotation=rotation, index=index, slot=slot, person=next(turn), now=now
                )
            )
    return shifts


def reassign(
    session: Session, *, shift: Shift, person: Person | None, now: datetime, kind: str = "swap"
) -> ShiftRelease | None:
    """Give ``shift`` to ``person`` as a swap, override or reassignment does."""
    previous = shift.person_id
    shift.person_id = person.id if person is not None else None
    shift.kind = kind
    shift.sequence += 1
    shift.updated_at = now
    release = None
    if previous is not None and previous != shift.person_id:
        release = ShiftRelease(
            shift_id=shift.id, person_id=previous, sequence=shift.sequence, released_at=now
        )
        session.add(release)
    session.flush()
    return release


def cancel(session: Session, *, shift: Shift, now: datetime) -> None:
    """Remove ``shift`` as a cadence change or archiving does: the row stays, cancelled."""
    shift.cancelled_at = now
    shift.sequence += 1
    shift.updated_at = now
    session.flush()
