"""Use cases for card sets: ordered lists of cards a rotation can require."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core import audit, db
from core.errors import Conflict, Forbidden, Invalid
from core.models import Person
from kb_links.models import Card
from onboarding.models import CardSet, CardSetItem, RotationRequirement
from onboarding.schemas import CardSetCreate, CardSetUpdate
from rotation import access
from rotation.models import Rotation


@dataclass(frozen=True)
class CardSetView:
    """A card set with its card ids in reading order."""

    card_set: CardSet
    card_ids: list[int]


def _snapshot(card_set: CardSet, card_ids: Sequence[int]) -> dict[str, Any]:
    return {
        "name": card_set.name,
        "description": card_set.description,
        "card_ids": list(card_ids),
        "archived": card_set.archived,
    }


def get_card_set(session: Session, *, card_set_id: int) -> CardSet:
    """The card set, or NotFound."""
    return db.get_or_not_found(session, CardSet, card_set_id, what="card set")


def card_ids_of(session: Session, *, card_set_ids: Sequence[int]) -> dict[int, list[int]]:
    """Card ids per card set, in position order, in one query."""
    result: dict[int, list[int]] = {card_set_id: [] for card_set_id in card_set_ids}
    if not card_set_ids:
        return result
    rows = session.execute(
        select(CardSetItem.card_set_id, CardSetItem.card_id)
        .where(CardSetItem.card_set_id.in_(card_set_ids))
        .order_by(CardSetItem.card_set_id, CardSetItem.position)
    )
    for card_set_id, card_id in rows:
        result[card_set_id].append(card_id)
    return result


def view(session: Session, *, card_set: CardSet) -> CardSetView:
    """The card set with its cards."""
    return CardSetView(card_set, card_ids_of(session, card_set_ids=[card_set.id])[card_set.id])


def list_card_sets(
    session: Session, *, limit: int | None = None, offset: int = 0
) -> list[CardSetView]:
    """Card sets by name, with their cards (two queries); ``limit`` and ``offset`` read
    one page."""
    query = select(CardSet).order_by(CardSet.name, CardSet.id).limit(limit).offset(offset)
    card_sets = list(session.scalars(query))
    items = card_ids_of(session, card_set_ids=[s.id for s in card_sets])
    return [CardSetView(card_set, items[card_set.id]) for card_set in card_sets]


def count_card_sets(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CardSet)) or 0


def may_change(session: Session, *, person: Person, card_set: CardSet) -> bool:
    """Admins; managers of every live rotation that requires the set; any manager if none does.

    A set another manager's rotation requires decides that rotation's readiness, so emptying
    it must not be open to whoever manages something somewhere.
    """
    if person.is_admin:
        return True
    required_by = set(
        session.scalars(
            select(RotationRequirement.rotation_id)
            .join(Rotation, Rotation.id == RotationRequirement.rotation_id)
            .where(RotationRequirement.card_set_id == card_set.id, Rotation.archived.is_(False))
        )
    )
    if not required_by:
        return access.manages_any(session, person=person)
    return required_by <= access.managed_rotation_ids(session, person=person)


def _check_cards(session: Session, *, card_ids: Sequence[int], allowed_archived: set[int]) -> None:
    """Refuse duplicates, unknown cards, and archived cards not already in the set."""
    duplicates = sorted(card_id for card_id, count in Counter(card_ids).items() if count > 1)
    if duplicates:
        raise Invalid(
            f"card ids appear more than once: {', '.join(map(str, duplicates))}",
            duplicate_card_ids=duplicates,
        )
    wanted = set(card_ids)
    found = dict(session.execute(select(Card.id, Card.archived).where(Card.id.in_(wanted))).all())
    unknown = sorted(wanted - found.keys())
    if unknown:
        raise Invalid(f"unknown card ids: {', '.join(map(str, unknown))}", unknown_card_ids=unknown)
    archived = sorted(
        card_id
        for card_id, is_archived in found.items()
        if is_archived and card_id not in allowed_archived
    )
    if archived:
        raise Invalid(
            f"archived cards cannot be added: {', '.join(map(str, archived))}",
            archived_card_ids=archived,
        )


def _check_name_free(session: Session, *, name: str, other_than: int | None = None) -> None:
    existing = session.scalars(select(CardSet.id).where(CardSet.name == name)).first()
    if existing is not None and existing != other_than:
        raise Conflict(f'a card set named "{name}" already exists')


def _replace_items(session: Session, *, card_set: CardSet, card_ids: Sequence[int]) -> None:
    session.execute(delete(CardSetItem).where(CardSetItem.card_set_id == card_set.id))
    # The delete must reach the database before the inserts, or (set, card) collides.
    session.flush()
    session.add_all(
        CardSetItem(card_set_id=card_set.id, card_id=card_id, position=position)
        for position, card_id in enumerate(card_ids)
    )
    session.flush()


def create_card_set(
    session: Session, *, data: CardSetCreate, now: datetime, actor: Person | None
) -> CardSetView:
    """Add a card set; unknown or repeated cards are Invalid, a taken name a Conflict."""
    _check_name_free(session, name=data.name)
    _check_cards(session, card_ids=data.card_ids, allowed_archived=set())
    card_set = CardSet(
        name=data.name,
        description=data.description,
        archived=False,
        created_at=now,
        updated_at=now,
    )
    session.add(card_set)
    session.flush()
    _replace_items(session, card_set=card_set, card_ids=data.card_ids)
    audit.Trail(session, actor=actor, at=now).record(
        "card_set.create", ("card_set", card_set.id), after=_snapshot(card_set, data.card_ids)
    )
    return CardSetView(card_set, list(data.card_ids))


def update_card_set(
    session: Session,
    *,
    card_set: CardSet,
    data: CardSetUpdate,
    now: datetime,
    actor: Person | None,
) -> CardSetView:
    """Change name, description and/or the ordered cards (given cards replace the old list).

    ``actor`` must be allowed to (``may_change``); None is the system itself.
    """
    if actor is not None and not may_change(session, person=actor, card_set=card_set):
        raise Forbidden(
            "only admins and managers of every rotation that requires this card set can change it"
        )
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "description", "card_ids"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be null")
    current = view(session, card_set=card_set).card_ids
    before = _snapshot(card_set, current)
    if data.name is not None and data.name != card_set.name:
        _check_name_free(session, name=data.name, other_than=card_set.id)
        card_set.name = data.name
    if data.description is not None:
        card_set.description = data.description
    card_ids = current
    if data.card_ids is not None:
        _check_cards(session, card_ids=data.card_ids, allowed_archived=set(current))
        card_ids = list(data.card_ids)
        if card_ids != current:
            _replace_items(session, card_set=card_set, card_ids=card_ids)
    card_set.updated_at = now
    session.flush()
    audit.Trail(session, actor=actor, at=now).record_change(
        "card_set.update",
        ("card_set", card_set.id),
        before=before,
        after=_snapshot(card_set, card_ids),
    )
    return CardSetView(card_set, card_ids)
