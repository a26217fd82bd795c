"""Use cases of webhook endpoints: register, list, remove, and read the delivery log."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from typing import Literal

from pydantic import Field, HttpUrl, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, db
from core.models import Person
from core.schemas import OneLine, Strict
from onboarding.webhooks.models import WebhookDelivery, WebhookEndpoint

EventType = Literal[
    "shift.started",
    "shift.changed",
    "swap.requested",
    "swap.accepted",
    "readiness.at_risk",
    "card.changed",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
LOG_LIMIT = 100


class WebhookCreate(Strict):
    url: HttpUrl = Field(description="http(s) URL that receives the POSTs")
    events: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))
    description: OneLine = Field(default="", max_length=200)

    @field_validator("url")
    @classmethod
    def _short(cls, value: HttpUrl) -> HttpUrl:
        if len(str(value)) > 2000:
            raise ValueError("url is longer than 2000 characters")
        return value


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def create(
    session: Session, *, data: WebhookCreate, actor: Person, now: datetime
) -> WebhookEndpoint:
    """Register an endpoint; it receives events from now on."""
    endpoint = WebhookEndpoint(
        url=str(data.url),
        description=data.description,
        events=sorted(set(data.events)),
        secret=new_secret(),
        enabled=True,
        consecutive_failures=0,
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(endpoint)
    session.flush()
    audit.Trail(session, actor=actor, at=now).record(
        "webhook.create",
        ("webhook_endpoint", endpoint.id),
        after={"url": endpoint.url, "events": endpoint.events},
    )
    return endpoint


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get(session: Session, endpoint_id: int) -> WebhookEndpoint:
    return db.get_or_not_found(session, WebhookEndpoint, endpoint_id, what="webhook")


def delete(session: Session, *, endpoint: WebhookEndpoint, actor: Person, now: datetime) -> None:
    """Remove an endpoint and its log; messages still queued for it are dropped when sent."""
    audit.Trail(session, actor=actor, at=now).record(
        "webhook.delete",
        ("webhook_endpoint", endpoint.id),
        before={"url": endpoint.url, "events": endpoint.events},
    )
    session.delete(endpoint)
    session.flush()


def deliveries(session: Session, *, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    """The endpoint's latest delivery attempts, newest first."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.attempted_at.desc(), WebhookDelivery.id.desc())
            .limit(LOG_LIMIT)
        )
    )
