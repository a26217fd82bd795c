"""Four independent parsers read the feed's VTIMEZONEs, not their own zone data, and agree
with the database to the second, in the zones that are hardest to get right: Morocco's
Ramadan weeks, Lord Howe's half hour, Chile's Saturday-midnight rule, Chatham's :45 offsets
and Dublin's negative DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rotation.feed import render
from rotation.feed.render import FeedShift
from tests.ics import (
    SYSTEM_PYTHON,
    read_icalendar_vtimezones,
    read_icaljs,
    read_libical,
    read_vobject,
)
from tests.rotation.feed.test_render import person_calendar, shift

ZONES = [
    "Africa/Casablanca",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "Europe/Dublin",
]


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Instants (to the minute) in [start, end) at which ``zone`` changes its offset."""
    found = []
    instant = start
    while instant < end:
        following = instant + timedelta(hours=1)
        if following.astimezone(zone).utcoffset() != instant.astimezone(zone).utcoffset():
            minute = instant
            while minute.astimezone(zone).utcoffset() == instant.astimezone(zone).utcoffset():
                minute += timedelta(minutes=1)
            found.append(minute)
        instant = following
    return found


def hard_shifts() -> list[FeedShift]:
    """Quarter hours around every change of 2026-2027 in each zone, and a daily shift at
    02:30 local through Morocco's 2027 Ramadan weeks (the shifts once an hour off)."""
    shifts: list[FeedShift] = []
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    for key in ZONES:
        for change in transitions(ZoneInfo(key), *window):
            for quarter in range(-8, 8):
                start = change + timedelta(minutes=15 * quarter)
                shifts.append(
                    shift(len(shifts) + 1, start, start + timedelta(minutes=30), timezone=key)
                )
    casablanca = ZoneInfo("Africa/Casablanca")
    for day in range(60):
        local = datetime(2027, 1, 25, 2, 30, tzinfo=casablanca) + timedelta(days=day)
        start = local.astimezone(UTC)
        shifts.append(
            shift(len(shifts) + 1, start, start + timedelta(days=1), timezone=casablanca.key)
        )
    return shifts


def test_icalendar_icaljs_libical_and_vobject_agree_with_the_database() -> None:
    assert SYSTEM_PYTHON.exists(), "libical is read through the system python3: install python3"
    shifts = hard_shifts()
    body = render.render_feed(person_calendar(), shifts)
    expected = {s.uid: (s.start, s.end) for s in shifts}

    by_icaljs = {uid: (seen.start, seen.end) for uid, seen in read_icaljs(body).items()}
    readers = {
        "icalendar": read_icalendar_vtimezones(body),
        "ical.js": by_icaljs,
        "libical": read_libical(body),
        "vobject": read_vobject(body),
    }
    for name, seen in readers.items():
        wrong = {
            uid: (seen.get(uid), want) for uid, want in expected.items() if seen.get(uid) != want
        }
        assert wrong == {}, f"{name} reads {len(wrong)} events differently"
