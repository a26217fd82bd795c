"""Layered schedules: who is finally on call when several rotations stack up.

A schedule is an ordered list of layers (first = highest priority). Each layer contributes its
duty pieces; at any instant the final on-call is the highest layer with someone on duty there
(an uncovered piece counts as nobody, so the next layer answers). Pure: plain values in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Duty:
    """A person on duty for one layer during [start, end); ``person_id`` None = uncovered."""

    start: datetime
    end: datetime
    person_id: int | None
    shift_id: int


@dataclass(frozen=True, slots=True)
class FinalEntry:
    """A stretch of the final line: the duty that answers, or a gap (layer and duty None)."""

    start: datetime
    end: datetime
    layer: int | None
    duty: Duty | None


def _boundaries(layers: Sequence[Sequence[Duty]], start: datetime, end: datetime) -> list[datetime]:
    instants = {start, end}
    for duties in layers:
        for duty in duties:
            if start < duty.start < end:
                instants.add(duty.start)
            if start < duty.end < end:
                instants.add(duty.end)
    return sorted(instants)


class _Sweep:
    """A layer's duties under way at successive instants (asked in time order)."""

    def __init__(self, duties: Sequence[Duty]) -> None:
        self.pending = sorted(
            (d for d in duties if d.person_id is not None), key=lambda d: (d.start, d.shift_id)
        )
        self.next = 0
        self.active: list[Duty] = []

    def at(self, instant: datetime) -> list[Duty]:
        while self.next < len(self.pending) and self.pending[self.next].start <= instant:
            self.active.append(self.pending[self.next])
            self.next += 1
        self.active = [duty for duty in self.active if duty.end > instant]
        return self.active


def answering(layers: Sequence[Sequence[Duty]], at: datetime) -> tuple[int | None, list[Duty]]:
    """The highest layer with someone on duty at ``at`` and its duties there (by shift id)."""
    for position, duties in enumerate(layers):
        found = [d for d in duties if d.person_id is not None and d.start <= at < d.end]
        if found:
            return position, sorted(found, key=lambda d: d.shift_id)
    return None, []


def final_line(
    layers: Sequence[Sequence[Duty]], start: datetime, end: datetime
) -> list[FinalEntry]:
    """The final on-call over [start, end): entries in time order, gaps as entries of nobody.

    Several people on duty in the answering layer (a shift of two) give one entry each for
    the same stretch. Consecutive stretches of the same duty in the same layer are joined.
    """
    sweeps = [_Sweep(duties) for duties in layers]
    entries: list[FinalEntry] = []
    open_entries: dict[tuple[int | None, int | None], int] = {}
    for low, high in pairwise(_boundaries(layers, start, end)):
        winner: int | None = None
        duties: list[Duty] = []
        for position, sweep in enumerate(sweeps):
            under_way = sweep.at(low)
            if under_way and winner is None:
                winner, duties = position, sorted(under_way, key=lambda d: d.shift_id)
        keys = (
            [(winner, duty.shift_id) for duty in duties] if winner is not None else [(None, None)]
        )
        still_open: dict[tuple[int | None, int | None], int] = {}
        answers: list[Duty | None] = [*duties] if duties else [None]
        for key, duty in zip(keys, answers, strict=True):
            at = open_entries.get(key)
            if at is not None and entries[at].end == low:
                entries[at] = FinalEntry(entries[at].start, high, winner, duty)
            else:
                at = len(entries)
                entries.append(FinalEntry(low, high, winner, duty))
            still_open[key] = at
        open_entries = still_open
    return entries
