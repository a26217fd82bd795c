"""Coverage windows: the weekly local hours a rotation answers, and the duty they leave of a shift.

A shift runs from handoff to handoff; duty is the shift intersected with the rotation's weekly
windows (none = around the clock), minus the days a holiday policy skips. Windows are wall-clock
times in the rotation's zone and follow the DESIGN.md rule of ``core.wallclock``: an edge inside
a spring-forward gap moves to the end of the gap, an ambiguous one takes the first occurrence.
A window may cross midnight when it says so (``overnight``); it then ends on the next day.
Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from core.i18n import DEFAULT, gettext
from core.wallclock import local_to_utc

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
ONE_DAY = timedelta(days=1)

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Window:
    """Local hours on some weekdays: [start, end) minutes after midnight of each day named.

    ``end`` is 1..1440 (1440 = midnight at the end of the day). An ``overnight`` window ends
    on the following day, so its end is at or before its start (equal: 24 hours).
    """

    days: tuple[int, ...]  # 0 = Monday … 6 = Sunday, ascending
    start: int
    end: int
    overnight: bool = False

    @property
    def minutes(self) -> int:
        return self.end - self.start + (MINUTES_PER_DAY if self.overnight else 0)

    def weekly_spans(self) -> list[tuple[int, int]]:
        """[start, end) minutes from Monday 00:00, split where the week wraps round."""
        spans = []
        for day in self.days:
            first = day * MINUTES_PER_DAY + self.start
            last = first + self.minutes
            if last <= MINUTES_PER_WEEK:
                spans.append((first, last))
            else:
                spans.extend([(first, MINUTES_PER_WEEK), (0, last - MINUTES_PER_WEEK)])
        return spans


def utc_stamp(instant: datetime) -> str:
    """An instant as compact UTC text, e.g. 20261130T080000Z (for identifiers)."""
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def hhmm(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" ("24:00" for the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str, *, name: str, allow_end_of_day: bool) -> int:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise ValueError(f'{name} must be "HH:MM" on a 24-hour clock, e.g. "09:00"')
    hours, minutes = text[:2], text[3:]
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()):
        raise ValueError(f'{name} must be "HH:MM" on a 24-hour clock, e.g. "09:00"')
    value = int(hours) * 60 + int(minutes)
    latest = MINUTES_PER_DAY if allow_end_of_day else MINUTES_PER_DAY - 1
    if int(minutes) > 59 or value > latest:
        limit = '"24:00"' if allow_end_of_day else '"23:59"'
        raise ValueError(f"{name} must be between 00:00 and {limit}")
    return value


def parse_window(raw: Mapping[str, Any]) -> Window:
    """A window from ``{days, start, end, overnight?}``; ValueError says what is wrong."""
    days = raw.get("days")
    if not isinstance(days, list | tuple) or not days:
        raise ValueError('days must name at least one weekday: "mon" … "sun"')
    numbers = []
    for day in days:
        if not isinstance(day, str) or day.strip().lower() not in WEEKDAYS:
            raise ValueError(f'unknown weekday {day!r}: use "mon", "tue", … "sun"')
        numbers.append(WEEKDAYS.index(day.strip().lower()))
    if len(set(numbers)) != len(numbers):
        raise ValueError("days must not repeat")
    overnight = raw.get("overnight", False)
    if not isinstance(overnight, bool):
        raise ValueError("overnight must be true or false")
    start = _minutes(raw.get("start"), name="start", allow_end_of_day=False)  # type: ignore[arg-type]
    end = _minutes(raw.get("end"), name="end", allow_end_of_day=not overnight)  # type: ignore[arg-type]
    if not overnight and end <= start:
        raise ValueError(
            f"end {hhmm(end)} is not after start {hhmm(start)}: a window that crosses "
            'midnight must say "overnight": true'
        )
    if overnight and end > start:
        raise ValueError(
            f"an overnight window ends on the next day, at or before its start time; "
            f"{hhmm(start)}-{hhmm(end)} does not cross midnight (drop overnight)"
        )
    return Window(days=tuple(sorted(numbers)), start=start, end=end, overnight=overnight)


def window_dict(window: Window) -> dict[str, Any]:
    """The stored and published form of a window."""
    return {
        "days": [WEEKDAYS[day] for day in window.days],
        "start": hhmm(window.start),
        "end": hhmm(window.end),
        "overnight": window.overnight,
    }


def overlaps(windows: Sequence[Window]) -> tuple[int, int] | None:
    """The positions of the first two windows that share a minute of the week, if any."""
    spans = sorted(
        (first, last, position)
        for position, window in enumerate(windows)
        for first, last in window.weekly_spans()
    )
    for (_first, last, position), (next_first, _last, next_position) in pairwise(spans):
        if next_first < last:
            return tuple(sorted((position, next_position)))  # type: ignore[return-value]
    return None


def parse_windows(raw: Iterable[Mapping[str, Any]]) -> tuple[Window, ...]:
    """Every window checked, and the set checked for overlaps; ValueError names the window."""
    windows = []
    for position, item in enumerate(raw):
        try:
            windows.append(parse_window(item))
        except ValueError as exc:
            raise ValueError(f"coverage[{position}]: {exc}") from None
    clash = overlaps(windows)
    if clash is not None:
        first, second = clash
        raise ValueError(f"coverage[{first}] and coverage[{second}] overlap")
    return tuple(windows)


def describe(windows: Sequence[Window], *, locale: str = DEFAULT) -> str:
    """The windows in words: "Mon-Fri 09:00-17:00; Sat 10:00-14:00", or around the clock."""
    if not windows:
        return gettext(locale, "around the clock")
    parts = []
    for window in windows:
        days = _day_ranges(window.days, locale=locale)
        end = hhmm(window.end)
        if window.overnight:
            end = gettext(locale, "%(time)s next day", time=end)
        parts.append(f"{days} {hhmm(window.start)}-{end}")
    return "; ".join(parts)


def _day_ranges(days: Sequence[int], *, locale: str) -> str:
    if locale == DEFAULT:
        names = [WEEKDAYS[day].title() for day in days]
    else:
        abbreviated = get_day_names("abbreviated", locale=locale)
        names = [str(abbreviated[day]) for day in days]
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{names[0]}-{names[-1]}"
    return ", ".join(names)


# --- duty -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DutyRules:
    """What turns a shift into duty: the zone, the windows and the days without coverage."""

    timezone: str
    windows: tuple[Window, ...] = ()
    skip_days: frozenset[date] = frozenset()

    @property
    def plain(self) -> bool:
        """True when duty is the whole shift (no windows, no skipped days)."""
        return not self.windows and not self.skip_days


@lru_cache(maxsize=65_536)
def _wall(day: date, minute: int, timezone: str) -> datetime:
    """The instant of ``minute`` minutes after midnight starting ``day`` (1440 = next midnight)."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + ONE_DAY, minute - MINUTES_PER_DAY
    return local_to_utc(day, time(minute // 60, minute % 60), ZoneInfo(timezone))


def window_spans(rules: DutyRules, start: datetime, end: datetime) -> list[Span]:
    """The window occurrences that reach into [start, end), clipped to it, in time order."""
    if not rules.windows:
        return [(start, end)] if start < end else []
    zone = ZoneInfo(rules.timezone)
    # An overnight window that began the day before can still be under way at ``start``.
    day = start.astimezone(zone).date() - ONE_DAY
    last = end.astimezone(zone).date()
    spans: list[Span] = []
    while day <= last:
        weekday = day.weekday()
        for window in rules.windows:
            if weekday not in window.days:
                continue
            first = _wall(day, window.start, rules.timezone)
            final = _wall(
                day,
                window.end + (MINUTES_PER_DAY if window.overnight else 0),
                rules.timezone,
            )
            clipped = (max(first, start), min(final, end))
            if clipped[0] < clipped[1]:
                spans.append(clipped)
        day += ONE_DAY
    spans.sort()
    return spans


def _without_days(spans: list[Span], rules: DutyRules) -> list[Span]:
    """``spans`` minus the whole local days of ``rules.skip_days``."""
    if not rules.skip_days or not spans:
        return spans
    zone = ZoneInfo(rules.timezone)
    first = spans[0][0].astimezone(zone).date()
    last = spans[-1][1].astimezone(zone).date()
    gaps = [
        (_wall(day, 0, rules.timezone), _wall(day, MINUTES_PER_DAY, rules.timezone))
        for day in sorted(rules.skip_days)
        if first <= day <= last
    ]
    return subtract(spans, gaps)


def subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """Each span minus every hole (holes sorted and disjoint), pieces in order."""
    result: list[Span] = []
    for span_start, span_end in spans:
        cursor = span_start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= span_end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < span_end:
            result.append((cursor, span_end))
    return result


def duty_spans(rules: DutyRules, start: datetime, end: datetime) -> list[Span]:
    """The duty inside [start, end): one span per window occurrence, skipped days removed."""
    if rules.plain:
        return [(start, end)] if start < end else []
    return _without_days(window_spans(rules, start, end), rules)


def on_duty(rules: DutyRules, instant: datetime) -> bool:
    """Whether ``instant`` falls inside a window and outside every skipped day."""
    return bool(duty_spans(rules, instant, instant + timedelta(microseconds=1)))
