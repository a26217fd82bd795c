"""Shifts ahead that fall on their person's own public holiday go to someone else.

That happens when a rotation starts treating people's own holidays as time off, and when a
person's holiday country changes; the scheduling rule then picks the new person, as for time off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import reassignment
from rotation.models import Rotation, Shift
from rotation.own_holidays import intervals


def _ahead(now: datetime, *where: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """Conditions for live shifts not over at ``now`` that meet ``where`` too."""
    return [Shift.cancelled_at.is_(None), Shift.end > now, *where]


def _release_conflicting(
    session: Session,
    rows: Sequence[tuple[Shift, str | None, str]],
    *,
    now: datetime,
    actor: Person | None,
) -> list[int]:
    """Hand the shifts that fall on their person's own holiday (country, timezone) to others."""
    shifts = [
        shift
        for shift, country, timezone in rows
        if country is not None and intervals(country, timezone, shift.start, shift.end)
    ]
    if not shifts:
        return []
    return reassignment.release(
        session, shifts=shifts, now=now, actor=actor, reason="own public holiday"
    )


def release_conflicts(
    session: Session, *, rotation: Rotation, now: datetime, actor: Person | None
) -> list[int]:
    """Hand the rotation's shifts ahead that fall on their person's own holiday to others."""
    rows = session.execute(
        select(Shift, Person.holiday_country, Person.timezone)
        .join(Person, Person.id == Shift.person_id)
        .where(*_ahead(now, Shift.rotation_id == rotation.id, Person.holiday_country.is_not(None)))
        .order_by(Shift.start, Shift.id)
    ).all()
    return _release_conflicting(
        session,
        [(shift, country, timezone) for shift, country, timezone in rows],
        now=now,
        actor=actor,
    )


def person_changed(
    session: Session, *, person: Person, now: datetime, actor: Person | None
) -> list[int]:
    """After a person's holiday country changed: release their shifts ahead on those days."""
    if not person.holiday_country:
        # Fewer days off: slots left open in their rotations can be filled again.
        reassignment.refill_rotations_of(session, person_id=person.id, now=now, actor=actor)
        return []
    shifts = session.scalars(
        select(Shift)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .where(
            *_ahead(
                now,
                Shift.person_id == person.id,
                Rotation.treat_own_holidays_as_time_off.is_(True),
            )
        )
        .order_by(Shift.start, Shift.id)
    ).all()
    rows = [(shift, person.holiday_country, person.timezone) for shift in shifts]
    changed = _release_conflicting(session, rows, now=now, actor=actor)
    reassignment.refill_rotations_of(session, person_id=person.id, now=now, actor=actor)
    return changed
