"""Acknowledgements: append-only evidence of who read which card version when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, db
from core import csv_export as exports
from core.errors import Conflict
from core.models import Person
from kb_links.models import Card
from onboarding import summary_refresh
from onboarding.models import Acknowledgement

CSV_COLUMNS = (
    "acknowledgement_id",
    "person_id",
    "person_email",
    "card_id",
    "card_title",
    "card_version",
    "acknowledged_at",
)


@dataclass(frozen=True)
class AckView:
    acknowledgement: Acknowledgement
    card_title: str


def acknowledge(
    session: Session,
    *,
    person: Person,
    card_id: int,
    version: int | None,
    now: datetime,
) -> AckView:
    """Record that ``person`` read the card's current version.

    Any other version is a Conflict (they read something that is no longer current), as is
    an archived card. Acknowledging the same version again returns the first
    acknowledgement and writes nothing, so a double click never counts twice.
    """
    card = db.get_or_not_found(session, Card, card_id, what="card")
    if card.archived:
        raise Conflict(f"card {card_id} is archived and no longer needs reading")
    if version is not None and version != card.version:
        raise Conflict(
            f"card {card_id} is at version {card.version}, not {version}: read it again",
            current_version=card.version,
        )
    existing = session.scalars(
        select(Acknowledgement)
        .where(
            Acknowledgement.person_id == person.id,
            Acknowledgement.card_id == card.id,
            Acknowledgement.card_version == card.version,
        )
        .order_by(Acknowledgement.acknowledged_at, Acknowledgement.id)
    ).first()
    if existing is not None:
        return AckView(existing, card.title)
    ack = Acknowledgement(
        person_id=person.id, card_id=card.id, card_version=card.version, acknowledged_at=now
    )
    session.add(ack)
    session.flush()
    audit.Trail(session, actor=person, at=now).record(
        "acknowledgement.create",
        ("acknowledgement", ack.id),
        after={"person_id": person.id, "card_id": card.id, "card_version": card.version},
    )
    # Keeps large readiness reports cheap; a report never believes a row this missed.
    summary_refresh.refresh_person(session, person_id=person.id, now=now)
    return AckView(ack, card.title)


def history(session: Session, *, person: Person) -> list[AckView]:
    """Every acknowledgement of ``person``, oldest first (one query)."""
    rows = session.execute(
        select(Acknowledgement, Card.title)
        .join(Card, Card.id == Acknowledgement.card_id)
        .where(Acknowledgement.person_id == person.id)
        .order_by(Acknowledgement.acknowledged_at, Acknowledgement.id)
    )
    return [AckView(ack, title) for ack, title in rows]


def history_csv(*, person: Person, acks: list[AckView]) -> str:
    """The history as CSV, one acknowledgement per line: audit evidence to hand over."""
    return exports.to_csv(
        CSV_COLUMNS,
        (
            (
                view.acknowledgement.id,
                person.id,
                person.email,
                view.acknowledgement.card_id,
                view.card_title,
                view.acknowledgement.card_version,
                view.acknowledgement.acknowledged_at.isoformat(),
            )
            for view in acks
        ),
    )
