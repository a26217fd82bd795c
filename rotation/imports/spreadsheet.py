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
from zoneinfo import ZoneInfo, available_timezones

from slugify import slugify

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
class _Row:
    line: int
    start: datetime  # as written, with its offset
    end: datetime
    email: str


def parse(text: str, *, now: datetime, name: str = "spreadsheet") -> SchedulePlan:
    """The plan of a spreadsheet; ImportFileError names the line at fault."""
    by_rotation = _rows(text)
    people: dict[str, SourcePerson] = {}
    rotations = []
    for rotation_name, rows in by_rotation.items():
        for row in rows:
            people.setdefault(
                row.email, SourcePerson(key=row.email, name=_name(row.email), email=row.email)
            )
        rotations.append(_rotation(rotation_name, rows, name=name))
    return SchedulePlan(
        kind=KIND,
        key=f"{KIND}:{slugify(name)}",
        name=name,
        timezone=rotations[0].timezone,
        fingerprint=fingerprint(text),
        people=tuple(people.values()),
        rotations=tuple(rotations),
    )


def _name(email: str) -> str:
    return email.split("@", 1)[0].replace(".", " ").replace("_", " ").title()


def _rows(text: str) -> dict[str, list[_Row]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:3] != ["start", "end", "email"] or header[3:] not in ([], ["rotation"]):
        raise ImportFileError(
            "line 1", 'the header must be "start,end,email" or "start,end,email,rotation"'
        )
    by_rotation: dict[str, list[_Row]] = {}
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
        by_rotation.setdefault(rotation, []).append(_Row(line, start, end, email))
    if not by_rotation:
        raise ImportFileError("line 2", "no shifts: the file has a header and nothing else")
    for rows in by_rotation.values():
        rows.sort(key=lambda row: row.start)
        for before, after in itertools.pairwise(rows):
            if after.start < before.end:
                raise ImportFileError(
                    f"line {after.line}", f"overlaps the shift on line {before.line}"
                )
    return by_rotation


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


def _rotation(rotation_name: str, rows: list[_Row], *, name: str) -> RotationPlan:
    timezone = _zone(rows, rotation_name)
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
            f"line {rows[0].line}",
            f"rotation {rotation_name!r} hands off every {shift_days} days; allhands "
            "rotations hand off every 1 to 28 days",
        )
    first = next(start for start in local_starts if start.time() == handoff)
    return RotationPlan(
        key=f"{KIND}:{slugify(name)}:{slugify(rotation_name)}",
        name=rotation_name,
        timezone=timezone,
        start_date=first.date(),
        handoff_time=handoff.replace(second=0, microsecond=0),
        shift_days=shift_days,
        roster=tuple(dict.fromkeys(row.email for row in rows)),
        shifts=tuple(SourceShift(row.start, row.end, row.email) for row in rows),
    )


@cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _zone(rows: list[_Row], rotation_name: str) -> str:
    """The first zone whose UTC offsets agree with every row's start and end."""
    stamps = [(value, value.utcoffset()) for row in rows for value in (row.start, row.end)]

    def fits(name: str) -> bool:
        zone = ZoneInfo(name)
        return all(value.astimezone(zone).utcoffset() == offset for value, offset in stamps)

    for name in (*PREFERRED_ZONES, *_all_zones()):
        if fits(name):
            return name
    raise ImportFileError(
        f"line {rows[0].line}",
        f"no time zone has the UTC offsets of rotation {rotation_name!r}; write each time "
        "with the offset in force on that day",
    )
