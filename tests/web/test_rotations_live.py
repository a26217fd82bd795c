"""A new user's first hour with rotations, over real HTTP against a running server."""

from __future__ import annotations

from datetime import datetime

import httpx

from core.models import Person
from core.security import issue_api_token
from tests.conftest import DEFAULT_NOW, LiveServer


def test_a_rotation_from_scratch_over_http(live_server: LiveServer) -> None:
    with live_server.sessions() as session, session.begin():
        admin = Person(
            email="admin@example.com",
            name="Admin",
            timezone="UTC",
            is_admin=True,
            created_at=DEFAULT_NOW,
        )
        session.add(admin)
        session.flush()
        token = issue_api_token(session, person=admin, now=DEFAULT_NOW)
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as api:
        people = []
        for name in ("Ana", "Bo", "Cy", "Di"):
            created = api.post(
                "/api/v1/people", json={"email": f"{name.lower()}@example.com", "name": name}
            )
            assert created.status_code == 201, created.text
            people.append(created.json())
        rotation = api.post(
            "/api/v1/rotations",
            json={
                "name": "Tier 2 support",
                "timezone": "Europe/Amsterdam",
                "start_date": "2026-11-23",
                "manager_ids": [people[0]["id"]],
            },
        )
        assert rotation.status_code == 201, rotation.text
        slug = rotation.json()["slug"]
        members = api.put(
            f"/api/v1/rotations/{slug}/members", json={"person_ids": [p["id"] for p in people]}
        )
        assert [m["person"]["name"] for m in members.json()] == ["Ana", "Bo", "Cy", "Di"]

        shifts = api.get(f"/api/v1/rotations/{slug}/shifts").json()
        assert [s["person"]["name"] for s in shifts[:5]] == ["Ana", "Bo", "Cy", "Di", "Ana"]
        assert all(s["start"].endswith(("Z", "+00:00")) for s in shifts)
        on_call = api.get(f"/api/v1/rotations/{slug}/on-call").json()
        assert on_call["shifts"][0]["person"]["name"] == "Ana"

        away = api.post(
            f"/api/v1/people/{people[1]['id']}/time-off",
            json={"start": "2026-11-30", "end": "2026-12-06", "reason": "conference"},
        )
        assert away.status_code == 201 and away.json()["reassigned_shift_ids"] == [shifts[1]["id"]]
        again = {s["id"]: s for s in api.get(f"/api/v1/rotations/{slug}/shifts").json()}
        assert again[shifts[1]["id"]]["person"]["name"] != "Bo"

        override = api.post(
            f"/api/v1/shifts/{shifts[3]['id']}/override",
            json={
                "person_id": people[2]["id"],
                "start": "2026-12-15T08:00:00Z",
                "end": "2026-12-16T08:00:00Z",
            },
        )
        assert override.status_code == 201, override.text
        pieces = override.json()
        assert [p["person"]["name"] for p in pieces] == ["Di", "Cy", "Di"]
        assert datetime.fromisoformat(pieces[1]["start"]) == datetime.fromisoformat(
            "2026-12-15T08:00:00+00:00"
        )
        assert api.get("/api/v1/rotations/nope").status_code == 404
        bad = api.post(
            "/api/v1/rotations",
            json={"name": "X", "timezone": "Mars/Base", "start_date": "2026-11-23"},
        )
        assert bad.status_code == 422 and bad.json()["detail"]
