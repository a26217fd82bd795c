"""Materialise shifts: extend to the horizon, fill open slots, reassign, regenerate, rebalance.

Every entry point works on one rotation with a fixed number of queries whatever its size
(the rotation row, its members, its live shifts, the members' time off and their shifts
elsewhere, read by ``rotation.schedule_inputs``), hands plain values to ``rotation.scheduler``
and writes the answer back under the feed contract of ``rotation.shifts``. New shifts go in
with one bulk INSERT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from core import audit
from core.models import AuditEvent, Person
from core.wallclock import local_to_utc
from rotation import debts, schedule_inputs, scheduler, shadow_pairing
from rotation import shifts as shift_rows
from rotation.models import Rotation, Shift
from rotation.timeline import MIDNIGHT, Cadence

SHIFT_TABLE = cast(Table, Shift.__table__)


@dataclass
class ScheduleResult:
    """What one run did to one rotation."""

    rotation_id: int
    added: int = 0
    uncovered: int = 0
    changed_shift_ids: list[int] = field(default_factory=list)


def cadence_of(rotation: Rotation) -> Cadence:
    return Cadence(
        timezone=rotation.timezone,
        start_date=rotation.start_date,
        handoff_time=rotation.handoff_time,
        shift_days=rotation.shift_days,
    )


def start_of_day(rotation: Rotation, day: date) -> datetime:
    """Midnight at the start of ``day`` on the rotation's clock, as a UTC instant."""
    return local_to_utc(day, MIDNIGHT, cadence_of(rotation).zone)


def lock(session: Session, rotation_id: int) -> Rotation | None:
    """The rotation row, locked until the transaction ends (PostgreSQL; SQLite serialises writers).

    Everything that changes a rotation's shifts takes this lock first, so two processes
    extending or editing the same rotation at once queue instead of both inserting.
    """
    return session.scalars(
        select(Rotation).where(Rotation.id == rotation_id).with_for_update()
    ).one_or_none()


@dataclass(frozen=True)
class NewSlot:
    """A slot the cadence calls for that has no row yet."""

    index: int
    slot: int
    start: datetime
    end: datetime


def missing_slots(
    rotation: Rotation, *, frontier: datetime | None, now: datetime, origin: datetime
) -> list[NewSlot]:
    """The slots missing between the latest live shift and the horizon (``Cadence.shifts_from``)."""
    horizon_end = now + timedelta(days=rotation.horizon_days)
    slots: list[NewSlot] = []
    for index, start, end in cadence_of(rotation).shifts_from(frontier=frontier, origin=origin):
        if start >= horizon_end:
            break
        slots.extend(NewSlot(index, slot, start, end) for slot in range(rotation.people_per_shift))
    return slots


def _frontier(session: Session, rotation_id: int) -> datetime | None:
    """When the rotation's latest live shift ends."""
    return session.scalar(select(func.max(Shift.end)).where(*schedule_inputs.live(rotation_id)))


def reschedule(
    session: Session,
    *,
    rotation: Rotation,
    now: datetime,
    actor: Person | None,
    reason: str,
    reassign: Iterable[Shift] = (),
    extend: bool = True,
    origin: datetime | None = None,
    count_since: datetime | None = None,
    cover: bool = False,
) -> ScheduleResult:
    """Reassign ``reassign``, fill uncovered slots that have not ended, extend to the horizon.

    Every other live shift is held fixed. Call with the rotation locked (``lock``).
    ``count_since`` counts only shifts from then on, without join credits (see rebalance);
    ``cover``: whoever takes a reassigned shift covers for its person, who is owed it."""
    result = ScheduleResult(rotation_id=rotation.id)
    if rotation.archived:
        return result
    reopened = _reopened(session, rotation_id=rotation.id, reassign=reassign, now=now)
    new_slots = (
        missing_slots(
            rotation,
            frontier=_frontier(session, rotation.id),
            now=now,
            origin=origin or rotation.created_at,
        )
        if extend
        else []
    )
    if not reopened and not new_slots:
        shadow_pairing.pair(session, rotation=rotation, now=now, actor=actor)
        return result
    inputs = schedule_inputs.collect(
        session,
        rotation=rotation,
        reopened=reopened,
        open_slots=slots_to_fill(reopened, new_slots),
        count_since=count_since,
    )
    assignments = scheduler.assign(
        members=inputs.members,
        held=inputs.held,
        open_slots=inputs.open_slots,
        unavailable=inputs.unavailable,
        as_of=now,
    )
    writing = Writing(rotation.id, now, cover, rotation.fairness, owed=dict(inputs.owed))
    write_back(session, writing=writing, assignments=assignments, result=result)
    audit_run(session, result=result, actor=actor, now=now, reason=reason)
    shadow_pairing.pair(session, rotation=rotation, now=now, actor=actor)
    return result


