"""The pure feed renderer: times across DST, byte stability, feed properties, privacy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.feed import render as calendar
from rotation.feed.render import FeedCalendar, FeedShift, Perspective
from tests.ics import read_all, read_icalendar, run_icaljs, utc

BASE_URL = "https://allhands.example.com"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def person_calendar(**changes: object) -> FeedCalendar:
    feed = FeedCalendar(
        name="Support shifts: Ana",
        description="Your shifts",
        identity="person:1",
        base_url=BASE_URL,
        perspective=Perspective.PERSON,
    )
    return replace(feed, **changes)  # type: ignore[arg-type]


def shift(
    shift_id: int,
    start: datetime,
    end: datetime,
    *,
    timezone: str = "Europe/Amsterdam",
    **kw: object,
) -> FeedShift:
    values: dict[str, object] = {
        "shift_id": shift_id,
        "uid": f"shift-{shift_id}@allhands.example.com",
        "rotation_slug": "tier-2",
        "rotation_name": "Tier 2 support",
        "timezone": timezone,
        "slot": 0,
        "people_per_shift": 1,
        "start": start,
        "end": end,
        "sequence": 0,
        "created_at": utc("2026-09-01T12:00"),
        "modified_at": utc("2026-09-01T12:00"),
        "assignee": "Ana Alvarez",
        "on_shift": ("Ana Alvarez",),
    }
    values.update(kw)
    return FeedShift(**values)  # type: ignore[arg-type]


def weekly_amsterdam(weeks: int, *, first: datetime) -> list[FeedShift]:
    """Weekly shifts handing off at 09:00 Amsterdam time, as the scheduler makes them."""
    local_first = first.astimezone(AMSTERDAM)
    starts = [
        datetime.combine(
            local_first.date() + timedelta(weeks=k), local_first.time(), tzinfo=AMSTERDAM
        ).astimezone(UTC)
        for k in range(weeks + 1)
    ]
    return [shift(k + 1, starts[k], starts[k + 1]) for k in range(weeks)]


def test_weekly_amsterdam_shift_across_dst_change_reads_the_same_in_every_parser() -> None:
    shifts = weekly_amsterdam(3, first=utc("2026-10-19T07:00"))
    body = calendar.render_feed(person_calendar(), shifts)

    seen = read_all(body)

    # 09:00 CEST is 07:00Z; after the change on 25 October 09:00 CET is 08:00Z.
    assert [(seen[s.uid].start, seen[s.uid].end) for s in shifts] == [
        (utc("2026-10-19T07:00"), utc("2026-10-26T08:00")),
        (utc("2026-10-26T08:00"), utc("2026-11-02T08:00")),
        (utc("2026-11-02T08:00"), utc("2026-11-09T08:00")),
    ]
    assert seen[shifts[0].uid].end - seen[shifts[0].uid].start == timedelta(hours=169)
    assert b"DTSTART;TZID=Europe/Amsterdam:20261019T090000" in body
    assert b"DTEND;TZID=Europe/Amsterdam:20261026T090000" in body


def test_ical_js_resolves_the_tzid_through_the_feeds_own_vtimezone() -> None:
    shifts = weekly_amsterdam(2, first=utc("2026-03-23T08:00"))
    body = calendar.render_feed(person_calendar(), shifts)

    parsed = run_icaljs(body)

    assert parsed["timezones"] == ["Europe/Amsterdam"]
    assert all(e["start_tzid"] == "Europe/Amsterdam" for e in parsed["events"])
    assert all(e["tz_resolved"] for e in parsed["events"])
    # Without the VTIMEZONE, ical.js cannot resolve the TZID: the check can fail.
    stripped = body.replace(calendar._render_timezone("Europe/Amsterdam", 2026, 2026), b"")
    assert b"VTIMEZONE" not in stripped
    assert not any(e["tz_resolved"] for e in run_icaljs(stripped)["events"])


def test_every_tzid_has_a_matching_vtimezone_covering_the_events() -> None:
    shifts = [
        shift(1, utc("2026-12-28T08:00"), utc("2027-01-04T08:00")),
        shift(2, utc("2026-06-01T13:00"), utc("2026-06-08T13:00"), timezone="America/New_York"),
        shift(3, utc("2026-06-01T03:30"), utc("2026-06-02T03:30"), timezone="Asia/Kolkata"),
        shift(4, utc("2026-06-01T09:00"), utc("2026-06-02T09:00"), timezone="UTC"),
    ]
    body = calendar.render_feed(person_calendar(), shifts)
    parsed = icalendar.Calendar.from_ical(body)

    assert parsed.get_missing_tzids() == set()
    assert sorted(tz.tz_name for tz in parsed.timezones) == [
        "America/New_York",
        "Asia/Kolkata",
        "Europe/Amsterdam",
    ]
    assert b"DTSTART:20260601T090000Z" in body  # UTC needs no VTIMEZONE
    # The yearly rule as RRULEs from the first year on: ical.js misreads RDATE lists.
    assert b"RDATE" not in body
    assert (
        b"BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
        b"TZNAME:CEST" in body
    )
    assert (
        b"BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
        b"\r\nTZNAME:CET" in body
    )
    read_all(body)


def transition_near(day: datetime, zone: ZoneInfo) -> datetime:
    """The instant within a day and a half of ``day`` when ``zone`` changes its offset."""
    instant = day - timedelta(hours=12)
    while (
        instant.astimezone(zone).utcoffset()
        == (instant + timedelta(minutes=15)).astimezone(zone).utcoffset()
    ):
        instant += timedelta(minutes=15)
        assert instant < day + timedelta(hours=24), "no transition found"
    return instant + timedelta(minutes=15)


def test_instants_around_every_transition_survive_all_three_parsers() -> None:
    # Quarter hours through both DST changes of zones with 1 h and 30 min shifts, north and
    # south: a repeated wall-clock hour must still name the right instant everywhere.
    # Two years, so each zone's VTIMEZONE holds several changes of each kind.
    transitions = {
        "Europe/Amsterdam": ["2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"],
        "America/New_York": ["2026-03-08", "2026-11-01", "2027-03-14", "2027-11-07"],
        "Australia/Sydney": ["2026-04-05", "2026-10-04", "2027-04-04", "2027-10-03"],
        "Australia/Lord_Howe": ["2026-04-05", "2026-10-04", "2027-04-04", "2027-10-03"],
    }
    shifts: list[FeedShift] = []
    for zone, days in transitions.items():
        for day in days:
            change = transition_near(utc(day), ZoneInfo(zone))
            for quarter in range(-12, 12):
                start = change + timedelta(minutes=15 * quarter)
                shifts.append(
                    shift(len(shifts) + 1, start, start + timedelta(minutes=30), timezone=zone)
                )

    seen = read_all(calendar.render_feed(person_calendar(), shifts))

    assert {uid: (s.start, s.end) for uid, s in seen.items()} == {
        s.uid: (s.start, s.end) for s in shifts
    }


@settings(max_examples=200, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(
        ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
    ),
)
def test_any_instant_reads_back_exactly(instant: datetime, zone: str) -> None:
    instant = instant.replace(microsecond=0, second=0)
    event = shift(1, instant, instant + timedelta(hours=1), timezone=zone)
    seen = read_icalendar(calendar.render_feed(person_calendar(), [event]))
    assert (seen[event.uid].start, seen[event.uid].end) == (event.start, event.end)


def test_output_is_byte_stable_and_equals_icalendars_own_serialisation() -> None:
    shifts = weekly_amsterdam(30, first=utc("2026-10-19T07:00"))
    feed = person_calendar()

    first = calendar.render_feed(feed, shifts)
    calendar.render_shift.cache_clear()
    again = calendar.render_feed(feed, list(reversed(shifts)))

    assert first == again
    assert first == calendar.calendar_component(feed, shifts).to_ical()
    # Nothing random or clock-driven: the UIDs and stamps come from the data.
    parsed = icalendar.Calendar.from_ical(first)
    assert str(parsed["UID"]) == str(calendar.calendar_component(feed, [])["UID"])
    assert {e["DTSTAMP"].dt for e in parsed.walk("VEVENT")} == {utc("2026-09-01T12:00")}


def test_calendar_properties() -> None:
    body = calendar.render_feed(
        person_calendar(), weekly_amsterdam(1, first=utc("2026-11-02T08:00"))
    )
    text = body.decode()
    lines = text.split("\r\n")

    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert f"PRODID:{calendar.PRODID}" in lines
    assert "X-WR-CALNAME:Support shifts: Ana" in lines
    assert "NAME:Support shifts: Ana" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "METHOD" not in text  # a subscription, not a scheduling message
    assert text.endswith("END:VCALENDAR\r\n")


def test_event_properties_of_a_live_shift_in_a_person_feed() -> None:
    event = shift(
        7,
        utc("2026-11-30T08:00"),
        utc("2026-12-07T08:00"),
        slot=1,
        people_per_shift=2,
        sequence=3,
        modified_at=utc("2026-11-20T10:00"),
        on_shift=("Ana Alvarez", "Bo Berg"),
    )
    parsed = icalendar.Calendar.from_ical(calendar.render_feed(person_calendar(), [event]))
    (vevent,) = parsed.walk("VEVENT")

    assert str(vevent["UID"]) == "shift-7@allhands.example.com"
    assert vevent["SEQUENCE"] == 3
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["TRANSP"]) == "TRANSPARENT"
    assert str(vevent["SUMMARY"]) == "Tier 2 support (slot 2 of 2)"
    assert vevent["LAST-MODIFIED"].dt == utc("2026-11-20T10:00")
    assert vevent["DTSTAMP"].dt == utc("2026-11-20T10:00")
    # ?shift= opens the month holding the shift, where the anchor is.
    assert str(vevent["URL"]) == f"{BASE_URL}/rotations/tier-2?shift=7#shift-7"
    description = str(vevent["DESCRIPTION"])
    assert "On shift: Ana Alvarez, Bo Berg" in description
    assert f"{BASE_URL}/me/checklist" in description
    assert f"{BASE_URL}/rotations/tier-2" in description
    assert "swap" in description.lower()


def test_single_slot_summary_names_only_the_rotation_and_rotation_feeds_name_the_person() -> None:
    event = shift(1, utc("2026-11-30T08:00"), utc("2026-12-07T08:00"))
    uncovered = shift(
        2, utc("2026-12-07T08:00"), utc("2026-12-14T08:00"), assignee=None, on_shift=()
    )
    person = icalendar.Calendar.from_ical(calendar.render_feed(person_calendar(), [event]))
    rotation = icalendar.Calendar.from_ical(
        calendar.render_feed(person_calendar(perspective=Perspective.ROTATION), [event, uncovered])
    )

    assert [str(e["SUMMARY"]) for e in person.walk("VEVENT")] == ["Tier 2 support"]
    summaries = [str(e["SUMMARY"]) for e in rotation.walk("VEVENT")]
    assert summaries == ["Tier 2 support: Ana Alvarez", "Tier 2 support: uncovered"]
    assert "nobody yet" in str(rotation.walk("VEVENT")[1]["DESCRIPTION"])


def test_released_and_removed_shifts_are_cancelled_and_name_nobody() -> None:
    released = shift(
        1,
        utc("2026-11-30T08:00"),
        utc("2026-12-07T08:00"),
        sequence=4,
        cancelled=True,
        released=True,
        assignee=None,
        on_shift=(),
    )
    removed = shift(2, utc("2026-12-07T08:00"), utc("2026-12-14T08:00"), sequence=2, cancelled=True)
    body = calendar.render_feed(person_calendar(), [released, removed])

    seen = read_all(body)
    assert seen[released.uid].status == "CANCELLED"
    assert seen[released.uid].sequence == 4
    assert seen[removed.uid].status == "CANCELLED"
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert "no longer yours" in str(events[0]["DESCRIPTION"])
    assert "removed" in str(events[1]["DESCRIPTION"])
    # Said in the title too: Outlook ignores STATUS and would show a real shift.
    assert [str(e["SUMMARY"]) for e in events] == [
        "Cancelled: Tier 2 support",
        "Cancelled: Tier 2 support",
    ]
    assert b"Ana Alvarez" not in body.replace(b"Support shifts: Ana", b"")


def test_changing_one_shift_rerenders_only_that_event() -> None:
    shifts = weekly_amsterdam(20, first=utc("2026-10-19T07:00"))
    feed = person_calendar()
    calendar.render_shift.cache_clear()
    calendar.render_feed(feed, shifts)
    swapped = [
        *shifts[:5],
        replace(shifts[5], sequence=1, modified_at=utc("2026-11-24T10:00")),
        *shifts[6:],
    ]

    before = calendar.render_shift.cache_info()
    body = calendar.render_feed(feed, swapped)
    after = calendar.render_shift.cache_info()

    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 19
    assert read_all(body)[shifts[5].uid].sequence == 1
