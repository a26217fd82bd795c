"""Acknowledgements, their history and checklists through the HTTP API, with every bad input."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding.models import Acknowledgement
from tests.factories import (
    headers_for,
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.probes import row_counts

# --- acknowledgements -------------------------------------------------------------------


def test_acknowledging_binds_to_the_current_version_and_never_counts_twice(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    person = make_person(session)
    card = make_card(session, version=3)
    headers = headers_for(session, person)
    first = client.post("/api/v1/acks", json={"card_id": card.id}, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["card_id"] == card.id
    assert first.json()["version"] == 3
    assert first.json()["acknowledged_at"] == "2026-11-24T10:00:00Z"
    clock.advance(timedelta(minutes=5))
    again = client.post("/api/v1/acks", json={"card_id": card.id, "version": 3}, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    rows = session.scalars(select(Acknowledgement).where(Acknowledgement.person_id == person.id))
    assert [(a.card_id, a.card_version) for a in rows] == [(card.id, 3)]


def test_a_new_version_is_a_new_acknowledgement_and_history_keeps_both(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    person = make_person(session)
    card = make_card(session, title="=HYPERLINK(evil)")
    headers = headers_for(session, person)
    client.post("/api/v1/acks", json={"card_id": card.id}, headers=headers)
    card.version = 2
    session.flush()
    clock.advance(timedelta(days=1))
    assert (
        client.post("/api/v1/acks", json={"card_id": card.id}, headers=headers).status_code == 201
    )
    history = client.get(f"/api/v1/people/{person.id}/acks", headers=headers)
    assert history.status_code == 200
    assert [(a["version"], a["acknowledged_at"]) for a in history.json()] == [
        (1, "2026-11-24T10:00:00Z"),
        (2, "2026-11-25T10:00:00Z"),
    ]
    exported = client.get(f"/api/v1/people/{person.id}/acks?format=csv", headers=headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["card_id"], r["card_version"], r["person_email"]) for r in rows] == [
        (str(card.id), "1", person.email),
        (str(card.id), "2", person.email),
    ]
    assert rows[0]["card_title"] == "'=HYPERLINK(evil)"
    assert rows[0]["acknowledged_at"] == "2026-11-24T10:00:00+00:00"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"card_id": "CARD", "version": 1}, 409),
        ({"card_id": "CARD", "version": 3}, 409),
        ({"card_id": "ARCHIVED"}, 409),
        ({"card_id": 555555}, 404),
        ({"card_id": "CARD", "version": 0}, 422),
        ({"card_id": "CARD", "person_id": 1}, 422),
        ({}, 422),
    ],
)
def test_bad_acknowledgements_are_refused_and_nothing_is_written(
    client: TestClient, session: Session, body: dict[str, object], status: int
) -> None:
    person = make_person(session)
    card = make_card(session, version=2)
    archived = make_card(session, archived=True)
    ids = {"CARD": card.id, "ARCHIVED": archived.id}
    body = {k: ids.get(str(v), v) for k, v in body.items()}
    before = row_counts(session)
    response = client.post("/api/v1/acks", json=body, headers=headers_for(session, person))
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert row_counts(session) == before


def test_a_stale_version_says_which_version_is_current(
    client: TestClient, session: Session
) -> None:
    person = make_person(session)
    card = make_card(session, version=4)
    response = client.post(
        "/api/v1/acks",
        json={"card_id": card.id, "version": 3},
        headers=headers_for(session, person),
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 4


def test_ack_history_is_for_self_their_managers_and_admins(
    client: TestClient, session: Session
) -> None:
    person = make_person(session)
    manager = make_person(session)
    other_manager = make_person(session)
    stranger = make_person(session)
    admin = make_person(session, is_admin=True)
    make_rotation(session, managers=[manager], members=[person])
    make_rotation(session, managers=[other_manager])
    make_ack(session, person=person, card=make_card(session))
    url = f"/api/v1/people/{person.id}/acks"
    for viewer, expected in (
        (person, 200),
        (manager, 200),
        (admin, 200),
        (other_manager, 403),
        (stranger, 403),
    ):
        assert client.get(url, headers=headers_for(session, viewer)).status_code == expected
    assert (
        client.get("/api/v1/people/999999/acks", headers=headers_for(session, admin)).status_code
        == 404
    )
    bad_format = client.get(f"{url}?format=xml", headers=headers_for(session, person))
    assert bad_format.status_code == 422


# --- checklists -------------------------------------------------------------------------


def test_my_checklist_lists_assigned_shifts_with_each_cards_state(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    person = make_person(session, name="Ana")
    rotation = make_rotation(session, slug="tier2", members=[person])
    cards = [make_card(session, title="Refunds"), make_card(session, title="Escalations")]
    make_requirement(
        session, rotation=rotation, card_set=make_card_set(session, cards=cards), due_days_before=2
    )
    shift = make_shift(
        session, rotation=rotation, start=clock.now() + timedelta(days=6), person=person
    )
    make_shift(session, rotation=rotation, start=clock.now() + timedelta(days=60), person=person)
    headers = headers_for(session, person)
    client.post("/api/v1/acks", json={"card_id": cards[1].id}, headers=headers)

    response = client.get("/api/v1/me/checklist", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["person"]["id"] == person.id
    (entry,) = body["shifts"]
    assert entry["shift"]["id"] == shift.id
    assert entry["shift"]["rotation"] == "tier2"
    assert entry["shift"]["person"] == {"id": person.id, "name": "Ana", "email": person.email}
    assert entry["due_at"] == "2026-11-28T10:00:00Z"
    assert entry["status"] == "pending"
    assert (entry["required"], entry["done"]) == (2, 1)
    assert [
        (c["card"]["title"], c["acknowledged"], c["acknowledged_version"]) for c in entry["cards"]
    ] == [("Refunds", False, None), ("Escalations", True, 1)]
    assert entry["cards"][1]["acknowledged_at"] == "2026-11-24T10:00:00Z"

    unrelated = make_card(session, title="Not required")
    extra = client.post("/api/v1/acks", json={"card_id": unrelated.id}, headers=headers)
    assert extra.status_code == 201  # allowed, but it counts for nothing here
    assert client.get("/api/v1/me/checklist", headers=headers).json()["shifts"][0]["done"] == 1

    client.post("/api/v1/acks", json={"card_id": cards[0].id}, headers=headers)
    again = client.get("/api/v1/me/checklist", headers=headers).json()["shifts"][0]
    assert (again["status"], again["done"]) == ("ready", 2)


def test_someone_elses_checklist_is_for_their_managers_and_admins(
    client: TestClient, session: Session
) -> None:
    person = make_person(session)
    manager = make_person(session)
    stranger = make_person(session)
    make_rotation(session, managers=[manager], members=[person])
    url = f"/api/v1/people/{person.id}/checklist"
    assert client.get(url, headers=headers_for(session, manager)).status_code == 200
    assert client.get(url, headers=headers_for(session, person)).status_code == 200
    assert client.get(url, headers=headers_for(session, stranger)).status_code == 403
    admin_headers = headers_for(session, make_person(session, is_admin=True))
    assert client.get(url, headers=admin_headers).status_code == 200
    assert client.get("/api/v1/people/999999/checklist", headers=admin_headers).status_code == 404
