"""Read a feed the way three independent calendar parsers do, for tests to compare.

- ``icalendar``: the library that writes the feeds, reading them back;
- ``recurring-ical-events``: how Python calendar tools expand a feed into occurrences;
- Mozilla's ``ical.js`` (Thunderbird's parser), through ``tests/js/parse_ics.mjs`` in node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events
import vobject

ROOT = Path(__file__).resolve().parent.parent
ICALJS_SCRIPT = ROOT / "tests" / "js" / "parse_ics.mjs"
ICALJS_PACKAGE = ROOT / "node_modules" / "ical.js" / "package.json"


@dataclass(frozen=True)
class Seen:
    """One event as a parser understood it."""

    start: datetime
    end: datetime
    status: str
    sequence: int


def _utc(value: datetime) -> datetime:
    # Compare instants in UTC: Python never calls an aware time in a repeated (fall-back)
    # hour equal to one in another zone, even when they are the same instant.
    return value.astimezone(UTC)


def read_icalendar(body: bytes) -> dict[str, Seen]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(event["UID"]): Seen(
            start=_utc(event.start),
            end=_utc(event.end),
            status=str(event.get("STATUS", "")),
            sequence=int(event.get("SEQUENCE", 0)),
        )
        for event in calendar.walk("VEVENT")
    }


def read_recurring(body: bytes) -> dict[str, Seen]:
    calendar = icalendar.Calendar.from_ical(body)
    occurrences = recurring_ical_events.of(calendar).between(
        datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    seen: dict[str, Seen] = {}
    for event in occurrences:
        uid = str(event["UID"])
        assert uid not in seen, f"{uid} occurs more than once"
        seen[uid] = Seen(
            start=_utc(event.start),
            end=_utc(event.end),
            status=str(event.get("STATUS", "")),
            sequence=int(event.get("SEQUENCE", 0)),
        )
    return seen


def run_icaljs(body: bytes) -> dict[str, Any]:
    """The JSON ``parse_ics.mjs`` prints for ``body``; ``make test`` installs ical.js."""
    node = shutil.which("node")
    assert node is not None, "node is required: the feeds are checked with Mozilla's ical.js"
    assert ICALJS_PACKAGE.exists(), "ical.js is missing: run `npm ci` (make test does)"
    result = subprocess.run(
        [node, str(ICALJS_SCRIPT)], input=body, capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def read_icaljs(body: bytes) -> dict[str, Seen]:
    """Events as ical.js reads them; every TZID must resolve through the feed's VTIMEZONE."""
    seen: dict[str, Seen] = {}
    for event in run_icaljs(body)["events"]:
        assert event["tz_resolved"], f"ical.js did not resolve the TZID of {event['uid']}"
        seen[event["uid"]] = Seen(
            start=datetime.fromisoformat(event["start"]),
            end=datetime.fromisoformat(event["end"]),
            status=event["status"] or "",
            sequence=event["sequence"],
        )
    return seen


def read_all(body: bytes) -> dict[str, Seen]:
    """The events of ``body``, after checking that all three parsers agree on every one."""
    by_icalendar = read_icalendar(body)
    assert read_recurring(body) == by_icalendar
    assert read_icaljs(body) == by_icalendar
    return by_icalendar


def utc(text: str) -> datetime:
    """An instant from ISO text, e.g. ``utc("2026-10-19T07:00")``."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The system interpreter that sees Debian's libical bindings (the venv does not).
SYSTEM_PYTHON = Path("/usr/bin/python3")
LIBICAL_SCRIPT = ROOT / "tests" / "libical_read.py"


def read_libical(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """Event times as libical reads them; every TZID must resolve through the feed.

    ``make unit`` installs ``gir1.2-ical-3.0`` and ``python3-gi`` when it can.
    """
    result = subprocess.run(
        [str(SYSTEM_PYTHON), str(LIBICAL_SCRIPT)],
        input=body,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    seen: dict[str, tuple[datetime, datetime]] = {}
    for event in json.loads(result.stdout):
        assert event["resolved"], f"libical used its own zone for {event['uid']}"
        seen[event["uid"]] = (
            datetime.fromtimestamp(event["start"], UTC),
            datetime.fromtimestamp(event["end"], UTC),
        )
    return seen


def read_vobject(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """Event times as vobject (dateutil's VTIMEZONE reading) gives them."""
    calendar = vobject.readOne(body.decode())
    return {
        str(event.uid.value): (_utc(event.dtstart.value), _utc(event.dtend.value))
        for event in calendar.vevent_list
    }


def read_icalendar_vtimezones(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """Event times through the feed's VTIMEZONEs as icalendar reads them.

    ``read_icalendar`` resolves a TZID from its own zone database, which hides a wrong
    VTIMEZONE; this reads each local time with the zone built from the VTIMEZONE.
    """
    calendar = icalendar.Calendar.from_ical(body)
    zones = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in calendar.timezones}
    seen: dict[str, tuple[datetime, datetime]] = {}
    for event in calendar.walk("VEVENT"):
        times = []
        for name in ("DTSTART", "DTEND"):
            prop = event[name]
            tzid = prop.params.get("TZID")
            value = prop.dt
            if tzid is not None:
                value = value.replace(tzinfo=zones[tzid])
            times.append(_utc(value))
        seen[str(event["UID"])] = (times[0], times[1])
    return seen
