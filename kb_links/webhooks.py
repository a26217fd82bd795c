"""Guru's card-updated webhook: signature check and version bumps for the cards it names.

Guru posts events shaped ``{"id", "eventType": "card-updated", "user", "eventDate",
"properties": {"cardId", "collectionId", "source"}}``, one at a time or several in a batch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.errors import Invalid
from kb_links import service
from kb_links.models import Card, CardRevision, WebhookEvent

CARD_UPDATED = "card-updated"
SIGNATURE_PREFIX = "sha256="
SIGNATURE_HEADER = "X-Allhands-Signature"
TIMESTAMP_HEADER = "X-Allhands-Timestamp"
# A delivery signed longer ago (or further ahead) than this is refused: a captured delivery
# cannot be replayed later, and inside the window the event keys catch it.
WINDOW = timedelta(minutes=5)
# Seen event keys are kept well past the window, so a redelivery Guru makes within a day
# (with a fresh timestamp) is still recognised.
KEEP_KEYS = timedelta(days=30)
_MAX_TIMESTAMP_DIGITS = 12
GURU = "guru"
# Rows per statement: well inside every backend's limit on bound parameters.
_KEY_BATCH = 500


class SignatureRefused(Exception):
    """The delivery is not from the holder of the secret, or not from now; ``str`` says why."""


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``{timestamp}.{body}`` under ``secret``: the signature header."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(*, secret: str, body: bytes, at: datetime) -> dict[str, str]:
    """The two headers a sender adds to deliver ``body`` at ``at``."""
    timestamp = int(at.timestamp())
    return {
        SIGNATURE_HEADER: SIGNATURE_PREFIX + sign(secret=secret, body=body, timestamp=timestamp),
        TIMESTAMP_HEADER: str(timestamp),
    }


def _timestamp(value: str | None) -> int:
    given = (value or "").strip()
    if not given.isascii() or not given.isdigit() or len(given) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureRefused(f"missing or malformed {TIMESTAMP_HEADER} (Unix seconds)")
    return int(given)


def check_signature(
    *, secret: str, body: bytes, signature: str | None, timestamp: str | None, now: datetime
) -> None:
    """Raise SignatureRefused unless ``signature`` signs ``timestamp`` and ``body`` under
    ``secret`` and ``timestamp`` is within ``WINDOW`` of ``now``.

    No secret configured means no caller can be trusted, so nothing is valid. The comparison
    takes the same time wherever the strings differ, so timing reveals nothing of the MAC.
    """
    if not secret:
        raise SignatureRefused("the webhook is not set up (no secret)")
    seconds = _timestamp(timestamp)
    given = (signature or "").strip()
    if given[: len(SIGNATURE_PREFIX)].lower() == SIGNATURE_PREFIX:
        given = given[len(SIGNATURE_PREFIX) :]
    expected = sign(secret=secret, body=body, timestamp=seconds)
    if not given or not hmac.compare_digest(
        expected.encode(), given.lower().encode("ascii", "replace")
    ):
        raise SignatureRefused(
            f"missing or wrong {SIGNATURE_HEADER} (hex HMAC-SHA256 of timestamp.body)"
        )
    if abs(now.timestamp() - seconds) > WINDOW.total_seconds():
        raise SignatureRefused(f"{TIMESTAMP_HEADER} is more than 5 minutes from now")


@dataclass(frozen=True)
class GuruEvent:
    event_id: str | None
    event_type: str
    card_id: str | None
    # What identifies a delivery of this event: its id, or a hash of the event itself when
    # it has none (so a replayed id-less event is still recognised).
    key: str = field(default="", compare=False)

    @property
    def identity(self) -> str:
        """The key a replay of this event would have too ("": none, always applied)."""
        if self.key:
            return self.key
        return f"id:{self.event_id}" if self.event_id else ""


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
                key=_event_key(item, event_id),
            )
        )
    return events


def _event_key(item: dict[str, Any], event_id: Any) -> str:
    if event_id is not None and str(event_id) and len(str(event_id)) <= 100:
        return "id:" + str(event_id)
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class WebhookResult:
    received: int = 0
    bumped_card_ids: list[int] = field(default_factory=list)
    ignored: int = 0
    duplicates: int = 0
    unknown_cards: list[str] = field(default_factory=list)


def _summary(event: GuruEvent) -> str:
    return f"Guru {event.event_type} event {event.event_id}" if event.event_id else ""


def _claim(session: Session, *, events: list[GuruEvent], now: datetime) -> set[str]:
    """Record the events' keys; the keys this call recorded first (the rest are replays).

    An insert that skips existing keys decides it, so two deliveries of one event at the
    same moment cannot both claim it.
    """
    session.execute(
        delete(WebhookEvent).where(
            WebhookEvent.source == GURU, WebhookEvent.received_at < now - KEEP_KEYS
        )
    )
    keys = list(dict.fromkeys(e.identity for e in events if e.identity))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claimed: set[str] = set()
    for offset in range(0, len(keys), _KEY_BATCH):
        batch = keys[offset : offset + _KEY_BATCH]
        statement = (
            dialect.insert(WebhookEvent)
            .values([{"source": GURU, "event_key": key, "received_at": now} for key in batch])
            .on_conflict_do_nothing(index_elements=["source", "event_key"])
            .returning(WebhookEvent.event_key)
        )
        claimed.update(session.scalars(statement))
    return claimed


def apply_guru_events(session: Session, *, events: list[GuruEvent], now: datetime) -> WebhookResult:
    """Bump the version of every known card a card-updated event names; ignore the rest.

    Guru retries deliveries, and a delivery can be replayed: an event whose key (id, or
    hash when it has no id) was seen before changes nothing and counts as a duplicate, as
    does one whose id already produced a revision of that card.
    """
    result = WebhookResult(received=len(events))
    updates = [e for e in events if e.event_type == CARD_UPDATED and e.card_id]
    result.ignored = len(events) - len(updates)
    if not updates:
        return result
    claimed = _claim(session, events=updates, now=now)
    fresh: list[GuruEvent] = []
    for event in updates:
        if not event.identity:
            fresh.append(event)
        elif event.identity in claimed:
            claimed.discard(event.identity)  # the same event twice in one body counts once
            fresh.append(event)
        else:
            result.duplicates += 1
    if fresh:
        _bump(session, events=fresh, now=now, result=result)
    return result


def _bump(
    session: Session, *, events: list[GuruEvent], now: datetime, result: WebhookResult
) -> None:
    guru_ids = sorted({str(e.card_id) for e in events})
    # Lock the cards first: a redelivery running at the same time then waits, and its
    # duplicate check below sees the revision this one commits.
    cards: dict[str | None, Card] = {}
    for offset in range(0, len(guru_ids), _KEY_BATCH):
        query = (
            select(Card)
            .where(
                Card.source == "guru", Card.external_id.in_(guru_ids[offset : offset + _KEY_BATCH])
            )
            .order_by(Card.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        cards.update((card.external_id, card) for card in session.scalars(query))
    seen = _revised(session, cards=cards, events=events)
    unknown: set[str] = set()
    for event in events:
        card = cards.get(event.card_id)
        if card is None:
            if event.card_id not in unknown:
                unknown.add(str(event.card_id))
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


def _revised(
    session: Session, *, cards: dict[str | None, Card], events: list[GuruEvent]
) -> set[tuple[int, str]]:
    """(card id, summary) of the revisions these events' ids already made to known cards."""
    wanted = sorted({_summary(e) for e in events if e.card_id in cards} - {""})
    card_ids = [c.id for c in cards.values()]
    found: set[tuple[int, str]] = set()
    for offset in range(0, len(wanted), _KEY_BATCH):
        rows = session.execute(
            select(CardRevision.card_id, CardRevision.summary).where(
                CardRevision.summary.in_(wanted[offset : offset + _KEY_BATCH]),
                CardRevision.card_id.in_(card_ids) if len(card_ids) <= _KEY_BATCH else true(),
            )
        )
        found.update((card_id, summary) for card_id, summary in rows)
    return found
