"""Which events happened recently, fanned out to the endpoints subscribed to them as outbox
messages, each under a key naming endpoint, event and subject (so written once).

Events are read from the state the domains keep (shifts, swaps, card revisions, readiness)
rather than pushed by them, so no use case has to know webhooks exist. An endpoint only
hears of events from its creation on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb_links.models import Card, CardRevision
from onboarding import facts, outbox, readiness
from onboarding.webhooks.models import WebhookEndpoint
from rotation.models import Shift, SwapRequest

CHANNEL = "webhook"
# How far back a run looks for events: a job down for a day still delivers what happened.
LOOKBACK = timedelta(days=1)
AT_RISK_AHEAD = timedelta(days=14)


@dataclass(frozen=True)
class Event:
    type: str
    subject: str  # what makes the event unique, e.g. "shift-12-v3"
    at: datetime
    data: dict[str, Any]


def _shift_data(shift: Shift) -> dict[str, Any]:
    return {
        "shift_id": shift.id,
        "rotation": shift.rotation.slug,
        "start": shift.start.isoformat(),
        "end": shift.end.isoformat(),
        "person_id": shift.person_id,
        "kind": shift.kind,
        "sequence": shift.sequence,
    }


def _shift_events(session: Session, *, since: datetime, now: datetime) -> Iterator[Event]:
    reading = facts.load_reading(
        session,
        where=facts.live_shift_conditions(Shift.end > since, Shift.start <= now + AT_RISK_AHEAD),
    )
    for shift in reading.shifts:
        if since < shift.start <= now:
            yield Event(
                "shift.started",
                # Once per shift and person: an edit of a shift under way is shift.changed.
                f"shift-{shift.id}-p{shift.person_id}",
                shift.start,
                _shift_data(shift),
            )
        if shift.sequence > 0 and shift.updated_at > since:
            yield Event(
                "shift.changed",
                f"shift-{shift.id}-v{shift.sequence}",
                shift.updated_at,
                _shift_data(shift),
            )
    results = reading.judge(
        readiness.readiness, now=now, shifts=[f for f in reading.shift_facts if f.start > now]
    )
    for result in results:
        if result.status in (readiness.Status.OVERDUE, readiness.Status.AT_RISK):
            shift = reading.shifts_by_id[result.shift.id]
            data = _shift_data(shift) | {
                "due_at": result.due_at.isoformat() if result.due_at else None,
                "required": result.required,
                "done": result.done,
            }
            yield Event("readiness.at_risk", f"shift-{shift.id}-p{shift.person_id}", now, data)


def _swap_events(session: Session, *, since: datetime) -> Iterator[Event]:
    rows = session.scalars(
        select(SwapRequest).where(SwapRequest.updated_at > since).order_by(SwapRequest.id)
    )
    for swap in rows:
        data = {
            "swap_id": swap.id,
            "shift_id": swap.shift_id,
            "requester_id": swap.requester_id,
            "counterpart_person_id": swap.counterpart_person_id,
            "counterpart_shift_id": swap.counterpart_shift_id,
            "status": swap.status,
        }
        if swap.created_at > since:
            yield Event("swap.requested", f"swap-{swap.id}", swap.created_at, data)
        if swap.accepted_at is not None and swap.accepted_at > since:
            yield Event("swap.accepted", f"swap-{swap.id}", swap.accepted_at, data)


def _card_events(session: Session, *, since: datetime) -> Iterator[Event]:
    rows = session.execute(
        select(CardRevision, Card.title, Card.url)
        .join(Card, Card.id == CardRevision.card_id)
        .where(CardRevision.at > since)
        .order_by(CardRevision.id)
    )
    for revision, title, url in rows:
        data = {
            "card_id": revision.card_id,
            "version": revision.version,
            "change": revision.change,
            "title": title,
            "url": url,
        }
        yield Event(
            "card.changed", f"card-{revision.card_id}-v{revision.version}", revision.at, data
        )


def recent(session: Session, *, now: datetime) -> list[Event]:
    """Every event of the last ``LOOKBACK``."""
    since = now - LOOKBACK
    return [
        *_shift_events(session, since=since, now=now),
        *_swap_events(session, since=since),
        *_card_events(session, since=since),
    ]


def plan(session: Session, *, now: datetime) -> list[outbox.NewMessage]:
    """One outbox message per enabled endpoint and event it subscribed to."""
    endpoints = list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.enabled.is_(True))
            .order_by(WebhookEndpoint.id)
        )
    )
    if not endpoints:
        return []
    messages = []
    for event in recent(session, now=now):
        for endpoint in endpoints:
            if event.type not in endpoint.events or event.at < endpoint.created_at:
                continue
            messages.append(
                outbox.NewMessage(
                    kind=event.type,
                    channel=CHANNEL,
                    recipient=endpoint.url[:320],
                    dedupe_key=f"webhook/{endpoint.id}/{event.type}/{event.subject}",
                    subject=event.type,
                    body="",
                    payload={
                        "endpoint_id": endpoint.id,
                        "type": event.type,
                        "timestamp": event.at.isoformat(),
                        "data": event.data,
                    },
                )
            )
    return messages
