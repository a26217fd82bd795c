"""Extend many rotations in one transaction, reading the scheduler's inputs for all at once.

``schedule extend`` (``flows.cli.extend_schedules``) hands this module the due rotations a
batch at a time. Each rotation row is locked (``generation.lock``'s row lock, taken for the
batch in id order), then the scheduler's inputs are read for the whole batch in a fixed
number of queries (frontiers, uncovered shifts, counts, last shift ends, shifts near the
open slots, members, time off, shifts elsewhere, own holidays) and the new shifts of the
batch go in with one INSERT. Rotations are decided in id order and each one sees what the
earlier ones in the batch assigned (as shifts elsewhere), so the result is the one extending
them one by one gives. Rotations the batch does not read for (burden fairness, shadows to
seat, covers owed, archived) go through ``generation.reschedule`` on their own, in turn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from rotation import fairness_settings, generation, scheduler
from rotation import shifts as shift_rows
from rotation.batch_reads import Reads, Work
from rotation.models import Rotation, Shift, ShiftRelease
from rotation.schedule_inputs import assemble

REASON = "schedule extend"


def extend(
    session: Session, *, rotation_ids: Sequence[int], now: datetime
) -> list[generation.ScheduleResult]:
    """Extend each of ``rotation_ids`` to its horizon and fill open slots, as
    ``generation.extend`` does one at a time; a result per rotation, in id order."""
    ids = sorted(rotation_ids)
    locked = {
        rotation.id: rotation
        for rotation in session.scalars(
            select(Rotation).where(Rotation.id.in_(ids)).order_by(Rotation.id).with_for_update()
        )
    }
    owing = _owing(session, list(locked))
    results: list[generation.ScheduleResult] = []
    run: list[Rotation] = []
    for rotation_id in ids:
        rotation = locked.get(rotation_id)
        if rotation is None:
            results.append(generation.ScheduleResult(rotation_id=rotation_id))
        elif _plain(rotation, owing):
            run.append(rotation)
        else:
            results.extend(_Run(session, run, now).extend())
            run = []
            results.append(
                generation.reschedule(
                    session, rotation=rotation, now=now, actor=None, reason=REASON
                )
            )
    results.extend(_Run(session, run, now).extend())
    results.sort(key=lambda result: ids.index(result.rotation_id))
    return results


def _owing(session: Session, rotation_ids: list[int]) -> set[int]:
    """The rotations where someone is owed a cover (``debts.owed``), in one or two queries."""
    outstanding = [ShiftRelease.cover.is_(True), ShiftRelease.repaid_by_shift_id.is_(None)]
    if (
        not rotation_ids
        or session.scalar(select(ShiftRelease.id).where(*outstanding).limit(1)) is None
    ):
        return set()
    return set(
        session.scalars(
            select(Shift.rotation_id)
            .join(ShiftRelease, ShiftRelease.shift_id == Shift.id)
            .where(
                Shift.rotation_id.in_(rotation_ids),
                Shift.cancelled_at.is_(None),
                Shift.person_id.is_not(None),
                Shift.person_id != ShiftRelease.person_id,
                *outstanding,
            )
            .distinct()
        )
    )


def _plain(rotation: Rotation, owing: set[int]) -> bool:
    """Whether the batch's reads are all ``reschedule`` would read for this rotation."""
    return not (
        rotation.archived
        or rotation.shadow_shifts_required > 0
        or fairness_settings.by_burden(rotation)
        or rotation.id in owing
    )


@dataclass
class _Run:
    """Consecutive plain rotations of a batch, read together and decided in turn."""

    session: Session
    rotations: list[Rotation]
    now: datetime
    # Per person: (rotation id, start, end) of their live shifts near the run's windows,
    # read once and grown as the run assigns, for "shifts elsewhere".
    busy: dict[int, list[tuple[int, datetime, datetime]]] = field(default_factory=dict)

    def extend(self) -> list[generation.ScheduleResult]:
        if not self.rotations:
            return []
        work = self._work()
        results = {r.id: generation.ScheduleResult(rotation_id=r.id) for r in self.rotations}
        if work:
            pending: list[dict[str, object]] = []
            reads = Reads.load(self.session, work)
            self.busy = reads.busy
            for item in work:
                self._decide(item, reads, results[item.rotation.id], pending)
            self.session.flush()
            if pending:
                self.session.execute(insert(generation.SHIFT_TABLE), pending)
            events = [
                generation.audit_values(
                    self.session,
                    result=results[item.rotation.id],
                    actor=None,
                    now=self.now,
                    reason=REASON,
                )
                for item in work
            ]
            if any(events):
                self.session.execute(insert(AuditEvent), [e for e in events if e is not None])
        return [results[r.id] for r in self.rotations]

    def _work(self) -> list[Work]:
        """Each rotation's open slots: uncovered shifts not yet ended, then the new ones."""
        ids = [r.id for r in self.rotations]
        live = [
            Shift.rotation_id.in_(ids),
            Shift.cancelled_at.is_(None),
            Shift.role == shift_rows.PRIMARY_ROLE,
        ]
        # One look-up per rotation in the index on a live shift's end (ix_shift_rotation_end).
        latest = select(func.max(Shift.end)).where(
            Shift.rotation_id == Rotation.id,
            Shift.cancelled_at.is_(None),
            Shift.role == shift_rows.PRIMARY_ROLE,
        )
        frontiers = {
            rotation_id: frontier
            for rotation_id, frontier in self.session.execute(
                select(Rotation.id, latest.scalar_subquery()).where(Rotation.id.in_(ids))
            )
            if frontier is not None
        }
        reopened: dict[int, dict[int, Shift]] = defaultdict(dict)
        for shift in self.session.scalars(
            select(Shift).where(*live, Shift.person_id.is_(None), Shift.end > self.now)
        ):
            reopened[shift.rotation_id][shift.id] = shift
        work = []
        for rotation in self.rotations:
            new_slots = generation.missing_slots(
                rotation,
                frontier=frontiers.get(rotation.id),
                now=self.now,
                origin=rotation.created_at,
            )
            mine = reopened.get(rotation.id, {})
            if mine or new_slots:
                open_slots = generation.slots_to_fill(mine, new_slots)
                work.append(Work(rotation, mine, open_slots))
        return work

    def _decide(
        self,
        item: Work,
        reads: Reads,
        result: generation.ScheduleResult,
        pending: list[dict[str, object]],
    ) -> None:
        """Assign one rotation's open slots and write them back (new rows to ``pending``)."""
        rotation = item.rotation
        read = reads.read(rotation.id)
        inputs = assemble(
            self.session,
            rotation,
            read,
            reopened=item.reopened,
            open_slots=item.open_slots,
            count_since=None,
        )
        unavailable = reads.unavailable(item, [m.person_id for m in inputs.members], self.busy)
        assignments = scheduler.assign(
            members=inputs.members,
            held=inputs.held,
            open_slots=inputs.open_slots,
            unavailable=unavailable,
            as_of=self.now,
        )
        writing = generation.Writing(rotation.id, self.now, False, rotation.fairness, owed={})
        generation.write_back(
            self.session,
            writing=writing,
            assignments=assignments,
            result=result,
            pending=pending,
        )
        slots = {slot.key: slot for slot in inputs.open_slots}
        for assignment in assignments:
            if assignment.person_id is not None:
                slot = slots[assignment.key]
                self.busy.setdefault(assignment.person_id, []).append(
                    (rotation.id, slot.start, slot.end)
                )
