"""A cadence change that keeps calendar events: retimed shifts keep their UIDs.

Regenerating after a change of handoff time, time zone, shift length or people per shift
cancels every shift not yet started and generates the new cadence. Where a new shift falls
where a cancelled one was and has the same person, calendar clients should see that event
move, not one event cancelled and another created: the cancelled row takes the new shift's
times and is live again (its sequence already one higher from the cancellation), and the new
row goes. Only shifts whose person changes, or that have no counterpart, stay new events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rotation.models import Shift, ShiftRelease


def newest_shift_id(session: Session, *, rotation_id: int) -> int:
    """The highest shift id of the rotation so far (0 for none): rows above it are new."""
    found = session.scalars(
        select(Shift.id).where(Shift.rotation_id == rotation_id).order_by(Shift.id.desc())
    ).first()
    return found or 0


def _counterparts(
    cancelled: Sequence[Shift], created: Sequence[Shift]
) -> list[tuple[Shift, Shift]]:
    """(cancelled, new) pairs: same person, the nearest start, closer than either's length."""
    by_person: dict[int | None, list[Shift]] = defaultdict(list)
    for shift in cancelled:
        by_person[shift.person_id].append(shift)
    pairs: list[tuple[Shift, Shift]] = []
    taken: set[int] = set()
    for new in sorted(created, key=lambda s: (s.start, s.slot, s.id)):
        reach = max(new.end - new.start, *(o.end - o.start for o in by_person[new.person_id][:1]))
        candidates = [
            old
            for old in by_person[new.person_id]
            if old.id not in taken and abs(old.start - new.start) < reach
        ]
        if not candidates:
            continue
        old = min(candidates, key=lambda o: (abs(o.start - new.start), o.slot != new.slot, o.id))
        taken.add(old.id)
        pairs.append((old, new))
    return pairs


def keep_uids(
    session: Session,
    *,
    rotation_id: int,
    cancelled: Sequence[Shift],
    created_after: int,
    now: datetime,
) -> int:
    """Move cancelled shifts onto their new counterparts (see the module docstring); the
    number of events kept."""
    created = session.scalars(
        select(Shift).where(
            Shift.rotation_id == rotation_id,
            Shift.id > created_after,
            Shift.cancelled_at.is_(None),
        )
    ).all()
    pairs = _counterparts(cancelled, created)
    if not pairs:
        return 0
    new_ids = [new.id for _old, new in pairs]
    # Delete first: the revived rows take the same (start, slot), which live rows hold once.
    session.execute(
        delete(Shift).where(Shift.id.in_(new_ids)),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        delete(ShiftRelease).where(
            ShiftRelease.shift_id.in_([old.id for old, _new in pairs]),
            ShiftRelease.released_at == now,
        ),
        execution_options={"synchronize_session": False},
    )
    for old, new in pairs:
        session.expunge(new)
        old.index, old.slot, old.start, old.end = new.index, new.slot, new.start, new.end
        old.kind = new.kind
        old.cancelled_at = None
        old.updated_at = now
    session.flush()
    return len(pairs)
