"""Time off: whole days in the person's own timezone; shifts it touches go to someone else."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, db
from core.errors import Invalid
from core.models import Person
from rotation import reassignment
from rotation.models import TimeOff
from rotation.timeline import days_to_utc

# What an audit event pictures of time off.
AUDITED_FIELDS = ("person_id", "start", "end", "reason")


def add_time_off(
    session: Session,
    *,
    person: Person,
    start: date,
    end: date,
    reason: str,
    now: datetime,
    actor: Person | None,
) -> tuple[TimeOff, list[int]]:
    """Record days off (inclusive) and reassign the shifts ahead that overlap them.

    Returns the row and the ids of the shifts that went to someone else (or uncovered).
    """
    if end < start:
        raise Invalid("time off cannot end before it starts")
    row = TimeOff(person_id=person.id, start=start, end=end, reason=reason, created_at=now)
    session.add(row)
    session.flush()
    off_start, off_end = days_to_utc(start, end, ZoneInfo(person.timezone))
    overlapping = reassignment.shifts_of(
        session, person_id=person.id, after=max(now, off_start), before=off_end
    )
    changed = reassignment.release(
        session,
        shifts=overlapping,
        now=now,
        actor=actor,
        reason=f"time off {row.id}",
        from_instant=off_start,
        cover=True,
    )
    audit.Trail(session, actor=actor, at=now).record(
        "time_off.create",
        ("time_off", row.id),
        after={**audit.snapshot(row, AUDITED_FIELDS), "reassigned_shift_ids": changed},
    )
    return row, changed


def list_time_off(session: Session, *, person: Person) -> list[TimeOff]:
    """A person's time off, earliest first."""
    return list(
        session.scalars(
            select(TimeOff)
            .where(TimeOff.person_id == person.id)
            .order_by(TimeOff.start, TimeOff.id)
        )
    )


def get_time_off(session: Session, time_off_id: int) -> TimeOff:
    return db.get_or_not_found(session, TimeOff, time_off_id, what="time off")


def delete_time_off(session: Session, *, row: TimeOff, now: datetime, actor: Person | None) -> None:
    """Remove days off; slots left uncovered in the person's rotations are filled again."""
    before = audit.snapshot(row, AUDITED_FIELDS)
    person_id, row_id = row.person_id, row.id
    session.delete(row)
    session.flush()
    reassignment.refill_rotations_of(session, person_id=person_id, now=now, actor=actor)
    audit.Trail(session, actor=actor, at=now).record(
        "time_off.delete", ("time_off", row_id), before=before
    )
