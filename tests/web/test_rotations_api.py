"""Rotations, members, shifts, on-call and rebalance through the HTTP API, with bad input."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from tests.factories import make_person
from tests.probes import fingerprint
from tests.web.api_helpers import Caller, caller, create_rotation, set_members, shifts

ROTATION_KEYS = {
    "id",
    "slug",
    "name",
    "description",
    "timezone",
    "start_date",
    "handoff_time",
    "shift_days",
    "people_per_shift",
    "horizon_days",
    "manager_ids",
    "swap_requires_approval",
    "archived",
    "version",
    # Duty rules: coverage windows and holidays.
    "coverage",
    "holidays",
    "treat_own_holidays_as_time_off",
    # Fairness: by shift count or by burden, and what an hour of duty weighs.
    "fairness",
    "burden_weights",
    # Slack: handoff channel, on-shift user group, days ahead of the incoming person's DM.
    "slack_channel",
    "slack_usergroup",
    "slack_dm_days_ahead",
    # The identity provider's group the members come from ("" = set by hand).
    "scim_group",
    # Stages: how many shifts a newcomer shadows before their own.
    "shadow_shifts_required",
    # How many days ahead a shift can be at risk (0: never).
    "at_risk_days",
}
SHIFT_KEYS = {"id", "uid", "rotation", "slot", "start", "end", "person", "kind", "sequence"}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def admin(session: Session) -> Caller:
    return caller(session, is_admin=True)


def test_admin_creates_a_rotation_with_the_documented_defaults(
    client: TestClient, session: Session, admin: Caller
) -> None:
    manager = caller(session)
    body = create_rotation(
        client, admin, name="Tier 2 Support", timezone="Europe/Amsterdam", manager_ids=[manager.id]
    )
    assert set(body) == ROTATION_KEYS
    assert body["slug"] == "tier-2-support"
    assert body["handoff_time"] == "09:00"
    assert (body["shift_days"], body["people_per_shift"], body["horizon_days"]) == (7, 1, 182)
    assert body["manager_ids"] == [manager.id]
    assert body["swap_requires_approval"] is False and body["archived"] is False
    assert body["start_date"] == "2026-11-23"
    assert body["fairness"] == "count"
    assert body["burden_weights"] == {"weekday": 1.0, "weekend": 1.5, "holiday": 2.0}
    got = client.get(f"/api/v1/rotations/{body['slug']}", headers=manager.headers)
    assert got.status_code == 200 and got.json() == body
    listed = client.get("/api/v1/rotations", headers=manager.headers).json()
    assert [r["slug"] for r in listed] == ["tier-2-support"]
    session.expire_all()
    assert "rotation.create" in session.scalars(select(AuditEvent.action)).all()


def test_only_admins_create_rotations_and_callers_need_a_token(
    client: TestClient, session: Session
) -> None:
    member = caller(session)
    body = {"name": "X", "timezone": "UTC", "start_date": "2026-11-23"}
    assert client.post("/api/v1/rotations", json=body).status_code == 401
    assert client.post("/api/v1/rotations", json=body, headers=member.headers).status_code == 403
    assert client.get("/api/v1/rotations").status_code == 401


BAD_CREATES: list[tuple[dict[str, Any], int]] = [
    ({"timezone": "Mars/Olympus"}, 422),
    ({"timezone": "Europe/amsterdam"}, 422),
    ({"shift_days": 0}, 422),
    ({"shift_days": 29}, 422),
    ({"people_per_shift": 0}, 422),
    ({"horizon_days": 6}, 422),
    ({"horizon_days": 731}, 422),
    ({"handoff_time": "9:00"}, 422),
    ({"handoff_time": "24:00"}, 422),
    ({"handoff_time": "09:60"}, 422),
    ({"handoff_time": "09:00:30"}, 422),
    ({"handoff_time": "09:00:60"}, 422),
    ({"handoff_time": "09:00:00Z"}, 422),
    ({"handoff_time": "nine"}, 422),
    ({"start_date": "2026-02-30"}, 422),
    ({"start_date": None}, 422),
    ({"name": ""}, 422),
    ({"slug": "Has Spaces"}, 422),
    ({"manager_ids": [987654]}, 422),
    ({"colour": "blue"}, 422),
    ({"name": "!!!"}, 422),
]


@pytest.mark.parametrize(("change", "expected"), BAD_CREATES)
def test_bad_rotation_input_is_refused_and_changes_nothing(
    client: TestClient, session: Session, admin: Caller, change: dict[str, Any], expected: int
) -> None:
    body = {"name": "Tier two", "timezone": "UTC", "start_date": "2026-11-23", **change}
    before = fingerprint(session)
    response = client.post("/api/v1/rotations", json=body, headers=admin.headers)
    assert response.status_code == expected, response.text
    assert response.json()["detail"]
    assert fingerprint(session) == before


def test_duplicate_slug_is_a_conflict_and_changes_nothing(
    client: TestClient, session: Session, admin: Caller
) -> None:
    create_rotation(client, admin, name="Tier two")
    before = fingerprint(session)
    again = client.post(
        "/api/v1/rotations",
        json={"name": "Tier Two", "timezone": "UTC", "start_date": "2026-11-23"},
        headers=admin.headers,
    )
    assert again.status_code == 409
    explicit = client.post(
        "/api/v1/rotations",
        json={"name": "Other", "slug": "tier-two", "timezone": "UTC", "start_date": "2026-11-23"},
        headers=admin.headers,
    )
    assert explicit.status_code == 409
    assert fingerprint(session) == before


def test_unknown_rotation_is_404(client: TestClient, session: Session, admin: Caller) -> None:
    for path in ("", "/members", "/shifts", "/on-call"):
        response = client.get(f"/api/v1/rotations/nope{path}", headers=admin.headers)
        assert response.status_code == 404
        assert response.json()["detail"]


def test_members_are_set_in_order_and_shifts_follow_the_roster(
    client: TestClient, session: Session, admin: Caller
) -> None:
    team = [caller(session) for _ in range(10)]
    rotation = create_rotation(client, admin, horizon_days=365)
    members = set_members(client, admin, rotation["slug"], team)
    assert [m["person"]["id"] for m in members] == [p.id for p in team]
    assert [m["position"] for m in members] == list(range(10))
    assert set(members[0]) == {"person", "position", "joined_at", "stage", "graduation_held"}
    assert {m["stage"] for m in members} == {"primary"}
    assert set(members[0]["person"]) == {"id", "name", "email"}
    assert (
        client.get(f"/api/v1/rotations/{rotation['slug']}/members", headers=team[3].headers).json()
        == members
    )

    listed = shifts(client, team[0], rotation["slug"])
    assert set(listed[0]) >= SHIFT_KEYS
    assert listed[0]["rotation"] == rotation["slug"] and listed[0]["kind"] == "scheduled"
    assert instant(listed[0]["start"]) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    people = [s["person"]["id"] for s in listed]
    for first in range(len(people) - 9):
        assert sorted(people[first : first + 10]) == sorted(p.id for p in team)
    assert people[:10] == [p.id for p in team]


def test_bad_member_lists_are_refused_and_change_nothing(
    client: TestClient, session: Session, admin: Caller
) -> None:
    rotation = create_rotation(client, admin)
    team = [caller(session) for _ in range(2)]
    set_members(client, admin, rotation["slug"], team)
    gone = make_person(session, active=False)
    before = fingerprint(session)
    path = f"/api/v1/rotations/{rotation['slug']}/members"
    for body in (
        {"person_ids": [team[0].id, 424242]},
        {"person_ids": [team[0].id, team[0].id]},
        {"person_ids": [gone.id]},
        {"person_ids": "all"},
        {},
    ):
        response = client.put(path, json=body, headers=admin.headers)
        assert response.status_code == 422, (body, response.text)
    assert fingerprint(session) == before


def test_only_managers_edit_and_members_only_read(
    client: TestClient, session: Session, admin: Caller
) -> None:
    manager, member = caller(session), caller(session)
    rotation = create_rotation(client, admin, manager_ids=[manager.id])
    slug = rotation["slug"]
    set_members(client, manager, slug, [member])
    before = fingerprint(session)
    assert (
        client.patch(
            f"/api/v1/rotations/{slug}", json={"name": "Mine"}, headers=member.headers
        ).status_code
        == 403
    )
    assert (
        client.put(
            f"/api/v1/rotations/{slug}/members", json={"person_ids": []}, headers=member.headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/rotations/{slug}/rebalance",
            json={"from": "2026-12-01"},
            headers=member.headers,
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/rotations/{slug}", headers=manager.headers).status_code == 403
    assert fingerprint(session) == before
    renamed = client.patch(
        f"/api/v1/rotations/{slug}", json={"name": "Renamed"}, headers=manager.headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"


def test_a_stale_version_is_a_conflict_not_a_lost_update(
    client: TestClient, session: Session, admin: Caller
) -> None:
    rotation = create_rotation(client, admin)
    slug, version = rotation["slug"], rotation["version"]
    first = client.patch(
        f"/api/v1/rotations/{slug}",
        json={"description": "first", "version": version},
        headers=admin.headers,
    )
    assert first.status_code == 200 and first.json()["version"] == version + 1
    before = fingerprint(session)
    second = client.patch(
        f"/api/v1/rotations/{slug}",
        json={"description": "second", "version": version},
        headers=admin.headers,
    )
    assert second.status_code == 409
    assert fingerprint(session) == before
    current = client.get(f"/api/v1/rotations/{slug}", headers=admin.headers).json()
    assert current["description"] == "first"


@pytest.mark.parametrize(
    "change",
    [
        {"shift_days": 0},
        {"timezone": "Nowhere/Land"},
        {"handoff_time": "7pm"},
        {"people_per_shift": 0},
        {"name": None},
        {"manager_ids": [999999]},
        {"archived": False},
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    client: TestClient, session: Session, admin: Caller, change: dict[str, Any]
) -> None:
    rotation = create_rotation(client, admin)
    before = fingerprint(session)
    response = client.patch(
        f"/api/v1/rotations/{rotation['slug']}", json=change, headers=admin.headers
    )
    assert response.status_code == 422, response.text
    assert fingerprint(session) == before


def test_renaming_to_a_taken_slug_is_a_conflict(
    client: TestClient, session: Session, admin: Caller
) -> None:
    create_rotation(client, admin, name="One")
    two = create_rotation(client, admin, name="Two")
    before = fingerprint(session)
    response = client.patch(
        f"/api/v1/rotations/{two['slug']}", json={"slug": "one"}, headers=admin.headers
    )
    assert response.status_code == 409
    assert fingerprint(session) == before


def test_changing_the_cadence_regenerates_future_shifts(
    client: TestClient, session: Session, admin: Caller
) -> None:
    team = [caller(session) for _ in range(3)]
    rotation = create_rotation(client, admin, horizon_days=60)
    set_members(client, admin, rotation["slug"], team)
    old = shifts(client, admin, rotation["slug"])
    response = client.patch(
        f"/api/v1/rotations/{rotation['slug']}",
        # "HH:MM:SS" too: the OpenAPI schema says ``format: time``.
        json={"shift_days": 1, "handoff_time": "08:30:00", "timezone": "America/New_York"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["handoff_time"] == "08:30"
    new = shifts(client, admin, rotation["slug"])
    assert new[0]["id"] == old[0]["id"]  # the shift under way stays
    assert all(instant(b["start"]) == instant(a["end"]) for a, b in pairwise(new))
    daily = new[2:]
    assert all(instant(s["end"]) - instant(s["start"]) == timedelta(days=1) for s in daily)
    assert all(instant(s["start"]).astimezone(_ny()).strftime("%H:%M") == "08:30" for s in daily)
    everything = shifts(client, admin, rotation["slug"], include_cancelled="true")
    cancelled = {s["id"] for s in everything if s["cancelled"]}
    # Each shift not yet started is cancelled, or moved in place (same row and UID, a higher
    # sequence) onto a new shift of the same person.
    live = {s["id"]: s for s in new}
    for shift in old[1:]:
        moved = live.get(shift["id"])
        if moved is None:
            assert shift["id"] in cancelled
        else:
            assert (moved["uid"], moved["person"]) == (shift["uid"], shift["person"])
            assert moved["sequence"] > shift["sequence"]
            assert moved["start"] != shift["start"] or moved["end"] != shift["end"]


def _ny() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/New_York")


def test_archiving_keeps_the_rotation_readable_and_stops_its_future(
    client: TestClient, session: Session, admin: Caller
) -> None:
    rotation = create_rotation(client, admin)
    set_members(client, admin, rotation["slug"], [caller(session)])
    response = client.delete(f"/api/v1/rotations/{rotation['slug']}", headers=admin.headers)
    assert response.status_code == 200 and response.json()["archived"] is True
    assert len(shifts(client, admin, rotation["slug"])) == 1  # the one under way
    listed = client.get("/api/v1/rotations", headers=admin.headers).json()
    assert [(r["slug"], r["archived"]) for r in listed] == [(rotation["slug"], True)]
    live = client.get("/api/v1/rotations", params={"archived": "false"}, headers=admin.headers)
    assert live.json() == []
    archived = client.get("/api/v1/rotations", params={"archived": "true"}, headers=admin.headers)
    assert [r["slug"] for r in archived.json()] == [rotation["slug"]]
    edit = client.patch(
        f"/api/v1/rotations/{rotation['slug']}", json={"name": "Back"}, headers=admin.headers
    )
    assert edit.status_code == 409


def test_shifts_window_and_on_call(client: TestClient, session: Session, admin: Caller) -> None:
    team = [caller(session) for _ in range(2)]
    rotation = create_rotation(client, admin, horizon_days=60)
    slug = rotation["slug"]
    set_members(client, admin, slug, team)
    window = shifts(client, team[0], slug, start="2026-12-01T00:00:00Z", end="2026-12-15T00:00:00Z")
    assert [instant(s["start"]).date().isoformat() for s in window] == [
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
    ]
    by_date = shifts(client, team[0], slug, start="2026-12-01", end="2026-12-15")
    assert [s["id"] for s in by_date] == [s["id"] for s in window]
    plus = shifts(client, team[0], slug, start="2026-12-01T01:00:00+01:00", end="2026-12-02")
    assert [s["id"] for s in plus] == [window[0]["id"]]

    now = client.get(f"/api/v1/rotations/{slug}/on-call", headers=team[1].headers).json()
    assert instant(now["at"]) == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert [s["person"]["id"] for s in now["shifts"]] == [team[0].id]
    later = client.get(
        f"/api/v1/rotations/{slug}/on-call",
        params={"at": "2026-12-01T12:00:00Z"},
        headers=team[1].headers,
    ).json()
    assert [s["person"]["id"] for s in later["shifts"]] == [team[1].id]
    bad = client.get(
        f"/api/v1/rotations/{slug}/shifts", params={"start": "soon"}, headers=admin.headers
    )
    assert bad.status_code == 422
    backwards = client.get(
        f"/api/v1/rotations/{slug}/shifts",
        params={"start": "2026-12-10", "end": "2026-12-01"},
        headers=admin.headers,
    )
    assert backwards.status_code == 422


def test_rebalance_moves_only_future_scheduled_shifts(
    client: TestClient, session: Session, admin: Caller
) -> None:
    team = [caller(session) for _ in range(3)]
    rotation = create_rotation(client, admin, horizon_days=84)
    slug = rotation["slug"]
    set_members(client, admin, slug, team[:2])
    set_members(client, admin, slug, team)
    before = {s["id"]: s for s in shifts(client, admin, slug)}
    response = client.post(
        f"/api/v1/rotations/{slug}/rebalance", json={"from": "2026-12-01"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    changed = response.json()["changed_shift_ids"]
    after = {s["id"]: s for s in shifts(client, admin, slug)}
    assert changed
    for shift_id, shift in after.items():
        moved = shift["person"]["id"] != before[shift_id]["person"]["id"]
        assert moved == (shift_id in changed)
        if moved:
            assert instant(shift["start"]) >= datetime(2026, 12, 1, tzinfo=UTC)
            assert shift["sequence"] == before[shift_id]["sequence"] + 1
    future = [s for s in after.values() if instant(s["start"]) >= datetime(2026, 12, 1, tzinfo=UTC)]
    counts = Counter(s["person"]["id"] for s in future)
    assert set(counts) == {p.id for p in team}
    assert max(counts.values()) - min(counts.values()) <= 1
    bad = client.post(
        f"/api/v1/rotations/{slug}/rebalance", json={"from": "someday"}, headers=admin.headers
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("timezone", "spring", "fall"),
    [
        ("Europe/Amsterdam", "2027-03-22", "2026-10-26"),
        ("America/New_York", "2027-03-08", "2026-11-02"),
        ("Australia/Sydney", "2027-09-27", "2027-03-29"),
    ],
)
def test_weekly_shifts_keep_nine_local_across_dst(
    client: TestClient, session: Session, admin: Caller, timezone: str, spring: str, fall: str
) -> None:
    from zoneinfo import ZoneInfo

    rotation = create_rotation(
        client, admin, timezone=timezone, start_date="2026-11-23", horizon_days=730
    )
    zone = ZoneInfo(timezone)
    lengths = {}
    for shift in shifts(client, admin, rotation["slug"]):
        start, end = instant(shift["start"]), instant(shift["end"])
        assert start.astimezone(zone).strftime("%a %H:%M") == "Mon 09:00"
        lengths[start.astimezone(zone).date().isoformat()] = (end - start) / timedelta(hours=1)
    assert lengths[spring] == 167
    assert set(lengths.values()) == {167, 168, 169}
    if fall in lengths:
        assert lengths[fall] == 169


def test_listing_shifts_runs_the_same_queries_for_few_or_many(
    client: TestClient, session: Session, admin: Caller
) -> None:
    def queries(horizon: int, size: int, name: str) -> int:
        rotation = create_rotation(client, admin, name=name, horizon_days=horizon)
        set_members(client, admin, rotation["slug"], [caller(session) for _ in range(size)])
        statements: list[str] = []
        engine = session.get_bind()

        def count(*_args: Any) -> None:
            statements.append("x")

        event.listen(engine, "before_cursor_execute", count)
        try:
            shifts(client, admin, rotation["slug"])
            client.get(f"/api/v1/rotations/{rotation['slug']}/members", headers=admin.headers)
            client.get("/api/v1/rotations", headers=admin.headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    small, large = queries(14, 2, "Small"), queries(700, 40, "Large")
    assert small == large
    assert small >= 3  # authentication plus one query per listing at least


def test_a_rotation_over_the_shift_slot_ceiling_is_422_naming_the_limit(
    client: TestClient, session: Session, admin: Caller
) -> None:
    # 730 days of 1-day shifts, 100 people each: 73,000 slots, the attack of the issue.
    before = fingerprint(session)
    huge = client.post(
        "/api/v1/rotations",
        json={
            "name": "Everyone daily",
            "timezone": "UTC",
            "start_date": "2026-11-23",
            "shift_days": 1,
            "people_per_shift": 100,
            "horizon_days": 730,
        },
        headers=admin.headers,
    )
    assert huge.status_code == 422
    assert "20,000" in huge.json()["detail"] and "73,000" in huge.json()["detail"]
    assert fingerprint(session) == before
    # At the ceiling is fine; an edit that would pass it is refused and changes nothing.
    rotation = create_rotation(client, admin, shift_days=1, people_per_shift=2, horizon_days=60)
    grow = client.patch(
        f"/api/v1/rotations/{rotation['slug']}",
        json={"people_per_shift": 28, "horizon_days": 730},
        headers=admin.headers,
    )
    assert grow.status_code == 422 and "20,000" in grow.json()["detail"]
    kept = client.get(f"/api/v1/rotations/{rotation['slug']}", headers=admin.headers).json()
    assert (kept["people_per_shift"], kept["horizon_days"]) == (2, 60)
