"""Test data and probes for the card registry: cards, rotation managers, statement counts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from kb_links.models import Card, CardRevision
from rotation.models import Rotation, rotation_manager
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person

DATA = Path(__file__).resolve().parent / "data"
GURU_EXPORT = DATA / "guru-cards.json"

_counter = itertools.count(1)


def make_card(
    session: Session,
    *,
    title: str | None = None,
    url: str | None = None,
    source: str = "link",
    external_id: str | None = None,
    collection: str | None = None,
    verifier: Person | None = None,
    verify_every_days: int = 90,
    last_verified_at: datetime | None = DEFAULT_NOW,
    version: int = 1,
    source_version: int | None = None,
    archived: bool = False,
    now: datetime = DEFAULT_NOW,
) -> Card:
    n = next(_counter)
    card = Card(
        title=title or f"Card {n}",
        url=url or f"https://kb.example.com/cards/{n}",
        source=source,
        external_id=external_id,
        collection=collection,
        verifier_id=verifier.id if verifier else None,
        verify_every_days=verify_every_days,
        last_verified_at=last_verified_at,
        version=version,
        source_version=source_version,
        archived=archived,
        created_at=now,
        updated_at=now,
        changed_at=now,
    )
    session.add(card)
    session.flush()
    return card


def make_manager(session: Session, **person: Any) -> Person:
    """A person who manages one (fresh) rotation and is not an admin."""
    manager = make_person(session, **person)
    n = next(_counter)
    rotation = Rotation(
        slug=f"rotation-{n}",
        name=f"Rotation {n}",
        timezone="UTC",
        start_date=date(2026, 11, 2),
        handoff_time=time(9, 0),
        created_at=DEFAULT_NOW,
        updated_at=DEFAULT_NOW,
    )
    session.add(rotation)
    session.flush()
    session.execute(insert(rotation_manager).values(rotation_id=rotation.id, person_id=manager.id))
    return manager


def table_state(session: Session) -> tuple[int, int, int, list[tuple[Any, ...]]]:
    """Counts of cards, revisions and audit events plus every card's editable columns."""
    session.expire_all()
    cards = session.execute(
        select(
            Card.id,
            Card.title,
            Card.url,
            Card.source,
            Card.external_id,
            Card.version,
            Card.verify_every_days,
            Card.verifier_id,
            Card.last_verified_at,
            Card.archived,
        ).order_by(Card.id)
    ).all()
    return (
        session.scalar(select(func.count()).select_from(Card)) or 0,
        session.scalar(select(func.count()).select_from(CardRevision)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        [tuple(row) for row in cards],
    )


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)

    @property
    def selects(self) -> int:
        return sum(1 for s in self.statements if s.lstrip().upper().startswith("SELECT"))


@contextmanager
def count_statements(session: Session) -> Iterator[StatementLog]:
    """Every SQL statement the session's connection runs inside the block."""
    log = StatementLog()
    engine = session.get_bind()

    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _record)
