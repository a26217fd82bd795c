"""Which swaps a member could ask for and have accepted, so the page offers only those.

The same rule as ``swaps.request_swap`` (nobody ends up on time off or on two overlapping
shifts, the counterpart is active), decided for every pair of the viewer's shifts and the
shifts or people on offer from two bulk queries, not one check per pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import availability
from rotation.models import Shift
from rotation.scheduler import Interval


@dataclass(frozen=True)
class SwapChoices:
    """For each of the viewer's shifts: the shifts they could trade it for, the people who
    could cover it."""

    trades: dict[int, list[int]] = field(default_factory=dict)
    covers: dict[int, list[int]] = field(default_factory=dict)

    def tradable_shift_ids(self) -> set[int]:
        return {shift_id for ids in self.trades.values() for shift_id in ids}

    def cover_person_ids(self) -> set[int]:
        return {person_id for ids in self.covers.values() for person_id in ids}

    def trade_for(self, shift_id: int) -> list[int]:
        """The viewer's shifts that can be traded for the shift ``shift_id``."""
        return [mine for mine, ids in self.trades.items() if shift_id in ids]

    def cover_for(self, person_id: int) -> list[int]:
        """The viewer's shifts that ``person_id`` can cover."""
        return [mine for mine, ids in self.covers.items() if person_id in ids]


@dataclass(frozen=True)
class _Busy:
    """Who is away or on duty when, over the window every candidate swap falls in."""

    time_off: dict[int, list[Interval]]
    shifts: dict[int, list[tuple[int, Interval]]]

    def free(self, person_id: int, shift: Shift, *, ignore: Collection[int]) -> bool:
        def overlaps(span: Interval) -> bool:
            return span.start < shift.end and shift.start < span.end

        if any(overlaps(span) for span in self.time_off.get(person_id, [])):
            return False
        return not any(
            overlaps(span)
            for shift_id, span in self.shifts.get(person_id, [])
            if shift_id not in ignore
        )


def _load_busy(session: Session, *, person_ids: set[int], start: datetime, end: datetime) -> _Busy:
    rows = session.execute(
        select(Shift.id, Shift.person_id, Shift.start, Shift.end).where(
            Shift.person_id.in_(sorted(person_ids)),
            Shift.cancelled_at.is_(None),
            Shift.end > start,
            Shift.start < end,
        )
    )
    shifts: dict[int, list[tuple[int, Interval]]] = defaultdict(list)
    for shift_id, person_id, shift_start, shift_end in rows:
        if person_id is None:
            continue
        shifts[person_id].append((shift_id, Interval(shift_start, shift_end)))
    time_off = availability.time_off_intervals(session, person_ids=person_ids, start=start, end=end)
    return _Busy(time_off=time_off, shifts=dict(shifts))


def swap_choices(
    session: Session,
    *,
    viewer: Person,
    mine: list[Shift],
    theirs: list[Shift],
    colleagues: Iterable[Person],
) -> SwapChoices:
    """The trades and covers of ``mine`` that ``request_swap`` would accept."""
    others = [p for p in colleagues if p.active and p.id != viewer.id]
    offered = [s for s in theirs if s.person_id is not None and s.person_id != viewer.id]
    everything = [*mine, *offered]
    if not mine or not everything:
        return SwapChoices()
    person_ids = {viewer.id, *(p.id for p in others), *(s.person_id or 0 for s in offered)}
    busy = _load_busy(
        session,
        person_ids=person_ids,
        start=min(s.start for s in everything),
        end=max(s.end for s in everything),
    )
    trades: dict[int, list[int]] = {}
    covers: dict[int, list[int]] = {}
    for shift in mine:
        trades[shift.id] = [
            other.id
            for other in offered
            if other.person is not None
            and other.person.active
            and busy.free(other.person_id or 0, shift, ignore={shift.id, other.id})
            and busy.free(viewer.id, other, ignore={shift.id, other.id})
        ]
        covers[shift.id] = [p.id for p in others if busy.free(p.id, shift, ignore={shift.id})]
    return SwapChoices(trades=trades, covers=covers)
