"""What a card import will change, worked out from a read of the registry before any write.

Planning reads the cards the records name (plain rows, no ORM objects, no row locks) and the
verifiers their emails name, and sorts the records into new cards, cards to revise and cards
already as the file has them. The write (``import_write.apply_plan``) then takes only as long
as its multi-row statements: on SQLite, where every transaction holds the one write lock,
parsing and matching a large file no longer keeps every other writer waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import RowMapping, Table, func, select
from sqlalchemy.orm import Session

from core.models import Person
from kb_links.fields import DEFAULT_VERIFY_EVERY_DAYS
from kb_links.models import Card
from kb_links.records import CardRecord

# Keys per query: inside every backend's limit on bound parameters.
BATCH = 500

CARD = cast(Table, Card.__table__)
# What a plan reads of a card: enough to compare, to revise and to picture it for the audit.
CARD_COLUMNS = (
    CARD.c.id,
    CARD.c.title,
    CARD.c.url,
    CARD.c.source,
    CARD.c.external_id,
    CARD.c.collection,
    CARD.c.verifier_id,
    CARD.c.verify_every_days,
    CARD.c.last_verified_at,
    CARD.c.version,
    CARD.c.source_version,
    CARD.c.archived,
)


@dataclass(frozen=True)
class Revision:
    """What one record changes on an existing card; empty when the card already matches."""

    changes: dict[str, Any]
    source_version: int | None
    bump: bool

    def __bool__(self) -> bool:
        return bool(self.changes) or self.source_version is not None


@dataclass(frozen=True)
class PlannedRevision:
    card_id: int
    record: CardRecord
    verifier_id: int | None


@dataclass(frozen=True)
class ImportPlan:
    """New cards as rows ready to insert, and the records that revise existing cards."""

    new_cards: list[dict[str, Any]]
    revisions: list[PlannedRevision]
    note: str


def revision_of(record: CardRecord, card: Mapping[Any, Any], verifier_id: int | None) -> Revision:
    """What ``record`` changes on ``card``; a higher source version bumps ours (major)."""
    wanted: dict[str, Any] = {
        "title": record.title,
        "url": record.url,
        "collection": record.collection,
    }
    if record.verify_every_days is not None:
        wanted["verify_every_days"] = record.verify_every_days
    if verifier_id is not None:
        wanted["verifier_id"] = verifier_id
    if record.carries_verification:
        wanted["last_verified_at"] = record.last_verified_at
    changes = {k: v for k, v in wanted.items() if card[k] != v}
    held = card["source_version"]
    if record.source_version is None or (held is not None and record.source_version <= held):
        return Revision(changes=changes, source_version=None, bump=False)
    # With no earlier source version there is nothing to compare: link, don't bump.
    return Revision(changes=changes, source_version=record.source_version, bump=held is not None)


def plan(session: Session, *, records: list[CardRecord], now: datetime, note: str) -> ImportPlan:
    """Match every record to the registry as it is now; reads only."""
    existing = cards_by_key(session, records)
    people = verifier_ids(session, records)
    new_cards: list[dict[str, Any]] = []
    revisions: list[PlannedRevision] = []
    for record in records:
        verifier_id = verifier_for(record, people)
        card = existing.get(record.key)
        if card is None:
            new_cards.append(new_card_row(record, verifier_id=verifier_id, now=now))
        elif revision_of(record, card, verifier_id):
            revisions.append(PlannedRevision(card["id"], record, verifier_id))
    return ImportPlan(new_cards=new_cards, revisions=revisions, note=note)


def changing(session: Session, *, records: list[CardRecord]) -> list[CardRecord]:
    """The records that would add or revise a card: the rest already match. Reads only."""
    existing = cards_by_key(session, records)
    people = verifier_ids(session, records)
    return [
        record
        for record in records
        if (card := existing.get(record.key)) is None
        or revision_of(record, card, verifier_for(record, people))
    ]


def cards_by_key(
    session: Session, records: Iterable[CardRecord]
) -> dict[tuple[str, str, str], RowMapping]:
    """The stored cards the records name, by ``CardRecord.key``."""
    by_id = sorted({(r.source, r.external_id) for r in records if r.external_id is not None})
    by_url = sorted({(r.source, r.url) for r in records if r.external_id is None})
    found: dict[tuple[str, str, str], RowMapping] = {}
    wanted_ids = set(by_id)
    for offset in range(0, len(by_id), BATCH):
        chunk = by_id[offset : offset + BATCH]
        query = select(*CARD_COLUMNS).where(
            CARD.c.source.in_({s for s, _ in chunk}),
            CARD.c.external_id.in_({e for _, e in chunk}),
        )
        for card in session.execute(query):
            if (card.source, card.external_id) in wanted_ids:
                found[(card.source, "id", card.external_id)] = card._mapping
    for offset in range(0, len(by_url), BATCH):
        chunk = by_url[offset : offset + BATCH]
        query = select(*CARD_COLUMNS).where(
            CARD.c.external_id.is_(None),
            CARD.c.source.in_({s for s, _ in chunk}),
            CARD.c.url.in_({u for _, u in chunk}),
        )
        for card in session.execute(query.order_by(CARD.c.id)):
            found.setdefault((card.source, "url", card.url), card._mapping)
    return found


def verifier_ids(session: Session, records: Iterable[CardRecord]) -> dict[str, int]:
    """Active people by lower-cased email, for the verifier emails the records carry."""
    emails = sorted({email for r in records for email in r.verifier_emails})
    people: dict[str, int] = {}
    for offset in range(0, len(emails), BATCH):
        query = select(Person.email, Person.id).where(
            func.lower(Person.email).in_(emails[offset : offset + BATCH]),
            Person.active.is_(True),
        )
        people.update((email.lower(), person_id) for email, person_id in session.execute(query))
    return people


def verifier_for(record: CardRecord, people: Mapping[str, int]) -> int | None:
    for email in record.verifier_emails:
        if email in people:
            return people[email]
    return None


def new_card_row(record: CardRecord, *, verifier_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "title": record.title,
        "url": record.url,
        "source": record.source,
        "external_id": record.external_id,
        "collection": record.collection,
        "verifier_id": verifier_id,
        "verify_every_days": record.verify_every_days or DEFAULT_VERIFY_EVERY_DAYS,
        "last_verified_at": record.last_verified_at if record.carries_verification else now,
        "version": 1,
        "source_version": record.source_version,
        "archived": False,
        "created_at": now,
        "updated_at": now,
        "changed_at": now,
    }
