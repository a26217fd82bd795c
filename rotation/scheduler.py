"""The scheduling rule: who takes each open slot, as a pure function of plain values.

For each open slot in time order, among the eligible members (member at the slot's start,
active, free of time off and of every other shift that overlaps it) pick the one with the
fewest shifts in this rotation; ties go to whoever's last shift here ended longest ago
(never counts as longest), then to roster order. Nobody eligible leaves the slot uncovered.
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

    ``count_offset`` is the shift count they were credited with on joining (the rotation's
    minimum at the time) so that a newcomer does not take a burst of shifts to catch up.
    """

    person_id: int
    position: int
    periods: tuple[tuple[datetime, datetime | None], ...]
    active: bool = True
    count_offset: int = 0
    # When their latest shift here ended, if it is not among the held shifts given.
    last_shift_end: datetime | None = None

    def is_member_at(self, instant: datetime) -> bool:
        return any(
            joined <= instant and (left is None or instant < left) for joined, left in self.periods
        )


@dataclass(frozen=True)
class HeldShift:
    """A shift of this rotation that stays as it is; it counts towards its holder's total.

    An uncounted one still keeps its holder busy and dates their last shift.
    """

    person_id: int
    start: datetime
    end: datetime
    counted: bool = True


@dataclass(frozen=True)
class OpenSlot:
    """A slot to fill; ``key`` is the caller's handle for it (a shift id, (index, slot) …)."""

    key: Hashable
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Assignment:
    key: Hashable
    person_id: int | None


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


def _rank(
    member: Membership,
    counts: Mapping[int, int],
    timelines: Mapping[int, _Timeline],
    at: datetime,
) -> tuple[int, datetime, int, int]:
    """Fewest shifts first, then the longest since their last shift here, then roster order."""
    person_id = member.person_id
    return (counts[person_id], timelines[person_id].last_end_by(at), member.position, person_id)


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
    counts, timelines = _starting_point(members, held, unavailable or {})
    # Every member sits in a heap under their rank (count, last shift end, roster position).
    # Ranks only grow as slots move forward in time, so a stale entry is a lower bound: pop
    # it, recompute, and push it back if it grew; the first fresh entry is the true minimum.
    by_id = {m.person_id: m for m in members}
    first = open_slots[0].start if open_slots else NEVER
    heap = [_rank(m, counts, timelines, first) for m in members]
    heapify(heap)
    assignments: list[Assignment] = []
    for slot in open_slots:
        chosen = _choose(heap, by_id, counts, timelines, slot=slot, as_of=as_of)
        if chosen is not None:
            counts[chosen] += 1
            line = timelines[chosen]
            line.block(slot.start, slot.end)
            insort(line.shift_ends, slot.end)
            heappush(heap, _rank(by_id[chosen], counts, timelines, slot.start))
        assignments.append(Assignment(key=slot.key, person_id=chosen))
    return assignments


def _starting_point(
    members: Sequence[Membership],
    held: Iterable[HeldShift],
    unavailable: Mapping[int, Iterable[Interval]],
) -> tuple[dict[int, int], dict[int, _Timeline]]:
    """Each member's count and busy timeline before the first open slot."""
    counts = {m.person_id: m.count_offset for m in members}
    timelines = {m.person_id: _Timeline() for m in members}
    for member in members:
        if member.last_shift_end is not None:
            timelines[member.person_id].shift_ends.append(member.last_shift_end)
    for shift in held:
        line = timelines.get(shift.person_id)
        if line is None:
            continue
        if shift.counted:
            counts[shift.person_id] += 1
        line.block(shift.start, shift.end)
        insort(line.shift_ends, shift.end)
    for person_id, intervals in unavailable.items():
        line = timelines.get(person_id)
        if line is not None:
            for interval in intervals:
                line.block(interval.start, interval.end)
    return counts, timelines


def _choose(
    heap: list[tuple[int, datetime, int, int]],
    by_id: Mapping[int, Membership],
    counts: Mapping[int, int],
    timelines: Mapping[int, _Timeline],
    *,
    slot: OpenSlot,
    as_of: datetime,
) -> int | None:
    """Pop the best-ranked member who can take ``slot``; None if nobody can.

    Members passed over go back on the heap; the chosen one is left off for the caller to
    push back under their new rank.
    """
    decided_at = max(slot.start, as_of)
    passed_over: list[tuple[int, datetime, int, int]] = []
    chosen: int | None = None
    while heap:
        stored = heappop(heap)
        member = by_id[stored[3]]
        fresh = _rank(member, counts, timelines, slot.start)
        if fresh != stored:
            heappush(heap, fresh)
            continue
        if (
            not member.active
            or not member.is_member_at(decided_at)
            or timelines[member.person_id].overlaps(slot.start, slot.end)
        ):
            passed_over.append(stored)
            continue
        chosen = member.person_id
        break
    for entry in passed_over:
        heappush(heap, entry)
    return chosen
