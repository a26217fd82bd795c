"""The scheduling rule: who takes each open slot, as a pure function of plain values.

For each open slot in time order, among the eligible members (member at the slot's start,
active, free of time off and of every other shift that overlaps it) pick the one with the
lowest figure in this rotation: the fewest shifts, or under burden fairness the least burden
(each shift weighs what its caller says, ``weight``); ties go to whoever's last shift here
ended longest ago (never counts as longest), then to roster order. A member someone covered
for and who has not been paid back (``owed``) comes first, once per cover. Nobody eligible
leaves the slot uncovered.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from heapq import heapify, heappop, heappush

NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Interval:
    """A half-open span [start, end) of UTC time."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Membership:
    """A member of the rotation with the periods they belonged to it.

    ``count_offset`` is the figure (shift count, or burden) they start from: what they hold
    outside the held shifts given, plus the credit they joined with (the rotation's minimum
    at the time) so that a newcomer does not take a burst of shifts to catch up. ``owed`` is
    how many covers they received and were not yet paid back for.
    """

    person_id: int
    position: int
    periods: tuple[tuple[datetime, datetime | None], ...]
    active: bool = True
    count_offset: float = 0
    owed: int = 0
    # When their latest shift here ended, if it is not among the held shifts given.
    last_shift_end: datetime | None = None

    def is_member_at(self, instant: datetime) -> bool:
        # A plain loop: this runs for every member at every open slot.
        for joined, left in self.periods:
            if joined <= instant and (left is None or instant < left):
                return True
        return False


@dataclass(frozen=True)
class HeldShift:
    """A shift of this rotation that stays as it is; it counts towards its holder's total.

    An uncounted one still keeps its holder busy and dates their last shift.
    """

    person_id: int
    start: datetime
    end: datetime
    counted: bool = True
    weight: float = 1.0


@dataclass(frozen=True)
class OpenSlot:
    """A slot to fill; ``key`` is the caller's handle for it (a shift id, (index, slot) …).

    ``weight`` is what taking it adds to the taker's figure (1 shift, or its burden).
    """

    key: Hashable
    start: datetime
    end: datetime
    weight: float = 1.0


@dataclass(frozen=True)
class Reason:
    """What decided a slot: ``rule`` is owed | fewest | waited_longest | roster_order | only_one.

    ``figure`` is the taker's figure before the slot, ``next_figure`` the runner-up's.
    """

    rule: str
    eligible: int
    figure: float
    next_figure: float | None = None


@dataclass(frozen=True)
class Assignment:
    key: Hashable
    person_id: int | None
    # How the rule decided; not part of what was decided.
    reason: Reason | None = field(default=None, compare=False)


@dataclass
class _Timeline:
    """One person's busy time as sorted, disjoint intervals, and their shift ends here."""

    starts: list[datetime] = field(default_factory=list)
    ends: list[datetime] = field(default_factory=list)
    shift_ends: list[datetime] = field(default_factory=list)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        at = bisect_right(self.starts, start) - 1
        if at >= 0 and self.ends[at] > start:
            return True
        return at + 1 < len(self.starts) and self.starts[at + 1] < end

    def block(self, start: datetime, end: datetime) -> None:
        """Mark [start, end) busy, merging with the intervals it touches."""
        low = bisect_left(self.ends, start)
        high = bisect_right(self.starts, end)
        if low < high:
            start = min(start, self.starts[low])
            end = max(end, self.ends[high - 1])
        self.starts[low:high] = [start]
        self.ends[low:high] = [end]

    def last_end_by(self, instant: datetime) -> datetime:
        """When this person's latest shift here that is over by ``instant`` ended."""
        at = bisect_right(self.shift_ends, instant)
        return self.shift_ends[at - 1] if at else NEVER


Rank = tuple[int, float, datetime, int, int]


def _rank(
    member: Membership,
    state: _State,
    at: datetime,
) -> Rank:
    """Owed first, then the lowest figure, the longest since their last shift here, roster."""
    person_id = member.person_id
    return (
        0 if state.owed[person_id] > 0 else 1,
        # Sums of hours carry float noise; figures that agree to a millionth are a tie.
        round(state.figures[person_id], 6),
        state.timelines[person_id].last_end_by(at),
        member.position,
        person_id,
    )


@dataclass
class _State:
    """Each member's figure, covers still owed to them and busy timeline, as slots are filled."""

    figures: dict[int, float]
    owed: dict[int, int]
    timelines: dict[int, _Timeline]

    def can_take(self, member: Membership, slot: OpenSlot, decided_at: datetime) -> bool:
        return (
            member.active
            and member.is_member_at(decided_at)
            and not self.timelines[member.person_id].overlaps(slot.start, slot.end)
        )


