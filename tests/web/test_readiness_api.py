"""Readiness through the HTTP API: who sees what, windows, CSV, and the live transitions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import Person
from kb_links.models import Card
from rotation.models import Rotation, Shift
from tests.factories import (
    auth,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
    make_token,
)


class Team:
    """Two rotations with their own managers; Ana is on tier2 next week, Bo the week after."""

    def __init__(self, session: Session, clock: FixedClock) -> None:
        now = clock.now()
        self.manager = make_person(session, name="Mia")
        self.other_manager = make_person(session, name="Oz")
        self.ana = make_person(session, name="Ana")
        self.bo = make_person(session, name="Bo")
        self.tier2: Rotation = make_rotation(
            session, slug="tier2", managers=[self.manager], members=[self.ana, self.bo]
        )
        self.billing: Rotation = make_rotation(
            session, slug="billing", managers=[self.other_manager]
        )
        self.cards: list[Card] = [make_card(session), make_card(session)]
        make_requirement(
            session,
            rotation=self.tier2,
            card_set=make_card_set(session, cards=self.cards),
            due_days_before=2,
        )
        self.next_week: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=6), person=self.ana
        )
        self.after: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=13), person=self.bo
        )
        self.gap: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=20), person=None
        )
        self.billing_shift: Shift = make_shift(
            session, rotation=self.billing, start=now + timedelta(days=1), person=self.bo
        )

    def headers(self, session: Session, person: Person) -> dict[str, str]:
        return auth(make_token(session, person))


def by_shift(rows: list[dict[str, Any]]) -> dict[int, str]:
    return {row["shift"]["id"]: row["status"] for row in rows}


def test_a_manager_sees_readiness_of_their_rotations_only(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    team = Team(session, clock)
    response = client.get("/api/v1/readiness", headers=team.headers(session, team.manager))
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [row["shift"]["id"] for row in rows] == [team.next_week.id, team.after.id, team.gap.id]
    first = rows[0]
    assert first["person"] == {"id": team.ana.id, "name": "Ana", "email": team.ana.email}
    assert first["due_at"] == "2026-11-28T10:00:00Z"
    assert (first["required"], first["done"], first["status"]) == (2, 0, "pending")
    assert first["missing"] == [c.id for c in team.cards]
    assert rows[2]["person"] is None and rows[2]["status"] == "uncovered"

    admin = make_person(session, is_admin=True)
    everything = client.get("/api/v1/readiness", headers=team.headers(session, admin)).json()
    assert team.billing_shift.id in by_shift(everything)
    assert by_shift(everything)[team.billing_shift.id] == "ready"  # billing requires nothing


def test_who_may_not_see_readiness(client: TestClient, session: Session, clock: FixedClock) -> None:
    team = Team(session, clock)
    member = client.get("/api/v1/readiness", headers=team.headers(session, team.ana))
    assert member.status_code == 403
    foreign = client.get(
        "/api/v1/readiness?rotation=tier2", headers=team.headers(session, team.other_manager)
    )
    assert foreign.status_code == 403
    unknown = client.get(
        "/api/v1/readiness?rotation=nope", headers=team.headers(session, team.manager)
    )
    assert unknown.status_code == 404
    assert client.get("/api/v1/readiness").status_code == 401


def test_window_and_rotation_filters(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    team = Team(session, clock)
    headers = team.headers(session, make_person(session, is_admin=True))
    only_billing = client.get("/api/v1/readiness?rotation=billing", headers=headers).json()
    assert list(by_shift(only_billing)) == [team.billing_shift.id]
    window = client.get(
        "/api/v1/readiness",
        params={"start": "2026-12-05T00:00:00Z", "end": "2026-12-10T00:00:00+00:00"},
        headers=headers,
    ).json()
    assert set(by_shift(window)) == {team.after.id, team.next_week.id}
    naive = client.get(
        "/api/v1/readiness", params={"start": "2026-12-12T00:00:00"}, headers=headers
    )
    assert naive.status_code == 200
    assert team.next_week.id not in by_shift(naive.json())
    for params in (
        {"start": "2026-12-10T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        {"start": "yesterday"},
        {"format": "pdf"},
        {"start": "2026-01-01T00:00:00Z", "end": "2029-01-01T00:00:00Z"},
    ):
        response = client.get("/api/v1/readiness", params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"]


def test_readiness_follows_reading_swaps_and_major_changes(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    team = Team(session, clock)
    manager = team.headers(session, team.manager)
    ana = team.headers(session, team.ana)

    def status() -> str:
        rows = client.get("/api/v1/readiness?rotation=tier2", headers=manager).json()
        return by_shift(rows)[team.next_week.id]

    for card in team.cards:
        assert (
            client.post("/api/v1/acks", json={"card_id": card.id}, headers=ana).status_code == 201
        )
    assert status() == "ready"

    team.cards[0].version += 1  # a major change, as the card registry records it
    session.flush()
    assert status() == "pending"
    clock.advance(timedelta(days=4, hours=1))
    assert status() == "overdue"
    client.post("/api/v1/acks", json={"card_id": team.cards[0].id}, headers=ana)
    assert status() == "ready"

    team.next_week.person_id = team.bo.id  # swapped to Bo, as the rotation service would
    team.next_week.kind = "swap"
    team.next_week.sequence += 1
    session.flush()
    assert status() == "overdue"


def test_readiness_exports_as_csv(client: TestClient, session: Session, clock: FixedClock) -> None:
    team = Team(session, clock)
    response = client.get(
        "/api/v1/readiness?format=csv", headers=team.headers(session, team.manager)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="readiness.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["shift_id"], r["rotation"], r["status"]) for r in rows] == [
        (str(team.next_week.id), "tier2", "pending"),
        (str(team.after.id), "tier2", "pending"),
        (str(team.gap.id), "tier2", "uncovered"),
    ]
    assert rows[0]["person_email"] == team.ana.email
    assert rows[0]["missing_card_ids"] == " ".join(str(c.id) for c in team.cards)
    assert rows[2]["person_id"] == ""
