"""Periodic jobs run from the CLI; each step is its own short unit of work.

``notify`` commits the queue before claiming, and the claim before sending, so that a
second run (or instance) started at the same moment neither writes nor sends a reminder
twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from onboarding import delivery, graduation, notify, outbox, summary_refresh


@dataclass
class NotifyReport:
    due: int = 0
    queued: int = 0
    sent: list[notify.Delivery] = field(default_factory=list)
    failed: list[tuple[notify.Delivery, str]] = field(default_factory=list)
    would_send: list[notify.Delivery] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    graduated: list[graduation.Graduation] = field(default_factory=list)

    def summary(self) -> str:
        if not self.channels:
            return (
                f"{self.due} reminder(s) due; no delivery channel configured "
                "(set ALLHANDS_SMTP_URL and/or ALLHANDS_SLACK_WEBHOOK_URL), nothing queued"
            )
        sent_items = sum(len(d.message_ids) for d in self.sent)
        return (
            f"{self.due} reminder(s) due, {self.queued} newly queued "
            f"on {', '.join(self.channels)}; sent {len(self.sent)} message(s) "
            f"covering {sent_items} reminder(s); {len(self.failed)} failed"
        )


def run_notify(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    base_url: str,
    transports: list[delivery.Transport],
    dry_run: bool = False,
) -> NotifyReport:
    """Queue due reminders, then send every queued one exactly once, bundled per person."""
    channels = [transport.channel for transport in transports]
    report = NotifyReport(channels=channels)
    if dry_run:
        with sessions() as session:
            planned = notify.plan(session, now=now, base_url=base_url)
            report.due = len(planned)
            report.would_send = notify.preview(
                session, planned=planned, now=now, channels=channels or ["(none)"]
            )
            session.rollback()
        return report
    with sessions() as session, session.begin():
        report.graduated = graduation.run(session, now=now, base_url=base_url)
    with sessions() as session, session.begin():
        summary_refresh.refresh_ahead(session, now=now)
    with sessions() as session, session.begin():
        report.due, written = notify.queue(session, now=now, base_url=base_url, channels=channels)
        report.queued = len(written)
    if not transports:
        return report
    with sessions() as session, session.begin():
        deliveries = notify.claim(session, now=now)
    by_channel = {transport.channel: transport for transport in transports}
    for item in deliveries:
        transport = by_channel.get(item.channel)
        error: str | None = None
        if transport is None:
            error = f"channel {item.channel} is no longer configured"
        else:
            try:
                transport.send(item.outgoing)
            except Exception as exc:  # any failure of the channel: keep it for the next run
                error = f"{type(exc).__name__}: {exc}"
        with sessions() as session, session.begin():
            if error is None:
                outbox.mark_sent(session, message_ids=item.message_ids, now=now)
                report.sent.append(item)
            else:
                outbox.mark_failed(session, message_ids=item.message_ids, error=error, now=now)
                report.failed.append((item, error))
    return report
