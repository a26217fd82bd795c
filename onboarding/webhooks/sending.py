"""Deliver one webhook message: sign it per Standard Webhooks, POST it, log the attempt,
and disable an endpoint that keeps failing (with an audit event).

The ``webhook-id`` stays the same on every retry of a message, so a receiver can drop a
delivery it already handled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from core import audit
from onboarding.outbox import PendingMessage
from onboarding.webhooks.models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    import httpx

TIMEOUT_SECONDS = 10.0
DISABLE_AFTER_FAILURES = 5
MAX_BACKOFF = timedelta(hours=6)
USER_AGENT = "allhands-webhooks/1"


@dataclass(frozen=True)
class Request:
    url: str
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Result:
    succeeded: bool
    status_code: int | None = None
    error: str = ""


def message_id(message: PendingMessage) -> str:
    return f"msg_{message.id}"


def signed_request(endpoint: WebhookEndpoint, message: PendingMessage, *, now: datetime) -> Request:
    """The exact bytes and headers to POST: body, webhook-id, -timestamp and -signature."""
    body = json.dumps(
        {k: message.payload[k] for k in ("type", "timestamp", "data")},
        separators=(",", ":"),
        sort_keys=True,
    )
    msg_id = message_id(message)
    signature = Webhook(endpoint.secret).sign(msg_id=msg_id, timestamp=now, data=body)
    return Request(
        url=endpoint.url,
        body=body,
        headers={
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        },
    )


def post(request: Request, *, client: httpx.Client | None = None) -> Result:
    """POST without following redirects; any 2xx is a success."""
    import httpx  # imported on first use: with its command-line extras it is ~6 MB a worker

    try:
        if client is not None:
            response = client.post(request.url, content=request.body, headers=request.headers)
        else:
            response = httpx.post(
                request.url,
                content=request.body,
                headers=request.headers,
                timeout=TIMEOUT_SECONDS,
                follow_redirects=False,
            )
    except httpx.HTTPError as exc:
        return Result(False, None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Result(True, response.status_code)
    return Result(False, response.status_code, f"HTTP {response.status_code}")


def backoff(*, attempts: int, now: datetime) -> datetime:
    """1, 2, 4 … minutes after a failed attempt, at most six hours."""
    return now + min(timedelta(minutes=2**attempts), MAX_BACKOFF)


def record(
    session: Session,
    *,
    endpoint: WebhookEndpoint,
    message: PendingMessage,
    result: Result,
    now: datetime,
) -> None:
    """Log the attempt; count failures in a row and disable the endpoint at the limit."""
    session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            message_id=message_id(message),
            event_type=str(message.payload.get("type", "")),
            attempted_at=now,
            status_code=result.status_code,
            succeeded=result.succeeded,
            error=result.error,
        )
    )
    if result.succeeded:
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        if endpoint.enabled and endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES:
            endpoint.enabled = False
            endpoint.disabled_at = now
            audit.Trail(session, actor=None, at=now).record(
                "webhook.disable",
                ("webhook_endpoint", endpoint.id),
                after={"consecutive_failures": endpoint.consecutive_failures},
                note=f"disabled after {endpoint.consecutive_failures} failed deliveries in a row",
            )
    session.flush()
