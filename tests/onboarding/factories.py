"""Rows of rotations, shifts and cards built straight from the models, for onboarding tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from kb_links.models import Card
from onboarding.models import Acknowledgement, CardSet, CardSetItem, RotationRequirement
from rotation.models import Rotation, RotationMember, Shift, rotation_manager
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_token

_counter = itertools.count(1)


def make_rotation(
    session: Session,
    *,
    slug: str | None = None,
    name: str | None = None,
    timezone: str = "UTC",
    managers: Sequence[Person] = (),
    members: Sequence[Person] = (),
    archived: bool = False,
    now: datetime = DEFAULT_NOW,
) -> Rotation:
    n = next(_counter)
    rotation = Rotation(
        slug=slug or f"rotation-{n}",
        name=name or f"Rotation {n}",
        description="",
        timezone=timezone,
        start_date=date(2026, 1, 5),
        handoff_time=time(9, 0),
        shift_days=7,
        people_per_shift=1,
        horizon_days=182,
        swap_requires_approval=False,
        archived=archived,
        created_at=now,
        updated_at=now,
    )
    session.add(rotation)
    session.flush()
    if managers:
        session.execute(
            insert(rotation_manager),
            [{"rotation_id": rotation.id, "person_id": m.id} for m in managers],
        )
    for position, member in enumerate(members):
        session.add(
            RotationMember(
                rotation_id=rotation.id, person_id=member.id, position=position, joined_at=now
            )
        )
    session.flush()
    return rotation


def make_shift(
    session: Session,
    *,
    rotation: Rotation,
    start: datetime,
    person: Person | None,
    days: int = 7,
    slot: int = 0,
    now: datetime = DEFAULT_NOW,
) -> Shift:
    n = next(_counter)
    shift = Shift(
        rotation_id=rotation.id,
        index=n,
        slot=slot,
        start=start,
        end=start + timedelta(days=days),
        person_id=person.id if person else None,
        kind="scheduled",
        sequence=0,
        uid=f"shift-{n}@allhands.test",
        created_at=now,
        updated_at=now,
    )
    session.add(shift)
    session.flush()
    return shift


def make_card(
    session: Session,
    *,
    title: str | None = None,
    version: int = 1,
    verifier: Person | None = None,
    last_verified_at: datetime | None = DEFAULT_NOW,
    verify_every_days: int = 90,
    archived: bool = False,
    now: datetime = DEFAULT_NOW,
) -> Card:
    n = next(_counter)
    card = Card(
        title=title or f"Card {n}",
        url=f"https://kb.example.com/cards/{n}",
        source="link",
        verifier_id=verifier.id if verifier else None,
        verify_every_days=verify_every_days,
        last_verified_at=last_verified_at,
        version=version,
        archived=archived,
        created_at=now,
        updated_at=now,
        changed_at=now,
    )
    session.add(card)
    session.flush()
    return card


def make_card_set(
    session: Session, *, cards: Sequence[Card], name: str | None = None, now: datetime = DEFAULT_NOW
) -> CardSet:
    n = next(_counter)
    card_set = CardSet(
        name=name or f"Card set {n}", description="", archived=False, created_at=now, updated_at=now
    )
    session.add(card_set)
    session.flush()
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
    requirement = RotationRequirement(
        rotation_id=rotation.id,
        card_set_id=card_set.id,
        assign_days_before=assign_days_before,
        due_days_before=due_days_before,
        created_at=now,
    )
    session.add(requirement)
    session.flush()
    return requirement


def make_ack(
    session: Session,
    *,
    person: Person,
    card: Card,
    version: int | None = None,
    at: datetime = DEFAULT_NOW,
) -> Acknowledgement:
    ack = Acknowledgement(
        person_id=person.id,
        card_id=card.id,
        card_version=card.version if version is None else version,
        acknowledged_at=at,
    )
    session.add(ack)
    session.flush()
    return ack


# Every table an onboarding request may write to: a refused request must leave them alone.
ONBOARDING_TABLES = (CardSet, CardSetItem, RotationRequirement, Acknowledgement, AuditEvent)


def row_counts(session: Session) -> dict[str, int]:
    """Rows per onboarding table, read fresh from the database."""
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in ONBOARDING_TABLES
    }


def headers_for(session: Session, person: Person) -> dict[str, str]:
    """Bearer headers with a fresh token for ``person``."""
    return auth(make_token(session, person))
