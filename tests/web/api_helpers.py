"""Helpers shared by the rotation API tests: callers with tokens and the calls they make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Person
from tests.factories import auth, make_person, make_token


@dataclass
class Caller:
    person: Person
    headers: dict[str, str]

    @property
    def id(self) -> int:
        return self.person.id


def caller(session: Session, **fields: Any) -> Caller:
    person = make_person(session, **fields)
    return Caller(person=person, headers=auth(make_token(session, person)))


def create_rotation(client: TestClient, admin: Caller, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "Tier two")
    body.setdefault("timezone", "UTC")
    body.setdefault("start_date", "2026-11-23")
    response = client.post("/api/v1/rotations", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def set_members(
    client: TestClient, manager: Caller, slug: str, people: list[Caller]
) -> list[dict[str, Any]]:
    response = client.put(
        f"/api/v1/rotations/{slug}/members",
        json={"person_ids": [p.id for p in people]},
        headers=manager.headers,
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def shifts(client: TestClient, who: Caller, slug: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/rotations/{slug}/shifts", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result
