"""ORM models of the card registry: knowledge-base cards and their revision history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime
from kb_links import freshness


class Card(Base):
    """A link to a knowledge-base card; ``version`` grows on every major change."""

    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint("verify_every_days >= 1", name="verify_every_days_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(30), default="link")
    external_id: Mapped[str | None] = mapped_column(String(200))
    collection: Mapped[str | None] = mapped_column(String(200))
    verifier_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    verify_every_days: Mapped[int] = mapped_column(Integer, default=90)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The version reported by the source system (Guru's ``version``), to detect upstream edits.
    source_version: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When ``version`` last grew: "changed since you last read it" compares against this.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def verification_due_at(self) -> datetime | None:
        """When the card's verification runs out; None if it was never verified."""
        return freshness.verification_due_at(
            last_verified_at=self.last_verified_at, verify_every_days=self.verify_every_days
        )


class CardRevision(Base):
    """One edit of a card, major or minor, for history and "what changed" displays."""

    __tablename__ = "card_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookEvent(Base):
    """An event a webhook delivered, by its key (event id or hash), so a replay changes nothing."""

    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("source", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    event_key: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CardFlag(Base):
    """A reader's report that a card is wrong or lacks something, until it is resolved."""

    __tablename__ = "card_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(Text, default="", server_default="")
    # "major" when resolving changed the card so that it must be read again, "minor", or
    # None while open.
    change: Mapped[str | None] = mapped_column(String(10))
