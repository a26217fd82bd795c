"""ORM models of onboarding: card sets, rotation requirements, acknowledgements, the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class CardSet(Base):
    __tablename__ = "card_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CardSetItem(Base):
    __tablename__ = "card_set_item"
    __table_args__ = (UniqueConstraint("card_set_id", "card_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_set_id: Mapped[int] = mapped_column(ForeignKey("card_set.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)


class RotationRequirement(Base):
    """A rotation requires a card set, assigned and due a number of days before each shift."""

    __tablename__ = "rotation_requirement"
    __table_args__ = (
        UniqueConstraint("rotation_id", "card_set_id"),
        CheckConstraint("assign_days_before >= 0", name="assign_days_non_negative"),
        CheckConstraint("due_days_before >= 0", name="due_days_non_negative"),
        CheckConstraint("due_days_before <= assign_days_before", name="due_within_assign"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotation.id", ondelete="CASCADE"))
    card_set_id: Mapped[int] = mapped_column(
        ForeignKey("card_set.id", ondelete="CASCADE"), index=True
    )
    assign_days_before: Mapped[int] = mapped_column(Integer, default=21)
    due_days_before: Mapped[int] = mapped_column(Integer, default=2)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Acknowledgement(Base):
    """Append-only evidence that a person read a card at a given version."""

    __tablename__ = "acknowledgement"
    # Covering: readiness asks "which versions did these people read" of a year of rows,
    # and answers from the index alone.
    __table_args__ = (
        Index(
            "ix_acknowledgement_person_card_version",
            "person_id",
            "card_id",
            "card_version",
            "acknowledged_at",
        ),
        # A person's latest acknowledgement in one probe: what a reading summary was
        # computed through (``ReadingSummary.through``).
        Index("ix_acknowledgement_person_id_id", "person_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    card_version: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReadingSummary(Base):
    """What one person has left to read for one rotation, kept so a large readiness report
    need not load every acknowledgement (``onboarding.summary``).

    Valid only while ``fingerprint`` still matches the rotation's required cards at their
    current versions and ``through`` is still the person's latest acknowledgement id; a
    report derives any other pair from scratch, so a stale row is never believed.
    """

    __tablename__ = "reading_summary"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    rotation_id: Mapped[int] = mapped_column(
        ForeignKey("rotation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(32))
    # Required card ids not acknowledged at their current version, space-separated.
    missing: Mapped[str] = mapped_column(Text, default="")
    through: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A reminder written once (unique dedupe key) and sent at most once."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A failed send waits until then (backoff, or the Retry-After a rate limit asked for).
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
