"""The pure readiness rules: statuses, version binding, swaps, assign windows, DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.wallclock import days_before
from onboarding.readiness import (
    CardFacts,
    CardProgress,
    RequirementFacts,
    ShiftFacts,
    ShiftReadiness,
    Status,
    assess,
    card_progress,
    checklist,
    readiness,
    required_cards,
)
from tests.onboarding.ack_index import AckFacts, index_acks

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ALICE, BOB = 1, 2


def shift(
    *, start: datetime, person_id: int | None = ALICE, shift_id: int = 10, rotation_id: int = 1
) -> ShiftFacts:
    return ShiftFacts(shift_id, rotation_id, start, start + timedelta(days=7), person_id)


def requirement(
    card_set_id: int = 100, *, assign: int = 21, due: int = 2, requirement_id: int = 1
) -> RequirementFacts:
    return RequirementFacts(requirement_id, 1, card_set_id, assign, due)


CARDS = {1: CardFacts(1, 1), 2: CardFacts(2, 3), 3: CardFacts(3, 1)}
SETS = {100: [1, 2], 200: [2, 3]}


def ack(person_id: int, card_id: int, version: int, at: datetime = NOW) -> AckFacts:
    return AckFacts(person_id, card_id, version, at)


def run(
    s: ShiftFacts,
    acks: list[AckFacts],
    *,
    now: datetime = NOW,
    cards: dict[int, CardFacts] | None = None,
    reqs: list[RequirementFacts] | None = None,
) -> ShiftReadiness:
    return assess(
        s,
        requirements=reqs if reqs is not None else [requirement()],
        card_sets=SETS,
        cards=cards or CARDS,
        acks=index_acks(acks),
        now=now,
    )


def test_every_card_read_at_its_current_version_is_ready() -> None:
    result = run(shift(start=NOW + timedelta(days=5)), [ack(ALICE, 1, 1), ack(ALICE, 2, 3)])
    assert result.status is Status.READY
    assert (result.required, result.done, result.missing) == (2, 2, ())
    assert result.due_at == NOW + timedelta(days=3)


def test_unread_before_the_due_time_is_pending_and_after_it_overdue() -> None:
    start = NOW + timedelta(days=5)
    pending = run(shift(start=start), [ack(ALICE, 1, 1)])
    assert pending.status is Status.PENDING
    assert pending.missing == (2,)
    overdue = run(shift(start=start), [ack(ALICE, 1, 1)], now=start - timedelta(days=2))
    assert overdue.status is Status.OVERDUE


def test_a_shift_without_a_person_is_uncovered_whatever_was_read() -> None:
    result = run(shift(start=NOW + timedelta(days=5), person_id=None), [ack(ALICE, 1, 1)])
    assert result.status is Status.UNCOVERED
    assert result.done == 0 and result.required == 2


def test_a_shift_with_no_requirements_is_ready_with_nothing_to_read() -> None:
    result = run(shift(start=NOW + timedelta(days=5)), [], reqs=[])
    assert result.status is Status.READY
    assert result.required == 0 and result.due_at is None


def test_a_major_change_turns_ready_back_into_pending_then_overdue() -> None:
    s = shift(start=NOW + timedelta(days=5))
    acks = [ack(ALICE, 1, 1), ack(ALICE, 2, 3)]
    assert run(s, acks).status is Status.READY
    bumped = {**CARDS, 2: CardFacts(2, 4)}
    after = run(s, acks, cards=bumped)
    assert after.status is Status.PENDING
    assert after.missing == (2,)
    card = card_progress(bumped[2], person_id=ALICE, acks=index_acks(acks))
    assert (card.acknowledged, card.acknowledged_version) == (False, 3)
    assert run(s, acks, cards=bumped, now=s.start).status is Status.OVERDUE


def test_a_swap_moves_the_reading_to_the_new_person() -> None:
    s = shift(start=NOW + timedelta(days=5))
    acks = [ack(ALICE, 1, 1), ack(ALICE, 2, 3)]
    assert run(s, acks).status is Status.READY
    swapped = replace(s, person_id=BOB)
    assert run(swapped, acks).status is Status.PENDING
    assert run(swapped, [*acks, ack(BOB, 1, 1), ack(BOB, 2, 3)]).status is Status.READY


def test_cards_come_by_requirement_then_position_once_each_without_archived_ones() -> None:
    reqs = [requirement(200, requirement_id=1), requirement(100, requirement_id=2)]
    assert required_cards(reqs, card_sets=SETS, cards=CARDS) == [2, 3, 1]
    archived = {**CARDS, 3: CardFacts(3, 1, archived=True)}
    assert required_cards(reqs, card_sets=SETS, cards=archived) == [2, 1]


def test_reading_a_card_nobody_requires_counts_for_nothing() -> None:
    result = run(shift(start=NOW + timedelta(days=5)), [ack(ALICE, 3, 1), ack(ALICE, 3, 1)])
    assert (result.required, result.done) == (2, 0)


def test_an_outdated_read_is_reported_with_its_version_but_does_not_count() -> None:
    read_at = NOW - timedelta(days=30)
    acks = [ack(ALICE, 2, 1), ack(ALICE, 2, 2, read_at)]
    result = run(shift(start=NOW + timedelta(days=5)), acks)
    assert result.missing == (1, 2)
    card = card_progress(CARDS[2], person_id=ALICE, acks=index_acks(acks))
    assert card == CardProgress(2, False, 2, read_at)
    current = card_progress(CARDS[2], person_id=ALICE, acks=index_acks([*acks, ack(ALICE, 2, 3)]))
    assert current == CardProgress(2, True, 3, NOW)
    assert card_progress(CARDS[1], person_id=None, acks=index_acks(acks)) == CardProgress(
        1, False, None, None
    )


def test_days_before_keeps_the_local_handoff_time_across_a_dst_change() -> None:
    # Monday 30 March 2026 09:00 in Amsterdam is 07:00Z (CEST); two days earlier, on
    # Saturday, 09:00 is still winter time (CET), i.e. 08:00Z.
    start = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert days_before(start, days=2, timezone="Europe/Amsterdam") == datetime(
        2026, 3, 28, 8, 0, tzinfo=UTC
    )
    assert days_before(start, days=2, timezone="UTC") == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)


def test_checklist_lists_assigned_shifts_not_yet_ended_with_assigned_requirements_only() -> None:
    early = requirement(100, assign=21, due=2, requirement_id=1)
    late = requirement(200, assign=7, due=5, requirement_id=2)
    shifts = [
        shift(start=NOW + timedelta(days=10), shift_id=1),  # only `early` assigned
        shift(start=NOW + timedelta(days=6), shift_id=2),  # both assigned
        shift(start=NOW + timedelta(days=30), shift_id=3),  # not assigned yet
        shift(start=NOW - timedelta(days=8), shift_id=4),  # over
    ]
    entries = checklist(
        shifts,
        requirements=[early, late],
        card_sets=SETS,
        cards=CARDS,
        acks=index_acks([]),
        now=NOW,
    )
    assert [e.shift.id for e in entries] == [2, 1]
    both, only_early = entries
    assert both.card_ids == (1, 2, 3)
    assert both.due_at == NOW + timedelta(days=1)  # the later requirement is due first
    assert only_early.card_ids == (1, 2)
    assert only_early.due_at == NOW + timedelta(days=8)
    assert only_early.assigned_at == NOW - timedelta(days=11)


# --- properties -----------------------------------------------------------------------

card_ids = st.integers(min_value=1, max_value=6)
versions = st.integers(min_value=1, max_value=4)
people = st.integers(min_value=1, max_value=3)
scenario = st.fixed_dictionaries(
    {
        "card_versions": st.dictionaries(card_ids, versions, min_size=1),
        "sets": st.dictionaries(
            st.integers(min_value=1, max_value=3), st.lists(card_ids, unique=True), min_size=1
        ),
        "acks": st.lists(st.tuples(people, card_ids, versions)),
        "person": st.one_of(st.none(), people),
        "start_offset_hours": st.integers(min_value=-24 * 7, max_value=24 * 60),
        "due_days": st.integers(min_value=0, max_value=10),
    }
)


def _assess(
    data: dict[str, Any], acks: list[AckFacts], card_versions: dict[int, int]
) -> ShiftReadiness:
    cards = {card_id: CardFacts(card_id, version) for card_id, version in card_versions.items()}
    reqs = [
        RequirementFacts(i, 1, set_id, data["due_days"] + 3, data["due_days"])
        for i, set_id in enumerate(sorted(data["sets"]), start=1)
    ]
    s = shift(start=NOW + timedelta(hours=data["start_offset_hours"]), person_id=data["person"])
    return assess(
        s, requirements=reqs, card_sets=data["sets"], cards=cards, acks=index_acks(acks), now=NOW
    )


def _acks(data: dict[str, Any]) -> list[AckFacts]:
    """Acknowledgements of versions that existed: a card's version only ever grows."""
    return [
        ack(p, c, v, NOW - timedelta(days=v))
        for p, c, v in data["acks"]
        if v <= data["card_versions"].get(c, 0)
    ]


