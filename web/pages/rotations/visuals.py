"""Pure builders for the pictures on pages: the month grid and the fairness bar chart."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class GridShift:
    shift_id: int
    start: datetime
    end: datetime
    person_name: str | None
    slot: int = 0
    status: str = ""


@dataclass
class DayEntry:
    shift: GridShift
    starts_today: bool
    local_start: str


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list[DayEntry] = field(default_factory=list)


def grid_bounds(*, year: int, month: int) -> tuple[date, date]:
    """The first and last day the month's grid shows (whole weeks, Monday first)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return weeks[0][0], weeks[-1][-1]


def month_grid(
    *, year: int, month: int, timezone: str, shifts: list[GridShift], today: date
) -> list[list[Day]]:
    """Weeks (Monday first) of the month; each day lists the shifts covering any of it."""
    zone = ZoneInfo(timezone)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    by_day: dict[date, Day] = {}
    grid = []
    for week in weeks:
        row = []
        for day in week:
            cell = Day(day=day, in_month=day.month == month, is_today=day == today)
            by_day[day] = cell
            row.append(cell)
        grid.append(row)
    first, last = weeks[0][0], weeks[-1][-1]
    for shift in sorted(shifts, key=lambda s: (s.start, s.slot)):
        local_start = shift.start.astimezone(zone)
        # The end instant belongs to the next shift, so step back a moment for the last day.
        local_end = (shift.end - timedelta(microseconds=1)).astimezone(zone)
        day = max(local_start.date(), first)
        while day <= min(local_end.date(), last):
            by_day[day].entries.append(
                DayEntry(
                    shift=shift,
                    starts_today=day == local_start.date(),
                    local_start=local_start.strftime("%H:%M"),
                )
            )
            day += timedelta(days=1)
    return grid


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int
    bar_area: int
    max_value: int


def bar_chart(
    values: list[tuple[str, int]], *, bar_area: int = 320, row_height: int = 24
) -> BarChart:
    """Horizontal bars scaled to the largest value (at least 1, so zeros draw flat)."""
    max_value = max((v for _, v in values), default=0) or 1
    bars = [
        Bar(label=label, value=value, y=i * row_height, width=bar_area * value / max_value)
        for i, (label, value) in enumerate(values)
    ]
    return BarChart(
        bars=bars,
        height=max(row_height, len(values) * row_height),
        label_width=170,
        bar_area=bar_area,
        max_value=max_value,
    )
