"""People's own public holidays as time off, in rotations that say so.

A person names their holiday country; a rotation with ``treat_own_holidays_as_time_off`` keeps
them off its shifts on those days (whole days in the person's timezone, like time off). The
scheduler sees them through ``add_time_off``, its one hook into the availability check
(``rotation.holiday_release`` moves shifts already planned on such a day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import holidays
from rotation.models import Rotation, RotationMember
from rotation.scheduler import Interval
from rotation.timeline import days_to_utc

# Days are local to the person; a day either side of the window catches every zone.
_SLACK = timedelta(days=1)


@lru_cache(maxsize=65_536)
def _whole_day(day: date, timezone: str) -> tuple[datetime, datetime]:
    # Every member of every rotation asks for the same few holidays in a handful of zones.
    return days_to_utc(day, day, ZoneInfo(timezone))


def intervals(country: str, timezone: str, start: datetime, end: datetime) -> list[Interval]:
    """The person's own holidays overlapping [start, end), as whole local days in UTC."""
    first = (start - _SLACK).date()
    last = (end + _SLACK).date()
    found = []
    for day in holidays.own_holidays(country, first, last):
        off_start, off_end = _whole_day(day, timezone)
        if off_start < end and start < off_end:
            found.append(Interval(off_start, off_end))
    return found


def add_time_off(
    session: Session,
    *,
    rotation: Rotation,
    unavailable: dict[int, list[Interval]],
    start: datetime,
    end: datetime,
) -> None:
    """Add the members' own holidays in [start, end) to ``unavailable``, if the rotation asks.

    One query whatever the number of members.
    """
    if not rotation.treat_own_holidays_as_time_off:
        return
    rows = session.execute(
        select(Person.id, Person.holiday_country, Person.timezone)
        .join(RotationMember, RotationMember.person_id == Person.id)
        .where(RotationMember.rotation_id == rotation.id, Person.holiday_country.is_not(None))
        .distinct()
    )
    for person_id, country, timezone in rows:
        days_off = intervals(country or "", timezone, start, end)
        if days_off:
            unavailable.setdefault(person_id, []).extend(days_off)
