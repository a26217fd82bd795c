"""Card sets and rotation requirements through the HTTP API, with every bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from tests.factories import (
    headers_for,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
)
from tests.probes import row_counts


@pytest.fixture
def manager(session: Session) -> Person:
    person = make_person(session, name="Mia Manager")
    make_rotation(session, slug="tier2", managers=[person])
    return person


# --- card sets --------------------------------------------------------------------------


def test_a_manager_creates_lists_reads_and_reorders_a_card_set(
    client: TestClient, session: Session, manager: Person
) -> None:
    cards = [make_card(session) for _ in range(3)]
    headers = headers_for(session, manager)
    created = client.post(
        "/api/v1/card-sets",
        json={"name": "Tier 2 basics", "card_ids": [cards[2].id, cards[0].id]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Tier 2 basics"
    assert body["description"] == ""
    assert body["card_ids"] == [cards[2].id, cards[0].id]

    listed = client.get("/api/v1/card-sets", headers=headers).json()
    assert [s["id"] for s in listed] == [body["id"]]
    patched = client.patch(
        f"/api/v1/card-sets/{body['id']}",
        json={"card_ids": [cards[0].id, cards[1].id, cards[2].id], "description": "Read first"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["card_ids"] == [c.id for c in cards]
    fetched = client.get(f"/api/v1/card-sets/{body['id']}", headers=headers).json()
    assert fetched["card_ids"] == [c.id for c in cards]
    assert fetched["description"] == "Read first"
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["card_set.create", "card_set.update"]


def test_members_and_strangers_cannot_touch_card_sets(client: TestClient, session: Session) -> None:
    member = make_person(session)
    headers = headers_for(session, member)
    card_set = make_card_set(session, cards=[])
    assert client.post("/api/v1/card-sets", json={"name": "x"}, headers=headers).status_code == 403
    assert client.get("/api/v1/card-sets", headers=headers).status_code == 403
    patch = client.patch(f"/api/v1/card-sets/{card_set.id}", json={"name": "y"}, headers=headers)
    assert patch.status_code == 403
    assert client.get("/api/v1/card-sets").status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"name": "s", "card_ids": [999999]}, 422, "unknown card ids: 999999"),
        ({"name": "s", "card_ids": ["FIRST", "SECOND"]}, 422, None),
        ({"name": "s", "card_ids": ["FIRST", "FIRST"]}, 422, "more than once"),
        ({"name": "s", "card_ids": ["ARCHIVED"]}, 422, "archived"),
        ({"name": "", "card_ids": []}, 422, None),
        ({"name": "s", "cards": []}, 422, None),
        ({"name": "Taken", "card_ids": []}, 409, "already exists"),
        ({"card_ids": []}, 422, None),
    ],
)
def test_bad_card_sets_are_refused_and_nothing_is_written(
    client: TestClient,
    session: Session,
    manager: Person,
    body: dict[str, object],
    status: int,
    fragment: str | None,
) -> None:
    card = make_card(session)
    archived = make_card(session, archived=True)
    make_card_set(session, cards=[], name="Taken")
    names = {"FIRST": card.id, "ARCHIVED": archived.id, "SECOND": "two"}
    given = body.get("card_ids")
    if isinstance(given, list):
        body = {**body, "card_ids": [names.get(str(c), c) for c in given]}
    headers = headers_for(session, manager)
    before = row_counts(session)
    response = client.post("/api/v1/card-sets", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    if fragment:
        assert fragment in response.json()["detail"]
    assert row_counts(session) == before


def test_patching_a_card_set_badly_changes_nothing(
    client: TestClient, session: Session, manager: Person
) -> None:
    card = make_card(session)
    card_set = make_card_set(session, cards=[card], name="Keep")
    make_card_set(session, cards=[], name="Other")
    headers = headers_for(session, manager)
    before = row_counts(session)
    for body in ({"name": None}, {"card_ids": [card.id, 424242]}, {"name": "Other"}, {"x": 1}):
        response = client.patch(f"/api/v1/card-sets/{card_set.id}", json=body, headers=headers)
        assert response.status_code in (409, 422), (body, response.text)
    assert client.patch("/api/v1/card-sets/999999", json={}, headers=headers).status_code == 404
    assert row_counts(session) == before
    session.refresh(card_set)
    assert card_set.name == "Keep"


# --- requirements -----------------------------------------------------------------------


def test_a_manager_sets_requirements_and_anyone_reads_them(
    client: TestClient, session: Session, manager: Person
) -> None:
    first = make_card_set(session, cards=[make_card(session)], name="First")
    second = make_card_set(session, cards=[make_card(session)], name="Second")
    put = client.put(
        "/api/v1/rotations/tier2/requirements",
        json={
            "requirements": [
                {"card_set_id": second.id, "assign_days_before": 14, "due_days_before": 3},
                {"card_set_id": first.id},
            ]
        },
        headers=headers_for(session, manager),
    )
    assert put.status_code == 200, put.text
    member = make_person(session)
    got = client.get("/api/v1/rotations/tier2/requirements", headers=headers_for(session, member))
    assert got.status_code == 200
    assert got.json() == put.json()
    body = got.json()
    assert body["rotation"] == "tier2"
    assert [
        (r["card_set_id"], r["card_set_name"], r["assign_days_before"], r["due_days_before"])
        for r in body["requirements"]
    ] == [(second.id, "Second", 14, 3), (first.id, "First", 21, 2)]
    assert "rotation.requirements.set" in session.scalars(select(AuditEvent.action)).all()

    cleared = client.put(
        "/api/v1/rotations/tier2/requirements",
        json={"requirements": [{"card_set_id": first.id, "assign_days_before": 7}]},
        headers=headers_for(session, manager),
    )
    assert [r["card_set_id"] for r in cleared.json()["requirements"]] == [first.id]


def test_only_the_rotations_managers_set_requirements(client: TestClient, session: Session) -> None:
    card_set = make_card_set(session, cards=[])
    other_manager = make_person(session)
    make_rotation(session, slug="other", managers=[other_manager])
    make_rotation(session, slug="tier2")
    body = {"requirements": [{"card_set_id": card_set.id}]}
    response = client.put(
        "/api/v1/rotations/tier2/requirements",
        json=body,
        headers=headers_for(session, other_manager),
    )
    assert response.status_code == 403
    admin = make_person(session, is_admin=True)
    ok = client.put(
        "/api/v1/rotations/tier2/requirements", json=body, headers=headers_for(session, admin)
    )
    assert ok.status_code == 200
    missing = client.put(
        "/api/v1/rotations/nope/requirements", json=body, headers=headers_for(session, admin)
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "requirement",
    [
        {"card_set_id": "SET", "assign_days_before": -1},
        {"card_set_id": "SET", "due_days_before": -2},
        {"card_set_id": "SET", "assign_days_before": 3, "due_days_before": 5},
        {"card_set_id": "SET", "assign_days_before": 5000},
        {"card_set_id": 987654},
        {"card_set_id": "SET", "extra": True},
    ],
)
def test_bad_requirements_are_refused_and_the_old_ones_stay(
    client: TestClient, session: Session, manager: Person, requirement: dict[str, object]
) -> None:
    card_set = make_card_set(session, cards=[])
    rotation = make_rotation(session, slug="kept", managers=[manager])
    make_requirement(session, rotation=rotation, card_set=card_set)
    item = {k: card_set.id if v == "SET" else v for k, v in requirement.items()}
    before = row_counts(session)
    response = client.put(
        "/api/v1/rotations/kept/requirements",
        json={"requirements": [item]},
        headers=headers_for(session, manager),
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert row_counts(session) == before


def test_a_card_set_twice_in_one_put_is_refused(
    client: TestClient, session: Session, manager: Person
) -> None:
    card_set = make_card_set(session, cards=[])
    before = row_counts(session)
    response = client.put(
        "/api/v1/rotations/tier2/requirements",
        json={"requirements": [{"card_set_id": card_set.id}, {"card_set_id": card_set.id}]},
        headers=headers_for(session, manager),
    )
    assert response.status_code == 422
    assert "more than once" in response.json()["detail"]
    assert row_counts(session) == before
