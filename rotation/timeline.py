"""Handoff instants of a rotation, computed on its own wall clock so they survive DST changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of the wall time ``day at`` in ``zone``.

    A wall time that does not exist (inside a spring-forward gap) moves to the end of the
    gap, i.e. to the transition itself; an ambiguous one (fall-back) takes the first
    occurrence.
    """
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first occurrence
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
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


def days_to_utc(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC interval [start, end) covering the whole calendar days first…last in ``zone``."""
    return local_to_utc(first, MIDNIGHT, zone), local_to_utc(
        last + timedelta(days=1), MIDNIGHT, zone
    )


@dataclass(frozen=True)
class Cadence:
    """When shift k of a rotation starts: ``start_date + k·shift_days`` at ``handoff_time``."""

    timezone: str
    start_date: date
    handoff_time: time
    shift_days: int

    @property
    def zone(self) -> ZoneInfo:
        # ZoneInfo caches instances per key, so this is a dictionary lookup after the first.
        return ZoneInfo(self.timezone)

    def handoff(self, index: int) -> datetime:
        """The UTC instant shift ``index`` starts (and shift ``index - 1`` ends)."""
        day = self.start_date + timedelta(days=index * self.shift_days)
        return local_to_utc(day, self.handoff_time, self.zone)

    def bounds(self, index: int) -> tuple[datetime, datetime]:
        """Start and end of shift ``index``; the end is the next shift's start."""
        return self.handoff(index), self.handoff(index + 1)

    def index_at(self, instant: datetime) -> int:
        """The shift in progress at ``instant`` (negative before the first shift starts)."""
        local_day = instant.astimezone(self.zone).date()
        index = (local_day - self.start_date).days // self.shift_days
        while self.handoff(index) > instant:
            index -= 1
        while self.handoff(index + 1) <= instant:
            index += 1
        return index

    def index_from(self, instant: datetime) -> int:
        """The first shift that ends after ``instant`` (never before shift 0)."""
        return max(0, self.index_at(instant))
