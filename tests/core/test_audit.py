"""Audit events of changes keep only what changed, stored and read back from the database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, people
from core.models import AuditEvent
from core.schemas import PersonCreate, PersonUpdate
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person


def _stored(session: Session, event: AuditEvent) -> AuditEvent:
    session.flush()
    session.expire(event)
    return session.scalars(select(AuditEvent).where(AuditEvent.id == event.id)).one()


def test_only_fields_that_differ_are_kept_with_their_values_on_both_sides(
    session: Session,
) -> None:
    actor = make_person(session)
    event = audit.Trail(session, actor=actor, at=DEFAULT_NOW).record_change(
        "thing.update",
        ("thing", 7),
        before={"name": "old", "size": 3, "tags": ["a"], "gone": True},
        after={"name": "new", "size": 3, "tags": ["a", "b"], "added": None},
        note="why",
    )

    stored = _stored(session, event)
    assert stored.before == {"name": "old", "tags": ["a"], "gone": True}
    assert stored.after == {"name": "new", "tags": ["a", "b"], "added": None}
    assert (stored.actor_id, stored.action, stored.subject_type, stored.subject_id) == (
        actor.id,
        "thing.update",
        "thing",
        "7",
    )
    assert (stored.at, stored.note) == (DEFAULT_NOW, "why")


def test_a_change_that_changed_nothing_is_still_recorded_with_empty_pictures(
    session: Session,
) -> None:
    event = audit.Trail(session, actor=None, at=DEFAULT_NOW).record_change(
        "thing.update",
        ("thing", 1),
        before={"name": "same", "size": 1},
        after={"name": "same", "size": 1},
    )

    stored = _stored(session, event)
    assert (stored.before, stored.after, stored.actor_id) == ({}, {}, None)


def test_a_person_update_is_audited_as_the_fields_it_changed(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    person = make_person(session, name="Ana", timezone="UTC", team="support")

    later = DEFAULT_NOW + timedelta(hours=1)
    people.update_person(
        session,
        person=person,
        data=PersonUpdate(name="Ana de Vries", timezone="Europe/Amsterdam", team="support"),
        now=later,
        actor=admin,
    )

    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "person.update", AuditEvent.subject_id == str(person.id)
        )
    ).one()
    assert event.before == {"name": "Ana", "timezone": "UTC"}
    assert event.after == {"name": "Ana de Vries", "timezone": "Europe/Amsterdam"}
    assert (event.actor_id, event.at) == (admin.id, later)


def test_a_snapshot_pictures_the_fields_asked_for_ready_for_json() -> None:
    subject = SimpleNamespace(
        name="Tier 2",
        start_date=date(2026, 3, 30),
        handoff_time=time(9, 30),
        verified_at=datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        never=None,
        size=3,
        secret="not asked for",
    )

    picture = audit.snapshot(
        subject, ("name", "start_date", "handoff_time", "verified_at", "never", "size")
    )

    assert picture == {
        "name": "Tier 2",
        "start_date": "2026-03-30",
        "handoff_time": "09:30",
        "verified_at": "2026-03-29T07:00:00+00:00",
        "never": None,
        "size": 3,
    }
    assert json.loads(json.dumps(picture)) == picture


def test_a_new_person_is_audited_with_everything_after_and_nothing_before(
    session: Session,
) -> None:
    admin = make_person(session, is_admin=True)
    person = people.create_person(
        session,
        data=PersonCreate(email="Bo@Example.com", name="Bo", team="ops"),
        now=DEFAULT_NOW,
        actor=admin,
    )

    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "person.create", AuditEvent.subject_id == str(person.id)
        )
    ).one()
    assert event.before is None
    assert event.after == {
        "email": "bo@example.com",
        "name": "Bo",
        "timezone": "UTC",
        "team": "ops",
        "is_admin": False,
        "active": True,
    }
