"""Acknowledgements as readiness reads them: per person and card, the versions acknowledged.

One query whatever the number of people or cards; the people are given as a subquery (the
shift filter) or, for a few, by id. Reading summaries stand in for the table where they hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from types import MappingProxyType

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from core.models import Person
from kb_links.models import Card
from onboarding import readiness, summary
from onboarding.models import Acknowledgement
from rotation.models import Shift


class AckDetail(Enum):
    """How much acknowledgement history to load.

    ``CURRENT`` loads only acknowledgements of each card's current version (enough for a
    status and cheap for thousands of people); ``LATEST`` also finds outdated ones, so a
    checklist can say "you read version 2, this is version 3".
    """

    CURRENT = "current"
    LATEST = "latest"


# Past this many people without a valid summary, load everyone's acknowledgements through
# the shift filter rather than naming them all in the query.
MOST_NAMED = 500


def summarized_acks(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    known: summary.Known,
    cards: dict[int, readiness.CardFacts],
) -> readiness.AckIndex:
    """Acknowledgements as the reading summaries tell them, and from the table for the people
    whose summaries do not hold."""
    if len(known.stale) > MOST_NAMED:
        everyone = select(Shift.person_id).where(*summary.with_person(where))
        return load_acks(session, person_ids=everyone, card_ids=_NO_CARDS, detail=AckDetail.CURRENT)
    index = dict(summary.as_acks(known, cards))
    if known.stale:
        named = select(Person.id).where(Person.id.in_(sorted(known.stale)))
        index.update(
            load_acks(session, person_ids=named, card_ids=_NO_CARDS, detail=AckDetail.CURRENT)
        )
    return index


def load_acks(
    session: Session,
    *,
    person_ids: Select[int | None],
    card_ids: Select[int],
    detail: AckDetail,
) -> readiness.AckIndex:
    """Acknowledged versions per person and card, with the first time for ``LATEST``.

    ``CURRENT`` reads neither times nor outdated versions: on a large organisation that is
    most of the report's rows, served from the covering index alone.
    """
    if detail is AckDetail.CURRENT:
        # Filtering on the people alone lets the database walk each person's slice of the
        # covering index once; also filtering on cards would probe every (person, card)
        # pair. Current versions of cards nobody requires cost a few extra rows, no more.
        current = (
            select(Acknowledgement.person_id, Acknowledgement.card_id, Acknowledgement.card_version)
            .join(
                Card,
                and_(
                    Card.id == Acknowledgement.card_id,
                    Card.version == Acknowledgement.card_version,
                ),
            )
            .where(Acknowledgement.person_id.in_(person_ids))
        )
        # ~10^5 rows on a large report: streamed plain rows through the session's connection
        # (the ORM adds nothing to three integers), one shared read-only mapping per version
        # rather than a new dict per row.
        only: dict[int, readiness.Versions] = {}
        index: dict[int, dict[int, readiness.Versions]] = {}
        for person_id, card_id, version in session.connection().execute(current):
            versions = only.get(version)
            if versions is None:
                versions = only[version] = MappingProxyType({version: None})
            by_card = index.get(person_id)
            if by_card is None:
                by_card = index[person_id] = {}
            by_card[card_id] = versions
        return index
    every = (
        select(
            Acknowledgement.person_id,
            Acknowledgement.card_id,
            Acknowledgement.card_version,
            func.min(Acknowledgement.acknowledged_at),
        )
        .where(Acknowledgement.person_id.in_(person_ids), Acknowledgement.card_id.in_(card_ids))
        .group_by(Acknowledgement.person_id, Acknowledgement.card_id, Acknowledgement.card_version)
    )
    history: dict[int, dict[int, dict[int, datetime | None]]] = {}
    for person_id, card_id, version, first in session.execute(every):
        history.setdefault(person_id, {}).setdefault(card_id, {})[version] = first
    return history


def acks_of(session: Session, *, person_ids: Sequence[int]) -> readiness.AckIndex:
    """Acknowledgements of current card versions by ``person_ids`` (one query)."""
    people = select(Person.id).where(Person.id.in_(list(person_ids)))
    return load_acks(session, person_ids=people, card_ids=_NO_CARDS, detail=AckDetail.CURRENT)


_NO_CARDS = select(Card.id).where(Card.id.is_(None))  # unused by CURRENT
