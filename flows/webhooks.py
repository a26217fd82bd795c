"""The webhook part of ``allhands notify``: fan recent events out to the endpoints through
the outbox, then deliver each claimed message, retrying failures with backoff.

Each step is its own short unit of work, as for reminders, so concurrent runs deliver each
message once; the POST happens outside any transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from onboarding import outbox
from onboarding.webhooks import events, sending
from onboarding.webhooks.models import WebhookEndpoint

if TYPE_CHECKING:
    import httpx


@dataclass
class WebhookReport:
    queued: int = 0
    delivered: int = 0
    failed: list[tuple[outbox.PendingMessage, str]] = field(default_factory=list)
    dropped: int = 0

    def summary(self) -> str:
        return (
            f"Webhooks: {self.queued} event(s) newly queued; delivered {self.delivered}, "
            f"{len(self.failed)} failed, {self.dropped} dropped (endpoint gone or disabled)"
        )


def run_webhooks(
    sessions: sessionmaker[Session], *, now: datetime, client: httpx.Client | None = None
) -> WebhookReport:
    """Queue new events for every subscribed endpoint, then deliver what is due."""
    report = WebhookReport()
    report.queued, claimed = outbox.queue_then_claim(
        sessions,
        plan=lambda session: events.plan(session, now=now),
        channels=[events.CHANNEL],
        now=now,
    )
    for message in claimed:
        _deliver(sessions, report, message=message, now=now, client=client)
    return report


def _deliver(
    sessions: sessionmaker[Session],
    report: WebhookReport,
    *,
    message: outbox.PendingMessage,
    now: datetime,
    client: httpx.Client | None,
) -> None:
    with sessions() as session:
        endpoint = session.get(WebhookEndpoint, int(message.payload["endpoint_id"]))
        request = (
            sending.signed_request(endpoint, message, now=now)
            if endpoint is not None and endpoint.enabled
            else None
        )
    if request is None:
        with sessions() as session, session.begin():
            # Nobody wants it any more: settle it so it is not retried.
            outbox.mark_sent(session, message_ids=[message.id], now=now)
        report.dropped += 1
        return
    result = sending.post(request, client=client)
    with sessions() as session, session.begin():
        endpoint = session.get(WebhookEndpoint, int(message.payload["endpoint_id"]))
        if endpoint is not None:
            sending.record(session, endpoint=endpoint, message=message, result=result, now=now)
        if result.succeeded:
            outbox.mark_sent(session, message_ids=[message.id], now=now)
            report.delivered += 1
            return
        outbox.mark_failed(
            session,
            message_ids=[message.id],
            error=result.error,
            now=now,
            retry_at=sending.backoff(attempts=message.attempts, now=now),
        )
        report.failed.append((message, result.error))
