"""A person's API tokens: create (shown once), list, revoke, and revoke them all.

The API (``/api/v1/me/tokens``, ``/api/v1/people/{id}/tokens``) and the profile page both
go through these functions, so they show and change tokens the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import audit
from core.errors import Invalid, NotFound
from core.models import ApiToken, Person
from core.records import copied
from core.security import new_api_token

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None

    @property
    def label(self) -> str:
        return self.name

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class NewToken:
    info: TokenInfo
    # The bearer token itself: shown once, never stored.
    token: str


def _info(row: ApiToken) -> TokenInfo:
    return copied(TokenInfo, row, name=row.label)


def list_tokens(session: Session, *, person: Person) -> list[TokenInfo]:
    """The person's unrevoked tokens (expired ones too, so they can be told apart), newest first."""
    rows = session.scalars(
        select(ApiToken)
        .where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [_info(row) for row in rows]


def create_token(
    session: Session,
    *,
    person: Person,
    name: str,
    expires_at: datetime | None,
    now: datetime,
    actor: Person,
) -> NewToken:
    """A new token for an active ``person``; an expiry must lie in the future."""
    name = name.strip()
    if not name:
        raise Invalid("a token needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"a token name has at most {MAX_NAME_LENGTH} characters")
    if expires_at is not None and expires_at <= now:
        raise Invalid("expires_at must be in the future")
    if not person.active:
        raise Invalid("an inactive person cannot get a token")
    row, token = new_api_token(session, person=person, now=now, label=name, expires_at=expires_at)
    audit.Trail(session, actor=actor, at=now).record(
        "api_token.create",
        ("api_token", row.id),
        after={
            "person_id": person.id,
            "name": name,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return NewToken(info=_info(row), token=token)


def revoke_token(
    session: Session, *, person: Person, token_id: int, now: datetime, actor: Person | None = None
) -> bool:
    """Revoke one of the person's live tokens; False when they have no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.person_id != person.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    session.flush()
    audit.Trail(session, actor=actor or person, at=now).record(
        "api_token.revoke", ("api_token", row.id), after={"person_id": person.id}
    )
    return True


def revoke_or_not_found(
    session: Session, *, person: Person, token_id: int, now: datetime, actor: Person
) -> None:
    """Revoke the token, or NotFound when ``person`` has no such live token."""
    if not revoke_token(session, person=person, token_id=token_id, now=now, actor=actor):
        raise NotFound("no such token")


def revoke_all(session: Session, *, person: Person, now: datetime) -> list[int]:
    """Revoke every live token of ``person``; the ids revoked."""
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
        .execution_options(synchronize_session=False)
    ).all()
    return [row[0] for row in revoked]
