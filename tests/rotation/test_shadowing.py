"""Where shadows sit (the pure kernel): beside ready primaries, when free, earliest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.scheduler import Interval
from rotation.shadowing import SHADOW_SLOTS, Learner, PrimaryShift, place, shadowed_names

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def week(index: int, *, slot: int = 0, ready: bool = True) -> PrimaryShift:
    return PrimaryShift(index, slot, T0 + index * WEEK, T0 + (index + 1) * WEEK, ready=ready)


def test_takes_the_earliest_ready_shifts_where_the_learner_is_free() -> None:
    away = Interval(T0 + WEEK, T0 + 2 * WEEK)
    learner = Learner(person_id=7, needed=2, joined_at=T0 - WEEK, busy=(away,))
    placed = place(
        learners=[learner],
        primaries=[week(3), week(0, ready=False), week(1), week(2)],
        taken=[],
        as_of=T0 - timedelta(hours=1),
    )
    assert [(p.index, p.slot) for p in placed] == [(2, SHADOW_SLOTS), (3, SHADOW_SLOTS)]


def test_a_shift_already_shadowed_or_started_is_passed_over() -> None:
    learners = [Learner(1, 1, T0 - WEEK), Learner(2, 1, T0 - WEEK)]
    placed = place(
        learners=learners,
        primaries=[week(0), week(1), week(2), week(3)],
        taken=[(1, SHADOW_SLOTS)],
        as_of=T0 + timedelta(hours=1),  # shift 0 is under way
    )
    assert [(p.person_id, p.index) for p in placed] == [(1, 2), (2, 3)]


def test_nobody_shadows_before_joining() -> None:
    learner = Learner(1, 1, joined_at=T0 + WEEK + timedelta(hours=1))
    placed = place(learners=[learner], primaries=[week(0), week(1), week(2)], taken=[], as_of=T0)
    assert [p.index for p in placed] == [2]


def test_names_the_primaries_on_the_shadowed_slot() -> None:
    shadow = (4, SHADOW_SLOTS + 1, T0, T0 + WEEK)
    primaries = [
        (4, 0, T0, T0 + WEEK, "Ana"),
        (4, 1, T0, T0 + 2 * timedelta(days=1), "Sam Okafor"),
        (4, 1, T0 + 2 * timedelta(days=1), T0 + WEEK, "Priya Nair"),
        (5, 1, T0 + WEEK, T0 + 2 * WEEK, "Bo"),
    ]
    assert shadowed_names(shadow, primaries) == "Sam Okafor, Priya Nair"
    assert shadowed_names((9, SHADOW_SLOTS, T0, T0 + WEEK), primaries) is None


@settings(max_examples=200, deadline=None)
@given(
    ready=st.lists(st.booleans(), min_size=0, max_size=12),
    needs=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=3),
    away=st.lists(st.integers(min_value=0, max_value=11), max_size=4),
    taken=st.sets(st.integers(min_value=0, max_value=11), max_size=4),
)
def test_placements_keep_every_rule(
    ready: list[bool], needs: list[int], away: list[int], taken: set[int]
) -> None:
    primaries = [week(i, ready=r) for i, r in enumerate(ready)]
    busy = tuple(Interval(T0 + i * WEEK, T0 + (i + 1) * WEEK) for i in away)
    learners = [
        Learner(person_id=n, needed=need, joined_at=T0 - WEEK, busy=busy if n == 0 else ())
        for n, need in enumerate(needs)
    ]
    placed = place(
        learners=learners,
        primaries=primaries,
        taken=[(i, SHADOW_SLOTS) for i in taken],
        as_of=T0 - WEEK,
    )
    seats = [(p.index, p.slot) for p in placed]
    assert len(seats) == len(set(seats))
    assert not {i for i, _ in seats} & taken
    for learner in learners:
        mine = [p for p in placed if p.person_id == learner.person_id]
        assert len(mine) <= learner.needed
        for p in mine:
            assert ready[p.index]
            assert all(not (b.start < p.end and p.start < b.end) for b in learner.busy)
        if len(mine) < learner.needed and not learner.busy:
            # A free learner left short found every ready shift taken.
            free = [
                i
                for i, r in enumerate(ready)
                if r and i not in taken and (i, SHADOW_SLOTS) not in seats
            ]
            assert free == []
