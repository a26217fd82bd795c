"""Overrides: a manager puts someone on a whole shift, or on part of it by splitting it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core import audit
from core.errors import Conflict, Invalid
from core.models import Person
from rotation import availability, generation
from rotation import shifts as shift_rows
from rotation.models import Shift

# What an audit event pictures of the shift before an override.
AUDITED_FIELDS = ("person_id", "start", "end", "kind", "sequence")


def override(
    session: Session,
    *,
    shift: Shift,
    person: Person,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    actor: Person | None,
) -> list[Shift]:
    """Put ``person`` on ``shift`` from ``start`` to ``end`` (default: the whole shift).

    A partial window splits the shift into pieces that meet exactly: the part before and
    the part after keep their person, the window goes to ``person``. Returns every piece
    in time order (just the shift itself for a whole override).
    """
    window_start = start or shift.start
    window_end = end or shift.end
    _check(session, shift=shift, person=person, start=window_start, end=window_end, now=now)
    if shift.person_id == person.id:
        return [shift]
    generation.lock(session, shift.rotation_id)
    before = audit.snapshot(shift, AUDITED_FIELDS)
    target, pieces = _cut(session, shift=shift, start=window_start, end=window_end, now=now)
    shift_rows.give_to(
        session, shift=target, person_id=person.id, kind=shift_rows.OVERRIDE, now=now, cover=True
    )
    session.flush()
    audit.Trail(session, actor=actor, at=now).record(
        "shift.override",
        ("shift", shift.id),
        before=before,
        after={
            "override_shift_id": target.id,
            "person_id": person.id,
            "start": window_start.isoformat(),
            "end": window_end.isoformat(),
            "piece_ids": [piece.id for piece in pieces],
        },
    )
    return sorted(pieces, key=lambda piece: piece.start)


def _check(
    session: Session,
    *,
    shift: Shift,
    person: Person,
    start: datetime,
    end: datetime,
    now: datetime,
) -> None:
    """The shift is live and ahead, the window lies inside it, and ``person`` is free then.

    Putting someone on a shift they already hold is no conflict with itself.
    """
    if shift.cancelled_at is not None:
        raise Conflict("shift is cancelled")
    if shift.end <= now:
        raise Conflict("shift has already ended")
    if shift.role == shift_rows.SHADOW_ROLE:
        raise Conflict("a shadow shift is no coverage to override; override the primary's")
    if not (shift.start <= start < end <= shift.end):
        raise Invalid(
            f"override window must lie within the shift ({shift.start.isoformat()} to "
            f"{shift.end.isoformat()}) and end after it starts"
        )
    if not person.active:
        raise Invalid(f"{person.name} is deactivated")
    if shift.person_id == person.id:
        return
    reason = availability.conflict(
        session, person=person, start=start, end=end, ignore_shift_ids=[shift.id]
    )
    if reason is not None:
        raise Conflict(reason)


def _cut(
    session: Session, *, shift: Shift, start: datetime, end: datetime, now: datetime
) -> tuple[Shift, list[Shift]]:
    """Split ``shift`` so [start, end) is a piece of its own; that piece and all pieces."""
    pieces = [shift]
    target = shift
    if start > shift.start:
        target = shift_rows.split(session, shift=shift, at=start, now=now)
        pieces.append(target)
    if end < target.end:
        pieces.append(shift_rows.split(session, shift=target, at=end, now=now))
    return target, pieces