def _reopened(
    session: Session, *, rotation_id: int, reassign: Iterable[Shift], now: datetime
) -> dict[int, Shift]:
    """The shifts to decide afresh: those asked for plus every uncovered one not yet ended."""
    reopened = {shift.id: shift for shift in reassign}
    uncovered = session.scalars(
        select(Shift).where(
            *schedule_inputs.live(rotation_id), Shift.person_id.is_(None), Shift.end > now
        )
    )
    reopened.update({shift.id: shift for shift in uncovered})
    return reopened


def slots_to_fill(reopened: dict[int, Shift], new_slots: list[NewSlot]) -> list[scheduler.OpenSlot]:
    """Slots to decide in start order, keyed by the Shift row or the NewSlot to insert."""
    open_slots = [
        scheduler.OpenSlot(key=shift, start=shift.start, end=shift.end)
        for shift in sorted(reopened.values(), key=lambda s: (s.start, s.slot, s.id))
    ]
    open_slots.extend(
        scheduler.OpenSlot(key=new, start=new.start, end=new.end) for new in new_slots
    )
    open_slots.sort(key=lambda s: s.start)
    return open_slots


@dataclass
class Writing:
    """What writing one run's assignments back needs besides the assignments."""

    rotation_id: int
    now: datetime
    cover: bool
    fairness: str
    # Covers owed per person (release ids, oldest first); paid back as shifts are given.
    owed: dict[int, list[int]]
    repaid: list[tuple[int, object]] = field(default_factory=list)
    uids: dict[object, str] = field(default_factory=dict)

    def why(self, reason: scheduler.Reason | None) -> dict[str, object] | None:
        if reason is None:
            return None
        return {
            "rule": reason.rule,
            "by": self.fairness,
            "eligible": reason.eligible,
            "figure": round(reason.figure, 2),
            "next": None if reason.next_figure is None else round(reason.next_figure, 2),
        }

    def pay_back(self, person_id: int | None, key: object) -> None:
        """A shift given to someone owed a cover pays their oldest cover back."""
        waiting = self.owed.get(person_id or 0)
        if waiting:
            self.repaid.append((waiting[0], key))
            self.owed[person_id or 0] = waiting[1:]


def write_back(
    session: Session,
    *,
    writing: Writing,
    assignments: Iterable[scheduler.Assignment],
    result: ScheduleResult,
    pending: list[dict[str, object]] | None = None,
) -> None:
    """Hand reopened shifts to their new holders and insert the new ones in one statement
    (or leave them in ``pending`` for the caller to insert with other rotations' rows, and
    to flush the reopened shifts' changes)."""
    rows = []
    releases: list[dict[str, object]] = []
    for assignment in assignments:
        if assignment.person_id is None:
            result.uncovered += 1
        writing.pay_back(assignment.person_id, assignment.key)
        if isinstance(assignment.key, Shift):
            shift = assignment.key
            if shift_rows.give_to(
                session,
                shift=shift,
                person_id=assignment.person_id,
                kind=shift_rows.SCHEDULED,
                now=writing.now,
                releases=releases,
                cover=writing.cover,
            ):
                shift.why = writing.why(assignment.reason)
                result.changed_shift_ids.append(shift.id)
            continue
        new = assignment.key
        assert isinstance(new, NewSlot)
        row = _new_row(writing.rotation_id, new, person_id=assignment.person_id, now=writing.now)
        row["why"] = writing.why(assignment.reason)
        writing.uids[new] = str(row["uid"])
        rows.append(row)
    if pending is None:
        session.flush()
    shift_rows.insert_releases(session, releases)
    if rows:
        result.added = len(rows)
        if pending is not None:
            assert not writing.repaid, "covers are repaid by rows already inserted"
            pending.extend(rows)
        else:
            # A Core INSERT of the table: one executemany, no per-row ORM bookkeeping.
            session.execute(insert(SHIFT_TABLE), rows)
    _record_repaid(session, writing=writing)


