"""Secret calendar-feed tokens: an HMAC of person id and token version, never stored.

A token is ``{person_id}-{mac}`` where ``mac`` is the URL-safe HMAC-SHA256 (256 bits) of the
person id and ``Person.feed_token_version`` under the app's secret key. Nothing secret is kept
in the database: checking a token recomputes the HMAC, and rotating bumps the version so every
earlier token stops matching at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core import audit, i18n
from core.models import Person
from core.security import constant_time_equal, keyed_digest

# Digits, a dash, and exactly the 43 characters of an unpadded base64url SHA-256 digest; any
# other shape (too long, non-ASCII, dots, slashes) is refused before touching the database.
_TOKEN_SHAPE = re.compile(r"([1-9][0-9]{0,9})-([A-Za-z0-9_-]{43})")
# Person ids are 32-bit integers in the schema; a larger one would be a database error.
_MAX_PERSON_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class FeedHolder:
    """The person a valid feed token belongs to, as far as feeds need to know."""

    person_id: int
    name: str
    token_version: int
    # The person's own zone, which their feed names as the calendar's (X-WR-TIMEZONE).
    timezone: str = "UTC"
    # The language the person reads (``core.i18n``): their feeds' texts are in it.
    locale: str = "en"


def _mac(*, secret_key: str, person_id: int, version: int) -> str:
    # Domain-separated so the digest can never collide with another use of the same key.
    return keyed_digest(secret_key, f"allhands-feed-token:v1:{person_id}:{version}")


def feed_token(*, secret_key: str, person_id: int, version: int) -> str:
    """The feed token of ``person_id`` at token ``version``."""
    return f"{person_id}-{_mac(secret_key=secret_key, person_id=person_id, version=version)}"


def token_for(*, secret_key: str, person: Person) -> str:
    """The person's current feed token."""
    return feed_token(secret_key=secret_key, person_id=person.id, version=person.feed_token_version)


def parse_feed_token(token: str) -> int | None:
    """The person id a well-formed token claims, or None for anything malformed."""
    match = _TOKEN_SHAPE.fullmatch(token)
    if match is None:
        return None
    person_id = int(match.group(1))
    return person_id if person_id <= _MAX_PERSON_ID else None


def holder_for_token(session: Session, *, secret_key: str, token: str) -> FeedHolder | None:
    """The active person whose current token is ``token``, or None (one query at most)."""
    person_id = parse_feed_token(token)
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None or not person.active:
        return None
    expected = token_for(secret_key=secret_key, person=person)
    if not constant_time_equal(expected, token):
        return None
    return FeedHolder(
        person_id=person.id,
        name=person.name,
        token_version=person.feed_token_version,
        timezone=person.timezone,
        locale=i18n.choose(person.locale),
    )


def rotate_feed_token(session: Session, *, person: Person, now: datetime) -> Person:
    """Invalidate every feed URL of ``person`` by bumping their token version."""
    before = {"feed_token_version": person.feed_token_version}
    person.feed_token_version += 1
    session.flush()
    audit.Trail(session, actor=person, at=now).record(
        "person.rotate_feed_token",
        ("person", person.id),
        before=before,
        after={"feed_token_version": person.feed_token_version},
    )
    return person
