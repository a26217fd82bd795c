"""Which shift needs a card next: the earliest shift not yet over, with someone on it, of a
rotation that requires the card; so a verifier checks first what someone reads first."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person
from onboarding import facts
from onboarding.models import CardSetItem, RotationRequirement
from rotation.models import Shift


@dataclass(frozen=True)
class NeededBy:
    card_id: int
    shift_id: int
    start: datetime
    person_name: str


def next_needed(
    session: Session, *, card_ids: Collection[int], now: datetime
) -> dict[int, NeededBy]:
    """The next shift needing each card, by card id; cards nobody needs are absent (one query)."""
    if not card_ids:
        return {}
    needing = (
        select(CardSetItem.card_id, Shift.id, Shift.start, Person.name)
        .join(RotationRequirement, RotationRequirement.card_set_id == CardSetItem.card_set_id)
        .join(Shift, Shift.rotation_id == RotationRequirement.rotation_id)
        .join(Person, Person.id == Shift.person_id)
        .where(
            CardSetItem.card_id.in_(sorted(card_ids)),
            Shift.end > now,
            *facts.live_shift_conditions(),
        )
    )
    ranked = needing.add_columns(
        func.row_number()
        .over(partition_by=CardSetItem.card_id, order_by=(Shift.start, Shift.id))
        .label("rank")
    ).subquery()
    rows = session.execute(
        select(ranked.c.card_id, ranked.c.id, ranked.c.start, ranked.c.name).where(
            ranked.c.rank == 1
        )
    )
    return {
        card_id: NeededBy(card_id, shift_id, start, name) for card_id, shift_id, start, name in rows
    }