@given(scenario)
def test_counts_add_up_and_status_follows_them(data: dict[str, Any]) -> None:
    result = _assess(data, _acks(data), data["card_versions"])
    assert result.done + len(result.missing) == result.required
    assert len(set(result.missing)) == len(result.missing)
    if data["person"] is None:
        assert result.status is Status.UNCOVERED
    elif not result.missing:
        assert result.status is Status.READY
    else:
        assert result.due_at is not None
        expected = Status.OVERDUE if result.due_at <= NOW else Status.PENDING
        assert result.status is expected


@given(scenario)
def test_reading_every_missing_card_makes_a_covered_shift_ready(data: dict[str, Any]) -> None:
    acks = _acks(data)
    result = _assess(data, acks, data["card_versions"])
    if data["person"] is None:
        return
    reads = [ack(data["person"], c, data["card_versions"][c]) for c in result.missing]
    assert _assess(data, acks + reads, data["card_versions"]).status is Status.READY


@given(scenario, st.lists(st.tuples(card_ids, versions)))
def test_other_peoples_reading_changes_nothing(
    data: dict[str, Any], others: list[tuple[int, int]]
) -> None:
    acks = _acks(data)
    stranger = 99
    noise = [ack(stranger, c, v) for c, v in others]
    assert _assess(data, acks, data["card_versions"]) == _assess(
        data, acks + noise, data["card_versions"]
    )


