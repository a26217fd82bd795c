"""Wall-clock arithmetic: "this local date at this local time in this zone" as an instant.

One rule for every caller (handoffs, due dates, form input), as DESIGN.md states it: a wall
time inside a spring-forward gap moves to the end of the gap, an ambiguous one (fall-back)
takes the first occurrence. Pure: no database, no web.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of the wall time ``day at`` in ``zone``.

    A wall time that does not exist (inside a spring-forward gap) moves to the end of the
    gap, i.e. to the transition itself; an ambiguous one (fall-back) takes the first
    occurrence.
    """
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first occurrence
    instant = wall.astimezone(UTC)
    # The wall time exists when the instant reads it back. Compared as date and time, not
    # as naive datetimes: ``datetime.replace`` costs more than the rest of this together.
    back = instant.astimezone(zone)
    if back.date() == day and back.time() == wall.time():
        return instant
    return _transition_within(wall.replace(fold=1).astimezone(UTC), instant, zone)


def _transition_within(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] whose UTC offset is the one ``after`` has.

    zoneinfo exposes no transition table, so bisect to the second: transitions fall on
    whole seconds and a gap is at most a few hours wide, so this takes ~15 steps.
    """
    target = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


@lru_cache(maxsize=4096)
def days_before(start: datetime, *, days: int, timezone: str) -> datetime:
    """The instant ``days`` calendar days before ``start`` at the same local wall-clock time.

    The earlier day's wall time follows the gap and repeat rule of ``local_to_utc``.
    Cached: a report asks it for thousands of shifts that mostly share a handoff time.
    """
    zone = ZoneInfo(timezone)
    local = start.astimezone(zone)
    return local_to_utc(local.date() - timedelta(days=days), local.time(), zone)
