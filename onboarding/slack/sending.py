"""Send one claimed Slack outbox message: a channel post, a DM or a user group update.

People are resolved to Slack ids first (``identities``); a DM to someone without a Slack
account, or a user group with nobody in Slack, is skipped with a note, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from onboarding.outbox import PendingMessage
from onboarding.slack.client import SlackClient, SlackError

# Slack refuses a DM this way when the cached user id went stale (account removed, …).
STALE_USER_ERRORS = frozenset({"channel_not_found", "user_not_found", "user_disabled"})
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Outcome:
    """Sent (possibly skipped with a note), or failed with Slack's error."""

    sent: bool
    note: str = ""
    error: str = ""
    retry_at: datetime | None = None
    stale_user: str | None = None


def person_ids(message: PendingMessage) -> list[int]:
    """The people whose Slack ids sending this message needs."""
    payload = message.payload
    if payload.get("action") == "dm":
        return [int(payload["person_id"])]
    if payload.get("action") == "usergroup":
        return [int(i) for i in payload.get("person_ids", [])]
    return []


def backoff(*, attempts: int, now: datetime) -> datetime:
    """1, 2, 4 … minutes after the attempt that failed, at most six hours."""
    return now + min(timedelta(minutes=2**attempts), MAX_BACKOFF)


def send(
    client: SlackClient,
    *,
    message: PendingMessage,
    slack_ids: dict[int, str | None],
    now: datetime,
) -> Outcome:
    payload: dict[str, Any] = message.payload
    action = payload.get("action")
    target: str | None = None
    try:
        if action == "post":
            client.post_message(
                channel=payload["channel"], text=payload["text"], blocks=payload["blocks"]
            )
        elif action == "dm":
            target = slack_ids.get(int(payload["person_id"]))
            if target is None:
                return Outcome(sent=True, note=f"skipped: {message.recipient} is not in Slack")
            client.post_message(channel=target, text=payload["text"], blocks=payload["blocks"])
        elif action == "usergroup":
            users = [u for i in payload["person_ids"] if (u := slack_ids.get(int(i)))]
            if not users:
                return Outcome(sent=True, note="skipped: nobody on shift is in Slack")
            client.set_usergroup_users(usergroup=payload["usergroup"], user_ids=users)
        else:
            return Outcome(sent=False, error=f"unknown Slack action {action!r}")
    except SlackError as exc:
        retry_at = (
            now + timedelta(seconds=exc.retry_after)
            if exc.retry_after is not None
            else backoff(attempts=message.attempts, now=now)
        )
        stale = target if target and exc.error in STALE_USER_ERRORS else None
        return Outcome(sent=False, error=exc.error, retry_at=retry_at, stale_user=stale)
    return Outcome(sent=True)