@given(scenario, st.data())
def test_a_major_change_to_a_required_card_unreadies_the_shift(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    result = _assess(data, _acks(data), data["card_versions"])
    if result.status is not Status.READY or not result.card_ids:
        return
    bumped_card = draw.draw(st.sampled_from(result.card_ids))
    bumped = {**data["card_versions"], bumped_card: data["card_versions"][bumped_card] + 1}
    after = _assess(data, _acks(data), bumped)
    assert after.status in (Status.PENDING, Status.OVERDUE)
    assert bumped_card in after.missing


@given(
    st.lists(st.integers(min_value=-24 * 40, max_value=24 * 60), max_size=8),
    st.integers(min_value=0, max_value=30),
)
def test_checklist_holds_exactly_the_shifts_assigned_and_not_over(
    offsets: list[int], assign: int
) -> None:
    shifts = [
        shift(start=NOW + timedelta(hours=h), shift_id=i) for i, h in enumerate(offsets, start=1)
    ]
    req = requirement(100, assign=assign, due=0)
    entries = checklist(
        shifts, requirements=[req], card_sets=SETS, cards=CARDS, acks=index_acks([]), now=NOW
    )
    expected = {s.id for s in shifts if s.start - timedelta(days=assign) <= NOW < s.end}
    assert {e.shift.id for e in entries} == expected
    everything = readiness(
        shifts, requirements=[req], card_sets=SETS, cards=CARDS, acks=index_acks([]), now=NOW
    )
    assert len(everything) == len(shifts)
