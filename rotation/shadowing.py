"""Where shadows sit: beside which primaries a learner takes their shadow shifts, as a pure
function of plain values.

A learner (a member at the ``shadow`` stage) takes the earliest shifts not yet started
whose primary is ready (at the ``primary`` stage), where the learner is free and no other
learner already sits, until they hold as many shadow shifts as the rotation asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rotation.scheduler import Interval

# Member stages, from newcomer to full member.
SHADOW = "shadow"
REVERSE_SHADOW = "reverse_shadow"
PRIMARY = "primary"
STAGES = (SHADOW, REVERSE_SHADOW, PRIMARY)

# A shadow of the primary in slot k sits in slot SHADOW_SLOTS + k of the same shift, apart
# from every primary slot (a rotation has at most 100 people per shift).
SHADOW_SLOTS = 100


@dataclass(frozen=True)
class Learner:
    """A shadow who still needs ``needed`` shadow shifts; ``busy`` is when they cannot."""

    person_id: int
    needed: int
    joined_at: datetime
    busy: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class PrimaryShift:
    """A live shift of a primary slot, with whether its holder is ready to be shadowed."""

    index: int
    slot: int
    start: datetime
    end: datetime
    ready: bool


@dataclass(frozen=True)
class Placement:
    """A shadow shift to create: ``slot`` is already the shadow slot."""

    person_id: int
    index: int
    slot: int
    start: datetime
    end: datetime


def _overlaps(intervals: Iterable[Interval], start: datetime, end: datetime) -> bool:
    return any(i.start < end and start < i.end for i in intervals)


def place(
    *,
    learners: Sequence[Learner],
    primaries: Sequence[PrimaryShift],
    taken: Iterable[tuple[int, int]],
    as_of: datetime,
) -> list[Placement]:
    """Shadow shifts for ``learners`` (in the order given) beside ``primaries``.

    ``taken`` holds the (cadence index, shadow slot) pairs that already have a shadow.
    Only shifts starting after ``as_of`` and after the learner joined are considered.
    """
    occupied = set(taken)
    ordered = sorted(primaries, key=lambda p: (p.start, p.slot))
    placements: list[Placement] = []
    for learner in learners:
        busy = list(learner.busy)
        left = learner.needed
        for primary in ordered:
            if left <= 0:
                break
            shadow_slot = SHADOW_SLOTS + primary.slot
            if (
                not primary.ready
                or primary.start <= max(as_of, learner.joined_at)
                or (primary.index, shadow_slot) in occupied
                or _overlaps(busy, primary.start, primary.end)
            ):
                continue
            occupied.add((primary.index, shadow_slot))
            busy.append(Interval(primary.start, primary.end))
            placements.append(
                Placement(
                    person_id=learner.person_id,
                    index=primary.index,
                    slot=shadow_slot,
                    start=primary.start,
                    end=primary.end,
                )
            )
            left -= 1
    return placements


def shadowed_names(
    shadow: tuple[int, int, datetime, datetime],
    primaries: Iterable[tuple[int, int, datetime, datetime, str | None]],
) -> str | None:
    """Whom a shadow shift shadows: the names on its primary slot while it runs.

    ``shadow`` is (index, slot, start, end); ``primaries`` are (index, slot, start, end, name)
    of live primary shifts. None when nobody holds that slot any more.
    """
    index, slot, start, end = shadow
    names: list[str] = []
    for p_index, p_slot, p_start, p_end, name in primaries:
        if (
            p_index == index
            and SHADOW_SLOTS + p_slot == slot
            and p_start < end
            and start < p_end
            and name is not None
            and name not in names
        ):
            names.append(name)
    return ", ".join(names) or None
