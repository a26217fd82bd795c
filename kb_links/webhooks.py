"""Guru's card-updated webhook: signature check and version bumps for the cards it names.

Guru posts events shaped ``{"id", "eventType": "card-updated", "user", "eventDate",
"properties": {"cardId", "collectionId", "source"}}``, one at a time or several in a batch.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Invalid
from kb_links import service
from kb_links.models import Card, CardRevision

CARD_UPDATED = "card-updated"
SIGNATURE_PREFIX = "sha256="


def sign(*, secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` under ``secret``: what the sender puts in the header."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(*, secret: str, body: bytes, signature: str | None) -> bool:
    """True when ``signature`` (hex, optionally ``sha256=``-prefixed) signs ``body``.

    No secret configured means no caller can be trusted, so nothing is valid. The comparison
    takes the same time wherever the strings differ, so timing reveals nothing of the MAC.
    """
    if not secret or not signature:
        return False
    given = signature.strip()
    if given[: len(SIGNATURE_PREFIX)].lower() == SIGNATURE_PREFIX:
        given = given[len(SIGNATURE_PREFIX) :]
    expected = sign(secret=secret, body=body)
    return hmac.compare_digest(expected.encode(), given.lower().encode("ascii", "replace"))


@dataclass(frozen=True)
class GuruEvent:
    event_id: str | None
    event_type: str
    card_id: str | None


def parse_events(payload: Any) -> list[GuruEvent]:
    """The events in a webhook body: one event object, a list of them, or ``{"events": […]}``."""
    if isinstance(payload, dict) and isinstance(payload.get("events"), list):
        payload = payload["events"]
    items = payload if isinstance(payload, list) else [payload]
    events = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise Invalid(f"event {index}: expected a JSON object")
        properties = item.get("properties")
        card_id = properties.get("cardId") if isinstance(properties, dict) else None
        event_id = item.get("id")
        events.append(
            GuruEvent(
                event_id=str(event_id) if event_id is not None else None,
                event_type=str(item.get("eventType") or ""),
                card_id=str(card_id) if card_id else None,
            )
        )
    return events


@dataclass
class WebhookResult:
    received: int = 0
    bumped_card_ids: list[int] = field(default_factory=list)
    ignored: int = 0
    duplicates: int = 0
    unknown_cards: list[str] = field(default_factory=list)


def _summary(event: GuruEvent) -> str:
    return f"Guru {event.event_type} event {event.event_id}" if event.event_id else ""


def apply_guru_events(session: Session, *, events: list[GuruEvent], now: datetime) -> WebhookResult:
    """Bump the version of every known card a card-updated event names; ignore the rest.

    Guru retries deliveries, so an event whose id already produced a revision of that card
    is not applied twice.
    """
    result = WebhookResult(received=len(events))
    updates = [e for e in events if e.event_type == CARD_UPDATED and e.card_id]
    result.ignored = len(events) - len(updates)
    if not updates:
        return result
    guru_ids = {e.card_id for e in updates}
    # Lock the cards first: a redelivery running at the same time then waits, and its
    # duplicate check below sees the revision this one commits.
    query = (
        select(Card)
        .where(Card.source == "guru", Card.external_id.in_(guru_ids))
        .order_by(Card.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    cards = {card.external_id: card for card in session.scalars(query)}
    summaries = {_summary(e) for e in updates} - {""}
    seen: set[tuple[int, str]] = (
        {
            (card_id, summary)
            for card_id, summary in session.execute(
                select(CardRevision.card_id, CardRevision.summary).where(
                    CardRevision.card_id.in_([c.id for c in cards.values()]),
                    CardRevision.summary.in_(summaries),
                )
            )
        }
        if summaries and cards
        else set()
    )
    for event in updates:
        card = cards.get(event.card_id)
        if card is None:
            if event.card_id not in result.unknown_cards:
                result.unknown_cards.append(str(event.card_id))
            continue
        summary = _summary(event)
        if summary and (card.id, summary) in seen:
            result.duplicates += 1
            continue
        service.revise_card(
            session,
            card=card,
            changes={},
            change="major",
            now=now,
            actor=None,
            summary=summary or f"Guru {CARD_UPDATED} event",
        )
        seen.add((card.id, summary))
        result.bumped_card_ids.append(card.id)
    return result
