"""Dry runs: what a change would do to the shifts ahead, worked out and then undone.

The change runs inside a savepoint through the very code that saves it (same validation,
same scheduler), the shifts ahead of the rotations it touches are compared before and
after, and the savepoint is rolled back, so the preview can never disagree with the save.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation.models import Rotation, Shift


@dataclass(frozen=True)
class ShiftState:
    """A shift ahead as a preview shows it: when, where, and who holds it."""

    shift_id: int
    rotation: str
    start: datetime
    end: datetime
    person_id: int | None
    cancelled: bool = False


@dataclass(frozen=True)
class ShiftChange:
    before: ShiftState | None  # None: a shift the change would add
    after: ShiftState | None  # None: a shift the change would cancel


@dataclass
class PersonChange:
    """One affected person's shifts among those changing, before and after."""

    person: Person
    before: list[ShiftState] = field(default_factory=list)
    after: list[ShiftState] = field(default_factory=list)


@dataclass(frozen=True)
class Preview:
    shifts: list[ShiftChange]
    changes: list[PersonChange]
    # Shifts the change would leave with nobody on them.
    conflicts: list[ShiftState]


def _ahead(
    session: Session, *, rotation_ids: Collection[int], now: datetime, ids: Collection[int] = ()
) -> dict[int, ShiftState]:
    """The live shifts ahead of these rotations (and the shifts ``ids``), by id (one query)."""
    rows = session.execute(
        select(Shift.id, Rotation.slug, Shift.start, Shift.end, Shift.person_id, Shift.cancelled_at)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .where(
            Shift.rotation_id.in_(rotation_ids),
            Shift.end > now,
            or_(Shift.cancelled_at.is_(None), Shift.id.in_(ids)),
        )
    )
    return {
        shift_id: ShiftState(shift_id, slug, start, end, person_id, cancelled_at is not None)
        for shift_id, slug, start, end, person_id, cancelled_at in rows
    }


def dry_run(
    session: Session, *, rotation_ids: Collection[int], now: datetime, change: Callable[[], object]
) -> Preview:
    """What ``change`` would do to the shifts ahead of ``rotation_ids``; nothing is kept.

    The change's own refusals (``DomainError``) propagate, after the savepoint is undone.
    """
    trial = session.begin_nested()
    try:
        before = _ahead(session, rotation_ids=rotation_ids, now=now)
        change()
        session.flush()
        after = _ahead(session, rotation_ids=rotation_ids, now=now, ids=before)
    finally:
        trial.rollback()
    return _compare(session, before=before, after=after)


def _key(state: ShiftState | None) -> tuple[object, ...] | None:
    if state is None or state.cancelled:
        return None
    return (state.start, state.end, state.person_id)


def _compare(
    session: Session, *, before: dict[int, ShiftState], after: dict[int, ShiftState]
) -> Preview:
    changed = [
        ShiftChange(before=before.get(shift_id), after=after.get(shift_id))
        for shift_id in sorted(set(before) | set(after))
        if _key(before.get(shift_id)) != _key(after.get(shift_id))
    ]
    changed.sort(key=lambda c: ((c.after or c.before).start, (c.after or c.before).shift_id))  # type: ignore[union-attr]
    person_ids = {
        state.person_id
        for change in changed
        for state in (change.before, change.after)
        if state is not None and state.person_id is not None
    }
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    by_person: dict[int, PersonChange] = {}
    for change in changed:
        for side, state in (("before", change.before), ("after", change.after)):
            if state is None or state.cancelled or state.person_id is None:
                continue
            entry = by_person.setdefault(state.person_id, PersonChange(people[state.person_id]))
            getattr(entry, side).append(state)
    conflicts = [
        c.after
        for c in changed
        if c.after is not None and not c.after.cancelled and c.after.person_id is None
    ]
    return Preview(
        shifts=changed,
        changes=sorted(by_person.values(), key=lambda e: (e.person.name, e.person.id)),
        conflicts=conflicts,
    )


def rotations_held_by(session: Session, *, person_id: int, after: datetime) -> list[int]:
    """The rotations in which the person holds a live shift ending after ``after``."""
    return sorted(
        session.scalars(
            select(Shift.rotation_id)
            .where(Shift.person_id == person_id, Shift.cancelled_at.is_(None), Shift.end > after)
            .distinct()
        )
    )


def rotations_of_shifts(session: Session, shift_ids: Collection[int]) -> list[int]:
    """The rotations these shifts belong to."""
    return sorted(set(session.scalars(select(Shift.rotation_id).where(Shift.id.in_(shift_ids)))))
