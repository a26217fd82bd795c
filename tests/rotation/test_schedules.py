"""The final on-call line of a layered schedule: the highest layer with someone on duty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.schedules import Duty, FinalEntry, answering, final_line
from tests.ics import utc

T0 = datetime(2026, 11, 23, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def test_follow_the_sun_hands_over_between_layers_and_shows_gaps() -> None:
    apac = [Duty(hours(0), hours(8), 1, 10)]
    emea = [Duty(hours(7), hours(15), 2, 20)]
    amer = [Duty(hours(14), hours(22), None, 30), Duty(hours(22), hours(23), 3, 31)]
    line = final_line([apac, emea, amer], hours(0), hours(24))
    assert [(e.start, e.end, e.layer, e.duty.person_id if e.duty else None) for e in line] == [
        (hours(0), hours(8), 0, 1),  # APAC outranks EMEA during the overlap
        (hours(8), hours(15), 1, 2),
        (hours(15), hours(22), None, None),  # AMER's shift is uncovered: a gap
        (hours(22), hours(23), 2, 3),
        (hours(23), hours(24), None, None),
    ]
    assert answering([apac, emea, amer], hours(7.5)) == (0, apac)
    assert answering([apac, emea, amer], hours(16)) == (None, [])


def test_two_people_on_one_shift_give_two_entries_and_joined_pieces_stay_joined() -> None:
    top = [Duty(utc("2026-11-23T09:00"), utc("2026-11-23T17:00"), 1, 1)]
    pair = [
        Duty(utc("2026-11-23T00:00"), utc("2026-11-24T00:00"), 2, 2),
        Duty(utc("2026-11-23T00:00"), utc("2026-11-24T00:00"), 3, 3),
    ]
    line = final_line([top, pair], utc("2026-11-23T00:00"), utc("2026-11-24T00:00"))
    assert [(e.start.hour, e.end.hour, e.layer, e.duty and e.duty.person_id) for e in line] == [
        (0, 9, 1, 2),
        (0, 9, 1, 3),
        (9, 17, 0, 1),
        (17, 0, 1, 2),
        (17, 0, 1, 3),
    ]


layer_strategy = st.lists(
    st.tuples(st.integers(0, 47), st.integers(1, 12), st.one_of(st.none(), st.integers(1, 4))),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    layers=st.lists(layer_strategy, min_size=1, max_size=4),
    probes=st.lists(st.integers(0, 48 * 60 - 1), min_size=1, max_size=20),
)
def test_final_line_at_any_instant_is_the_highest_layer_on_duty(
    layers: list[list[tuple[int, int, int | None]]], probes: list[int]
) -> None:
    shift_ids = iter(range(1, 1000))
    duties = [
        [
            Duty(hours(start), hours(start + length), person, next(shift_ids))
            for start, length, person in layer
        ]
        for layer in layers
    ]
    line = final_line(duties, hours(0), hours(48))
    for minute in probes:
        instant = T0 + timedelta(minutes=minute)
        here: list[FinalEntry] = [e for e in line if e.start <= instant < e.end]
        layer, on_duty = answering(duties, instant)
        if layer is None:
            assert [(e.layer, e.duty) for e in here] == [(None, None)]
        else:
            assert {e.layer for e in here} == {layer}
            assert sorted(e.duty.shift_id for e in here if e.duty) == [d.shift_id for d in on_duty]
    # Entries are in time order and never start before the window or end after it.
    assert [e.start for e in line] == sorted(e.start for e in line)
    assert all(hours(0) <= e.start < e.end <= hours(48) for e in line)
