"""Handoff instants of a rotation, computed on its own wall clock so they survive DST changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.i18n import DEFAULT, N_, gettext
from core.wallclock import local_to_utc

MIDNIGHT = time(0, 0)


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

    def shifts_from(
        self, *, frontier: datetime | None, origin: datetime
    ) -> Iterator[tuple[int, datetime, datetime]]:
        """Shifts (index, start, end) in time order from where generation resumes, endlessly.

        Generation only appends: it resumes where the latest live shift ends (``frontier``;
        with a shorter first piece if that instant is not a handoff of this cadence, as after
        a cadence change) or, with no shifts yet, at the shift in progress at ``origin`` (or
        shift 0, if that is later).
        """
        if frontier is None:
            index = self.index_from(origin)
            start = self.handoff(index)
        else:
            index = self.index_at(frontier)
            if index < 0:
                index = 0
                start = self.handoff(0)
            else:
                start = frontier
        while True:
            end = self.handoff(index + 1)
            yield index, start, end
            index += 1
            start = end


_WEEKDAYS = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)


def describe(cadence: Cadence, *, people_per_shift: int = 1, locale: str = DEFAULT) -> str:
    """The cadence in words: "Weekly, Mondays at 09:00 (Europe/Amsterdam)", in ``locale``."""
    at = cadence.handoff_time.strftime("%H:%M")
    weekday = gettext(locale, _WEEKDAYS[cadence.start_date.weekday()])
    days = cadence.shift_days
    if days == 1:
        words = gettext(locale, "Daily at %(at)s", at=at)
    elif days == 7:
        words = gettext(locale, "Weekly, %(weekday)s at %(at)s", weekday=weekday, at=at)
    elif days % 7 == 0:
        every = N_("Every %(weeks)s weeks, %(weekday)s at %(at)s")
        words = gettext(locale, every, weeks=days // 7, weekday=weekday, at=at)
    else:
        words = gettext(locale, "Every %(days)s days at %(at)s", days=days, at=at)
    if people_per_shift > 1:
        words = gettext(
            locale, "%(words)s, %(people)s people per shift", words=words, people=people_per_shift
        )
    return f"{words} ({cadence.timezone})"
