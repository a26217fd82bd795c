"""VTIMEZONEs built from TZif data: exact for every zone, compact where the zone is regular.

The offsets a VTIMEZONE implies are read by icalendar's own ``Timezone.to_tz`` (a parser
independent of the builder) and compared with ``zoneinfo`` at instants found by scanning
``zoneinfo`` itself, so a transition the builder misses cannot hide from the test.
"""

from __future__ import annotations

import bisect
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import icalendar
import pytest
from dateutil.rrule import rrulestr

from rotation.feed import render, tzif, vtimezone

FIRST_YEAR, LAST_YEAR = 2020, 2040
SCAN_START = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
SCAN_END = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
# No zone changes its offset and back within a day; the VTIMEZONE's own transitions are
# checked too, so a change the scan steps over is still compared where the feed has one.
STEP = timedelta(days=1)


def zoneinfo_transitions(zone: ZoneInfo) -> list[datetime]:
    """Every instant in the years scanned at which ``zone``'s offset changes (to the second)."""
    found: list[datetime] = []
    instant = SCAN_START
    offset = instant.astimezone(zone).utcoffset()
    while instant < SCAN_END:
        following = instant + STEP
        next_offset = following.astimezone(zone).utcoffset()
        if next_offset != offset:
            low, high = instant, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        instant, offset = following, next_offset
    return found


class ParsedZone:
    """The offsets a VTIMEZONE implies, read by icalendar: each observance's onsets (its
    RRULE expanded by dateutil, as icalendar does, but through 2040 where icalendar stops at
    2038), turned into UTC with TZOFFSETFROM, each giving TZOFFSETTO until the next."""

    def __init__(self, component: icalendar.Timezone):
        changes: list[tuple[datetime, timedelta]] = []
        for part in component.walk():
            if part.name not in ("STANDARD", "DAYLIGHT"):
                continue
            onsets = [part.DTSTART]
            if "RRULE" in part:
                recurrence = part["RRULE"].to_ical().decode()
                onsets = list(
                    rrulestr(recurrence, dtstart=part.DTSTART).between(
                        part.DTSTART, SCAN_END.replace(tzinfo=None), inc=True
                    )
                )
            for onset in onsets:
                changes.append(((onset - part.TZOFFSETFROM).replace(tzinfo=UTC), part.TZOFFSETTO))
        changes.sort()
        self.times = [time for time, _offset in changes]
        self.offsets = [offset for _time, offset in changes]

    def offset_at(self, instant: datetime) -> timedelta:
        index = bisect.bisect_right(self.times, instant) - 1
        assert index >= 0, f"{instant} is before the VTIMEZONE's first observance"
        return self.offsets[index]


def parsed_timezone(key: str) -> ParsedZone:
    """The VTIMEZONE feeds carry for ``key``, serialised and parsed back."""
    body = render._render_timezone(key, FIRST_YEAR, LAST_YEAR)
    calendar = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + body + b"END:VCALENDAR\r\n")
    # Not to_tz(): it answers from its own zone database by TZID, and dateutil's zone from a
    # VTIMEZONE misreads the hour before a fall-back and negative DST.
    return ParsedZone(calendar.walk("VTIMEZONE")[0])


def check_points(transitions: list[datetime]) -> list[datetime]:
    """Each transition, the second before it, and the middle of each period between."""
    bounds = [SCAN_START, *transitions, SCAN_END - timedelta(seconds=1)]
    points = [low + (high - low) / 2 for low, high in itertools.pairwise(bounds)]
    for change in transitions:
        points += [change - timedelta(seconds=1), change]
    return sorted(points)


def test_every_zone_gives_zoneinfos_offsets_at_every_transition_2020_to_2040() -> None:
    wrong: dict[str, list[str]] = {}
    for key in sorted(available_timezones()):
        expected, parsed = ZoneInfo(key), parsed_timezone(key)
        changes = zoneinfo_transitions(expected)
        changes += [t for t in parsed.times if SCAN_START <= t < SCAN_END and t not in changes]
        for instant in check_points(sorted(changes)):
            want, got = (
                instant.astimezone(expected).utcoffset(),
                parsed.offset_at(instant),
            )
            if want != got:
                wrong.setdefault(key, []).append(f"{instant:%Y-%m-%dT%H:%M:%SZ} {got} != {want}")
    assert wrong == {}


@pytest.mark.parametrize("key", ["Africa/Casablanca", "Africa/El_Aaiun"])
def test_moroccos_ramadan_weeks_are_in_the_vtimezone(key: str) -> None:
    # 2027-02-07 to 03-14 Morocco is on +00; sampling in 64-day steps lost these weeks.
    parsed = parsed_timezone(key)
    during = datetime(2027, 2, 20, 2, 30, tzinfo=UTC)
    assert parsed.offset_at(during) == timedelta(0)
    assert parsed.offset_at(datetime(2027, 4, 1, tzinfo=UTC)) == timedelta(hours=1)


def test_regular_zones_state_their_rule_as_yearly_rrules_and_irregular_years_as_dates() -> None:
    amsterdam = vtimezone.timezone_component("Europe/Amsterdam", 2026, 2030)
    parts = amsterdam.subcomponents
    # The offset at the start, then one DAYLIGHT and one STANDARD rule, whatever the years.
    assert [p.name for p in parts] == ["STANDARD", "DAYLIGHT", "STANDARD"]
    assert [str(p["RRULE"].to_ical(), "ascii") for p in parts[1:]] == [
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    ]
    casablanca = vtimezone.timezone_component("Africa/Casablanca", 2026, 2027)
    assert all("RRULE" not in p for p in casablanca.subcomponents)
    assert len(casablanca.subcomponents) == 5  # the opening offset and two Ramadans


def test_rules_past_midnight_become_a_weekday_within_days_of_the_month() -> None:
    # Chile: "first Saturday at 24:00" is the Sunday on days 2 to 8.
    chile = tzif.RuleDate(month=9, week=1, weekday=6, time=timedelta(hours=24))
    assert vtimezone.yearly_recurrence(chile) == {
        "FREQ": "YEARLY",
        "BYMONTH": 9,
        "BYDAY": "SU",
        "BYMONTHDAY": [2, 3, 4, 5, 6, 7, 8],
    }
    # Greenland: "last Sunday at -1:00" is the Saturday before, counted from the month's end.
    nuuk = tzif.RuleDate(month=3, week=5, weekday=0, time=timedelta(hours=-1))
    assert vtimezone.yearly_recurrence(nuuk) == {
        "FREQ": "YEARLY",
        "BYMONTH": 3,
        "BYDAY": "SA",
        "BYMONTHDAY": [-8, -7, -6, -5, -4, -3, -2],
    }


def test_footer_parsing() -> None:
    fixed, rule = tzif.parse_footer("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")
    assert fixed is None and rule is not None
    assert rule.standard.offset == timedelta(hours=10, minutes=30)
    assert rule.daylight.offset == timedelta(hours=11)
    fixed, rule = tzif.parse_footer("<+01>-1")
    assert rule is None and fixed is not None and fixed.offset == timedelta(hours=1)
    assert tzif.parse_footer("EST5EDT") == (None, None)  # no rule: not modelled