def assign(
    *,
    members: Sequence[Membership],
    held: Iterable[HeldShift],
    open_slots: Sequence[OpenSlot],
    unavailable: Mapping[int, Iterable[Interval]] | None = None,
    as_of: datetime,
) -> list[Assignment]:
    """Fill ``open_slots`` (in the order given, which must be time order) by the rule above.

    ``held`` are this rotation's shifts that stay put (callers may pass only those near the
    slots, counting the rest through ``count_offset`` and ``last_shift_end``);
    ``unavailable`` maps a person to time off and shifts in other rotations. Membership is
    judged at the slot's start, or at ``as_of`` for a slot already under way (a decision
    cannot be made in the past).
    """
    state = _starting_point(members, held, unavailable or {})
    # Every member sits in a heap under their rank (owed, figure, last shift end, roster
    # position). Ranks only grow as slots move forward in time, so a stale entry is a lower
    # bound: pop it, recompute, and push it back if it grew; the first fresh entry is the
    # true minimum.
    by_id = {m.person_id: m for m in members}
    first = open_slots[0].start if open_slots else NEVER
    heap = [_rank(m, state, first) for m in members]
    heapify(heap)
    assignments: list[Assignment] = []
    for slot in open_slots:
        chosen = _choose(heap, by_id, state, slot=slot, as_of=as_of)
        reason = None
        if chosen is not None:
            reason = _reason(by_id[chosen], by_id, state, heap, slot=slot, as_of=as_of)
            state.figures[chosen] += slot.weight
            state.owed[chosen] = max(0, state.owed[chosen] - 1)
            line = state.timelines[chosen]
            line.block(slot.start, slot.end)
            insort(line.shift_ends, slot.end)
            heappush(heap, _rank(by_id[chosen], state, slot.start))
        assignments.append(Assignment(key=slot.key, person_id=chosen, reason=reason))
    return assignments


def _starting_point(
    members: Sequence[Membership],
    held: Iterable[HeldShift],
    unavailable: Mapping[int, Iterable[Interval]],
) -> _State:
    """Each member's figure, what they are owed and busy timeline before the first open slot."""
    state = _State(
        figures={m.person_id: float(m.count_offset) for m in members},
        owed={m.person_id: m.owed for m in members},
        timelines={m.person_id: _Timeline() for m in members},
    )
    timelines = state.timelines
    for member in members:
        if member.last_shift_end is not None:
            timelines[member.person_id].shift_ends.append(member.last_shift_end)
    for shift in held:
        line = timelines.get(shift.person_id)
        if line is None:
            continue
        if shift.counted:
            state.figures[shift.person_id] += shift.weight
        line.block(shift.start, shift.end)
        insort(line.shift_ends, shift.end)
    for person_id, intervals in unavailable.items():
        line = timelines.get(person_id)
        if line is not None:
            for interval in intervals:
                line.block(interval.start, interval.end)
    return state


def _choose(
    heap: list[Rank],
    by_id: Mapping[int, Membership],
    state: _State,
    *,
    slot: OpenSlot,
    as_of: datetime,
) -> int | None:
    """Pop the best-ranked member who can take ``slot``; None if nobody can.

    Members passed over go back on the heap; the chosen one is left off for the caller to
    push back under their new rank.
    """
    decided_at = max(slot.start, as_of)
    passed_over: list[Rank] = []
    chosen: int | None = None
    while heap:
        stored = heappop(heap)
        member = by_id[stored[-1]]
        fresh = _rank(member, state, slot.start)
        if fresh != stored:
            heappush(heap, fresh)
            continue
        if not state.can_take(member, slot, decided_at):
            passed_over.append(stored)
            continue
        chosen = member.person_id
        break
    for entry in passed_over:
        heappush(heap, entry)
    return chosen


def _reason(
    chosen: Membership,
    by_id: Mapping[int, Membership],
    state: _State,
    heap: list[Rank],
    *,
    slot: OpenSlot,
    as_of: datetime,
) -> Reason:
    """Which step of the rule set ``chosen`` apart from the best of the other eligible.

    ``heap`` holds everyone else under ranks that are at most their fresh ones (as in
    ``assign``); the runner-up is found on a copy of it, refreshing only what is popped.
    """
    decided_at = max(slot.start, as_of)
    can_take = state.can_take
    eligible = {
        m.person_id
        for m in by_id.values()
        if m.person_id != chosen.person_id and can_take(m, slot, decided_at)
    }
    figure = state.figures[chosen.person_id]
    if not eligible:
        return Reason(rule="only_one", eligible=1, figure=figure)
    pending = list(heap)
    while True:
        stored = heappop(pending)
        if stored[-1] not in eligible:
            continue
        fresh = _rank(by_id[stored[-1]], state, slot.start)
        if fresh == stored:
            runner_up = fresh
            break
        heappush(pending, fresh)
    mine = _rank(chosen, state, slot.start)
    step = next(k for k in range(len(mine)) if mine[k] != runner_up[k])
    rule = ("owed", "fewest", "waited_longest", "roster_order", "roster_order")[step]
    return Reason(
        rule=rule,
        eligible=len(eligible) + 1,
        figure=figure,
        next_figure=state.figures[runner_up[-1]],
    )
