"""Covers owed: someone took a person's shift for them, and the scheduler pays it back.

A cover is a ``ShiftRelease`` marked ``cover`` (time off, an override, a swap given without
a shift in return) whose shift is still live and held by someone else. It is owed until the
scheduler gives the person a shift it plans afterwards, recorded as ``repaid_by_shift_id``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from core.models import Person
from rotation.models import Rotation, Shift, ShiftRelease


def owed(session: Session, *, rotation_id: int) -> dict[int, list[int]]:
    """Per person, the ids of the covers still owed to them here, oldest first (one query)."""
    rows = session.execute(
        select(ShiftRelease.person_id, ShiftRelease.id)
        .join(Shift, Shift.id == ShiftRelease.shift_id)
        .where(
            Shift.rotation_id == rotation_id,
            Shift.cancelled_at.is_(None),
            Shift.person_id.is_not(None),
            Shift.person_id != ShiftRelease.person_id,
            ShiftRelease.cover.is_(True),
            ShiftRelease.repaid_by_shift_id.is_(None),
        )
        .order_by(ShiftRelease.released_at, ShiftRelease.id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for person_id, release_id in rows:
        found[person_id].append(release_id)
    return dict(found)


def repay(session: Session, repaid: Iterable[tuple[int, int]]) -> None:
    """Record each (cover release id, shift id) pair: that shift paid the cover back."""
    for release_id, shift_id in repaid:
        session.execute(
            update(ShiftRelease)
            .where(ShiftRelease.id == release_id)
            .values(repaid_by_shift_id=shift_id)
        )


# The cover's holder and the shift repaying it, aliased once: a new alias per call costs more
# than the query (its columns are proxied again and the statement's cache key is new work).
_HOLDER = aliased(Person)
_REPAYING = aliased(Shift)


@dataclass(frozen=True)
class Debt:
    """A cover someone gave ``person``: who, on which shift, and the shift paying it back."""

    rotation: str
    covered_by: str
    covered_on: datetime
    timezone: str
    first_in_line_for: datetime | None


def of_person(session: Session, *, person_id: int, since: datetime) -> list[Debt]:
    """Covers given to ``person_id`` on shifts ending after ``since``, latest first (one query)."""
    holder, repaying = _HOLDER, _REPAYING
    rows = session.execute(
        select(Rotation.name, Rotation.timezone, holder.name, Shift.start, repaying.start)
        .select_from(ShiftRelease)
        .join(Shift, Shift.id == ShiftRelease.shift_id)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .join(holder, holder.id == Shift.person_id)
        .outerjoin(repaying, repaying.id == ShiftRelease.repaid_by_shift_id)
        .where(
            ShiftRelease.person_id == person_id,
            ShiftRelease.cover.is_(True),
            Shift.cancelled_at.is_(None),
            Shift.person_id != person_id,
            Shift.end > since,
        )
        .order_by(Shift.start.desc(), ShiftRelease.id.desc())
        .limit(20)
    )
    return [
        Debt(
            rotation=rotation,
            covered_by=covered_by,
            covered_on=covered_on,
            timezone=timezone,
            first_in_line_for=repaid_on,
        )
        for rotation, timezone, covered_by, covered_on, repaid_on in rows
    ]
