"""The outlook of shifts ahead: checklist progress once reading is assigned, or when it opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from onboarding.readiness import (
    CardFacts,
    RequirementFacts,
    ShiftFacts,
    Status,
    checklist,
    outlook,
)
from tests.onboarding.ack_index import AckFacts, index_acks

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ANA = 1
CARDS = {1: CardFacts(1, 1), 2: CardFacts(2, 2), 3: CardFacts(3, 1)}
SETS = {100: [1, 2], 200: [3]}


def shift(shift_id: int, *, days_ahead: float, rotation_id: int = 1) -> ShiftFacts:
    start = NOW + timedelta(days=days_ahead)
    return ShiftFacts(shift_id, rotation_id, start, start + timedelta(days=7), ANA)


def requirement(
    requirement_id: int, card_set_id: int, *, assign: int, due: int, rotation_id: int = 1
) -> RequirementFacts:
    return RequirementFacts(requirement_id, rotation_id, card_set_id, assign, due)


def test_assigned_shifts_show_progress_and_later_ones_when_reading_opens() -> None:
    early = requirement(1, 100, assign=21, due=2)
    late = requirement(2, 200, assign=7, due=5)
    shifts = [
        shift(3, days_ahead=40),  # nothing assigned until 21 days before
        shift(1, days_ahead=-2),  # under way: still shown
        shift(2, days_ahead=10),  # only `early` assigned so far
        shift(4, days_ahead=-9),  # over: left out
        shift(5, days_ahead=3, rotation_id=2),  # a rotation that requires nothing
    ]
    acks = index_acks([AckFacts(ANA, 1, 1, NOW), AckFacts(ANA, 2, 1, NOW)])  # card 2 is at v2

    result = outlook(
        shifts, requirements=[early, late], card_sets=SETS, cards=CARDS, acks=acks, now=NOW
    )

    assert [o.shift.id for o in result] == [1, 5, 2, 3]
    under_way, nothing_required, assigned, later = result
    assert under_way.checklist is not None
    assert (under_way.checklist.required, under_way.checklist.done) == (3, 1)
    assert under_way.checklist.status is Status.OVERDUE
    assert (nothing_required.checklist, nothing_required.opens_at) == (None, None)
    assert assigned.checklist is not None and assigned.opens_at is None
    assert assigned.checklist.card_ids == (1, 2)
    assert assigned.checklist.missing == (2,)
    assert assigned.checklist.status is Status.PENDING
    assert later.checklist is None
    assert later.opens_at == NOW + timedelta(days=40 - 21)


@given(
    st.lists(
        st.tuples(st.integers(min_value=-24 * 30, max_value=24 * 90), st.integers(1, 2)),
        max_size=8,
    ),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=0, max_size=2),
    st.lists(st.tuples(st.integers(1, 3), st.integers(1, 2))),
)
def test_outlook_agrees_with_the_checklist_and_reading_opens_later(
    starts: list[tuple[int, int]],
    windows: list[tuple[int, int]],
    reads: list[tuple[int, int]],
) -> None:
    shifts = [
        ShiftFacts(i, rotation, NOW + timedelta(hours=h), NOW + timedelta(hours=h, days=7), ANA)
        for i, (h, rotation) in enumerate(starts, start=1)
    ]
    # Rotation 1 has the drawn requirements; rotation 2 requires nothing.
    requirements = [
        requirement(i, set_id, assign=max(a, d), due=min(a, d))
        for i, ((a, d), set_id) in enumerate(zip(windows, (100, 200), strict=False), start=1)
    ]
    acks = index_acks([AckFacts(ANA, c, v, NOW) for c, v in reads])

    result = outlook(
        shifts, requirements=requirements, card_sets=SETS, cards=CARDS, acks=acks, now=NOW
    )
    listed = checklist(
        shifts, requirements=requirements, card_sets=SETS, cards=CARDS, acks=acks, now=NOW
    )

    assert {o.shift.id for o in result} == {s.id for s in shifts if s.end > NOW}
    assert [o.checklist for o in result if o.checklist is not None] == listed
    for entry in result:
        if entry.checklist is not None:
            assert entry.opens_at is None
        elif entry.shift.rotation_id == 1 and requirements:
            assert entry.opens_at is not None and entry.opens_at > NOW
        else:
            assert entry.opens_at is None
