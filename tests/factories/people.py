"""People and their credentials."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from core.models import Person
from core.security import hash_password, issue_api_token
from tests.conftest import DEFAULT_NOW
from tests.factories._rows import save

_counter = itertools.count(1)


def make_person(
    session: Session,
    *,
    email: str | None = None,
    name: str | None = None,
    timezone: str = "UTC",
    team: str | None = None,
    is_admin: bool = False,
    active: bool = True,
    password: str | None = None,
    now: datetime = DEFAULT_NOW,
) -> Person:
    n = next(_counter)
    return save(
        session,
        Person(
            email=(email or f"person{n}@example.com").lower(),
            name=name or f"Person {n}",
            timezone=timezone,
            team=team,
            is_admin=is_admin,
            active=active,
            password_hash=hash_password(password) if password else None,
            created_at=now,
        ),
    )


def make_people(
    session: Session, count: int, *, timezone: str = "UTC", is_admin: bool = False
) -> list[Person]:
    return [make_person(session, timezone=timezone, is_admin=is_admin) for _ in range(count)]


def make_token(session: Session, person: Person, *, now: datetime = DEFAULT_NOW) -> str:
    return issue_api_token(session, person=person, now=now)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def headers_for(session: Session, person: Person) -> dict[str, str]:
    """Bearer headers with a fresh token for ``person``."""
    return auth(make_token(session, person))
