"""Helpers shared by the rotation API tests: callers with tokens and a database fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from rotation.models import (
    Rotation,
    RotationMember,
    Shift,
    ShiftRelease,
    SwapRequest,
    TimeOff,
    rotation_manager,
)
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


def fingerprint(session: Session) -> dict[str, object]:
    """Everything a rotation request could touch, to prove a rejected one changed nothing."""
    session.expire_all()
    counts = {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Rotation, RotationMember, Shift, ShiftRelease, SwapRequest, TimeOff)
    }
    counts["AuditEvent"] = session.scalar(select(func.count()).select_from(AuditEvent))
    counts["managers"] = session.scalar(select(func.count()).select_from(rotation_manager))
    shifts = session.execute(
        select(
            Shift.id, Shift.person_id, Shift.start, Shift.end, Shift.sequence, Shift.cancelled_at
        ).order_by(Shift.id)
    ).all()
    rotations = session.execute(
        select(Rotation.id, Rotation.version, Rotation.name, Rotation.shift_days).order_by(
            Rotation.id
        )
    ).all()
    members = session.execute(
        select(RotationMember.id, RotationMember.position, RotationMember.left_at).order_by(
            RotationMember.id
        )
    ).all()
    swaps = session.execute(
        select(SwapRequest.id, SwapRequest.status).order_by(SwapRequest.id)
    ).all()
    return {
        **counts,
        "shifts": [tuple(r) for r in shifts],
        "rotations": [tuple(r) for r in rotations],
        "members": [tuple(r) for r in members],
        "swaps": [tuple(r) for r in swaps],
    }


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
