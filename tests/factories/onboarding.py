"""Card sets, rotation requirements and acknowledgements."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from core.models import Person
from kb_links.models import Card
from onboarding.models import Acknowledgement, CardSet, CardSetItem, RotationRequirement
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories._rows import save

_counter = itertools.count(1)


def make_card_set(
    session: Session, *, cards: Sequence[Card], name: str | None = None, now: datetime = DEFAULT_NOW
) -> CardSet:
    card_set = save(
        session,
        CardSet(
            name=name or f"Card set {next(_counter)}",
            description="",
            archived=False,
            created_at=now,
            updated_at=now,
        ),
    )
    session.add_all(
        CardSetItem(card_set_id=card_set.id, card_id=card.id, position=position)
        for position, card in enumerate(cards)
    )
    session.flush()
    return card_set


def make_requirement(
    session: Session,
    *,
    rotation: Rotation,
    card_set: CardSet,
    assign_days_before: int = 21,
    due_days_before: int = 2,
    now: datetime = DEFAULT_NOW,
) -> RotationRequirement:
    return save(
        session,
        RotationRequirement(
            rotation_id=rotation.id,
            card_set_id=card_set.id,
            assign_days_before=assign_days_before,
            due_days_before=due_days_before,
            created_at=now,
        ),
    )


def make_ack(
    session: Session,
    *,
    person: Person,
    card: Card,
    version: int | None = None,
    at: datetime = DEFAULT_NOW,
) -> Acknowledgement:
    """``person`` read ``card`` at ``version`` (its current one unless given)."""
    return save(
        session,
        Acknowledgement(
            person_id=person.id,
            card_id=card.id,
            card_version=card.version if version is None else version,
            acknowledged_at=at,
        ),
    )
