"""Rotations, members and shift rows.

``make_rotation`` and ``make_shift`` write rows straight to the tables: nothing is generated,
so a test places exactly the shifts it needs. ``make_scheduled_rotation`` goes through the
rotation service instead, as the API does, and with members gets its shifts generated.
Changes to a shift (``reassign``, ``cancel``) are written the way the rotation services write
them: a new person bumps ``sequence`` and ``updated_at`` and records a ``ShiftRelease`` for
the previous person; a removal sets ``cancelled_at``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.models import Person
from rotation import members as roster
from rotation import service
from rotation.models import Rotation, RotationMember, Shift, ShiftRelease, rotation_manager
from rotation.schemas import RotationCreate
from tests.conftest import DEFAULT_NOW
from tests.factories._rows import save
from tests.factories.people import make_person

# The Monday of the week DEFAULT_NOW falls in: weekly shifts from it are mid-shift "now".
MONDAY = date(2026, 11, 23)

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
    swap_requires_approval: bool = False,
    managers: Sequence[Person] = (),
    members: Sequence[Person] = (),
    archived: bool = False,
    now: datetime = DEFAULT_NOW,
) -> Rotation:
    """A rotation row, weekly from Monday 7 September 2026 at 09:00 in Amsterdam, no shifts."""
    n = next(_counter)
    rotation = save(
        session,
        Rotation(
            name=name or f"Rotation {n}",
            slug=slug or f"rotation-{n}",
            description="",
            timezone=timezone,
            start_date=start_date,
            handoff_time=handoff_time,
            shift_days=shift_days,
            people_per_shift=people_per_shift,
            horizon_days=horizon_days,
            swap_requires_approval=swap_requires_approval,
            archived=archived,
            created_at=now,
            updated_at=now,
        ),
    )
    if managers:
        session.execute(
            insert(rotation_manager),
            [{"rotation_id": rotation.id, "person_id": m.id} for m in managers],
        )
    session.add_all(
        RotationMember(
            rotation_id=rotation.id, person_id=member.id, position=position, joined_at=now
        )
        for position, member in enumerate(members)
    )
    session.flush()
    return rotation


def make_scheduled_rotation(
    session: Session,
    *,
    name: str = "Tier two",
    members: Sequence[Person] = (),
    now: datetime = DEFAULT_NOW,
    **fields: Any,
) -> Rotation:
    """A rotation created through the service (weekly from ``MONDAY``, UTC, unless ``fields``
    say otherwise); with members, its shifts are generated up to the horizon."""
    fields.setdefault("timezone", "UTC")
    fields.setdefault("start_date", MONDAY)
    rotation = service.create_rotation(
        session, data=RotationCreate(name=name, **fields), now=now, actor=None
    )
    if members:
        roster.set_members(
            session, rotation=rotation, person_ids=[p.id for p in members], now=now, actor=None
        )
    return rotation


def make_manager(session: Session, *, timezone: str = "UTC", password: str | None = None) -> Person:
    """A person who manages one (fresh) rotation and is not an admin."""
    manager = make_person(session, timezone=timezone, password=password)
    make_rotation(session, managers=[manager])
    return manager


def handoff(rotation: Rotation, index: int) -> datetime:
    """The UTC start of shift ``index``: local start date + k·shift_days at the handoff time."""
    day = rotation.start_date + timedelta(days=index * rotation.shift_days)
    local = datetime.combine(day, rotation.handoff_time, tzinfo=ZoneInfo(rotation.timezone))
    return local.astimezone(UTC)


def make_shift(
    session: Session,
    *,
    rotation: Rotation,
    person: Person | None,
    index: int | None = None,
    slot: int = 0,
    start: datetime | None = None,
    end: datetime | None = None,
    days: int | None = None,
    now: datetime = DEFAULT_NOW,
) -> Shift:
    """A shift row: shift ``index`` of the rotation's cadence, or one from any ``start``
    lasting ``days`` (the rotation's shift length unless given)."""
    n = next(_counter)
    if index is None:
        index = n  # a free index: the shift stands outside the cadence
    if start is None:
        start = handoff(rotation, index)
        end = end or handoff(rotation, index + 1)
    return save(
        session,
        Shift(
            rotation_id=rotation.id,
            index=index,
            slot=slot,
            start=start,
            end=end or start + timedelta(days=days or rotation.shift_days),
            person_id=person.id if person is not None else None,
            kind="scheduled",
            sequence=0,
            uid=f"shift-{n}-{rotation.slug}-{index}-{slot}@allhands.test",
            created_at=now,
            updated_at=now,
        ),
    )


def make_shifts(
    session: Session,
    *,
    rotation: Rotation,
    people: Sequence[Person | None],
    indexes: range,
    now: datetime = DEFAULT_NOW,
) -> list[Shift]:
    """One shift per index (and per slot), people taking turns in order."""
    turn = itertools.cycle(people)
    return [
        make_shift(session, rotation=rotation, index=index, slot=slot, person=next(turn), now=now)
        for index in indexes
        for slot in range(rotation.people_per_shift)
    ]


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
