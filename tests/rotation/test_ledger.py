"""The fairness ledger: hours by kind of local day, burden weights, covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from rotation import ledger

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_week_splits_into_five_weekdays_and_a_weekend() -> None:
    # Monday 09:00 to Monday 09:00 in Amsterdam (no DST change that week).
    span = (at("2026-11-23T09:00+01:00"), at("2026-11-30T09:00+01:00"))
    split = ledger.split_span(span, zone=AMSTERDAM, holidays=frozenset())
    assert (split.weekday, split.weekend, split.holiday) == (120.0, 48.0, 0.0)
    assert split.burden(ledger.DEFAULT_WEIGHTS) == 120 + 48 * 1.5


def test_days_follow_local_midnight_across_a_dst_change() -> None:
    # Sunday 29 March 2026 has 23 hours in Amsterdam; the week from Friday 27 09:00 holds
    # Friday's 15 hours, Saturday's 24, Sunday's 23 and Monday's 9 (all local).
    span = (at("2026-03-27T09:00+01:00"), at("2026-03-30T09:00+02:00"))
    split = ledger.split_span(span, zone=AMSTERDAM, holidays=frozenset())
    assert split.weekday == 15 + 9
    assert split.weekend == 24 + 23


def test_a_public_holiday_counts_as_holiday_not_weekday_or_weekend() -> None:
    span = (at("2026-12-24T00:00+01:00"), at("2026-12-28T00:00+01:00"))  # Thu … Sun
    split = ledger.split_span(
        span, zone=AMSTERDAM, holidays=frozenset({date(2026, 12, 25), date(2026, 12, 26)})
    )
    assert (split.weekday, split.weekend, split.holiday) == (24.0, 24.0, 48.0)


def test_a_cover_counts_for_the_one_who_covers() -> None:
    week = (at("2026-11-23T09:00+01:00"), at("2026-11-30T09:00+01:00"))
    entries = ledger.build(
        [
            ledger.DutyPiece(person_id=1, shift_id=10, spans=[week]),
            ledger.DutyPiece(person_id=2, shift_id=11, spans=[week], covered_for=3),
        ],
        zone=AMSTERDAM,
    )
    assert entries[2].covers_given == 1 and entries[2].hours == 168
    assert entries[3].covers_received == 1 and entries[3].hours == 0 and entries[3].shifts == 0
    assert entries[1].covers_given == entries[1].covers_received == 0


def test_pieces_of_one_shift_count_it_once() -> None:
    first = (at("2026-11-23T09:00Z"), at("2026-11-23T17:00Z"))
    second = (at("2026-11-24T09:00Z"), at("2026-11-24T17:00Z"))
    entries = ledger.build(
        [
            ledger.DutyPiece(person_id=1, shift_id=10, spans=[first]),
            ledger.DutyPiece(person_id=1, shift_id=10, spans=[second]),
        ],
        zone=ZoneInfo("UTC"),
    )
    assert entries[1].shifts == 1 and entries[1].hours == 16


ZONES = st.sampled_from(
    ["UTC", "Europe/Amsterdam", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata"]
)


@given(
    zone=ZONES,
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 30),
    holidays=st.sets(st.dates(date(2019, 12, 30), date(2035, 2, 2)), max_size=20),
)
def test_every_hour_is_counted_once_whatever_the_zone(
    zone: str, start: datetime, minutes: int, holidays: set[date]
) -> None:
    begin = start.replace(tzinfo=UTC)
    span = (begin, begin + timedelta(minutes=minutes))
    split = ledger.split_span(span, zone=ZoneInfo(zone), holidays=frozenset(holidays))
    assert abs(split.weekday + split.weekend + split.holiday - minutes / 60) < 1e-6
    assert min(split.weekday, split.weekend, split.holiday) >= 0
