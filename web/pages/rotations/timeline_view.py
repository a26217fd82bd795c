"""The rolling schedule: this week and the weeks after it, one row a week, each shift a bar
across the hours it covers, in the viewer's timezone (like the on-call tools people know).

Drawn as one SVG per week: positions are attributes, which the content security policy
allows where inline styles are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rotation.models import Shift

WEEKS_SHOWN = 8
DAY_WIDTH = 100
WEEK_WIDTH = 7 * DAY_WIDTH
HEADER = 22
LANE = 28
COLOURS = 8
# About how many characters of a bar's label fit in one day's width at the default size.
CHARS_PER_DAY = 12


@dataclass(frozen=True)
class Bar:
    shift_id: int
    label: str
    title: str
    x: float
    y: int
    width: float
    colour: int | None  # None: nobody is on this shift
    kind: str
    mine: bool


@dataclass(frozen=True)
class Week:
    monday: date
    days: list[date]
    height: int
    bars: list[Bar]
    now_x: float | None
    today_index: int | None
    summary: str


def _week_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight starting the week of ``day``, in UTC: aware datetimes sharing one zone
    subtract by wall clock, which would lose or gain the DST hour."""
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(0), tzinfo=zone).astimezone(UTC)


def _x(instant: datetime, *, start: datetime, end: datetime) -> float:
    """Where ``instant`` falls across the week's width (a DST week is 167 or 169 hours)."""
    clamped = min(max(instant, start), end)
    return WEEK_WIDTH * (clamped - start) / (end - start)


def _fit(label: str, width: float) -> str:
    room = int(width / DAY_WIDTH * CHARS_PER_DAY)
    if len(label) <= room:
        return label
    return label[: max(room - 1, 0)] + "…" if room > 1 else ""


def _lanes(shifts: list[Shift]) -> dict[int, int]:
    """A lane per shift so that bars overlapping in time sit one above the other."""
    ends: list[datetime] = []
    lanes: dict[int, int] = {}
    for shift in sorted(shifts, key=lambda s: (s.start, s.slot, s.id)):
        lane = next((i for i, end in enumerate(ends) if end <= shift.start), len(ends))
        if lane == len(ends):
            ends.append(shift.end)
        else:
            ends[lane] = shift.end
        lanes[shift.id] = lane
    return lanes


def _bar(
    shift: Shift,
    *,
    lane: int,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    colours: dict[int, int],
    viewer_id: int,
) -> Bar:
    x = _x(shift.start, start=start, end=end)
    width = max(_x(shift.end, start=start, end=end) - x, 2.0)
    name = shift.person.name if shift.person is not None else "Nobody (uncovered)"
    moment = "%a %d %b %H:%M"
    when = f"{shift.start.astimezone(zone):{moment}} to {shift.end.astimezone(zone):{moment}}"
    marked = {"override": " (override)", "swap": " (swap)"}.get(shift.kind, "")
    if shift.role == "shadow":
        marked = " (shadowing)"
    return Bar(
        shift_id=shift.id,
        label=_fit(name + marked, width),
        title=f"{name}{marked}: {when}",
        x=round(x, 1),
        y=HEADER + lane * LANE + 3,
        width=round(width, 1),
        colour=colours.get(shift.person_id) if shift.person_id is not None else None,
        kind=shift.kind,
        mine=shift.person_id == viewer_id,
    )


def colours_for(person_ids: Iterable[int]) -> dict[int, int]:
    """A colour per person, in roster order, so each person keeps theirs week after week."""
    return {person_id: n % COLOURS for n, person_id in enumerate(person_ids)}


def weeks(
    shifts: list[Shift],
    *,
    now: datetime,
    timezone: str,
    colours: dict[int, int],
    viewer_id: int,
    count: int = WEEKS_SHOWN,
) -> list[Week]:
    """``count`` weeks from the one holding ``now``, each with the bars of its shifts."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = _week_start(today, zone)
    rows = []
    for n in range(count):
        monday = first.astimezone(zone).date() + timedelta(weeks=n)
        start = _week_start(monday, zone)
        end = _week_start(monday + timedelta(days=7), zone)
        inside = [s for s in shifts if s.start < end and s.end > start]
        lanes = _lanes(inside)
        bars = [
            _bar(
                s,
                lane=lanes[s.id],
                start=start,
                end=end,
                zone=zone,
                colours=colours,
                viewer_id=viewer_id,
            )
            for s in inside
        ]
        height = HEADER + max(len(set(lanes.values())), 1) * LANE + 6
        days = [monday + timedelta(days=d) for d in range(7)]
        rows.append(
            Week(
                monday=monday,
                days=days,
                height=height,
                bars=bars,
                now_x=round(_x(now, start=start, end=end), 1) if start <= now < end else None,
                today_index=days.index(today) if today in days else None,
                summary="; ".join(bar.title for bar in bars) or "no shifts",
            )
        )
    return rows
