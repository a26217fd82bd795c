"""The card registry read a page at a time: filters, counts and staleness worked out in SQL.

A registry may hold 100,000 imported cards; its page shows 100 of them, so the database
filters, counts and pages them instead of every card being loaded to show a few.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from core.db import UTCDateTime
from kb_links.models import Card

SHOWS = ("all", "stale", "archived")


def stale_at(session: Session, now: datetime) -> ColumnElement[bool]:
    """``freshness.is_stale`` in SQL: never verified, or verified ``verify_every_days`` or
    more days before ``now``. Date arithmetic differs by database."""
    at = literal(now, UTCDateTime())
    if session.get_bind().dialect.name == "sqlite":
        # Stored as naive UTC text; compared at millisecond precision on both sides.
        shape = "%Y-%m-%d %H:%M:%f"
        days = literal("+") + cast(Card.verify_every_days, String) + literal(" days")
        due = func.strftime(shape, Card.last_verified_at, days) <= func.strftime(shape, at)
    else:
        due = Card.last_verified_at + func.make_interval(0, 0, 0, Card.verify_every_days) <= at
    return or_(Card.last_verified_at.is_(None), due)


@dataclass(frozen=True)
class CardFilter:
    """Which cards a registry page lists; blank ``collection``/``source`` mean "any"."""

    show: str = "all"
    collection: str = ""
    source: str = ""

    def conditions(self, session: Session, now: datetime) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Card.archived.is_(self.show == "archived")]
        if self.show == "stale":
            found.append(stale_at(session, now))
        if self.collection:
            found.append(Card.collection == self.collection)
        if self.source:
            found.append(Card.source == self.source)
        return found


@dataclass(frozen=True)
class Summary:
    """Counts over every card, whatever the filters, and the filters' choices."""

    current: int
    stale: int
    archived: int
    collections: list[str]
    sources: list[str]


def summary(session: Session, *, now: datetime) -> Summary:
    stale = stale_at(session, now)
    current, stale_count, archived = session.execute(
        select(
            func.count().filter(Card.archived.is_(False)),
            func.count().filter(Card.archived.is_(False), stale),
            func.count().filter(Card.archived.is_(True)),
        ).select_from(Card)
    ).one()
    collections = session.scalars(select(Card.collection).where(Card.collection != "").distinct())
    sources = session.scalars(select(Card.source).distinct())
    return Summary(
        current=current or 0,
        stale=stale_count or 0,
        archived=archived or 0,
        collections=[name for name in collections if name],
        sources=list(sources),
    )


def count(session: Session, *, where: CardFilter, now: datetime) -> int:
    query = select(func.count()).select_from(Card).where(*where.conditions(session, now))
    return session.scalar(query) or 0


def page(
    session: Session,
    *,
    where: CardFilter,
    now: datetime,
    limit: int,
    offset: int,
    leaving_out: Collection[int] = (),
) -> list[Card]:
    """Cards by title, one page; ``leaving_out`` names cards listed elsewhere on the list."""
    query = select(Card).where(*where.conditions(session, now)).order_by(Card.title, Card.id)
    if leaving_out:
        query = query.where(not_(Card.id.in_(sorted(leaving_out))))
    return list(session.scalars(query.limit(limit).offset(offset)))


def ids(
    session: Session, *, where: CardFilter, now: datetime, also: Collection[ColumnElement[bool]]
) -> list[int]:
    """Ids of the listed cards that also meet ``also``, in title order."""
    query = select(Card.id).where(*where.conditions(session, now), *also)
    return list(session.scalars(query.order_by(Card.title, Card.id)))


def by_ids(session: Session, card_ids: list[int]) -> list[Card]:
    """The cards with these ids, in the order given."""
    found = {card.id: card for card in session.scalars(select(Card).where(Card.id.in_(card_ids)))}
    return [found[card_id] for card_id in card_ids if card_id in found]
