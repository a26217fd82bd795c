"""Time off, overrides, swaps and deactivation through the HTTP API, with bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from rotation.models import ShiftRelease
from tests.conftest import DEFAULT_NOW
from tests.probes import fingerprint
from tests.web.api_helpers import Caller, caller, create_rotation, set_members, shifts


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def admin(session: Session) -> Caller:
    return caller(session, is_admin=True)


@pytest.fixture
def team(session: Session) -> list[Caller]:
    return [caller(session) for _ in range(4)]


@pytest.fixture
def manager(session: Session) -> Caller:
    return caller(session)


@pytest.fixture
def slug(client: TestClient, admin: Caller, manager: Caller, team: list[Caller]) -> str:
    rotation = create_rotation(client, admin, manager_ids=[manager.id], horizon_days=84)
    set_members(client, manager, rotation["slug"], team)
    return str(rotation["slug"])


def by_person(listed: list[dict[str, Any]], who: Caller) -> list[dict[str, Any]]:
    return [s for s in listed if s["person"] and s["person"]["id"] == who.id]


def overlaps(shift: dict[str, Any], start: datetime, end: datetime) -> bool:
    return instant(shift["start"]) < end and start < instant(shift["end"])


# --- time off -----------------------------------------------------------------------------


def test_time_off_reassigns_the_shifts_it_touches_and_nobody_is_on_during_it(
    client: TestClient, session: Session, slug: str, team: list[Caller]
) -> None:
    away = team[1]
    before = {s["id"]: s for s in shifts(client, away, slug)}
    response = client.post(
        f"/api/v1/people/{away.id}/time-off",
        json={"start": "2026-12-01", "end": "2026-12-20", "reason": "holiday"},
        headers=away.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"id", "start", "end", "reason", "reassigned_shift_ids"}
    assert (body["start"], body["end"], body["reason"]) == ("2026-12-01", "2026-12-20", "holiday")
    off_start = datetime(2026, 12, 1, tzinfo=UTC)
    off_end = datetime(2026, 12, 21, tzinfo=UTC)
    touched = [
        i
        for i, s in before.items()
        if s["person"]["id"] == away.id and overlaps(s, off_start, off_end)
    ]
    assert touched and sorted(body["reassigned_shift_ids"]) == sorted(touched)
    after = {s["id"]: s for s in shifts(client, away, slug)}
    for shift in after.values():
        if overlaps(shift, off_start, off_end):
            assert shift["person"]["id"] != away.id
        if shift["id"] not in touched:
            assert shift["person"] == before[shift["id"]]["person"]
    # The shift they lost comes back to them later: they take the next one they can.
    assert any(instant(s["start"]) >= off_end for s in by_person(list(after.values()), away))

    listed = client.get(f"/api/v1/people/{away.id}/time-off", headers=away.headers).json()
    assert [t["id"] for t in listed] == [body["id"]]


def test_time_off_is_kept_by_self_admins_and_their_managers_only(
    client: TestClient,
    session: Session,
    slug: str,
    team: list[Caller],
    manager: Caller,
    admin: Caller,
) -> None:
    outsider = caller(session)
    path = f"/api/v1/people/{team[0].id}/time-off"
    body = {"start": "2027-01-04", "end": "2027-01-05"}
    before = fingerprint(session)
    assert client.post(path, json=body, headers=team[1].headers).status_code == 403
    assert client.post(path, json=body, headers=outsider.headers).status_code == 403
    assert client.get(path, headers=outsider.headers).status_code == 403
    assert fingerprint(session) == before
    assert client.post(path, json=body, headers=manager.headers).status_code == 201
    created = client.post(path, json=body, headers=admin.headers)
    assert created.status_code == 201
    assert (
        client.delete(
            f"/api/v1/time-off/{created.json()['id']}", headers=outsider.headers
        ).status_code
        == 403
    )
    assert (
        client.delete(
            f"/api/v1/time-off/{created.json()['id']}", headers=team[0].headers
        ).status_code
        == 204
    )
    assert client.delete("/api/v1/time-off/999999", headers=admin.headers).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-12-10", "end": "2026-12-01"},
        {"start": "2026-12-10"},
        {"start": "tomorrow", "end": "2026-12-12"},
        {"start": "2026-12-10", "end": "2026-12-12", "reason": "x" * 201},
        {"start": "2026-12-10", "end": "2026-12-12", "mood": "tired"},
    ],
)
def test_bad_time_off_is_refused_and_changes_nothing(
    client: TestClient, session: Session, slug: str, team: list[Caller], body: dict[str, Any]
) -> None:
    before = fingerprint(session)
    response = client.post(
        f"/api/v1/people/{team[0].id}/time-off", json=body, headers=team[0].headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert fingerprint(session) == before


def test_time_off_for_an_unknown_person_is_404(client: TestClient, admin: Caller) -> None:
    response = client.post(
        "/api/v1/people/999999/time-off",
        json={"start": "2026-12-01", "end": "2026-12-02"},
        headers=admin.headers,
    )
    assert response.status_code == 404


def test_deleting_time_off_fills_slots_that_were_left_uncovered(
    client: TestClient, session: Session, admin: Caller
) -> None:
    solo = caller(session)
    rotation = create_rotation(client, admin, horizon_days=28)
    set_members(client, admin, rotation["slug"], [solo])
    added = client.post(
        f"/api/v1/people/{solo.id}/time-off",
        json={"start": "2026-12-08", "end": "2026-12-09"},
        headers=solo.headers,
    ).json()
    gap = [s for s in shifts(client, solo, rotation["slug"]) if s["person"] is None]
    assert [s["id"] for s in gap] == added["reassigned_shift_ids"]
    client.delete(f"/api/v1/time-off/{added['id']}", headers=solo.headers)
    refilled = {s["id"]: s for s in shifts(client, solo, rotation["slug"])}
    assert all(refilled[s["id"]]["person"]["id"] == solo.id for s in gap)


# --- overrides ----------------------------------------------------------------------------


def test_a_whole_override_keeps_the_shift_and_changes_its_person(
    client: TestClient, session: Session, slug: str, manager: Caller, team: list[Caller]
) -> None:
    target = shifts(client, manager, slug)[2]
    stand_in = caller(session)
    response = client.post(
        f"/api/v1/shifts/{target['id']}/override",
        json={"person_id": stand_in.id},
        headers=manager.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["id"], body["uid"]) == (target["id"], target["uid"])
    assert body["person"]["id"] == stand_in.id and body["kind"] == "override"
    assert body["sequence"] == target["sequence"] + 1
    session.expire_all()
    released = session.scalars(
        select(ShiftRelease.person_id).where(ShiftRelease.shift_id == target["id"])
    ).all()
    assert released == [target["person"]["id"]]


def test_a_partial_override_splits_the_shift_without_gap_or_overlap(
    client: TestClient, session: Session, slug: str, manager: Caller
) -> None:
    target = shifts(client, manager, slug)[2]
    start, end = instant(target["start"]), instant(target["end"])
    window = (start + timedelta(days=2), start + timedelta(days=4, hours=6))
    stand_in = caller(session)
    response = client.post(
        f"/api/v1/shifts/{target['id']}/override",
        json={
            "person_id": stand_in.id,
            "start": window[0].isoformat(),
            "end": window[1].isoformat(),
        },
        headers=manager.headers,
    )
    assert response.status_code == 201, response.text
    pieces = response.json()
    assert [(instant(p["start"]), instant(p["end"])) for p in pieces] == [
        (start, window[0]),
        window,
        (window[1], end),
    ]
    assert [p["person"]["id"] for p in pieces] == [
        target["person"]["id"],
        stand_in.id,
        target["person"]["id"],
    ]
    assert pieces[0]["id"] == target["id"] and pieces[0]["uid"] == target["uid"]
    assert len({p["uid"] for p in pieces}) == 3
    listed = [s for s in shifts(client, manager, slug) if overlaps(s, start, end)]
    assert [s["id"] for s in listed] == [p["id"] for p in pieces]
    assert all(instant(a["end"]) == instant(b["start"]) for a, b in pairwise(listed))


def test_an_override_from_the_start_splits_in_two(
    client: TestClient, session: Session, slug: str, manager: Caller
) -> None:
    target = shifts(client, manager, slug)[3]
    cut = instant(target["start"]) + timedelta(days=1)
    stand_in = caller(session)
    pieces = client.post(
        f"/api/v1/shifts/{target['id']}/override",
        json={"person_id": stand_in.id, "end": cut.isoformat()},
        headers=manager.headers,
    ).json()
    assert [p["person"]["id"] for p in pieces] == [stand_in.id, target["person"]["id"]]
    assert pieces[0]["id"] == target["id"] and instant(pieces[1]["start"]) == cut


def test_bad_overrides_are_refused_and_change_nothing(
    client: TestClient, session: Session, slug: str, manager: Caller, team: list[Caller]
) -> None:
    listed = shifts(client, manager, slug)
    target = listed[2]
    start, end = instant(target["start"]), instant(target["end"])
    stand_in = caller(session)
    before = fingerprint(session)
    path = f"/api/v1/shifts/{target['id']}/override"
    cases: list[tuple[dict[str, Any], int]] = [
        ({"person_id": 999999}, 422),
        ({"person_id": stand_in.id, "start": (start - timedelta(hours=1)).isoformat()}, 422),
        ({"person_id": stand_in.id, "end": (end + timedelta(hours=1)).isoformat()}, 422),
        (
            {
                "person_id": stand_in.id,
                "start": (start + timedelta(days=2)).isoformat(),
                "end": (start + timedelta(days=1)).isoformat(),
            },
            422,
        ),
        ({"person_id": stand_in.id, "start": "2026-12-08T10:00:00"}, 422),  # no offset
        ({"person_id": target["person"]["id"], "start": "soon"}, 422),
    ]
    for body, expected in cases:
        response = client.post(path, json=body, headers=manager.headers)
        assert response.status_code == expected, (body, response.text)
    assert (
        client.post(path, json={"person_id": stand_in.id}, headers=team[0].headers).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/shifts/999999/override",
            json={"person_id": stand_in.id},
            headers=manager.headers,
        ).status_code
        == 404
    )
    assert fingerprint(session) == before
    under_way = client.post(
        f"/api/v1/shifts/{listed[0]['id']}/override",
        json={"person_id": stand_in.id},
        headers=manager.headers,
    )
    assert under_way.status_code == 201  # a manager may still hand over the shift under way


def test_an_override_onto_someone_busy_or_away_is_a_conflict(
    client: TestClient,
    session: Session,
    slug: str,
    manager: Caller,
    team: list[Caller],
    admin: Caller,
) -> None:
    listed = shifts(client, manager, slug)
    target = listed[2]
    busy = create_rotation(client, admin, name="Other", horizon_days=84)
    other = caller(session)
    set_members(client, admin, busy["slug"], [other])
    away = caller(session)
    client.post(
        f"/api/v1/people/{away.id}/time-off",
        json={"start": target["start"][:10], "end": target["start"][:10]},
        headers=away.headers,
    )
    before = fingerprint(session)
    for person in (other, away):
        response = client.post(
            f"/api/v1/shifts/{target['id']}/override",
            json={"person_id": person.id},
            headers=manager.headers,
        )
        assert response.status_code == 409, response.text
    assert fingerprint(session) == before


# --- swaps --------------------------------------------------------------------------------


def future_shift_of(client: TestClient, slug: str, who: Caller, nth: int = 0) -> dict[str, Any]:
    mine = [
        s for s in by_person(shifts(client, who, slug), who) if instant(s["start"]) > DEFAULT_NOW
    ]
    return mine[nth]


def test_a_trade_swaps_people_and_keeps_ids_and_uids(
    client: TestClient, session: Session, slug: str, team: list[Caller]
) -> None:
    ana, bo = team[0], team[1]
    mine, theirs = future_shift_of(client, slug, ana), future_shift_of(client, slug, bo)
    response = client.post(
        "/api/v1/swaps",
        json={"shift_id": mine["id"], "counterpart_shift_id": theirs["id"]},
        headers=ana.headers,
    )
    assert response.status_code == 201, response.text
    swap = response.json()
    assert swap["status"] == "pending"
    assert (swap["shift_id"], swap["counterpart_shift_id"], swap["counterpart_person_id"]) == (
        mine["id"],
        theirs["id"],
        bo.id,
    )
    assert swap["requester_id"] == ana.id
    assert client.post(f"/api/v1/swaps/{swap['id']}/accept", headers=ana.headers).status_code == 403
    accepted = client.post(f"/api/v1/swaps/{swap['id']}/accept", headers=bo.headers)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    after = {s["id"]: s for s in shifts(client, ana, slug)}
    assert after[mine["id"]]["person"]["id"] == bo.id
    assert after[theirs["id"]]["person"]["id"] == ana.id
    for before in (mine, theirs):
        assert after[before["id"]]["uid"] == before["uid"]
        assert after[before["id"]]["sequence"] == before["sequence"] + 1
        assert after[before["id"]]["kind"] == "swap"
    again = client.post(f"/api/v1/swaps/{swap['id']}/accept", headers=bo.headers)
    assert again.status_code == 409


def test_a_cover_hands_the_shift_over(
    client: TestClient, session: Session, slug: str, team: list[Caller]
) -> None:
    mine = future_shift_of(client, slug, team[0])
    helper = caller(session)
    swap = client.post(
        "/api/v1/swaps",
        json={"shift_id": mine["id"], "counterpart_person_id": helper.id},
        headers=team[0].headers,
    ).json()
    assert swap["counterpart_shift_id"] is None
    assert (
        client.post(f"/api/v1/swaps/{swap['id']}/accept", headers=helper.headers).status_code == 200
    )
    moved = next(s for s in shifts(client, helper, slug) if s["id"] == mine["id"])
    assert moved["person"]["id"] == helper.id


def test_only_the_assignee_may_offer_and_past_shifts_cannot_be_swapped(
    client: TestClient, session: Session, slug: str, team: list[Caller], admin: Caller
) -> None:
    mine = future_shift_of(client, slug, team[0])
    before = fingerprint(session)
    not_mine = client.post(
        "/api/v1/swaps",
        json={"shift_id": mine["id"], "counterpart_person_id": team[2].id},
        headers=team[1].headers,
    )
    assert not_mine.status_code == 403
    as_admin = client.post(
        "/api/v1/swaps",
        json={"shift_id": mine["id"], "counterpart_person_id": team[2].id},
        headers=admin.headers,
    )
    assert as_admin.status_code == 403
    current = shifts(client, team[0], slug)[0]  # under way since Monday
    holder = next(t for t in team if t.id == current["person"]["id"])
    started = client.post(
        "/api/v1/swaps",
        json={"shift_id": current["id"], "counterpart_person_id": team[3].id},
        headers=holder.headers,
    )
    assert started.status_code == 409
    assert fingerprint(session) == before


def test_past_shift_swap_is_409(client: TestClient, session: Session, admin: Caller) -> None:
    pair = [caller(session) for _ in range(2)]
    rotation = create_rotation(client, admin, name="Old", start_date="2026-10-05")
    set_members(client, admin, rotation["slug"], pair)
    # Move the clock on: the first shifts are history now.
    client.app.state.clock.advance(timedelta(days=21))  # type: ignore[attr-defined]
    history = shifts(client, pair[0], rotation["slug"])[0]
    owner = next(p for p in pair if p.id == history["person"]["id"])
    other = next(p for p in pair if p.id != owner.id)
    response = client.post(
        "/api/v1/swaps",
        json={"shift_id": history["id"], "counterpart_person_id": other.id},
        headers=owner.headers,
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"shift_id": 999999, "counterpart_person_id": 1},
        {"counterpart_person_id": 1},
        {"shift_id": 1},
        {"shift_id": 1, "counterpart_person_id": 2, "counterpart_shift_id": 3},
    ],
)
def test_malformed_swaps_are_422(
    client: TestClient, session: Session, slug: str, team: list[Caller], body: dict[str, Any]
) -> None:
    before = fingerprint(session)
    response = client.post("/api/v1/swaps", json=body, headers=team[0].headers)
    assert response.status_code == 422, response.text
    assert fingerprint(session) == before


def test_swaps_with_unknown_or_impossible_counterparts_are_refused(
    client: TestClient, session: Session, slug: str, team: list[Caller], admin: Caller
) -> None:
    mine = future_shift_of(client, slug, team[0])
    later_mine = future_shift_of(client, slug, team[0], nth=1)
    gone = caller(session, active=False)
    before = fingerprint(session)
    for body, expected in [
        ({"counterpart_person_id": 999999}, 422),
        ({"counterpart_shift_id": 999999}, 422),
        ({"counterpart_person_id": team[0].id}, 422),
        ({"counterpart_shift_id": later_mine["id"]}, 422),
        ({"counterpart_person_id": gone.id}, 422),
    ]:
        response = client.post(
            "/api/v1/swaps", json={"shift_id": mine["id"], **body}, headers=team[0].headers
        )
        assert response.status_code == expected, (body, response.text)
    assert fingerprint(session) == before


def test_a_swap_whose_shift_changed_meanwhile_fails(
    client: TestClient, session: Session, slug: str, team: list[Caller], manager: Caller
) -> None:
    mine = future_shift_of(client, slug, team[0])
    swap = client.post(
        "/api/v1/swaps",
        json={"shift_id": mine["id"], "counterpart_person_id": team[1].id},
        headers=team[0].headers,
    ).json()
    # The manager moves the end of the shift meanwhile.
    client.post(
        f"/api/v1/shifts/{mine['id']}/override",
        json={
            "person_id": team[2].id,
            "start": (instant(mine["end"]) - timedelta(hours=2)).isoformat(),
        },
        headers=manager.headers,
    )
    before = fingerprint(session)
    response = client.post(f"/api/v1/swaps/{swap['id']}/accept", headers=team[1].headers)
    assert response.status_code == 409
    assert fingerprint(session) == before


def test_decline_and_cancel_answer_only_their_own_side(
    client: TestClient, session: Session, slug: str, team: list[Caller]
) -> None:
    first = future_shift_of(client, slug, team[0])
    second = future_shift_of(client, slug, team[0], nth=1)
    one = client.post(
        "/api/v1/swaps",
        json={"shift_id": first["id"], "counterpart_person_id": team[1].id},
        headers=team[0].headers,
    ).json()
    two = client.post(
        "/api/v1/swaps",
        json={"shift_id": second["id"], "counterpart_person_id": team[1].id},
        headers=team[0].headers,
    ).json()
    assert (
        client.post(f"/api/v1/swaps/{one['id']}/decline", headers=team[0].headers).status_code
        == 403
    )
    declined = client.post(f"/api/v1/swaps/{one['id']}/decline", headers=team[1].headers)
    assert declined.json()["status"] == "declined"
    assert (
        client.post(f"/api/v1/swaps/{two['id']}/cancel", headers=team[1].headers).status_code == 403
    )
    cancelled = client.post(f"/api/v1/swaps/{two['id']}/cancel", headers=team[0].headers)
    assert cancelled.json()["status"] == "cancelled"
    assert (
        client.post(f"/api/v1/swaps/{two['id']}/accept", headers=team[1].headers).status_code == 409
    )
    unchanged = {s["id"]: s for s in shifts(client, team[0], slug)}
    assert unchanged[first["id"]]["person"]["id"] == team[0].id
    mine = client.get("/api/v1/swaps", headers=team[1].headers).json()
    assert {s["id"] for s in mine} == {one["id"], two["id"]}
    only = client.get("/api/v1/swaps", params={"status": "declined"}, headers=team[1].headers)
    assert [s["id"] for s in only.json()] == [one["id"]]
    assert client.get("/api/v1/swaps", headers=team[3].headers).json() == []
    bad = client.get("/api/v1/swaps", params={"status": "maybe"}, headers=team[1].headers)
    assert bad.status_code == 422
    assert client.post("/api/v1/swaps/999999/accept", headers=team[1].headers).status_code == 404


def test_where_the_rotation_asks_for_approval_a_manager_makes_it_happen(
    client: TestClient, session: Session, admin: Caller, manager: Caller
) -> None:
    pair = [caller(session) for _ in range(2)]
    rotation = create_rotation(
        client, admin, name="Careful", manager_ids=[manager.id], swap_requires_approval=True
    )
    set_members(client, manager, rotation["slug"], pair)
    mine = future_shift_of(client, rotation["slug"], pair[0])
    swap = client.post(
        "/api/v1/swaps",
        json={"shift_id": mine["id"], "counterpart_person_id": pair[1].id},
        headers=pair[0].headers,
    ).json()
    early = client.post(f"/api/v1/swaps/{swap['id']}/approve", headers=manager.headers)
    assert early.status_code == 409
    accepted = client.post(f"/api/v1/swaps/{swap['id']}/accept", headers=pair[1].headers)
    assert accepted.json()["status"] == "accepted"
    unchanged = next(s for s in shifts(client, admin, rotation["slug"]) if s["id"] == mine["id"])
    assert unchanged["person"]["id"] == pair[0].id
    assert (
        client.post(f"/api/v1/swaps/{swap['id']}/approve", headers=pair[1].headers).status_code
        == 403
    )
    listed = client.get("/api/v1/swaps", params={"status": "accepted"}, headers=manager.headers)
    assert [s["id"] for s in listed.json()] == [swap["id"]]
    approved = client.post(f"/api/v1/swaps/{swap['id']}/approve", headers=manager.headers)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    moved = next(s for s in shifts(client, admin, rotation["slug"]) if s["id"] == mine["id"])
    assert moved["person"]["id"] == pair[1].id and moved["uid"] == mine["uid"]
    session.expire_all()
    actions = session.scalars(select(AuditEvent.action)).all()
    assert {"swap.request", "swap.accepted", "swap.approved"} <= set(actions)


# --- deactivation -------------------------------------------------------------------------


def test_deactivating_someone_reassigns_their_future_shifts(
    client: TestClient, session: Session, slug: str, team: list[Caller], admin: Caller
) -> None:
    leaver = team[2]
    before = {s["id"]: s for s in shifts(client, admin, slug)}
    response = client.post(f"/api/v1/people/{leaver.id}/deactivate", headers=admin.headers)
    assert response.status_code == 200 and response.json()["active"] is False
    after = shifts(client, admin, slug)
    assert not [
        s for s in after if instant(s["end"]) > DEFAULT_NOW and s["person"]["id"] == leaver.id
    ]
    for shift in after:
        old = before.get(shift["id"])
        if old is not None and old["person"]["id"] != leaver.id:
            assert shift["person"] == old["person"]


def test_patching_active_false_reassigns_too(
    client: TestClient, session: Session, slug: str, team: list[Caller], admin: Caller
) -> None:
    leaver = team[3]
    response = client.patch(
        f"/api/v1/people/{leaver.id}", json={"active": False}, headers=admin.headers
    )
    assert response.status_code == 200
    assert not by_person(
        [s for s in shifts(client, admin, slug) if instant(s["start"]) > DEFAULT_NOW], leaver
    )


# --- edges of the calendar and of integers ------------------------------------------------


def test_out_of_range_dates_and_ids_are_clear_4xx_and_change_nothing(
    client: TestClient, session: Session, slug: str, admin: Caller
) -> None:
    huge = 10**20
    before = fingerprint(session)
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/rotations", {"name": "Y", "timezone": "Asia/Tokyo", "start_date": "0001-01-01"}),
        ("/api/v1/rotations", {"name": "Z", "timezone": "UTC", "start_date": "9999-12-31"}),
        (f"/api/v1/people/{admin.id}/time-off", {"start": "9999-12-30", "end": "9999-12-31"}),
        (f"/api/v1/rotations/{slug}/rebalance", {"from": "0001-01-01"}),
        ("/api/v1/swaps", {"shift_id": huge, "counterpart_person_id": 1}),
        (
            "/api/v1/rotations",
            {"name": "M", "timezone": "UTC", "start_date": "2026-11-23", "manager_ids": [huge]},
        ),
    ]
    for path, body in posts:
        response = client.post(path, json=body, headers=admin.headers)
        assert response.status_code == 422, (path, body, response.text)
    for method, path in [
        ("GET", f"/api/v1/shifts/{huge}"),
        ("POST", f"/api/v1/swaps/{huge}/accept"),
        ("GET", f"/api/v1/people/{huge}/time-off"),
        ("DELETE", f"/api/v1/time-off/{huge}"),
    ]:
        response = client.request(method, path, headers=admin.headers)
        assert response.status_code == 422, (path, response.text)
    members = client.put(
        f"/api/v1/rotations/{slug}/members", json={"person_ids": [huge]}, headers=admin.headers
    )
    assert members.status_code == 422
    far = client.get(
        f"/api/v1/rotations/{slug}/shifts", params={"start": "0001-01-01"}, headers=admin.headers
    )
    assert far.status_code == 422
    assert fingerprint(session) == before
