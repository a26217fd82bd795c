"""Company days off read from an iCalendar file (a shared "Company holidays" calendar).

Every whole day an event covers counts: all-day events (``DTSTART;VALUE=DATE``) give each of
their days, recurring ones expanded; a timed event counts only for the days it covers from
midnight to midnight in its own zone (a 24-hour "office closed" block), so a one-hour meeting
on the calendar closes nothing. Cancelled events are left out. Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import icalendar

NAME_LIMIT = 200
DEFAULT_NAME = "Company day off"
# A calendar naming more days than this in the window is not a calendar of days off.
MAX_DAYS = 400
MAX_EVENTS = 2000


class CalendarError(ValueError):
    """The file is not an iCalendar file allhands can read days off from."""


def days_off(text: bytes, *, first: date, last: date) -> dict[date, str]:
    """The whole days in [first, last] the calendar's events cover, by day, with their name.

    Where two events cover one day, the name first in alphabetical order is kept.
    """
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise CalendarError(f"not an iCalendar file: {exc}") from None
    if calendar.name != "VCALENDAR":
        raise CalendarError("not an iCalendar file: it does not start with BEGIN:VCALENDAR")
    _check_size(calendar)
    # Imported when a calendar is first read, not at start-up: it brings ``x_wr_timezone``
    # and click along.
    import recurring_ical_events

    try:
        events = recurring_ical_events.of(calendar).between(first, last + timedelta(days=1))
    except (ValueError, TypeError, KeyError) as exc:
        raise CalendarError(f"the calendar's events cannot be read: {exc}") from None
    found: dict[date, str] = {}
    for event in events:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        name = _name(event)
        for day in _whole_days(event):
            if first <= day <= last and (day not in found or name < found[day]):
                found[day] = name
    if len(found) > MAX_DAYS:
        raise CalendarError(
            f"the calendar names more than {MAX_DAYS} days off between {first} and {last}"
        )
    return dict(sorted(found.items()))


def _check_size(calendar: icalendar.Calendar) -> None:
    """Refuse what would expand into more occurrences than a calendar of days off has."""
    events = calendar.walk("VEVENT")
    if len(events) > MAX_EVENTS:
        raise CalendarError(f"the calendar has more than {MAX_EVENTS} events")
    for event in events:
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules else []:
            frequency = rule.get("FREQ", ["DAILY"])
            if str(frequency[0]).upper() in {"SECONDLY", "MINUTELY", "HOURLY"}:
                raise CalendarError(
                    f"event {str(event.get('SUMMARY', ''))[:80]!r} repeats more often than daily"
                )


def _name(event: Any) -> str:
    summary = " ".join(str(event.get("SUMMARY", "")).split())
    return (summary or DEFAULT_NAME)[:NAME_LIMIT]


def _whole_days(event: Any) -> Iterable[date]:
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND") if "DTEND" in event else None
    if end is None and "DURATION" in event:
        end = start + event.decoded("DURATION")
    if not isinstance(start, datetime):
        # An all-day event: DTEND is exclusive; without one it lasts the one day.
        stop = end if isinstance(end, date) and not isinstance(end, datetime) else None
        last = (stop - timedelta(days=1)) if stop and stop > start else start
        return _days(start, last)
    if not isinstance(end, datetime) or end <= start:
        return ()
    # A timed event: the local days fully inside it, in the event's own zone.
    tz = start.tzinfo
    local_end = end.astimezone(tz) if tz is not None and end.tzinfo is not None else end
    first = start.date() if start.time() == datetime.min.time() else start.date() + timedelta(1)
    last = local_end.date() - timedelta(days=1)
    return _days(first, last)


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
