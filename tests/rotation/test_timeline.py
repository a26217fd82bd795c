"""Handoff arithmetic on the rotation's wall clock: DST, half-hour offsets, gaps and folds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.wallclock import local_to_utc
from rotation.timeline import Cadence, days_to_utc, describe

HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("timezone", "spring_forward", "fall_back"),
    [
        # Each date is a Monday in the week (Monday 09:00 → Monday 09:00) that holds the change.
        ("Europe/Amsterdam", date(2027, 3, 22), date(2026, 10, 19)),
        ("America/New_York", date(2027, 3, 8), date(2026, 10, 26)),
        ("Australia/Sydney", date(2026, 9, 28), date(2027, 3, 29)),
    ],
)
def test_weekly_handoff_keeps_nine_local_across_both_dst_changes(
    timezone: str, spring_forward: date, fall_back: date
) -> None:
    zone = ZoneInfo(timezone)
    cadence = Cadence(timezone, date(2026, 9, 7), time(9, 0), 7)
    lengths = {}
    for index in range(40):
        start, end = cadence.bounds(index)
        local_start = start.astimezone(zone)
        assert (local_start.hour, local_start.minute) == (9, 0)
        assert local_start.weekday() == 0
        lengths[local_start.date()] = end - start
    assert lengths[spring_forward] == 167 * HOUR
    assert lengths[fall_back] == 169 * HOUR
    ordinary = [length for day, length in lengths.items() if day not in (spring_forward, fall_back)]
    assert set(ordinary) == {168 * HOUR}


def test_half_hour_offset_of_kolkata() -> None:
    cadence = Cadence("Asia/Kolkata", date(2026, 11, 23), time(9, 0), 7)
    start, end = cadence.bounds(0)
    assert start == datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "day", "expected"),
    [
        # 02:30 does not exist on these nights; the clock jumps at 02:00 to 03:00.
        ("Europe/Amsterdam", date(2027, 3, 28), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        ("America/New_York", date(2027, 3, 14), datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 10, 4), datetime(2026, 10, 3, 16, 0, tzinfo=UTC)),
    ],
)
def test_handoff_inside_a_dst_gap_moves_to_the_end_of_the_gap(
    timezone: str, day: date, expected: datetime
) -> None:
    instant = local_to_utc(day, time(2, 30), ZoneInfo(timezone))
    assert instant == expected
    local = instant.astimezone(ZoneInfo(timezone))
    assert (local.hour, local.minute) == (3, 0)


def test_daily_handoff_in_the_gap_leaves_no_hole_and_no_overlap() -> None:
    cadence = Cadence("Europe/Amsterdam", date(2027, 3, 25), time(2, 30), 1)
    bounds = [cadence.bounds(k) for k in range(6)]
    for (_, end), (next_start, _) in pairwise(bounds):
        assert end == next_start
    assert all(end > start for start, end in bounds)
    assert bounds[3][0] == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_ambiguous_handoff_takes_the_first_occurrence() -> None:
    zone = ZoneInfo("Europe/Amsterdam")
    # 02:30 happens twice on 2026-10-25: first at +02:00 (00:30Z), then at +01:00 (01:30Z).
    assert local_to_utc(date(2026, 10, 25), time(2, 30), zone) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_time_off_days_cover_whole_local_days() -> None:
    start, end = days_to_utc(date(2026, 12, 1), date(2026, 12, 3), ZoneInfo("America/New_York"))
    assert start == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)


def test_index_at_before_the_first_shift_is_negative() -> None:
    cadence = Cadence("UTC", date(2026, 12, 7), time(9, 0), 7)
    assert cadence.index_at(datetime(2026, 12, 7, 8, 59, tzinfo=UTC)) == -1
    assert cadence.index_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == 0
    assert cadence.index_from(datetime(2026, 11, 1, tzinfo=UTC)) == 0


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Amsterdam",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
        "Australia/Lord_Howe",  # a half-hour DST shift
        "America/St_Johns",
        "Pacific/Chatham",
    ]
)


@st.composite
def cadences(draw: st.DrawFn) -> Cadence:
    return Cadence(
        timezone=draw(ZONES),
        start_date=draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))),
        handoff_time=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45]))),
        shift_days=draw(st.integers(1, 28)),
    )


@given(cadence=cadences(), index=st.integers(-50, 200))
def test_handoffs_increase_and_keep_the_wall_time_unless_in_a_gap(
    cadence: Cadence, index: int
) -> None:
    start, end = cadence.bounds(index)
    assert start < end
    local = start.astimezone(cadence.zone)
    expected_day = cadence.start_date + timedelta(days=index * cadence.shift_days)
    if local.time() != cadence.handoff_time:
        # Only a gap moves a handoff, and only forwards, by less than a day.
        wall = datetime.combine(expected_day, cadence.handoff_time)
        assert wall < local.replace(tzinfo=None) < wall + timedelta(hours=3)
    else:
        assert local.date() == expected_day


@given(
    cadence=cadences(),
    instant=st.datetimes(
        min_value=datetime(2019, 1, 1), max_value=datetime(2032, 1, 1), timezones=st.just(UTC)
    ),
)
def test_index_at_finds_the_shift_in_progress(cadence: Cadence, instant: datetime) -> None:
    index = cadence.index_at(instant)
    start, end = cadence.bounds(index)
    assert start <= instant < end


@given(
    cadence=cadences(),
    frontier=st.none()
    | st.datetimes(
        min_value=datetime(2019, 1, 1), max_value=datetime(2032, 1, 1), timezones=st.just(UTC)
    ),
    origin=st.datetimes(
        min_value=datetime(2019, 1, 1), max_value=datetime(2032, 1, 1), timezones=st.just(UTC)
    ),
)
def test_shifts_resume_at_the_frontier_and_then_follow_the_cadence(
    cadence: Cadence, frontier: datetime | None, origin: datetime
) -> None:
    shifts = list(islice(cadence.shifts_from(frontier=frontier, origin=origin), 6))
    first_index, first_start, first_end = shifts[0]
    if frontier is None:
        # Nothing yet: the shift in progress at the origin, whole (or shift 0 if later).
        assert first_index == max(0, cadence.index_at(origin))
        assert first_start == cadence.handoff(first_index)
    elif frontier >= cadence.handoff(0):
        # Generation resumes exactly where the latest shift ends, perhaps with a short piece.
        assert first_start == frontier
        assert first_start < first_end
    else:
        assert (first_index, first_start) == (0, cadence.handoff(0))
    for (index, _start, end), (next_index, next_start, next_end) in pairwise(shifts):
        assert next_index == index + 1
        assert next_start == end == cadence.handoff(next_index)
        assert next_end == cadence.handoff(next_index + 1)


@pytest.mark.parametrize(
    ("shift_days", "people", "expected"),
    [
        (1, 1, "Daily at 09:30 (Europe/Amsterdam)"),
        (7, 1, "Weekly, Wednesdays at 09:30 (Europe/Amsterdam)"),
        (14, 1, "Every 2 weeks, Wednesdays at 09:30 (Europe/Amsterdam)"),
        (28, 2, "Every 4 weeks, Wednesdays at 09:30, 2 people per shift (Europe/Amsterdam)"),
        (3, 1, "Every 3 days at 09:30 (Europe/Amsterdam)"),
    ],
)
def test_cadence_in_words(shift_days: int, people: int, expected: str) -> None:
    cadence = Cadence("Europe/Amsterdam", date(2026, 12, 2), time(9, 30), shift_days)
    assert describe(cadence, people_per_shift=people) == expected


@pytest.mark.parametrize(
    ("shift_days", "people", "expected"),
    [
        (1, 1, "Dagelijks om 09:30 (Europe/Amsterdam)"),
        (7, 1, "Wekelijks, op woensdag om 09:30 (Europe/Amsterdam)"),
        (14, 2, "Om de 2 weken, op woensdag om 09:30, 2 mensen per dienst (Europe/Amsterdam)"),
        (3, 1, "Om de 3 dagen, om 09:30 (Europe/Amsterdam)"),
    ],
)
def test_cadence_in_dutch(shift_days: int, people: int, expected: str) -> None:
    cadence = Cadence("Europe/Amsterdam", date(2026, 12, 2), time(9, 30), shift_days)
    assert describe(cadence, people_per_shift=people, locale="nl") == expected
