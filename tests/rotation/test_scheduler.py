"""The scheduling rule on plain values: round-robin, fairness, time off, joins and slots."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.scheduler import (
    NEVER,
    Assignment,
    HeldShift,
    Interval,
    Membership,
    OpenSlot,
    assign,
)
from rotation.timeline import Cadence

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def members(count: int, *, joined: datetime = LONG_AGO) -> list[Membership]:
    return [
        Membership(person_id=100 + i, position=i, periods=((joined, None),)) for i in range(count)
    ]


def weekly_slots(weeks: int, *, per_shift: int = 1, first: int = 0) -> list[OpenSlot]:
    return [
        OpenSlot(key=(k, s), start=T0 + k * WEEK, end=T0 + (k + 1) * WEEK)
        for k in range(first, first + weeks)
        for s in range(per_shift)
    ]


def people(assignments: list[Assignment]) -> list[int | None]:
    return [a.person_id for a in assignments]


def test_ten_members_each_take_every_tenth_week_in_roster_order() -> None:
    roster = members(10)
    result = people(assign(members=roster, held=[], open_slots=weekly_slots(52), as_of=T0))
    order = [m.person_id for m in roster]
    assert result == (order * 6)[:52]
    for first in range(52 - 9):
        assert sorted(p for p in result[first : first + 10] if p) == sorted(order)


def test_roster_order_is_position_not_list_order() -> None:
    roster = [
        Membership(person_id=1, position=2, periods=((LONG_AGO, None),)),
        Membership(person_id=2, position=0, periods=((LONG_AGO, None),)),
        Membership(person_id=3, position=1, periods=((LONG_AGO, None),)),
    ]
    result = people(assign(members=roster, held=[], open_slots=weekly_slots(3), as_of=T0))
    assert result == [2, 3, 1]


def test_member_with_time_off_is_skipped_and_takes_the_next_shift_they_can() -> None:
    roster = members(3)
    away = roster[0].person_id
    # Away for the whole first week only.
    time_off = {away: [Interval(T0, T0 + timedelta(days=3))]}
    result = people(
        assign(members=roster, held=[], open_slots=weekly_slots(6), unavailable=time_off, as_of=T0)
    )
    assert result[0] != away
    assert result[1] == away
    assert Counter(result) == Counter({100: 2, 101: 2, 102: 2})


def test_nobody_is_scheduled_during_their_time_off() -> None:
    roster = members(4)
    time_off = {
        100: [Interval(T0, T0 + 3 * WEEK)],
        101: [Interval(T0 + 2 * WEEK, T0 + 2 * WEEK + timedelta(hours=1))],
    }
    slots = weekly_slots(12)
    result = assign(members=roster, held=[], open_slots=slots, unavailable=time_off, as_of=T0)
    for slot, assignment in zip(slots, result, strict=True):
        for interval in time_off.get(assignment.person_id or 0, []):
            assert not (interval.start < slot.end and slot.start < interval.end)


def test_shifts_in_other_rotations_make_a_person_unavailable() -> None:
    roster = members(2)
    busy = {100: [Interval(T0 + timedelta(days=2), T0 + timedelta(days=3))]}
    result = people(
        assign(members=roster, held=[], open_slots=weekly_slots(2), unavailable=busy, as_of=T0)
    )
    assert result == [101, 100]


def test_nobody_eligible_leaves_the_slot_uncovered() -> None:
    roster = members(1)
    time_off = {100: [Interval(T0, T0 + WEEK)]}
    result = people(
        assign(members=roster, held=[], open_slots=weekly_slots(2), unavailable=time_off, as_of=T0)
    )
    assert result == [None, 100]
    assert people(assign(members=[], held=[], open_slots=weekly_slots(2), as_of=T0)) == [None, None]


def test_several_people_per_shift_are_distinct_and_short_slots_stay_uncovered() -> None:
    roster = members(3)
    slots = weekly_slots(6, per_shift=2)
    result = people(assign(members=roster, held=[], open_slots=slots, as_of=T0))
    for week in range(6):
        pair = result[2 * week : 2 * week + 2]
        assert pair[0] != pair[1]
    assert Counter(result) == Counter({100: 4, 101: 4, 102: 4})
    single = people(
        assign(members=members(1), held=[], open_slots=weekly_slots(1, per_shift=2), as_of=T0)
    )
    assert single == [100, None]


def test_held_shifts_count_and_their_holders_go_later() -> None:
    roster = members(3)
    held = [HeldShift(100, T0 - WEEK, T0), HeldShift(101, T0 - 2 * WEEK, T0 - WEEK)]
    result = people(assign(members=roster, held=held, open_slots=weekly_slots(3), as_of=T0))
    # 102 never served: fewest shifts. Then 101 (last ended longest ago), then 100.
    assert result == [102, 101, 100]


def test_a_joiner_credited_with_the_minimum_count_causes_no_burst() -> None:
    roster = members(3)
    held = [HeldShift(100 + (k % 3), T0 - (9 - k) * WEEK, T0 - (8 - k) * WEEK) for k in range(9)]
    joiner = Membership(person_id=200, position=3, periods=((T0, None),), count_offset=3)
    result = people(
        assign(members=[*roster, joiner], held=held, open_slots=weekly_slots(8), as_of=T0)
    )
    # The joiner never served, so goes first among equals, then the roster carries on.
    assert result == [200, 100, 101, 102, 200, 100, 101, 102]


def test_a_member_is_eligible_only_inside_their_membership_periods() -> None:
    leaver = Membership(person_id=1, position=0, periods=((LONG_AGO, T0 + 2 * WEEK),))
    stayer = Membership(person_id=2, position=1, periods=((LONG_AGO, None),))
    late = Membership(person_id=3, position=2, periods=((T0 + 3 * WEEK, None),))
    result = people(
        assign(members=[leaver, stayer, late], held=[], open_slots=weekly_slots(5), as_of=T0)
    )
    # The late joiner (offset 0 here) has the fewest shifts, so takes the fifth week too.
    assert result == [1, 2, 2, 3, 3]


def test_a_slot_already_under_way_is_judged_at_decision_time() -> None:
    joined_now = Membership(person_id=1, position=0, periods=((T0 + timedelta(days=2), None),))
    slot = OpenSlot(key="current", start=T0, end=T0 + WEEK)
    result = assign(members=[joined_now], held=[], open_slots=[slot], as_of=T0 + timedelta(days=2))
    assert result == [Assignment(key="current", person_id=1)]


def test_inactive_members_are_never_chosen() -> None:
    roster = [
        Membership(person_id=1, position=0, periods=((LONG_AGO, None),), active=False),
        Membership(person_id=2, position=1, periods=((LONG_AGO, None),)),
    ]
    assert people(assign(members=roster, held=[], open_slots=weekly_slots(3), as_of=T0)) == [
        2,
        2,
        2,
    ]


# --- fairness as a property --------------------------------------------------------------


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[Membership], dict[int, list[Interval]], list[OpenSlot]]:
    size = draw(st.integers(min_value=2, max_value=9))
    roster = members(size)
    per_shift = draw(st.integers(min_value=1, max_value=min(2, size - 1)))
    cadence = Cadence(
        draw(st.sampled_from(["UTC", "Europe/Amsterdam", "Australia/Sydney", "Asia/Kolkata"])),
        date(2026, 1, 5),
        time(9, 0),
        draw(st.sampled_from([1, 2, 7, 14])),
    )
    count = draw(st.integers(min_value=1, max_value=60))
    slots = [
        OpenSlot(key=(k, s), start=cadence.handoff(k), end=cadence.handoff(k + 1))
        for k in range(count)
        for s in range(per_shift)
    ]
    span_end = slots[-1].end
    time_off: dict[int, list[Interval]] = {}
    for member in roster:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            first = draw(
                st.datetimes(
                    min_value=datetime(2026, 1, 1), max_value=span_end.replace(tzinfo=None)
                )
            )
            first = first.replace(tzinfo=UTC)
            length = timedelta(hours=draw(st.integers(min_value=1, max_value=24 * 30)))
            time_off.setdefault(member.person_id, []).append(Interval(first, first + length))
    return roster, time_off, slots


@settings(max_examples=300, deadline=None)
@given(scenario=scenarios())
def test_fairness_counts_of_always_eligible_members_differ_by_at_most_one(
    scenario: tuple[list[Membership], dict[int, list[Interval]], list[OpenSlot]],
) -> None:
    roster, time_off, slots = scenario
    result = assign(members=roster, held=[], open_slots=slots, unavailable=time_off, as_of=T0)
    by_key = {a.key: a.person_id for a in result}
    window = Interval(slots[0].start, slots[-1].end)

    def overlaps(a: Interval, start: datetime, end: datetime) -> bool:
        return a.start < end and start < a.end

    # Nobody during their time off, nobody twice in one shift.
    for slot in slots:
        person = by_key[slot.key]
        assert not any(overlaps(i, slot.start, slot.end) for i in time_off.get(person or 0, []))
    by_shift: dict[object, list[int]] = {}
    for slot in slots:
        person = by_key[slot.key]
        if person is not None:
            by_shift.setdefault(slot.key[0], []).append(person)  # type: ignore[index]
    assert all(len(set(p)) == len(p) for p in by_shift.values())

    # Members never off during the window are eligible throughout: counts within one.
    always = [
        m.person_id
        for m in roster
        if not any(overlaps(i, window.start, window.end) for i in time_off.get(m.person_id, []))
    ]
    counts = Counter(by_key.values())
    if len(always) >= 2:
        spread = [counts[p] for p in always]
        assert max(spread) - min(spread) <= 1


# --- the heap gives the same answer as the rule read literally ----------------------------


def reference_assign(
    *,
    members: list[Membership],
    held: list[HeldShift],
    open_slots: list[OpenSlot],
    unavailable: dict[int, list[Interval]],
    as_of: datetime,
) -> list[Assignment]:
    """The scheduling rule written as plainly as possible: look at everyone for every slot."""
    counts = {m.person_id: m.count_offset for m in members}
    busy: dict[int, list[tuple[datetime, datetime]]] = {m.person_id: [] for m in members}
    ends: dict[int, list[datetime]] = {m.person_id: [] for m in members}
    for m in members:
        if m.last_shift_end is not None:
            ends[m.person_id].append(m.last_shift_end)
    for shift in held:
        if shift.person_id in counts:
            counts[shift.person_id] += shift.counted
            busy[shift.person_id].append((shift.start, shift.end))
            ends[shift.person_id].append(shift.end)
    for person_id, intervals in unavailable.items():
        if person_id in busy:
            busy[person_id].extend((i.start, i.end) for i in intervals)
    result = []
    for slot in open_slots:
        decided_at = max(slot.start, as_of)
        candidates = [
            m
            for m in members
            if m.active
            and m.is_member_at(decided_at)
            and not any(s < slot.end and slot.start < e for s, e in busy[m.person_id])
        ]

        def rank(m: Membership, start: datetime = slot.start) -> tuple[int, datetime, int, int]:
            past = [e for e in ends[m.person_id] if e <= start]
            return (counts[m.person_id], max(past, default=NEVER), m.position, m.person_id)

        chosen = min(candidates, key=rank, default=None)
        if chosen is not None:
            counts[chosen.person_id] += 1
            busy[chosen.person_id].append((slot.start, slot.end))
            ends[chosen.person_id].append(slot.end)
        result.append(Assignment(slot.key, chosen.person_id if chosen else None))
    return result


@st.composite
def rotations_with_history(
    draw: st.DrawFn,
) -> tuple[list[Membership], list[HeldShift], list[OpenSlot], dict[int, list[Interval]]]:
    roster, time_off, slots = draw(scenarios())
    hours = st.integers(min_value=-24 * 60, max_value=24 * 400)
    roster = [
        Membership(
            person_id=m.person_id,
            position=draw(st.integers(0, 20)),
            periods=((T0 + timedelta(hours=draw(hours)), None),)
            if draw(st.booleans())
            else m.periods,
            active=draw(st.booleans()) or i == 0,
            count_offset=draw(st.integers(0, 3)),
            last_shift_end=T0 - timedelta(hours=draw(st.integers(1, 500)))
            if draw(st.booleans())
            else None,
        )
        for i, m in enumerate(roster)
    ]
    held = []
    for _ in range(draw(st.integers(0, 8))):
        start = T0 + timedelta(hours=draw(hours))
        held.append(
            HeldShift(
                person_id=draw(st.sampled_from([m.person_id for m in roster])),
                start=start,
                end=start + timedelta(hours=draw(st.integers(1, 300))),
                counted=draw(st.booleans()),
            )
        )
    return roster, held, slots, time_off


@settings(max_examples=300, deadline=None)
@given(case=rotations_with_history(), as_of_hours=st.integers(-100, 24 * 200))
def test_assign_agrees_with_the_rule_read_literally(
    case: tuple[list[Membership], list[HeldShift], list[OpenSlot], dict[int, list[Interval]]],
    as_of_hours: int,
) -> None:
    roster, held, slots, time_off = case
    as_of = T0 + timedelta(hours=as_of_hours)
    expected = reference_assign(
        members=roster, held=held, open_slots=slots, unavailable=time_off, as_of=as_of
    )
    actual = assign(members=roster, held=held, open_slots=slots, unavailable=time_off, as_of=as_of)
    assert actual == expected
