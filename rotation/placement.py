"""Put a person on a stretch of a rotation, as another tool had them: an imported override.

Unlike a manager's override (``rotation.overrides``) the stretch may cross handoffs, and
nobody's availability is checked: the source tool already had that person on duty then, and
the import reproduces it rather than second-guessing it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation import schedule_inputs
from rotation import shifts as shift_rows
from rotation.models import Shift


def place(
    session: Session,
    *,
    rotation_id: int,
    person_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
) -> int:
    """Give [start, end) of the rotation's live first-slot shifts to ``person_id``, cutting
    shifts at ``start`` and ``end``; returns how many pieces changed hands."""
    found = session.scalars(
        select(Shift)
        .where(
            *schedule_inputs.live(rotation_id),
            Shift.slot == 0,
            Shift.end > start,
            Shift.start < end,
        )
        .order_by(Shift.start)
    ).all()
    changed = 0
    for shift in found:
        if shift.person_id == person_id:
            continue
        target = shift
        if start > target.start:
            target = shift_rows.split(session, shift=target, at=start, now=now)
        if end < target.end:
            shift_rows.split(session, shift=target, at=end, now=now)
        shift_rows.give_to(
            session, shift=target, person_id=person_id, kind=shift_rows.OVERRIDE, now=now
        )
        changed += 1
    session.flush()
    return changed
