"""ORM models of the Slack app: who each person is in Slack, looked up by email and cached."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class SlackIdentity(Base):
    """A person's Slack user id (None: the workspace has nobody with their email)."""

    __tablename__ = "slack_identity"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    slack_user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Why a message for this person was skipped, shown on the readiness page.
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
