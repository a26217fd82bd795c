"""Burden figures for the scheduler: what each shift weighs under the rotation's weights.

The ledger's reckoning (``rotation.ledger``): a shift's duty inside the coverage windows,
its hours by kind of local day, weighed. Read with a fixed number of queries: the
rotation's held shifts and its holidays over their span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation import coverage, duty, fairness_settings, ledger, scheduler
from rotation.models import Rotation, Shift

ONE_DAY = timedelta(days=1)
Weigher = Callable[[datetime, datetime], float]


def weigher(session: Session, *, rotation: Rotation, start: datetime, end: datetime) -> Weigher:
    """A function giving the burden of [start, end) on ``rotation`` (two queries at most)."""
    rules = duty.rules_for(session, rotation=rotation, start=start, end=end)
    found = duty.rotation_holidays(
        session, rotation=rotation, first=(start - ONE_DAY).date(), last=(end + ONE_DAY).date()
    )
    zone = ZoneInfo(rotation.timezone)
    days = frozenset(h.day for h in found)
    weights = fairness_settings.weights_of(rotation)

    def weigh(shift_start: datetime, shift_end: datetime) -> float:
        spans = coverage.duty_spans(rules, shift_start, shift_end)
        return ledger.weigh(spans, zone=zone, holidays=days, weights=weights)

    return weigh


@dataclass(frozen=True)
class Figures:
    """Each person's burden in the rotation, and what a shift weighs on average."""

    by_person: dict[int, float]
    per_shift: float
    open_slots: list[scheduler.OpenSlot]


def figures(
    session: Session,
    *,
    rotation: Rotation,
    skip_ids: set[int],
    open_slots: Sequence[scheduler.OpenSlot],
    count_since: datetime | None,
) -> Figures:
    """Burden of the live shifts held (all of them, or from ``count_since``) and of the slots.

    Shifts in ``skip_ids`` are decided afresh and weigh for nobody.
    """
    query = select(Shift.id, Shift.person_id, Shift.start, Shift.end).where(
        Shift.rotation_id == rotation.id,
        Shift.cancelled_at.is_(None),
        Shift.person_id.is_not(None),
    )
    if count_since is not None:
        query = query.where(Shift.start >= count_since)
    held = [row for row in session.execute(query) if row[0] not in skip_ids]
    starts = [row[2] for row in held] + [slot.start for slot in open_slots]
    ends = [row[3] for row in held] + [slot.end for slot in open_slots]
    if not starts:
        return Figures(by_person={}, per_shift=0.0, open_slots=list(open_slots))
    weigh = weigher(session, rotation=rotation, start=min(starts), end=max(ends))
    by_person: dict[int, float] = defaultdict(float)
    for _, person_id, start, end in held:
        if person_id is not None:
            by_person[person_id] += weigh(start, end)
    weighed = [replace(slot, weight=weigh(slot.start, slot.end)) for slot in open_slots]
    total = sum(by_person.values())
    per_shift = (
        total / len(held)
        if held
        else sum(s.weight for s in weighed) / len(weighed)
        if weighed
        else 0.0
    )
    return Figures(by_person=dict(by_person), per_shift=per_shift, open_slots=weighed)
