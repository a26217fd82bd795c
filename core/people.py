"""Use cases for people: create, update, deactivate, CSV import."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit, db, personal_tokens
from core.errors import Conflict, Invalid
from core.models import Person
from core.schemas import PersonCreate, PersonUpdate
from core.security import hash_password

# What an audit event pictures of a person.
AUDITED_FIELDS = ("email", "name", "timezone", "team", "is_admin", "active")


def get_person(session: Session, person_id: int) -> Person:
    return db.get_or_not_found(session, Person, person_id, what="person")


def find_by_ids(session: Session, *, person_ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids, by id, in one query; unknown ids are simply absent."""
    ids = set(person_ids)
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalars(select(Person).where(Person.email == email.strip().lower())).first()


def list_people(
    session: Session,
    *,
    include_inactive: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[Person]:
    """People by name; ``limit`` and ``offset`` read one page of them."""
    query = select(Person).order_by(func.lower(Person.name), Person.id)
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_people(session: Session) -> int:
    """How many people there are, deactivated ones included."""
    return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def create_person(
    session: Session,
    *,
    data: PersonCreate,
    now: datetime,
    actor: Person | None,
    password: str | None = None,
) -> Person:
    """Add a person; a duplicate email (in any letter case) is a Conflict."""
    email = str(data.email).lower()
    if find_by_email(session, email) is not None:
        raise Conflict(f"a person with email {email} already exists")
    person = Person(
        **data.model_dump(exclude={"email"}),
        email=email,
        active=True,
        password_hash=hash_password(password) if password else None,
        created_at=now,
    )
    session.add(person)
    session.flush()
    _audit(session, person=person, before={}, action="person.create", actor=actor, now=now)
    return person


def update_person(
    session: Session, *, person: Person, data: PersonUpdate, now: datetime, actor: Person | None
) -> Person:
    """Apply the fields present in ``data``; an email taken by someone else is a Conflict."""
    before = audit.snapshot(person, AUDITED_FIELDS)
    changes = data.model_dump(exclude_unset=True)
    if "email" in changes and changes["email"] is not None:
        email = str(changes["email"]).lower()
        other = find_by_email(session, email)
        if other is not None and other.id != person.id:
            raise Conflict(f"a person with email {email} already exists")
        changes["email"] = email
    for field in ("email", "name", "timezone", "is_admin", "active"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null")
    was_active = person.active
    for field, value in changes.items():
        setattr(person, field, value)
    session.flush()
    _audit(session, person=person, before=before, action="person.update", actor=actor, now=now)
    if was_active and not person.active:
        _cut_credentials(session, person=person, now=now, actor=actor)
    return person


def set_password(session: Session, *, person: Person, password: str) -> None:
    """Store a new password hash and end every session that used the old password."""
    if len(password) < 8:
        raise Invalid("password must have at least 8 characters")
    person.password_hash = hash_password(password)
    person.session_epoch += 1
    session.flush()


def end_sessions(session: Session, *, person: Person, now: datetime) -> Person:
    """Invalidate every session cookie issued to ``person`` so far (logout)."""
    # Cookies are signed, not stored, so one cannot be revoked alone: moving the epoch on
    # the person is what makes a copied cookie stop working, on every instance at once.
    person.session_epoch += 1
    session.flush()
    audit.Trail(session, actor=person, at=now).record(
        "person.logout", ("person", person.id), after={"session_epoch": person.session_epoch}
    )
    return person


def deactivate_person(
    session: Session, *, person: Person, now: datetime, actor: Person | None
) -> Person:
    """Mark inactive and cut every credential; rotations reassign their shifts separately."""
    before = audit.snapshot(person, AUDITED_FIELDS)
    was_active = person.active
    person.active = False
    session.flush()
    _audit(session, person=person, before=before, action="person.deactivate", actor=actor, now=now)
    if was_active:
        _cut_credentials(session, person=person, now=now, actor=actor)
    return person


def _cut_credentials(
    session: Session, *, person: Person, now: datetime, actor: Person | None
) -> None:
    """End sessions, revoke API tokens and change the feed URL of someone deactivated.

    For good: reactivating the person brings none of them back, so a token or calendar URL
    that leaked while they were away stays dead.
    """
    person.session_epoch += 1
    person.feed_token_version += 1
    revoked = personal_tokens.revoke_all(session, person=person, now=now)
    session.flush()
    audit.Trail(session, actor=actor, at=now).record(
        "person.credentials_revoked",
        ("person", person.id),
        after={"revoked_token_ids": revoked, "feed_token_version": person.feed_token_version},
    )


def _audit(
    session: Session,
    *,
    person: Person,
    before: dict[str, Any],
    action: str,
    actor: Person | None,
    now: datetime,
) -> None:
    """Audit what changed on ``person`` since ``before`` (empty for someone new: everything)."""
    audit.Trail(session, actor=actor, at=now).record_change(
        action, ("person", person.id), before=before, after=audit.snapshot(person, AUDITED_FIELDS)
    )
