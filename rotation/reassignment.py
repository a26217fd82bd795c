"""Shifts ahead that must change hands: someone left or is away, the cadence changed, a rebalance.

Each use case picks the shifts to reopen and lets ``generation.reschedule`` decide who takes
them under the scheduling rule, holding every other shift fixed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.models import Person
from rotation import generation, retiming, schedule_inputs
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift


def release(
    session: Session,
    *,
    shifts: Sequence[Shift],
    now: datetime,
    actor: Person | None,
    reason: str,
    from_instant: datetime | None = None,
    cover: bool = False,
) -> list[int]:
    """Reassign shifts whose person can no longer take them; ids of the shifts that changed.

    Only what lies ahead is touched: a shift under way is cut at now (or at ``from_instant``
    if later), the part already worked keeps its person, and the rest is reassigned; a shift
    not yet started is reassigned whole, as the scheduling rule treats every shift.
    ``cover``: whoever takes a shift covers for its person, who owes it (time off).
    """
    cut = max(now, from_instant) if from_instant is not None else now
    by_rotation: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        if shift.end <= cut:
            continue
        if shift.role == shift_rows.SHADOW_ROLE:
            # Nobody takes over a shadow's seat: it goes, and the shadow is seated anew.
            _withdraw_shadow(session, shift=shift, cut=cut, now=now)
        by_rotation[shift.rotation_id].append(shift)
    changed: list[int] = []
    for rotation_id in sorted(by_rotation):
        rotation = generation.lock(session, rotation_id)
        if rotation is None or rotation.archived:
            continue  # an archived rotation has nothing ahead but the shift under way
        reopen = [
            shift_rows.split(session, shift=shift, at=cut, now=now) if shift.start < now else shift
            for shift in by_rotation[rotation_id]
            if shift.role == shift_rows.PRIMARY_ROLE
        ]
        result = generation.reschedule(
            session,
            rotation=rotation,
            now=now,
            actor=actor,
            reason=reason,
            reassign=reopen,
            cover=cover,
        )
        changed.extend(result.changed_shift_ids)
    return sorted(changed)


def _withdraw_shadow(session: Session, *, shift: Shift, cut: datetime, now: datetime) -> None:
    """Cancel what lies ahead of a shadow shift; the part already shadowed stays."""
    if shift.start < cut:
        shift = shift_rows.split(session, shift=shift, at=cut, now=now)
    shift_rows.cancel(session, shift=shift, now=now)
    session.flush()


def shifts_of(
    session: Session,
    *,
    person_id: int,
    after: datetime,
    before: datetime | None = None,
    rotation_id: int | None = None,
) -> list[Shift]:
    """A person's live shifts that end after ``after`` (and start before ``before``)."""
    query = select(Shift).where(
        Shift.person_id == person_id, Shift.cancelled_at.is_(None), Shift.end > after
    )
    if before is not None:
        query = query.where(Shift.start < before)
    if rotation_id is not None:
        query = query.where(Shift.rotation_id == rotation_id)
    return list(session.scalars(query.order_by(Shift.start, Shift.id)))


def cancel_future(session: Session, *, rotation: Rotation, now: datetime) -> list[int]:
    """Cancel the live shifts that have not started; ids of the cancelled shifts."""
    future = session.scalars(
        select(Shift).where(
            Shift.rotation_id == rotation.id, Shift.cancelled_at.is_(None), Shift.start > now
        )
    ).all()
    releases: list[dict[str, object]] = []
    for shift in future:
        shift_rows.cancel(session, shift=shift, now=now, releases=releases)
    session.flush()
    shift_rows.insert_releases(session, releases)
    return [shift.id for shift in future]


def regenerate(
    session: Session, *, rotation: Rotation, now: datetime, actor: Person | None
) -> generation.ScheduleResult:
    """After a cadence change: cancel the shifts not yet started and generate them anew.

    A shift under way runs to its end; the new cadence takes over from there. A new shift
    that only moved and kept its person takes over the cancelled one's row and UID (see
    ``rotation.retiming``), so calendars show it moved rather than cancelled and re-created.
    """
    future = _future_shifts(session, rotation=rotation, now=now)
    cancelled = cancel_future(session, rotation=rotation, now=now)
    created_after = retiming.newest_shift_id(session, rotation_id=rotation.id)
    result = generation.reschedule(
        session, rotation=rotation, now=now, actor=actor, reason="cadence changed", origin=now
    )
    kept = retiming.keep_uids(
        session, rotation_id=rotation.id, cancelled=future, created_after=created_after, now=now
    )
    audit.Trail(session, actor=actor, at=now).record(
        "rotation.regenerate",
        ("rotation", rotation.id),
        after={"cancelled_shift_ids": cancelled, "retimed_in_place": kept},
    )
    return result


def _future_shifts(session: Session, *, rotation: Rotation, now: datetime) -> list[Shift]:
    return list(
        session.scalars(
            select(Shift).where(
                Shift.rotation_id == rotation.id, Shift.cancelled_at.is_(None), Shift.start > now
            )
        )
    )


def rebalance(
    session: Session, *, rotation: Rotation, from_date: date, now: datetime, actor: Person | None
) -> list[int]:
    """Reassign every scheduled shift from ``from_date`` (never before now) by the rule.

    Overrides and swaps are people's explicit decisions and stay as they are. Counts start
    when the newest current member joined: a join credit was reckoned against shifts ahead
    that a rebalance hands out afresh, so it would otherwise starve the newcomer.
    """
    cutoff = max(generation.start_of_day(rotation, from_date), now)
    newest_join = session.scalar(
        select(func.max(RotationMember.joined_at)).where(
            RotationMember.rotation_id == rotation.id, RotationMember.left_at.is_(None)
        )
    )
    reopen = session.scalars(
        select(Shift).where(
            Shift.rotation_id == rotation.id,
            Shift.cancelled_at.is_(None),
            Shift.kind == shift_rows.SCHEDULED,
            Shift.role == shift_rows.PRIMARY_ROLE,
            Shift.start >= cutoff,
        )
    ).all()
    result = generation.reschedule(
        session,
        rotation=rotation,
        now=now,
        actor=actor,
        reason="rebalance",
        reassign=reopen,
        count_since=schedule_inputs.as_utc(newest_join) if newest_join is not None else None,
    )
    return sorted(result.changed_shift_ids)


def refill_rotations_of(
    session: Session, *, person_id: int, now: datetime, actor: Person | None
) -> None:
    """Someone became eligible again: fill open slots in the rotations they belong to."""
    rotation_ids = session.scalars(
        select(RotationMember.rotation_id)
        .where(RotationMember.person_id == person_id, RotationMember.left_at.is_(None))
        .order_by(RotationMember.rotation_id)
    ).all()
    for rotation_id in rotation_ids:
        generation.extend(session, rotation_id=rotation_id, now=now, actor=actor)
