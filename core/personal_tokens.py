"""A person's own API tokens as the profile page shows them: list and revoke.

The profile page goes through these two functions only, so it can follow the token model
wherever it grows (names, expiry, last use) without the page changing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import ApiToken, Person


@dataclass(frozen=True)
class TokenInfo:
    id: int
    label: str
    created_at: datetime


def list_tokens(session: Session, *, person: Person) -> list[TokenInfo]:
    """The person's live tokens, newest first."""
    rows = session.scalars(
        select(ApiToken)
        .where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [TokenInfo(id=row.id, label=row.label, created_at=row.created_at) for row in rows]


def revoke_token(session: Session, *, person: Person, token_id: int, now: datetime) -> bool:
    """Revoke one of the person's own live tokens; False when they have no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.person_id != person.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    session.flush()
    audit.record(
        session,
        actor=person,
        action="api_token.revoke",
        subject_type="api_token",
        subject_id=row.id,
        at=now,
    )
    return True
