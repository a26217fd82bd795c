"""Taking a shift over: the new holder is given the missing reading, due before the shift
(later than usual when its usual due time has passed), and told by email."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding.models import OutboxMessage
from tests.factories import headers_for
from tests.onboarding.test_at_risk import DUE, World, _world


def _cover(
    client: TestClient, session: Session, clock: FixedClock, *, at: datetime
) -> tuple[World, dict[str, Any]]:
    w = _world(session)
    clock.set(at)
    asked = client.post(
        "/api/v1/swaps",
        json={"shift_id": w.shift.id, "counterpart_person_id": w.bo.id},
        headers=headers_for(session, w.holder),
    )
    assert asked.status_code == 201, asked.text
    accepted = client.post(
        f"/api/v1/swaps/{asked.json()['id']}/accept", headers=headers_for(session, w.bo)
    )
    assert accepted.status_code == 200, accepted.text
    checklist = client.get("/api/v1/me/checklist", headers=headers_for(session, w.bo)).json()
    [entry] = [s for s in checklist["shifts"] if s["shift"]["id"] == w.shift.id]
    return w, entry


def test_a_late_cover_gets_a_due_time_it_can_meet_before_the_shift(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    now = DUE + timedelta(hours=3)  # the usual due time has passed
    w, entry = _cover(client, session, clock, at=now)
    # Bo read one of three cards: two left at 15 minutes each.
    due = datetime.fromisoformat(entry["due_at"])
    assert due == now + timedelta(minutes=30)
    assert due < w.shift.start
    assert entry["status"] == "pending"
    [email] = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "cover-reading")
    ).all()
    assert email.recipient == w.bo.email
    assert "Card 1" in email.body and "Card 2" in email.body and "Card 0" not in email.body


def test_an_early_cover_keeps_the_usual_due_time(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    _w, entry = _cover(client, session, clock, at=DUE - timedelta(days=3))
    assert datetime.fromisoformat(entry["due_at"]) == DUE
    assert (
        len(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "cover-reading")
            ).all()
        )
        == 1
    )


def test_a_manager_override_assigns_the_reading_too(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = _world(session)
    clock.set(DUE + timedelta(hours=1))
    given = client.post(
        f"/api/v1/shifts/{w.shift.id}/override",
        json={"person_id": w.bo.id},
        headers=headers_for(session, w.mia),
    )
    assert given.status_code == 201, given.text
    session.refresh(w.shift)
    assert w.shift.reading_due_at == DUE + timedelta(hours=1, minutes=30)
