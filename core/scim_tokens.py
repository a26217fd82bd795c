"""Bearer tokens for an identity provider's SCIM client; only their SHA-256 is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import ScimToken
from core.security import new_secret, secret_digest

TOKEN_PREFIX = "ahscim_"  # noqa: S105  (a public prefix, not a secret)
_MAX_TOKEN_LENGTH = 200


def issue_scim_token(session: Session, *, label: str, now: datetime) -> tuple[ScimToken, str]:
    """A new SCIM token and its row; the token itself is shown once and never stored."""
    token = new_secret(TOKEN_PREFIX)
    row = ScimToken(label=label, token_hash=secret_digest(token), created_at=now)
    session.add(row)
    session.flush()
    audit.Trail(session, actor=None, at=now).record(
        "scim_token.issue", ("scim_token", row.id), after={"label": label}
    )
    return row, token


def token_for(session: Session, *, token: str, now: datetime) -> ScimToken | None:
    """The live SCIM token ``token`` is, or None; marks it used.

    The token carries 256 bits, so an index lookup of its SHA-256 tells an attacker
    nothing through timing.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        return None
    row = session.scalars(
        select(ScimToken).where(
            ScimToken.token_hash == secret_digest(token), ScimToken.revoked_at.is_(None)
        )
    ).one_or_none()
    if row is not None:
        row.last_used_at = now
    return row


def revoke_scim_token(session: Session, *, token_id: int, now: datetime) -> ScimToken | None:
    """Stop a SCIM token from working; None when there is no such live token."""
    row = session.get(ScimToken, token_id)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now
    audit.Trail(session, actor=None, at=now).record("scim_token.revoke", ("scim_token", row.id))
    return row
