"""Seat the rotation's shadows beside ready primaries: the collect and write-back steps
around ``rotation.shadowing.place``, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from core import audit
from core.models import Person
from rotation import schedule_inputs, shadowing
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift
from rotation.scheduler import Interval

SHADOW = shadowing.SHADOW
PRIMARY = shadowing.PRIMARY


def shadow_rows(session: Session, *, rotation_id: int) -> list[Shift]:
    """The rotation's live shadow shifts."""
    return list(
        session.scalars(
            select(Shift).where(
                Shift.rotation_id == rotation_id,
                Shift.cancelled_at.is_(None),
                Shift.role == shift_rows.SHADOW_ROLE,
            )
        )
    )


def pair(session: Session, *, rotation: Rotation, now: datetime, actor: Person | None) -> int:
    """Give each shadow still short of the rotation's shadow shifts a seat beside a ready
    primary; how many shadow shifts were added. Call with the rotation locked."""
    if rotation.archived or rotation.shadow_shifts_required <= 0:
        return 0
    roster = session.execute(
        select(RotationMember.person_id, RotationMember.stage, RotationMember.joined_at)
        .where(RotationMember.rotation_id == rotation.id, RotationMember.left_at.is_(None))
        .order_by(RotationMember.position, RotationMember.id)
    ).all()
    shadows = [(person_id, joined) for person_id, stage, joined in roster if stage == SHADOW]
    if not shadows:
        return 0
    seated = shadow_rows(session, rotation_id=rotation.id)
    joined_at = dict(shadows)
    # Shadow shifts of an earlier membership do not count towards this one.
    held = Counter(
        shift.person_id
        for shift in seated
        if shift.person_id in joined_at and shift.start >= joined_at[shift.person_id]
    )
    short = [
        (person_id, joined)
        for person_id, joined in shadows
        if held[person_id] < rotation.shadow_shifts_required
    ]
    if not short:
        return 0
    ready = {person_id for person_id, stage, _ in roster if stage == PRIMARY}
    primaries = _primary_shifts(session, rotation_id=rotation.id, ready=ready, now=now)
    if not primaries:
        return 0
    busy = _busy(
        session,
        rotation_id=rotation.id,
        person_ids=[person_id for person_id, _ in short],
        seated=seated,
        start=now,
        end=max(p.end for p in primaries),
    )
    learners = [
        shadowing.Learner(
            person_id=person_id,
            needed=rotation.shadow_shifts_required - held[person_id],
            joined_at=joined,
            busy=tuple(busy.get(person_id, ())),
        )
        for person_id, joined in short
    ]
    placements = shadowing.place(
        learners=learners,
        primaries=primaries,
        taken=[(s.index, s.slot) for s in seated],
        as_of=now,
    )
    _write(session, rotation=rotation, placements=placements, now=now, actor=actor)
    return len(placements)


def _primary_shifts(
    session: Session, *, rotation_id: int, ready: set[int], now: datetime
) -> list[shadowing.PrimaryShift]:
    """The assigned shifts ahead a shadow could sit beside, marked ready by their person."""
    return [
        shadowing.PrimaryShift(index, slot, start, end, ready=person_id in ready)
        for index, slot, start, end, person_id in session.execute(
            select(Shift.index, Shift.slot, Shift.start, Shift.end, Shift.person_id).where(
                *schedule_inputs.live(rotation_id), Shift.start > now, Shift.person_id.is_not(None)
            )
        )
    ]


def _busy(
    session: Session,
    *,
    rotation_id: int,
    person_ids: list[int],
    seated: list[Shift],
    start: datetime,
    end: datetime,
) -> dict[int, list[Interval]]:
    """Time off, shifts elsewhere and shadow shifts here of the learners."""
    busy: dict[int, list[Interval]] = defaultdict(list)
    away = schedule_inputs.unavailability(
        session, rotation_id=rotation_id, person_ids=person_ids, start=start, end=end
    )
    for person_id, intervals in away.items():
        busy[person_id].extend(intervals)
    for shift in seated:
        if shift.person_id in person_ids:
            busy[shift.person_id].append(Interval(shift.start, shift.end))
    return busy


def _write(
    session: Session,
    *,
    rotation: Rotation,
    placements: list[shadowing.Placement],
    now: datetime,
    actor: Person | None,
) -> None:
    if not placements:
        return
    rows = [
        {
            "rotation_id": rotation.id,
            "index": placement.index,
            "slot": placement.slot,
            "start": placement.start,
            "end": placement.end,
            "person_id": placement.person_id,
            "kind": shift_rows.SCHEDULED,
            "role": shift_rows.SHADOW_ROLE,
            "sequence": 0,
            "uid": shift_rows.new_uid(
                rotation_id=rotation.id, index=placement.index, slot=placement.slot
            ),
            "created_at": now,
            "updated_at": now,
            "cancelled_at": None,
        }
        for placement in placements
    ]
    session.execute(insert(cast(Table, Shift.__table__)), rows)
    audit.Trail(session, actor=actor, at=now).record(
        "rotation.shadows",
        ("rotation", rotation.id),
        after={
            "seated": [{"person_id": p.person_id, "start": p.start.isoformat()} for p in placements]
        },
    )
