"""Helpers the source parsers share: reading JSON paths, instants, turns and restrictions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rotation.coverage import MINUTES_PER_DAY, WEEKDAYS, hhmm, parse_windows
from rotation.imports.plan import ImportFileError, RotationPlan, SourceShift
from rotation.timeline import Cadence

# How far ahead of "now" a plan spells out each rotation's turns: the fidelity window.
AHEAD = timedelta(weeks=12)


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from None


def field(node: Any, path: str, name: str, kind: type | tuple[type, ...]) -> Any:
    """``node[name]`` checked to be of ``kind``; the error names ``path.name``."""
    if not isinstance(node, dict):
        raise ImportFileError(path, "expected an object")
    if name not in node or node[name] is None:
        raise ImportFileError(f"{path}.{name}", "is missing")
    value = node[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ImportFileError(f"{path}.{name}", f"has the wrong type ({type(value).__name__})")
    return value


def instant(text: Any, path: str) -> datetime:
    """An ISO 8601 instant with an offset (or Z), as UTC."""
    if not isinstance(text, str):
        raise ImportFileError(path, "expected an ISO 8601 date-time")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(path, f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise ImportFileError(path, f"{text!r} has no UTC offset")
    return value.astimezone(UTC)


def zone(name: Any, path: str) -> str:
    if not isinstance(name, str):
        raise ImportFileError(path, "expected an IANA time zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFileError(path, f"unknown time zone {name!r}") from None
    return name


def whole_days(seconds: int, path: str) -> int:
    """A turn length in days; allhands rotations hand off every 1 to 28 days."""
    days, rest = divmod(seconds, 86_400)
    if rest or not 1 <= days <= 28:
        raise ImportFileError(
            path,
            f"a turn of {seconds} seconds is not a whole number of days from 1 to 28; "
            "allhands rotations hand off every 1 to 28 days",
        )
    return days


def turns(
    cadence: Cadence,
    roster: Sequence[str],
    *,
    since: datetime,
    now: datetime,
    until: datetime | None,
) -> list[SourceShift]:
    """Round-robin turns over ``roster`` (turn 0 = roster[0]) from ``since`` at the earliest:
    one full round before ``now`` as history, then on to ``until`` (at least 12 weeks)."""
    end = max(until or now, now + AHEAD)
    index = max(cadence.index_at(since), cadence.index_at(now) - len(roster))
    result = []
    while cadence.handoff(index) < end:
        start, stop = cadence.bounds(index)
        if stop > since:
            result.append(SourceShift(max(start, since), stop, roster[index % len(roster)]))
        index += 1
    return result


def cadence_from(start: datetime, timezone: str, shift_days: int) -> Cadence:
    """The cadence whose turn 0 starts at ``start``, wall-clock in ``timezone``."""
    local = start.astimezone(ZoneInfo(timezone))
    return Cadence(
        timezone=timezone,
        start_date=local.date(),
        handoff_time=time(local.hour, local.minute),
        shift_days=shift_days,
    )


def round_robin(
    *,
    key: str,
    name: str,
    origin: datetime,
    timezone: str,
    shift_days: int,
    roster: Sequence[str],
    coverage: tuple[dict[str, Any], ...],
    since: datetime,
    now: datetime,
    until: datetime | None,
    ended: bool = False,
) -> RotationPlan:
    """A rotation handing off every ``shift_days`` from ``origin`` (turn 0, wall-clock in
    ``timezone``), its turns round-robin over ``roster`` from ``since``; none once ``ended``."""
    cadence = cadence_from(origin, timezone, shift_days)
    return RotationPlan(
        key=key,
        name=name,
        timezone=timezone,
        start_date=cadence.start_date,
        handoff_time=cadence.handoff_time,
        shift_days=shift_days,
        roster=tuple(dict.fromkeys(roster)),
        coverage=coverage,
        shifts=() if ended else tuple(turns(cadence, roster, since=since, now=now, until=until)),
    )


def span_windows(first_day: int | None, start: int, minutes: int) -> list[dict[str, Any]]:
    """Coverage windows for a span of ``minutes`` from ``start`` minutes after midnight.

    ``first_day`` None = every day (a daily restriction); otherwise a weekday 0..6 where a
    weekly span begins, which may run over several days.
    """
    if minutes <= 0:
        return []
    if first_day is None:
        if minutes >= MINUTES_PER_DAY:
            return []  # all day every day: around the clock
        end = start + minutes
        days = list(WEEKDAYS)
        if end <= MINUTES_PER_DAY:
            return [{"days": days, "start": hhmm(start), "end": hhmm(end), "overnight": False}]
        return [
            {
                "days": days,
                "start": hhmm(start),
                "end": hhmm(end - MINUTES_PER_DAY),
                "overnight": True,
            }
        ]
    pieces: list[dict[str, Any]] = []
    day, at, left = first_day, start, min(minutes, 7 * MINUTES_PER_DAY)
    while left > 0:
        length = min(left, MINUTES_PER_DAY - at)
        pieces.append(
            {
                "days": [WEEKDAYS[day % 7]],
                "start": hhmm(at),
                "end": hhmm(at + length),
                "overnight": False,
            }
        )
        left -= length
        day, at = day + 1, 0
    return pieces


def merged_windows(pieces: Sequence[dict[str, Any]], path: str) -> tuple[dict[str, Any], ...]:
    """Windows with the same hours joined into one naming several days, checked."""
    by_hours: dict[tuple[str, str, bool], list[str]] = {}
    for piece in pieces:
        key = (piece["start"], piece["end"], piece["overnight"])
        by_hours.setdefault(key, [])
        by_hours[key].extend(d for d in piece["days"] if d not in by_hours[key])
    windows = tuple(
        {
            "days": sorted(days, key=WEEKDAYS.index),
            "start": start,
            "end": end,
            "overnight": overnight,
        }
        for (start, end, overnight), days in by_hours.items()
    )
    try:
        parse_windows(windows)
    except ValueError as exc:
        raise ImportFileError(
            path, f"the restrictions do not make coverage windows: {exc}"
        ) from None
    return windows


def minutes_of(text: Any, path: str) -> int:
    """Minutes after midnight of "HH:MM" or "HH:MM:SS"."""
    if not isinstance(text, str):
        raise ImportFileError(path, 'expected a time of day "HH:MM:SS"')
    try:
        value = time.fromisoformat(text)
    except ValueError:
        raise ImportFileError(path, f"{text!r} is not a time of day") from None
    return value.hour * 60 + value.minute


def local_date(value: datetime, timezone: str) -> date:
    return value.astimezone(ZoneInfo(timezone)).date()
