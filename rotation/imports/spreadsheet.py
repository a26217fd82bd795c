"""CSV from a spreadsheet rotation: ``start,end,email[,rotation]``, one row per shift.

Each rotation's cadence is read off its rows: the handoff is the commonest local start time,
the shift length the commonest gap between starts, the zone the first well-known zone (or
any zone) whose offsets match every row's offset. The roster is the order in which people
first appear. Every row is kept: rows before now become history, later rows are what the
import must reproduce (where the rule would pick someone else, an override does).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from slugify import slugify

from rotation.imports import common
from rotation.imports.plan import (
    ImportFileError,
    RotationPlan,
    SchedulePlan,
    SourcePerson,
    SourceShift,
    fingerprint,
)

KIND = "csv"
DEFAULT_ROTATION = "Imported rotation"
PREFERRED_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
)


@dataclass(frozen=True)
class Row:
    """One shift as written: ``where`` names it in errors ("line 5", "event <uid>")."""

    where: str
    start: datetime  # as written, with its offset
    end: datetime
    email: str


def parse(text: str, *, now: datetime, name: str = "") -> SchedulePlan:
    """The plan of a spreadsheet; ImportFileError names the line at fault.

    The file's name is its stable key (a re-exported sheet of the same name is the same
    source); without one, its content is.
    """
    by_rotation = _rows(text)
    digest = fingerprint(text)
    source_key = f"{KIND}:{slugify(name) or digest[:16]}"
    people: dict[str, SourcePerson] = {}
    rotations = []
    for rotation_name, rows in by_rotation.items():
        for row in rows:
            people.setdefault(
                row.email, SourcePerson(key=row.email, name=_name(row.email), email=row.email)
            )
        rotations.append(rotation_from_rows(rotation_name, rows, key=source_key))
    return SchedulePlan(
        kind=KIND,
        key=source_key,
        name=name or "Spreadsheet",
        timezone=rotations[0].timezone,
        fingerprint=digest,
        people=tuple(people.values()),
        rotations=tuple(rotations),
    )


def _name(email: str) -> str:
    return email.split("@", 1)[0].replace(".", " ").replace("_", " ").title()


def _rows(text: str) -> dict[str, list[Row]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:3] != ["start", "end", "email"] or header[3:] not in ([], ["rotation"]):
        raise ImportFileError(
            "line 1", 'the header must be "start,end,email" or "start,end,email,rotation"'
        )
    by_rotation: dict[str, list[Row]] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise ImportFileError(
                f"line {line}", f"expected {len(header)} columns, got {len(cells)}"
            )
        start = _instant(cells[0], line, "start")
        end = _instant(cells[1], line, "end")
        if end <= start:
            raise ImportFileError(f"line {line}", "end is not after start")
        email = cells[2].strip().lower()
        if "@" not in email or " " in email:
            raise ImportFileError(f"line {line}", f"{cells[2]!r} is not an email address")
        rotation = (cells[3].strip() if len(cells) > 3 else "") or DEFAULT_ROTATION
        by_rotation.setdefault(rotation, []).append(Row(f"line {line}", start, end, email))
    if not by_rotation:
        raise ImportFileError("line 2", "no shifts: the file has a header and nothing else")
    for rows in by_rotation.values():
        check_overlaps(rows)
    return by_rotation


def check_overlaps(rows: list[Row]) -> None:
    """Sort a rotation's rows by start; two that overlap are an error naming both."""
    rows.sort(key=lambda row: row.start)
    for before, after in itertools.pairwise(rows):
        if after.start < before.end:
            raise ImportFileError(after.where, f"overlaps the shift of {before.where}")


def _instant(text: str, line: int, column: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(
            f"line {line}", f"{column} {text!r} is not an ISO 8601 date-time"
        ) from None
    if value.tzinfo is None:
        raise ImportFileError(
            f"line {line}", f"{column} {text!r} needs a UTC offset, e.g. 2027-03-01T09:00:00+01:00"
        )
    return value


def rotation_from_rows(
    rotation_name: str, rows: list[Row], *, key: str, prefer: str | None = None
) -> RotationPlan:
    """A rotation read off its shifts (sorted by start): cadence, zone, roster, all turns."""
    timezone = _zone(rows, rotation_name, prefer=prefer)
    zone = ZoneInfo(timezone)
    local_starts = [row.start.astimezone(zone) for row in rows]
    handoff = Counter(start.time() for start in local_starts).most_common(1)[0][0]
    gaps = Counter(
        (later.date() - earlier.date()).days for earlier, later in itertools.pairwise(local_starts)
    )
    shift_days = (
        gaps.most_common(1)[0][0]
        if gaps
        else max(1, round((rows[0].end - rows[0].start) / timedelta(days=1)))
    )
    if not 1 <= shift_days <= 28:
        raise ImportFileError(
            rows[0].where,
            f"rotation {rotation_name!r} hands off every {shift_days} days; allhands "
            "rotations hand off every 1 to 28 days",
        )
    first = next(start for start in local_starts if start.time() == handoff)
    coverage = _coverage(rows, zone, handoff=handoff, shift_days=shift_days)
    return RotationPlan(
        key=f"{key}:{slugify(rotation_name)}",
        name=rotation_name,
        timezone=timezone,
        start_date=first.date(),
        handoff_time=handoff.replace(second=0, microsecond=0),
        shift_days=shift_days,
        roster=tuple(dict.fromkeys(row.email for row in rows)),
        coverage=coverage,
        shifts=tuple(SourceShift(row.start, row.end, row.email) for row in rows),
    )


def _coverage(
    rows: list[Row], zone: ZoneInfo, *, handoff: Any, shift_days: int
) -> tuple[dict[str, Any], ...]:
    """Coverage windows when the shifts regularly stop short of the next handoff.

    A weekly rotation whose shifts all last Saturday 09:00 to Monday 09:00 covers weekends
    only: its turn still runs week to week, its duty is that window. Without one regular
    length shorter than the turn, the rotation is covered around the clock.
    """
    regular = [row for row in rows if row.start.astimezone(zone).time() == handoff]
    lengths = Counter(
        int(
            (
                row.end.astimezone(zone).replace(tzinfo=None)
                - row.start.astimezone(zone).replace(tzinfo=None)
            ).total_seconds()
            // 60
        )
        for row in regular
    )
    minutes, seen = lengths.most_common(1)[0]
    if minutes >= shift_days * 1440 or seen * 2 < len(regular):
        return ()
    begin = handoff.hour * 60 + handoff.minute
    if shift_days == 1:
        return common.merged_windows(common.span_windows(None, begin, minutes), regular[0].where)
    weekdays = Counter(row.start.astimezone(zone).weekday() for row in regular)
    if shift_days % 7 or len(weekdays) != 1:
        return ()
    pieces = common.span_windows(next(iter(weekdays)), begin, minutes)
    return common.merged_windows(pieces, regular[0].where)


@cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _zone(rows: list[Row], rotation_name: str, *, prefer: str | None) -> str:
    """The first zone whose UTC offsets agree with every row's start and end."""
    stamps = [(value, value.utcoffset()) for row in rows for value in (row.start, row.end)]

    def fits(name: str) -> bool:
        zone = ZoneInfo(name)
        return all(value.astimezone(zone).utcoffset() == offset for value, offset in stamps)

    for name in (*([prefer] if prefer else []), *PREFERRED_ZONES, *_all_zones()):
        if fits(name):
            return name
    raise ImportFileError(
        rows[0].where,
        f"no time zone has the UTC offsets of rotation {rotation_name!r}; write each time "
        "with the offset in force on that day",
    )
