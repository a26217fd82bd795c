"""Read-only views of rotations for pages: who is on, next handoffs, counts, swaps, previews.

Each function runs a fixed number of queries whatever the number of rotations, shifts or
people, so a page built from them stays as fast with five thousand people as with five.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from itertools import islice

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from rotation import schedule_inputs, swap_views
from rotation import shifts as shift_rows
from rotation import swaps as swap_rules
from rotation.models import Rotation, RotationMember, Shift, SwapRequest
from rotation.timeline import Cadence

# Swaps shown on a rotation's page: still to be answered, or done for a shift ahead.
SHOWN_SWAP_STATUSES = (swap_rules.PENDING, swap_rules.ACCEPTED, swap_rules.APPROVED)


def _live(*conditions: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    # Shadow shifts are not coverage: who is on, handoffs and counts leave them out.
    return [Shift.cancelled_at.is_(None), Shift.role == shift_rows.PRIMARY_ROLE, *conditions]


def on_call_by_rotation(
    session: Session, *, rotation_ids: Collection[int] | None, at: datetime
) -> dict[int, list[Shift]]:
    """The live shifts under way at ``at`` per rotation (None: every rotation), people loaded."""
    query = (
        select(Shift)
        .where(*_live(Shift.start <= at, Shift.end > at))
        .options(joinedload(Shift.person))
        .order_by(Shift.rotation_id, Shift.slot, Shift.start)
    )
    if rotation_ids is not None:
        query = query.where(Shift.rotation_id.in_(sorted(rotation_ids)))
    found: dict[int, list[Shift]] = defaultdict(list)
    for shift in session.scalars(query):
        found[shift.rotation_id].append(shift)
    return dict(found)


def next_handoffs(
    session: Session, *, rotation_ids: Collection[int] | None, after: datetime
) -> dict[int, datetime]:
    """When the next live shift starts after ``after``, per rotation (None: every rotation)."""
    query = (
        select(Shift.rotation_id, func.min(Shift.start))
        .where(*_live(Shift.start > after))
        .group_by(Shift.rotation_id)
    )
    if rotation_ids is not None:
        query = query.where(Shift.rotation_id.in_(sorted(rotation_ids)))
    return {
        rotation_id: schedule_inputs.as_utc(start)
        for rotation_id, start in session.execute(query)
        if start is not None
    }


def shift_counts(session: Session, *, rotation: Rotation) -> dict[int, int]:
    """Live shifts per person over the rotation's whole generated range."""
    rows = session.execute(
        select(Shift.person_id, func.count())
        .where(*_live(Shift.rotation_id == rotation.id, Shift.person_id.is_not(None)))
        .group_by(Shift.person_id)
    )
    return {person_id: count for person_id, count in rows if person_id is not None}


def upcoming_shifts(
    session: Session,
    *,
    rotation: Rotation,
    after: datetime,
    person_id: int | None = None,
    other_than: int | None = None,
    limit: int = 40,
) -> list[Shift]:
    """The rotation's next live shifts starting after ``after``, by start, people loaded.

    ``person_id`` keeps one person's shifts; ``other_than`` keeps the covered shifts of
    everyone else (the shifts one could trade for).
    """
    conditions = _live(Shift.rotation_id == rotation.id, Shift.start > after)
    if person_id is not None:
        conditions.append(Shift.person_id == person_id)
    if other_than is not None:
        conditions += [Shift.person_id.is_not(None), Shift.person_id != other_than]
    return list(
        session.scalars(
            select(Shift)
            .where(*conditions)
            .options(joinedload(Shift.person))
            .order_by(Shift.start, Shift.slot, Shift.id)
            .limit(limit)
        )
    )


def rotation_swaps(
    session: Session, *, rotation: Rotation, now: datetime, limit: int = 100
) -> list[swap_views.SwapView]:
    """Pending, accepted and approved swaps of the rotation's shifts ahead, soonest first.

    Three queries: the swaps, their shifts, their people.
    """
    ahead = select(Shift.id).where(*_live(Shift.rotation_id == rotation.id, Shift.start > now))
    found = list(
        session.scalars(
            select(SwapRequest)
            .where(
                SwapRequest.shift_id.in_(ahead),
                SwapRequest.status.in_(SHOWN_SWAP_STATUSES),
            )
            .order_by(SwapRequest.created_at, SwapRequest.id)
            .limit(limit)
        )
    )
    views = swap_views.views_of(session, found)
    return sorted(views, key=lambda v: (v.shift.start, v.swap.id))


def preview(
    session: Session, *, rotation: Rotation, cadence: Cadence, now: datetime, count: int = 8
) -> list[tuple[datetime, datetime]]:
    """The next ``count`` shifts (start, end) if ``cadence`` were saved now; writes nothing.

    A cadence change cancels the shifts not yet started and the new cadence takes over
    when the shift under way ends (see ``reassignment.regenerate``); this answers the same
    from one query, so a manager can check the handoffs before saving.
    """
    frontier = session.scalar(
        select(func.max(Shift.end)).where(
            *_live(Shift.rotation_id == rotation.id, Shift.start <= now)
        )
    )
    shifts = cadence.shifts_from(
        frontier=schedule_inputs.as_utc(frontier) if frontier is not None else None, origin=now
    )
    return [(start, end) for _index, start, end in islice(shifts, count)]


def member_rotations(session: Session, *, person_id: int) -> list[tuple[str, str]]:
    """(slug, name) of the live rotations the person is a current member of, by name."""
    rows = session.execute(
        select(Rotation.slug, Rotation.name)
        .join(RotationMember, RotationMember.rotation_id == Rotation.id)
        .where(
            RotationMember.person_id == person_id,
            RotationMember.left_at.is_(None),
            Rotation.archived.is_(False),
        )
        .distinct()
        .order_by(Rotation.name, Rotation.slug)
    )
    return [(slug, name) for slug, name in rows]
