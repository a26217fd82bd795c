"""Concurrent writers on the shared database: version bumps are never lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_sessionmaker
from core.models import AuditEvent
from kb_links import service, webhooks
from kb_links.models import Card, WebhookEvent
from kb_links.webhooks import GuruEvent
from tests.conftest import DEFAULT_NOW

WRITERS = 6


@pytest.fixture
def committed_card(engine: Engine) -> Iterator[tuple[sessionmaker[Session], int]]:
    """A guru card committed for real (threads need their own connections), removed after."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        card = Card(
            title="Shared card",
            url="https://app.getguru.com/card/Shr1/Shared-card",
            source="guru",
            external_id="g-concurrent",
            verify_every_days=90,
            version=1,
            created_at=DEFAULT_NOW,
            updated_at=DEFAULT_NOW,
            changed_at=DEFAULT_NOW,
        )
        session.add(card)
        session.commit()
        card_id = card.id
    try:
        yield sessions, card_id
    finally:
        with sessions() as session:
            session.execute(delete(Card).where(Card.id == card_id))
            # The deliveries' event keys were committed too.
            session.execute(delete(WebhookEvent))
            session.execute(
                delete(AuditEvent).where(
                    AuditEvent.subject_type == "card", AuditEvent.subject_id == str(card_id)
                )
            )
            session.commit()


def test_concurrent_webhook_deliveries_each_bump_once(
    committed_card: tuple[sessionmaker[Session], int],
) -> None:
    sessions, card_id = committed_card
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def deliver(event_id: str) -> None:
        try:
            start.wait(timeout=10)
            with sessions() as session:
                event = GuruEvent(
                    event_id=event_id, event_type="card-updated", card_id="g-concurrent"
                )
                webhooks.apply_guru_events(session, events=[event], now=DEFAULT_NOW)
                session.commit()
        except BaseException as exc:  # surfaced in the main thread below
            failures.append(exc)

    # Half the deliveries are retries of the same event: they must not bump again.
    event_ids = [f"e-{n % (WRITERS // 2)}" for n in range(WRITERS)]
    threads = [threading.Thread(target=deliver, args=(e,)) for e in event_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    with sessions() as session:
        card = service.get_card(session, card_id=card_id)
        assert card.version == 1 + WRITERS // 2
        versions = [r.version for r in service.list_revisions(session, card=card)]
        assert sorted(versions) == list(range(2, 2 + WRITERS // 2))
