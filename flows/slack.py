"""The Slack part of ``allhands notify``: plan handoff notices into the outbox, then send
each claimed one once.

Like reminders, each step is its own short unit of work (write, claim, resolve people,
mark), so runs on several instances at once write and send each notice once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from onboarding import outbox
from onboarding.slack import at_risk_notices, handoffs, identities, sending, swap_notices
from onboarding.slack.client import SlackClient, SlackError


@dataclass
class SlackReport:
    queued: int = 0
    sent: list[outbox.PendingMessage] = field(default_factory=list)
    skipped: list[tuple[outbox.PendingMessage, str]] = field(default_factory=list)
    failed: list[tuple[outbox.PendingMessage, str]] = field(default_factory=list)
    would_send: list[outbox.PendingMessage] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Slack: {self.queued} notice(s) newly queued; sent {len(self.sent)}, "
            f"skipped {len(self.skipped)}, {len(self.failed)} failed"
        )


def _planned(session: Session, *, now: datetime, base_url: str) -> list[outbox.NewMessage]:
    return [
        *handoffs.plan(session, now=now, base_url=base_url),
        *swap_notices.plan(session, now=now),
        *at_risk_notices.plan(session, now=now, base_url=base_url),
    ]


def preview(sessions: sessionmaker[Session], *, now: datetime, base_url: str) -> SlackReport:
    """What a run would send now, changing nothing."""
    report = SlackReport()
    with sessions() as session:
        planned = _planned(session, now=now, base_url=base_url)
        known = outbox.existing_keys(session, keys=[m.dedupe_key for m in planned])
        queued = outbox.pending(session, now=now, channels=[handoffs.CHANNEL])
        fresh = [m.as_pending() for m in planned if m.dedupe_key not in known]
        report.would_send = [*queued, *fresh]
        session.rollback()
    return report


def run_slack(
    sessions: sessionmaker[Session], *, now: datetime, base_url: str, client: SlackClient
) -> SlackReport:
    """Queue due handoff notices, then send every queued one exactly once."""
    report = SlackReport()
    report.queued, claimed = outbox.queue_then_claim(
        sessions,
        plan=lambda session: _planned(session, now=now, base_url=base_url),
        channels=[handoffs.CHANNEL],
        now=now,
    )
    for message in claimed:
        _send_one(sessions, report, client=client, message=message, now=now)
    return report


def notify(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    base_url: str,
    client: SlackClient | None,
    dry_run: bool,
) -> SlackReport:
    """``allhands notify``'s Slack step: a preview on a dry run (even without a bot token),
    else a run when the bot token is set."""
    if dry_run:
        return preview(sessions, now=now, base_url=base_url)
    if client is None:
        return SlackReport()
    return run_slack(sessions, now=now, base_url=base_url, client=client)


def _send_one(
    sessions: sessionmaker[Session],
    report: SlackReport,
    *,
    client: SlackClient,
    message: outbox.PendingMessage,
    now: datetime,
) -> None:
    try:
        with sessions() as session, session.begin():
            slack_ids = identities.resolve(
                session, client=client, person_ids=sending.person_ids(message), now=now
            )
        outcome = sending.send(client, message=message, slack_ids=slack_ids, now=now)
    except SlackError as exc:  # the lookup itself failed: retry the message later
        outcome = sending.Outcome(
            sent=False,
            error=exc.error,
            retry_at=sending.backoff(attempts=message.attempts, now=now),
        )
    with sessions() as session, session.begin():
        if outcome.sent:
            outbox.mark_sent(session, message_ids=[message.id], now=now)
            if outcome.note:
                report.skipped.append((message, outcome.note))
            else:
                report.sent.append(message)
            return
        if outcome.stale_user:
            identities.forget(session, slack_user_id=outcome.stale_user)
        outbox.mark_failed(
            session,
            message_ids=[message.id],
            error=outcome.error,
            now=now,
            retry_at=outcome.retry_at,
        )
        report.failed.append((message, outcome.error))


def describe(message: outbox.PendingMessage) -> str:
    """One line of ``allhands notify --dry-run``: where the message goes and what it says."""
    payload = message.payload
    action = payload.get("action")
    if action == "post":
        return f"would post to Slack {payload['channel']}: {payload['text']}"
    if action == "dm":
        return f"would DM {message.recipient} on Slack: {payload['text']}"
    people = ", ".join(str(i) for i in payload.get("person_ids", []))
    return f"would set Slack user group {payload.get('usergroup')} to person id(s) {people}"
