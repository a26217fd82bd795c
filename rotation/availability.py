"""When people cannot take a shift: their time off and their shifts, each loaded in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from rotation.models import Shift, TimeOff
from rotation.scheduler import Interval
from rotation.timeline import days_to_utc

# Time off is kept as local dates; no timezone is more than 14 hours from UTC, so a day of
# slack either side of the window catches every row that can overlap it.
_DATE_SLACK = timedelta(days=1)


def time_off_intervals(
    session: Session, *, person_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[Interval]]:
    """Each person's time off overlapping [start, end), as UTC intervals."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(TimeOff.person_id, TimeOff.start, TimeOff.end, Person.timezone)
        .join(Person, Person.id == TimeOff.person_id)
        .where(
            TimeOff.person_id.in_(list(person_ids)),
            TimeOff.end >= (start - _DATE_SLACK).date(),
            TimeOff.start <= (end + _DATE_SLACK).date(),
        )
    )
    found: dict[int, list[Interval]] = defaultdict(list)
    for person_id, first, last, timezone in rows:
        off_start, off_end = days_to_utc(first, last, ZoneInfo(timezone))
        if off_start < end and start < off_end:
            found[person_id].append(Interval(off_start, off_end))
    return dict(found)


def shift_intervals(
    session: Session,
    *,
    person_ids: Collection[int],
    start: datetime,
    end: datetime,
    outside_rotation: int | None = None,
    ignore_shift_ids: Collection[int] = (),
) -> dict[int, list[Interval]]:
    """Each person's live shifts overlapping [start, end), optionally outside one rotation."""
    if not person_ids:
        return {}
    query = select(Shift.person_id, Shift.start, Shift.end).where(
        Shift.person_id.in_(list(person_ids)),
        Shift.cancelled_at.is_(None),
        Shift.end > start,
        Shift.start < end,
    )
    if outside_rotation is not None:
        query = query.where(Shift.rotation_id != outside_rotation)
    if ignore_shift_ids:
        query = query.where(Shift.id.not_in(list(ignore_shift_ids)))
    found: dict[int, list[Interval]] = defaultdict(list)
    for person_id, shift_start, shift_end in session.execute(query):
        if person_id is not None:
            found[person_id].append(Interval(shift_start, shift_end))
    return dict(found)


def conflict(
    session: Session,
    *,
    person: Person,
    start: datetime,
    end: datetime,
    ignore_shift_ids: Collection[int] = (),
) -> str | None:
    """Why ``person`` cannot be on duty during [start, end), or None if they can."""
    if not person.active:
        return f"{person.name} is deactivated"
    if time_off_intervals(session, person_ids=[person.id], start=start, end=end):
        return f"{person.name} has time off then"
    busy = shift_intervals(
        session, person_ids=[person.id], start=start, end=end, ignore_shift_ids=ignore_shift_ids
    )
    if busy:
        return f"{person.name} is already on an overlapping shift"
    return None