def _record_repaid(session: Session, *, writing: Writing) -> None:
    """Mark the covers paid back by this run's shifts (new rows found by their UID)."""
    if not writing.repaid:
        return
    uids = [writing.uids[key] for _, key in writing.repaid if isinstance(key, NewSlot)]
    ids = {
        uid: shift_id
        for uid, shift_id in session.execute(select(Shift.uid, Shift.id).where(Shift.uid.in_(uids)))
    }
    debts.repay(
        session,
        (
            (release_id, key.id if isinstance(key, Shift) else ids[writing.uids[key]])
            for release_id, key in writing.repaid
            if isinstance(key, Shift | NewSlot)
        ),
    )


def _new_row(
    rotation_id: int, new: NewSlot, *, person_id: int | None, now: datetime
) -> dict[str, object]:
    return {
        "rotation_id": rotation_id,
        "index": new.index,
        "slot": new.slot,
        "start": new.start,
        "end": new.end,
        "person_id": person_id,
        "kind": shift_rows.SCHEDULED,
        "sequence": 0,
        "uid": shift_rows.new_uid(rotation_id=rotation_id, index=new.index, slot=new.slot),
        "created_at": now,
        "updated_at": now,
        "cancelled_at": None,
    }


def audit_run(
    session: Session, *, result: ScheduleResult, actor: Person | None, now: datetime, reason: str
) -> None:
    """One audit event for a run that added or changed shifts."""
    values = audit_values(session, result=result, actor=actor, now=now, reason=reason)
    if values is not None:
        session.add(AuditEvent(**values))


def audit_values(
    session: Session, *, result: ScheduleResult, actor: Person | None, now: datetime, reason: str
) -> dict[str, Any] | None:
    """The audit event's columns for a run that added or changed shifts, else None."""
    if not (result.added or result.changed_shift_ids):
        return None
    return audit.Trail(session, actor=actor, at=now).values(
        "rotation.schedule",
        ("rotation", result.rotation_id),
        after={
            "added": result.added,
            "changed_shift_ids": sorted(result.changed_shift_ids),
            "uncovered": result.uncovered,
        },
        note=reason,
    )


# --- the periodic job ---------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A rotation ``schedule extend`` has work for, and how many days of schedule it lacks up
    to its horizon (0 when only open slots are left to fill)."""

    rotation_id: int
    days: float


def rotations_due(session: Session, *, now: datetime) -> list[int]:
    """Live rotations whose shifts stop short of their horizon or have open slots to fill."""
    return [item.rotation_id for item in due(session, now=now)]


def due(session: Session, *, now: datetime) -> list[Due]:
    """``rotations_due`` with the days each one lacks, in id order."""
    # One look-up per rotation in the index on a live shift's end (ix_shift_rotation_end).
    frontier = (
        select(func.max(Shift.end))
        .where(Shift.rotation_id == Rotation.id, Shift.cancelled_at.is_(None))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Rotation.id, Rotation.horizon_days, frontier)
        .where(Rotation.archived.is_(False))
        .order_by(Rotation.id)
    ).all()
    with_open_slots = set(
        session.scalars(
            select(Shift.rotation_id)
            .where(Shift.cancelled_at.is_(None), Shift.person_id.is_(None), Shift.end > now)
            .distinct()
        )
    )
    found = []
    for rotation_id, horizon_days, last_end in rows:
        horizon_end = now + timedelta(days=horizon_days)
        lacking = (
            horizon_end - (now if last_end is None else schedule_inputs.as_utc(last_end))
        ) / timedelta(days=1)
        if lacking > 0 or rotation_id in with_open_slots:
            found.append(Due(rotation_id, max(lacking, 0.0)))
    return found


def extend(
    session: Session, *, rotation_id: int, now: datetime, actor: Person | None = None
) -> ScheduleResult:
    """Extend one rotation to its horizon and fill what can be filled (idempotent)."""
    rotation = lock(session, rotation_id)
    if rotation is None:
        return ScheduleResult(rotation_id=rotation_id)
    return reschedule(session, rotation=rotation, now=now, actor=actor, reason="schedule extend")
