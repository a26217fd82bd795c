"""Coverage windows: parsing, overlaps, and duty (shift ∩ windows minus skipped days), DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rotation.coverage import (
    MINUTES_PER_DAY,
    DutyRules,
    Window,
    describe,
    duty_spans,
    on_duty,
    parse_window,
    parse_windows,
    window_dict,
)
from tests.ics import utc

ZONES = [
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Sydney",  # southern hemisphere: clocks go back in April, forward in October
    "America/Santiago",
    "Asia/Tokyo",
    "UTC",
]


def office_hours(**fields: object) -> dict[str, object]:
    return {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00", **fields}


def test_a_window_round_trips_and_reads_in_words() -> None:
    window = parse_window(office_hours())
    assert window == Window(days=(0, 1, 2, 3, 4), start=540, end=1020)
    assert window_dict(window) == {**office_hours(), "overnight": False}
    night = parse_window({"days": ["sat"], "start": "22:00", "end": "06:00", "overnight": True})
    assert describe([window, night]) == "Mon-Fri 09:00-17:00; Sat 22:00-06:00 next day"
    assert describe([]) == "around the clock"
    assert describe([window, night], locale="nl") == (
        "ma-vr 09:00-17:00; za 22:00-06:00 de volgende dag"
    )
    assert describe([], locale="nl") == "de klok rond"
    assert parse_window({"days": ["sun"], "start": "18:00", "end": "24:00"}).end == MINUTES_PER_DAY


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (office_hours(end="08:00"), 'must say "overnight": true'),
        (office_hours(end="09:00"), "is not after start"),
        (office_hours(start="22:00", end="23:00", overnight=True), "does not cross midnight"),
        (office_hours(end="24:00", overnight=True), 'end must be between 00:00 and "23:59"'),
        (office_hours(start="24:00"), "start must be between"),
        (office_hours(start="9:00"), '"HH:MM"'),
        (office_hours(start="09:60"), "start must be between"),
        (office_hours(days=[]), "at least one weekday"),
        (office_hours(days=["mon", "funday"]), "unknown weekday"),
        (office_hours(days=["mon", "mon"]), "must not repeat"),
        (office_hours(overnight="yes"), "overnight must be true or false"),
    ],
)
def test_bad_windows_say_what_is_wrong(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match="coverage\\[0\\]") as caught:
        parse_windows([raw])
    assert message in str(caught.value)


def test_overlapping_windows_are_named_including_across_the_week_wrap() -> None:
    with pytest.raises(ValueError, match=r"coverage\[0\] and coverage\[1\] overlap"):
        parse_windows([office_hours(), {"days": ["wed"], "start": "16:00", "end": "18:00"}])
    # Sunday night into Monday morning meets Monday's window.
    with pytest.raises(ValueError, match=r"coverage\[0\] and coverage\[1\] overlap"):
        parse_windows(
            [
                office_hours(start="05:00"),
                {"days": ["sun"], "start": "22:00", "end": "06:00", "overnight": True},
            ]
        )
    # Touching is not overlapping; several windows a day are fine.
    assert (
        len(
            parse_windows(
                [
                    office_hours(end="12:00"),
                    office_hours(start="12:00"),
                    {"days": ["sun"], "start": "22:00", "end": "05:00", "overnight": True},
                ]
            )
        )
        == 3
    )


def test_a_weekly_shift_in_office_hours_is_five_pieces_at_local_nine_across_dst() -> None:
    rules = DutyRules("Europe/Amsterdam", parse_windows([office_hours()]))
    # Monday 19 Oct 09:00 CEST to Monday 26 Oct 09:00 CET: clocks go back on Sunday 25 Oct.
    spans = duty_spans(rules, utc("2026-10-19T07:00"), utc("2026-10-26T08:00"))
    assert spans == [
        (utc(f"2026-10-{day}T07:00"), utc(f"2026-10-{day}T15:00")) for day in range(19, 24)
    ]
    # The week after, the same local hours are an hour later in UTC.
    after = duty_spans(rules, utc("2026-10-26T08:00"), utc("2026-11-02T08:00"))
    assert after[0] == (utc("2026-10-26T08:00"), utc("2026-10-26T16:00"))


def test_window_edges_in_a_gap_move_to_its_end_and_repeated_ones_take_the_first() -> None:
    # 29 Mar 2026 in Amsterdam: 02:00 jumps to 03:00; 25 Oct: 03:00 falls back to 02:00.
    rules = DutyRules(
        "Europe/Amsterdam",
        parse_windows([{"days": ["sun"], "start": "02:30", "end": "04:00"}]),
    )
    assert duty_spans(rules, utc("2026-03-28T00:00"), utc("2026-03-30T00:00")) == [
        (utc("2026-03-29T01:00"), utc("2026-03-29T02:00"))  # 03:00-04:00 CEST
    ]
    assert duty_spans(rules, utc("2026-10-24T00:00"), utc("2026-10-26T00:00")) == [
        (utc("2026-10-25T00:30"), utc("2026-10-25T03:00"))  # first 02:30 (CEST) to 04:00 CET
    ]


def test_an_overnight_window_continues_into_the_next_day_and_the_next_shift() -> None:
    rules = DutyRules(
        "UTC",
        parse_windows([{"days": ["fri"], "start": "22:00", "end": "06:00", "overnight": True}]),
    )
    # A shift handing off on Saturday at 01:00 splits Friday's night between two shifts.
    # (Saturday 21 Nov starts with the end of Friday 20 Nov's night.)
    assert duty_spans(rules, utc("2026-11-21T01:00"), utc("2026-11-28T01:00")) == [
        (utc("2026-11-21T01:00"), utc("2026-11-21T06:00")),
        (utc("2026-11-27T22:00"), utc("2026-11-28T01:00")),
    ]
    assert duty_spans(rules, utc("2026-11-28T01:00"), utc("2026-12-05T01:00"))[0] == (
        utc("2026-11-28T01:00"),
        utc("2026-11-28T06:00"),
    )


def test_skipped_days_remove_whole_local_days_also_around_the_clock() -> None:
    kings_day = date(2026, 4, 27)
    rules = DutyRules("Europe/Amsterdam", (), frozenset({kings_day}))
    week = duty_spans(rules, utc("2026-04-27T07:00"), utc("2026-05-04T07:00"))
    assert week == [(utc("2026-04-27T22:00"), utc("2026-05-04T07:00"))]
    assert not on_duty(rules, utc("2026-04-27T12:00"))
    assert on_duty(rules, utc("2026-04-28T12:00"))


# --- properties -----------------------------------------------------------------------------

windows_strategy = st.lists(
    st.builds(
        lambda days, start, length, overnight_ok: {
            "days": sorted(days, key=("mon", "tue", "wed", "thu", "fri", "sat", "sun").index),
            "start": f"{start // 60:02d}:{start % 60:02d}",
            "end": f"{(start + length) % MINUTES_PER_DAY // 60:02d}:{(start + length) % 60:02d}"
            if start + length != MINUTES_PER_DAY
            else "24:00",
            "overnight": start + length > MINUTES_PER_DAY and overnight_ok,
        },
        st.sets(st.sampled_from(("mon", "tue", "wed", "thu", "fri", "sat", "sun")), min_size=1),
        st.integers(0, MINUTES_PER_DAY - 1).map(lambda m: m - m % 15),
        st.integers(15, MINUTES_PER_DAY).map(lambda m: m - m % 15),
        st.just(True),
    ),
    max_size=4,
)


def _parsed(raw: list[dict[str, object]]) -> tuple[Window, ...] | None:
    try:
        return parse_windows(raw)
    except ValueError:
        return None


def wall_clock_says(rules: DutyRules, instant: datetime) -> bool | None:
    """Coverage of ``instant`` judged from its wall-clock time alone; None if ambiguous."""
    zone = ZoneInfo(rules.timezone)
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return None  # a repeated wall time: the first-occurrence rule decides, not the clock
    if local.date() in rules.skip_days:
        return False
    if not rules.windows:
        return True
    minute = local.hour * 60 + local.minute + local.second / 60
    for window in rules.windows:
        if local.weekday() in window.days and window.start <= minute < (
            window.end if not window.overnight else MINUTES_PER_DAY
        ):
            return True
        yesterday = (local.weekday() - 1) % 7
        if window.overnight and yesterday in window.days and minute < window.end:
            return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    raw=windows_strategy,
    zone=st.sampled_from(ZONES),
    start=st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ),
    hours=st.integers(1, 24 * 15),
    skip=st.sets(st.integers(0, 20), max_size=3),
    probes=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=12),
)
def test_duty_is_exactly_the_shift_inside_the_windows_outside_skipped_days(
    raw: list[dict[str, object]],
    zone: str,
    start: datetime,
    hours: int,
    skip: set[int],
    probes: list[float],
) -> None:
    windows = _parsed(raw)
    assume(windows is not None)
    assert windows is not None
    end = start + timedelta(hours=hours)
    local_first = start.astimezone(ZoneInfo(zone)).date()
    rules = DutyRules(zone, windows, frozenset(local_first + timedelta(days=n) for n in skip))
    spans = duty_spans(rules, start, end)
    # Pieces lie inside the shift, in order, without overlapping.
    for low, high in spans:
        assert start <= low < high <= end
    for (_low, high), (following, _high) in pairwise(spans):
        assert high <= following
    # Every probed instant is covered exactly when its wall-clock time says so.
    for fraction in probes:
        length = (end - start) // timedelta(microseconds=1)
        instant = start + timedelta(microseconds=min(int(length * fraction), length - 1))
        inside = any(low <= instant < high for low, high in spans)
        expected = wall_clock_says(rules, instant)
        if expected is not None:
            assert inside == expected, (instant, instant.astimezone(ZoneInfo(zone)))
        assert on_duty(rules, instant) == inside
