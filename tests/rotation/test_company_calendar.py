"""Reading company days off from an iCalendar file: whole days only, recurrences expanded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rotation.company_calendar import CalendarError, days_off


def calendar(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@example.com\r\n{e}END:VEVENT\r\n" for n, e in enumerate(events)
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Holidays//EN\r\n"
        f"{body}END:VCALENDAR\r\n"
    ).encode()


def event(*lines: str) -> str:
    return "".join(f"{line}\r\n" for line in lines) + "DTSTAMP:20261101T000000Z\r\n"


WINDOW = {"first": date(2026, 12, 1), "last": date(2027, 12, 31)}


def test_all_day_events_give_each_of_their_days_with_their_name() -> None:
    text = calendar(
        event("SUMMARY:Winter break", "DTSTART;VALUE=DATE:20261228", "DTEND;VALUE=DATE:20261231"),
        event("SUMMARY:Founders' day", "DTSTART;VALUE=DATE:20270312"),
    )
    assert days_off(text, **WINDOW) == {
        date(2026, 12, 28): "Winter break",
        date(2026, 12, 29): "Winter break",
        date(2026, 12, 30): "Winter break",
        date(2027, 3, 12): "Founders' day",
    }


def test_recurring_days_are_expanded_and_cancelled_ones_left_out() -> None:
    text = calendar(
        event(
            "SUMMARY:Company summer day",
            "DTSTART;VALUE=DATE:20250704",
            "DTEND;VALUE=DATE:20250705",
            "RRULE:FREQ=YEARLY",
            "EXDATE;VALUE=DATE:20270704",
        ),
        event("SUMMARY:Offsite", "STATUS:CANCELLED", "DTSTART;VALUE=DATE:20270105"),
    )
    assert days_off(text, first=date(2025, 1, 1), last=date(2027, 12, 31)) == {
        date(2025, 7, 4): "Company summer day",
        date(2026, 7, 4): "Company summer day",
    }


def test_timed_events_count_only_for_the_whole_local_days_they_cover() -> None:
    text = calendar(
        # Midnight to midnight in Amsterdam: one whole day, whatever UTC says.
        event(
            "SUMMARY:Office closed",
            "DTSTART;TZID=Europe/Amsterdam:20270501T000000",
            "DTEND;TZID=Europe/Amsterdam:20270502T000000",
        ),
        # From noon to two days later at 15:00: only the day in between is whole.
        event("SUMMARY:Move", "DTSTART:20270601T120000Z", "DTEND:20270603T150000Z"),
        event("SUMMARY:All-hands meeting", "DTSTART:20270701T090000Z", "DTEND:20270701T100000Z"),
    )
    assert days_off(text, **WINDOW) == {
        date(2027, 5, 1): "Office closed",
        date(2027, 6, 2): "Move",
    }


def test_days_outside_the_window_are_left_out_and_a_missing_summary_gets_a_name() -> None:
    text = calendar(
        event("DTSTART;VALUE=DATE:20261130", "DTEND;VALUE=DATE:20261203"),
    )
    assert days_off(text, **WINDOW) == {
        date(2026, 12, 1): "Company day off",
        date(2026, 12, 2): "Company day off",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "not an iCalendar file"),
        (b"<html>sign in</html>", "not an iCalendar file"),
        (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "BEGIN:VCALENDAR"),
    ],
)
def test_what_is_no_calendar_is_refused_with_a_reason(text: bytes, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        days_off(text, **WINDOW)


def test_a_calendar_of_every_day_is_refused() -> None:
    text = calendar(event("SUMMARY:Every day", "DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=DAILY"))
    with pytest.raises(CalendarError, match="more than 400 days"):
        days_off(text, first=date(2026, 12, 1), last=date(2028, 12, 31))


def test_a_rule_repeating_every_minute_is_refused_without_expanding_it() -> None:
    text = calendar(event("SUMMARY:Ping", "DTSTART:20261201T000000Z", "RRULE:FREQ=MINUTELY"))
    with pytest.raises(CalendarError, match="'Ping' repeats more often than daily"):
        days_off(text, **WINDOW)


@given(
    starts=st.lists(
        st.tuples(st.dates(date(2026, 11, 1), date(2028, 1, 31)), st.integers(1, 9)),
        max_size=12,
    )
)
def test_days_are_exactly_the_window_days_some_event_covers(
    starts: list[tuple[date, int]],
) -> None:
    events = [
        event(
            f"SUMMARY:Day off {n}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + timedelta(days=length):%Y%m%d}",
        )
        for n, (start, length) in enumerate(starts)
    ]
    expected = {
        start + timedelta(days=offset)
        for start, length in starts
        for offset in range(length)
        if WINDOW["first"] <= start + timedelta(days=offset) <= WINDOW["last"]
    }
    assert set(days_off(calendar(*events), **WINDOW)) == expected
