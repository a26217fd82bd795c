"""Stages through the HTTP API: the rotation setting, members' stages, shadow shifts' role,
graduating and holding back by hand, an acknowledgement that completes the reading, and
bad input answered with 422 naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card, make_card_set, make_requirement
from tests.probes import fingerprint
from tests.web.api_helpers import Caller, caller, create_rotation, set_members, shifts

SLUG = "tier-two"


@pytest.fixture
def admin(session: Session) -> Caller:
    return caller(session, is_admin=True)


def _team(client: TestClient, session: Session, admin: Caller) -> tuple[list[Caller], Caller]:
    create_rotation(client, admin, slug=SLUG, horizon_days=42, shadow_shifts_required=2)
    team = [caller(session) for _ in range(3)]
    set_members(client, admin, SLUG, team)
    newcomer = caller(session, name="Nia Newcomer")
    set_members(client, admin, SLUG, [*team, newcomer])
    return team, newcomer


def _member(client: TestClient, who: Caller, person: Caller) -> dict[str, Any]:
    response = client.get(f"/api/v1/rotations/{SLUG}/members/{person.id}", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_setting_defaults_to_zero_and_round_trips(client: TestClient, admin: Caller) -> None:
    created = create_rotation(client, admin, slug="plain")
    assert created["shadow_shifts_required"] == 0
    response = client.patch(
        "/api/v1/rotations/plain", json={"shadow_shifts_required": 3}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    fetched = client.get("/api/v1/rotations/plain", headers=admin.headers).json()
    assert fetched["shadow_shifts_required"] == 3


def test_a_newcomer_is_a_shadow_with_shadow_shifts_beside_the_primaries(
    client: TestClient, session: Session, admin: Caller
) -> None:
    team, newcomer = _team(client, session, admin)
    roster = client.get(f"/api/v1/rotations/{SLUG}/members", headers=newcomer.headers).json()
    assert [m["stage"] for m in roster] == ["primary", "primary", "primary", "shadow"]
    assert _member(client, newcomer, newcomer)["stage"] == "shadow"
    listed = shifts(client, newcomer, SLUG)
    shadow = [s for s in listed if s["role"] == "shadow"]
    assert [s["person"]["id"] for s in shadow] == [newcomer.id, newcomer.id]
    assert {s["role"] for s in listed} == {"primary", "shadow"}
    on_call = client.get(
        f"/api/v1/rotations/{SLUG}/on-call",
        params={"at": shadow[0]["start"]},
        headers=newcomer.headers,
    ).json()
    assert [s["role"] for s in on_call["shifts"]] == ["primary"]
    assert on_call["shifts"][0]["person"]["id"] in {p.id for p in team}


def test_the_last_acknowledgement_graduates_a_shadow_whose_shifts_are_done(
    client: TestClient, session: Session, admin: Caller, clock: FixedClock
) -> None:
    _team_members, newcomer = _team(client, session, admin)
    card = make_card(session)
    rotation = session.scalars(select(Rotation).where(Rotation.slug == SLUG)).one()
    make_requirement(session, rotation=rotation, card_set=make_card_set(session, cards=[card]))
    clock.set(DEFAULT_NOW + timedelta(weeks=4))
    response = client.post("/api/v1/acks", json={"card_id": card.id}, headers=newcomer.headers)
    assert response.status_code == 201, response.text
    assert _member(client, newcomer, newcomer)["stage"] == "primary"


def test_a_manager_holds_back_and_graduates_by_hand(
    client: TestClient, session: Session, admin: Caller
) -> None:
    _team_members, newcomer = _team(client, session, admin)
    path = f"/api/v1/rotations/{SLUG}/members/{newcomer.id}"
    held = client.patch(path, json={"graduation_held": True}, headers=admin.headers)
    assert held.status_code == 200, held.text
    assert held.json()["graduation_held"] is True and held.json()["stage"] == "shadow"
    done = client.patch(path, json={"stage": "primary"}, headers=admin.headers)
    assert done.status_code == 200, done.text
    assert done.json() | {"person": None} == {
        "person": None,
        "position": 3,
        "joined_at": done.json()["joined_at"],
        "stage": "primary",
        "graduation_held": False,
    }
    assert not [s for s in shifts(client, admin, SLUG) if s["role"] == "shadow"]


def test_a_member_may_not_move_stages(client: TestClient, session: Session, admin: Caller) -> None:
    team, newcomer = _team(client, session, admin)
    response = client.patch(
        f"/api/v1/rotations/{SLUG}/members/{newcomer.id}",
        json={"stage": "primary"},
        headers=team[0].headers,
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "expert"}, "stage"),
        ({"stage": None, "graduation_held": "maybe"}, "graduation_held"),
        ({"stage": "primary", "colour": "red"}, "colour"),
    ],
)
def test_bad_member_changes_are_422_naming_the_field_and_change_nothing(
    client: TestClient, session: Session, admin: Caller, body: dict[str, Any], field: str
) -> None:
    _team_members, newcomer = _team(client, session, admin)
    before = fingerprint(session)
    response = client.patch(
        f"/api/v1/rotations/{SLUG}/members/{newcomer.id}", json=body, headers=admin.headers
    )
    assert response.status_code == 422, response.text
    assert field in response.text
    assert fingerprint(session) == before


def test_an_empty_member_change_is_422(client: TestClient, session: Session, admin: Caller) -> None:
    _team_members, newcomer = _team(client, session, admin)
    response = client.patch(
        f"/api/v1/rotations/{SLUG}/members/{newcomer.id}", json={}, headers=admin.headers
    )
    assert response.status_code == 422
    assert "stage" in response.text


@pytest.mark.parametrize("value", [-1, 53, "two", None])
def test_bad_shadow_shifts_required_is_422_naming_the_field(
    client: TestClient, admin: Caller, value: object
) -> None:
    create_rotation(client, admin, slug="plain")
    for method, path in (("post", "/api/v1/rotations"), ("patch", "/api/v1/rotations/plain")):
        body: dict[str, object] = {"shadow_shifts_required": value}
        if method == "post":
            body |= {"name": "Other", "timezone": "UTC", "start_date": "2026-11-23"}
        response = client.request(method.upper(), path, json=body, headers=admin.headers)
        assert response.status_code == 422, (method, response.text)
        assert "shadow_shifts_required" in response.text


def test_someone_not_in_the_rotation_is_404(
    client: TestClient, session: Session, admin: Caller
) -> None:
    _team(client, session, admin)
    stranger = caller(session)
    response = client.get(f"/api/v1/rotations/{SLUG}/members/{stranger.id}", headers=admin.headers)
    assert response.status_code == 404


def test_a_shadow_shift_is_neither_overridden_nor_swapped(
    client: TestClient, session: Session, admin: Caller
) -> None:
    team, newcomer = _team(client, session, admin)
    listed = shifts(client, admin, SLUG)
    seat = next(s for s in listed if s["role"] == "shadow")
    theirs = next(s for s in listed if s["role"] == "primary" and s["start"] > seat["start"])
    before = fingerprint(session)
    override = client.post(
        f"/api/v1/shifts/{seat['id']}/override",
        json={"person_id": team[0].id},
        headers=admin.headers,
    )
    assert override.status_code == 409 and "shadow" in override.text
    swap = client.post(
        "/api/v1/swaps",
        json={"shift_id": seat["id"], "counterpart_shift_id": theirs["id"]},
        headers=newcomer.headers,
    )
    assert swap.status_code == 409 and "shadow" in swap.text
    assert fingerprint(session) == before
