"""What saving a rotation's settings would do, without saving: who gets each shift ahead.

The change is applied inside a savepoint by the same code that saves it, the shifts ahead
are read, and the savepoint is rolled back, so the preview can never disagree with the
save (the scheduler's fairness, time off and other rotations all count).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.errors import DomainError
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from rotation.schemas import RotationUpdate


def people_ahead(
    session: Session, *, rotation: Rotation, data: RotationUpdate, now: datetime, count: int
) -> dict[datetime, list[str | None]]:
    """Each start ahead → the names on it (None: uncovered) if ``data`` were saved now."""
    trial = session.begin_nested()
    try:
        rotation_service.update_rotation(session, rotation=rotation, data=data, now=now, actor=None)
        shifts = session.scalars(
            select(Shift)
            .where(
                Shift.rotation_id == rotation.id,
                Shift.cancelled_at.is_(None),
                Shift.end > now,
            )
            .options(joinedload(Shift.person))
            .order_by(Shift.start, Shift.slot)
            .limit(count * max(rotation.people_per_shift, 1) * 2)
        )
        found: dict[datetime, list[str | None]] = {}
        for shift in shifts:
            name = shift.person.name if shift.person is not None else None
            found.setdefault(shift.start, []).append(name)
        return found
    except DomainError:
        # The save itself would be refused; the form says why when it is sent.
        return {}
    finally:
        trial.rollback()
