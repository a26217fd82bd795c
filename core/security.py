"""Password hashing, API tokens and keyed hashes: the secrets every entry point checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ApiToken, Person

TOKEN_PREFIX = "ah_"  # noqa: S105  (a public prefix, not a secret)
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _stand_in_hash() -> str:
    """A hash of a random password, made once, with the parameters real hashes have."""
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a person without a password never matches.

    Unknown email, no password and a wrong password all do the same work, one argon2
    verification, so the answer's timing does not tell which accounts exist.
    """
    if not password_hash:
        _verify(_stand_in_hash(), password)
        return False
    return _verify(password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str = "") -> str:
    """A fresh 256-bit bearer secret (API token, SCIM token, link secret) after ``prefix``."""
    return prefix + secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """What is stored of a bearer secret: its SHA-256. A 256-bit secret makes an index
    lookup of the digest safe from timing attacks."""
    return hashlib.sha256(secret.encode()).hexdigest()


# How stale ``last_used_at`` may get: a token used all day long is written once a minute.
LAST_USE_PRECISION = timedelta(minutes=1)


def issue_api_token(
    session: Session,
    *,
    person: Person,
    now: datetime,
    label: str = "",
    expires_at: datetime | None = None,
) -> str:
    """Create a token for ``person`` and return it; only its hash is stored."""
    _row, token = new_api_token(session, person=person, now=now, label=label, expires_at=expires_at)
    return token


def new_api_token(
    session: Session,
    *,
    person: Person,
    now: datetime,
    label: str,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """Create a token for ``person``: its row (with an id) and the token itself."""
    token = new_secret(TOKEN_PREFIX)
    row = ApiToken(
        person_id=person.id,
        token_hash=secret_digest(token),
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, token


def person_for_api_token(
    session: Session, token: str, *, now: datetime | None = None
) -> Person | None:
    """The active person holding ``token``, unrevoked and unexpired at ``now``, or None.

    Tokens carry 256 bits, so looking up their SHA-256 by index reveals nothing useful
    through timing; no plaintext is ever compared. With ``now`` the use is recorded.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    # The token and its holder in one query: this runs on every API request.
    found = session.execute(
        select(ApiToken, Person)
        .join(Person, Person.id == ApiToken.person_id)
        .where(ApiToken.token_hash == secret_digest(token), ApiToken.revoked_at.is_(None))
    ).one_or_none()
    if found is None:
        return None
    row, person = found
    at = now or datetime.now(UTC)
    if row.expires_at is not None and row.expires_at <= at:
        return None
    if not person.active:
        return None
    if now is not None and (
        row.last_used_at is None or now - row.last_used_at >= LAST_USE_PRECISION
    ):
        row.last_used_at = now
    return person


def keyed_digest(secret_key: str, message: str) -> str:
    """A URL-safe HMAC-SHA256 of ``message`` under ``secret_key``."""
    mac = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def constant_time_equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())
