"""Open swaps as the people in them see them: shifts and people loaded, a fixed query count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core import people
from core.models import Person
from rotation import access, swaps
from rotation import shifts as shift_rows
from rotation.models import Rotation, Shift, SwapRequest


@dataclass(frozen=True)
class SwapView:
    """A swap with its shifts (rotation and person loaded) and people, ready to show."""

    swap: SwapRequest
    shift: Shift
    counterpart_shift: Shift | None
    requester: Person
    counterpart: Person

    @property
    def is_trade(self) -> bool:
        return self.counterpart_shift is not None

    @property
    def awaiting_approval(self) -> bool:
        """Accepted, but the rotation wants a manager to approve it before it applies."""
        return self.swap.status == swaps.ACCEPTED and self.shift.rotation.swap_requires_approval


def views_of(session: Session, found: Sequence[SwapRequest]) -> list[SwapView]:
    """The swaps with their shifts and people, in the order given (two queries)."""
    shift_ids = {row.shift_id for row in found} | {
        row.counterpart_shift_id for row in found if row.counterpart_shift_id is not None
    }
    shifts = shift_rows.by_id(session, shift_ids)
    involved = people.find_by_ids(
        session,
        person_ids={row.requester_id for row in found}
        | {row.counterpart_person_id for row in found},
    )
    return [
        SwapView(
            swap=row,
            shift=shifts[row.shift_id],
            counterpart_shift=(
                shifts[row.counterpart_shift_id] if row.counterpart_shift_id is not None else None
            ),
            requester=involved[row.requester_id],
            counterpart=involved[row.counterpart_person_id],
        )
        for row in found
    ]


def open_swaps(session: Session, *, person: Person, now: datetime) -> list[SwapView]:
    """Swaps ``person`` is in that still wait for someone, oldest first.

    That is pending ones, and accepted ones a manager has yet to approve, whose shift has
    not started (a started shift can no longer be swapped, so there is nothing to answer).
    Three queries whatever the number of swaps.
    """
    rows = list(
        session.scalars(
            select(SwapRequest)
            .join(Shift, Shift.id == SwapRequest.shift_id)
            .join(Rotation, Rotation.id == Shift.rotation_id)
            .where(
                or_(
                    SwapRequest.requester_id == person.id,
                    SwapRequest.counterpart_person_id == person.id,
                ),
                or_(
                    SwapRequest.status == swaps.PENDING,
                    and_(
                        SwapRequest.status == swaps.ACCEPTED,
                        Rotation.swap_requires_approval.is_(True),
                    ),
                ),
                Shift.start > now,
                Shift.cancelled_at.is_(None),
            )
            .order_by(SwapRequest.created_at, SwapRequest.id)
        )
    )
    return views_of(session, rows)


def awaiting_approval(session: Session, *, manager: Person, now: datetime) -> list[SwapView]:
    """Accepted swaps, ahead, in rotations ``manager`` manages that ask for approval."""
    managed = access.managed_rotation_ids(session, person=manager)
    if not managed:
        return []
    rows = session.scalars(
        select(SwapRequest)
        .join(Shift, Shift.id == SwapRequest.shift_id)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .where(
            SwapRequest.status == swaps.ACCEPTED,
            Rotation.swap_requires_approval.is_(True),
            Rotation.id.in_(managed),
            Shift.start > now,
            Shift.cancelled_at.is_(None),
        )
        .order_by(Shift.start, SwapRequest.id)
    )
    return views_of(session, list(rows))
