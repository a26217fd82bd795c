"""An iCal file (a Google Calendar export, any calendar's .ics): shifts as events.

Recurring events are expanded (RRULE, RDATE, EXDATE, moved occurrences). Each event's person
is its one attendee (``mailto:``), else an email in its title, else its title (then the
people map names the email). Events group into rotations by ``CATEGORIES``, else the
calendar's name; each rotation's cadence, handoff time, zone (``X-WR-TIMEZONE``, else the
events' own zone) and roster order are read off its events the way a spreadsheet's rows are,
and events that do not fit the pattern are kept as overrides. Files only: the server fetches
no URLs.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from slugify import slugify

from rotation.imports import common
from rotation.imports.plan import ImportFileError, SchedulePlan, SourcePerson, fingerprint
from rotation.imports.spreadsheet import Row, check_overlaps, rotation_from_rows

KIND = "ical"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HISTORY = timedelta(weeks=26)


def parse(text: str, *, now: datetime, name: str = "") -> SchedulePlan:
    """The plan of a calendar; ImportFileError names the event (by UID) at fault."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ImportFileError("calendar", f"not an iCalendar file: {exc}") from None
    # The calendar's own name is its stable key, else the file's, else its content.
    title = str(calendar.get("X-WR-CALNAME") or name or "Calendar")
    stable = str(calendar.get("X-WR-CALNAME") or name) or fingerprint(text)[:16]
    prefer = _zone_name(calendar.get("X-WR-TIMEZONE"))
    # Imported for the first import, not at start-up: it brings ``x_wr_timezone`` and click.
    import recurring_ical_events

    try:
        events = recurring_ical_events.of(calendar).between(
            now - HISTORY, now + common.AHEAD + timedelta(weeks=4)
        )
    except Exception as exc:  # the library raises its own types for broken rules
        raise ImportFileError("calendar", f"cannot expand its events: {exc}") from None
    people: dict[str, SourcePerson] = {}
    groups: dict[str, list[Row]] = {}
    zones: dict[str, Counter[str]] = {}
    for event in events:
        row, group, zone = _row(event, people, default_group=title)
        groups.setdefault(group, []).append(row)
        if zone and zone != "UTC":
            zones.setdefault(group, Counter())[zone] += 1
    if not groups:
        raise ImportFileError("calendar", "has no timed events around now to import")
    key = f"{KIND}:{slugify(stable) or fingerprint(text)[:16]}"
    rotations = []
    for group, rows in groups.items():
        # The events' own zone, else the calendar's: exports often write UTC times and name
        # the zone once (X-WR-TIMEZONE), while a handoff is a wall-clock time in that zone.
        own = zones.get(group)
        zone_name = own.most_common(1)[0][0] if own else prefer
        if zone_name is not None:
            local = ZoneInfo(zone_name)
            rows = [
                Row(r.where, r.start.astimezone(local), r.end.astimezone(local), r.email)
                for r in rows
            ]
        check_overlaps(rows)
        rotations.append(rotation_from_rows(group, rows, key=key, prefer=zone_name))
    return SchedulePlan(
        kind=KIND,
        key=key,
        name=title,
        timezone=rotations[0].timezone,
        fingerprint=fingerprint(text),
        people=tuple(people.values()),
        rotations=tuple(rotations),
    )


def _zone_name(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return common.zone(str(value), "X-WR-TIMEZONE")
    except ImportFileError:
        return None


def _row(
    event: Any, people: dict[str, SourcePerson], *, default_group: str
) -> tuple[Row, str, str | None]:
    uid = str(event.get("UID") or "?")
    where = f"event {uid}"
    start, end = event.get("DTSTART"), event.get("DTEND")
    if start is None:
        raise ImportFileError(where, "has no DTSTART")
    begins = start.dt
    if end is not None:
        ends = end.dt
    elif event.get("DURATION") is not None:
        ends = begins + event.get("DURATION").dt
    else:
        raise ImportFileError(where, "has neither DTEND nor DURATION")
    if not isinstance(begins, datetime) or not isinstance(ends, datetime):
        begins, ends = _all_day(begins, ends, where)
    if begins.tzinfo is None or ends.tzinfo is None:
        raise ImportFileError(where, "has a floating time: give it a TZID or UTC (Z)")
    if ends <= begins:
        raise ImportFileError(where, "ends before it starts")
    zone = getattr(begins.tzinfo, "key", None)
    person = _person(event, where, people)
    categories = event.get("CATEGORIES")
    group = default_group
    if categories is not None:
        listed = categories.cats if hasattr(categories, "cats") else []
        if listed:
            group = str(listed[0])
    return Row(where, begins, ends, person), group, zone


def _all_day(begins: Any, ends: Any, where: str) -> tuple[datetime, datetime]:
    if isinstance(begins, date) and isinstance(ends, date):
        # An all-day shift: midnight to midnight in UTC, unless the calendar says otherwise.
        return (
            datetime(begins.year, begins.month, begins.day, tzinfo=UTC),
            datetime(ends.year, ends.month, ends.day, tzinfo=UTC),
        )
    raise ImportFileError(where, "mixes a date and a date-time")


def _person(event: Any, where: str, people: dict[str, SourcePerson]) -> str:
    attendees = event.get("ATTENDEE")
    if attendees is not None and not isinstance(attendees, list):
        attendees = [attendees]
    summary = str(event.get("SUMMARY") or "").strip()
    if attendees:
        if len(attendees) > 1:
            raise ImportFileError(
                where, "has several attendees; allhands imports one person per shift"
            )
        address = str(attendees[0])
        email = address.split(":", 1)[1] if address.lower().startswith("mailto:") else address
        name = str(attendees[0].params.get("CN") or "") or email.split("@")[0].title()
        key = email.strip().lower()
        people.setdefault(key, SourcePerson(key=key, name=name, email=key))
        return key
    found = EMAIL.search(summary)
    if found:
        key = found.group(0).lower()
        people.setdefault(key, SourcePerson(key=key, name=key.split("@")[0].title(), email=key))
        return key
    if not summary:
        raise ImportFileError(where, "names nobody: give it an attendee or a title")
    people.setdefault(summary, SourcePerson(key=summary, name=summary))
    return summary
