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
    due = verification_due_at(
        last_verified_at=last_verified_at, verify_every_days=verify_every_days
    )
    return due is None or due <= now
