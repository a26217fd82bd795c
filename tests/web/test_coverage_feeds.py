"""Feeds of windowed rotations and schedules: one event per covered window, read alike by
icalendar, recurring-ical-events and ical.js across DST changes in both hemispheres."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.clock import FixedClock
from rotation import coverage
from rotation.models import CompanyDayOff, Rotation, Schedule, ScheduleLayer, Shift
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person, make_rotation, make_shifts
from tests.ics import Seen, read_all, read_icalendar, utc
from tests.web.test_feeds import feed, step_past_freshness, urls

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def windowed(session: Session, rotation: Rotation, *windows: dict[str, object]) -> Rotation:
    rotation.coverage = [coverage.window_dict(w) for w in coverage.parse_windows(windows)]
    session.flush()
    return rotation


def check_inside(seen: dict[str, Seen], shifts: list[Shift], rules: coverage.DutyRules) -> None:
    """Every event lies inside one shift and inside the windows, and covers all the duty."""
    by_uid = {shift.uid: shift for shift in shifts}
    expected = {
        f"{shift.uid}-{coverage.utc_stamp(low)}": (low, high)
        for shift in shifts
        for low, high in coverage.duty_spans(rules, shift.start, shift.end)
    }
    assert {uid: (s.start, s.end) for uid, s in seen.items()} == expected
    for uid, event in seen.items():
        shift = by_uid[uid.rsplit("-", 1)[0]]
        assert shift.start <= event.start < event.end <= shift.end
        assert coverage.on_duty(rules, event.start)
        assert coverage.on_duty(rules, event.end - timedelta(seconds=1))


def test_an_office_hours_rotation_publishes_one_event_per_window_across_dst(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana")
    rotation = make_rotation(session, name="Tier 2", timezone="Europe/Amsterdam")
    windowed(session, rotation, {"days": WEEKDAYS, "start": "09:00", "end": "17:00"})
    # Weekly from Monday 7 Sep; shift 6 (19-26 Oct) spans the change on Sunday 25 Oct.
    shifts = make_shifts(session, rotation=rotation, people=[ana], indexes=range(6, 9))

    body = feed(client, urls(client, session, ana)["rotation_feed_urls"][rotation.slug]).content

    seen = read_all(body)
    assert len(seen) == 15  # five weekdays in each of three weeks
    first_week = sorted(s.start for uid, s in seen.items() if uid.startswith(shifts[0].uid))
    assert first_week[0] == utc("2026-10-19T07:00")  # 09:00 CEST
    second_week = sorted(s.start for uid, s in seen.items() if uid.startswith(shifts[1].uid))
    assert second_week[0] == utc("2026-10-26T08:00")  # 09:00 CET
    check_inside(seen, shifts, coverage.DutyRules("Europe/Amsterdam", rotation_windows(rotation)))
    assert f"{shifts[0].uid}-20261019T070000Z".encode() in body


def rotation_windows(rotation: Rotation) -> tuple[coverage.Window, ...]:
    return coverage.parse_windows(rotation.coverage)


def test_a_southern_hemisphere_night_window_across_the_april_change(
    client: TestClient, session: Session
) -> None:
    noah = make_person(session, name="Noah")
    rotation = make_rotation(
        session, name="Nights", timezone="Australia/Sydney", start_date=date(2026, 11, 2)
    )
    windowed(
        session,
        rotation,
        {"days": ["sat", "sun"], "start": "01:00", "end": "04:00"},
        {"days": ["fri"], "start": "22:00", "end": "01:00", "overnight": True},
    )
    # Sydney falls back from 03:00 AEDT to 02:00 AEST on Sunday 4 April 2027.
    shifts = make_shifts(session, rotation=rotation, people=[noah], indexes=range(20, 24))

    seen = read_all(feed(client, urls(client, session, noah)["feed_url"]).content)

    check_inside(seen, shifts, coverage.DutyRules("Australia/Sydney", rotation_windows(rotation)))
    sunday = [s for s in seen.values() if s.start.date() == date(2027, 4, 3)]
    # Sunday 01:00 AEDT (14:00Z on Saturday) to 04:00 AEST (18:00Z): four hours that day.
    assert [(s.start, s.end) for s in sunday] == [
        (utc("2027-04-03T14:00"), utc("2027-04-03T18:00"))
    ]


def test_skipped_holidays_and_company_days_leave_the_feed_and_staffed_ones_stay(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, name="Ana")
    rotation = make_rotation(session, name="Tier 2", timezone="Europe/Amsterdam")
    rotation.holiday_country, rotation.holiday_policy = "NL", "skip"
    windowed(session, rotation, {"days": WEEKDAYS, "start": "09:00", "end": "17:00"})
    shifts = make_shifts(session, rotation=rotation, people=[ana], indexes=range(15, 17))
    url = urls(client, session, ana)["rotation_feed_urls"][rotation.slug]

    def days() -> set[date]:
        body = feed(client, url).content
        zone = ZoneInfo("Europe/Amsterdam")
        return {s.start.astimezone(zone).date() for s in read_all(body).values()}

    # Shifts 15 and 16 run from Monday 21 Dec to Monday 4 Jan.
    assert date(2026, 12, 25) not in days()
    assert date(2026, 12, 24) in days()
    session.add(CompanyDayOff(day=date(2026, 12, 24), name="Company day", created_at=DEFAULT_NOW))
    rotation.updated_at = DEFAULT_NOW + timedelta(minutes=1)  # as the company-days API does
    session.flush()
    step_past_freshness(clock)
    assert date(2026, 12, 24) not in days()
    rotation.holiday_policy = "staff"
    session.flush()
    step_past_freshness(clock)
    assert {date(2026, 12, 24), date(2026, 12, 25)} <= days()
    assert len(shifts) == 2


def test_a_schedule_feed_shows_the_final_line_and_omits_gaps(
    client: TestClient, session: Session
) -> None:
    kenji = make_person(session, name="Kenji")
    ana = make_person(session, name="Ana")
    apac = make_rotation(session, name="APAC", timezone="Asia/Tokyo", start_date=date(2026, 11, 23))
    emea = make_rotation(session, name="EMEA", start_date=date(2026, 11, 23))
    for rotation in (apac, emea):
        windowed(session, rotation, {"days": WEEKDAYS, "start": "09:00", "end": "17:00"})
    make_shifts(session, rotation=apac, people=[kenji], indexes=range(0, 1))
    make_shifts(session, rotation=emea, people=[ana], indexes=range(0, 1))
    schedule = Schedule(slug="sun", name="Sun", created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW)
    session.add(schedule)
    session.flush()
    session.add_all(
        [
            ScheduleLayer(schedule_id=schedule.id, position=0, rotation_id=apac.id),
            ScheduleLayer(schedule_id=schedule.id, position=1, rotation_id=emea.id),
        ]
    )
    session.flush()
    token_url = urls(client, session, ana)["feed_url"]
    path = token_url.removeprefix("http://testserver").removesuffix(".ics") + "/schedules/sun.ics"

    response = client.get(path)

    assert response.status_code == 200, response.text
    seen = read_all(response.content)
    monday = sorted((s.start, s.end) for s in seen.values() if s.start.date() == date(2026, 11, 23))
    # Tokyo 09-17 is 00-08Z, Amsterdam 09-17 is 08-16Z: back to back, nobody from 16Z.
    assert monday == [
        (utc("2026-11-23T00:00"), utc("2026-11-23T08:00")),
        (utc("2026-11-23T08:00"), utc("2026-11-23T16:00")),
    ]
    assert len(seen) == 10
    assert client.get(path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    assert client.get(path.replace("/sun.ics", "/moon.ics")).status_code == 404
    assert client.get(path.replace("/feeds/", "/feeds/1-x")).status_code == 404


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    days=st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
    start=st.integers(0, 23),
    hours=st.integers(1, 24),
    zone=st.sampled_from(["Europe/Amsterdam", "Australia/Sydney", "America/New_York"]),
)
def test_feed_events_lie_inside_windows_and_shifts(
    client: TestClient, session: Session, days: set[str], start: int, hours: int, zone: str
) -> None:
    savepoint = session.begin_nested()
    try:
        ana = make_person(session)
        rotation = make_rotation(session, timezone=zone, shift_days=3)
        end = (start + hours) % 24
        windowed(
            session,
            rotation,
            {
                "days": sorted(days, key=coverage.WEEKDAYS.index),
                "start": f"{start:02d}:00",
                "end": f"{end:02d}:00" if start + hours != 24 else "24:00",
                "overnight": start + hours > 24,
            },
        )
        shifts = make_shifts(session, rotation=rotation, people=[ana, None], indexes=range(23, 29))
        body = feed(client, urls(client, session, ana)["rotation_feed_urls"][rotation.slug]).content
        check_inside(
            read_icalendar(body), shifts, coverage.DutyRules(zone, rotation_windows(rotation))
        )
    finally:
        savepoint.rollback()
