"""Verification freshness of a card: pure functions of its fields and "now"."""

from __future__ import annotations

from datetime import datetime, timedelta


def verification_due_at(
    *, last_verified_at: datetime | None, verify_every_days: int
) -> datetime | None:
    """When the card's verification runs out; None if it was never verified."""
    if last_verified_at is None:
        return None
    return last_verified_at + timedelta(days=verify_every_days)


def is_stale(*, last_verified_at: datetime | None, verify_every_days: int, now: datetime) -> bool:
    """A card is stale when never verified or when last verification + interval has passed."""
    due_at = verification_due_at(
        last_verified_at=last_verified_at, verify_every_days=verify_every_days
    )
    return is_due(due_at, now=now)


def is_due(due_at: datetime | None, *, now: datetime) -> bool:
    """Verification that runs out at ``due_at`` (None: never verified) is due by ``now``."""
    return due_at is None or due_at <= now
