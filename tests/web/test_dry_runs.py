"""``?dry_run=true``: the same checks as saving, the shifts that would change, nothing written;
and saving afterwards changes exactly what the preview said."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.conftest import DEFAULT_NOW
from tests.probes import fingerprint
from tests.web.api_helpers import Caller, caller, create_rotation, set_members, shifts

Key = tuple[str, str, int | None]


def _world(client: TestClient, session: Session, size: int = 4) -> tuple[Caller, list[Caller]]:
    admin = caller(session, is_admin=True)
    people = [caller(session, name=f"Person {k}") for k in range(size)]
    create_rotation(client, admin, horizon_days=56)
    set_members(client, admin, "tier-two", people)
    return admin, people


def _ahead(client: TestClient, who: Caller) -> set[Key]:
    return {
        (s["start"], s["end"], s["person"]["id"] if s["person"] else None)
        for s in shifts(client, who, "tier-two")
        if s["end"] > DEFAULT_NOW.isoformat().replace("+00:00", "Z")
    }


def _keys(preview: dict[str, Any], side: str) -> set[Key]:
    return {
        (c[side]["start"], c[side]["end"], c[side]["person_id"])
        for c in preview["shifts"]
        if c[side] is not None and not c[side]["cancelled"]
    }


def _send(client: TestClient, who: Caller, request: tuple[str, str, Any], *, dry: bool) -> Any:
    method, path, body = request
    params = {"dry_run": "true"} if dry else {}
    return client.request(method, path, json=body, params=params, headers=who.headers)


def _check_preview_then_save(
    client: TestClient, session: Session, who: Caller, request: tuple[str, str, Any]
) -> dict[str, Any]:
    before_rows = fingerprint(session)
    before = _ahead(client, who)
    preview = _send(client, who, request, dry=True)
    assert preview.status_code == 200, preview.text
    body: dict[str, Any] = preview.json()
    assert body["dry_run"] is True
    assert fingerprint(session) == before_rows  # nothing written
    saved = _send(client, who, request, dry=False)
    assert saved.status_code in (200, 201), saved.text
    after = _ahead(client, who)
    removed, added = _keys(body, "before"), _keys(body, "after")
    assert before - after == removed - added
    assert after - before == added - removed
    return body


def test_time_off_preview_names_each_person_before_and_after(
    client: TestClient, session: Session
) -> None:
    admin, people = _world(client, session)
    target = people[1]
    theirs = next(
        s
        for s in shifts(client, admin, "tier-two")
        if s["person"] and s["person"]["id"] == target.id
    )
    day = theirs["start"][:10]
    body = _check_preview_then_save(
        client, session, admin,
        ("POST", f"/api/v1/people/{target.id}/time-off", {"start": day, "end": day}),
    )  # fmt: skip
    assert [c["shift_id"] for c in (ch["before"] for ch in body["shifts"])] == [theirs["id"]]
    mine = next(c for c in body["changes"] if c["person"]["id"] == target.id)
    assert [s["shift_id"] for s in mine["before"]] == [theirs["id"]] and mine["after"] == []
    taker = next(c for c in body["changes"] if c["person"]["id"] != target.id)
    assert [s["shift_id"] for s in taker["after"]] == [theirs["id"]]
    assert body["conflicts"] == []


def test_every_documented_change_previews_without_writing(
    client: TestClient, session: Session
) -> None:
    admin, people = _world(client, session)
    ahead = [s for s in shifts(client, admin, "tier-two") if s["start"] > "2026-11-25"]
    requests = [
        ("PATCH", "/api/v1/rotations/tier-two", {"shift_days": 14}),
        ("PATCH", "/api/v1/rotations/tier-two", {"fairness": "burden"}),
        ("PUT", "/api/v1/rotations/tier-two/members", {"person_ids": [p.id for p in people[:3]]}),
        ("POST", "/api/v1/rotations/tier-two/rebalance", {"from": "2026-12-01"}),
        ("POST", f"/api/v1/shifts/{ahead[0]['id']}/override", {"person_id": people[3].id}),
    ]
    for request in requests:
        before = fingerprint(session)
        response = _send(client, admin, request, dry=True)
        assert response.status_code == 200, (request, response.text)
        assert set(response.json()) == {"dry_run", "changes", "shifts", "conflicts"}
        assert fingerprint(session) == before, request
    removal = _send(client, admin, requests[2], dry=True).json()
    assert removal["changes"] and all(
        not c["after"] for c in removal["changes"] if c["person"]["id"] == people[3].id
    )


def test_a_bad_change_is_refused_the_same_way_in_a_dry_run(
    client: TestClient, session: Session
) -> None:
    admin, people = _world(client, session)
    member = caller(session)
    before = fingerprint(session)
    refusals = [
        (admin, ("PATCH", "/api/v1/rotations/tier-two", {"shift_days": 99}), 422),
        (admin, ("PUT", "/api/v1/rotations/tier-two/members", {"person_ids": [999999]}), 422),
        (member, ("POST", "/api/v1/rotations/tier-two/rebalance", {"from": "2026-12-01"}), 403),
        (
            admin,
            (
                "POST",
                f"/api/v1/people/{people[0].id}/time-off",
                {"start": "2026-12-09", "end": "2026-12-01"},
            ),
            422,
        ),
    ]
    for dry in (True, False):
        for who, request, code in refusals:
            assert _send(client, who, request, dry=dry).status_code == code, (request, dry)
    assert fingerprint(session) == before


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["time off", "members", "rebalance", "cadence", "fairness"]),
    who=st.integers(0, 3),
    offset=st.integers(0, 40),
    length=st.integers(0, 10),
)
def test_a_preview_equals_what_saving_does(
    client: TestClient, session: Session, kind: str, who: int, offset: int, length: int
) -> None:
    savepoint = session.begin_nested()
    try:
        admin, people = _world(client, session)
        first = DEFAULT_NOW.date().toordinal() + offset
        start = DEFAULT_NOW.date().fromordinal(first)
        end = DEFAULT_NOW.date().fromordinal(first + length)
        requests = {
            "time off": ("POST", f"/api/v1/people/{people[who].id}/time-off",
                         {"start": start.isoformat(), "end": end.isoformat()}),
            "members": ("PUT", "/api/v1/rotations/tier-two/members",
                        {"person_ids": [p.id for k, p in enumerate(people) if k != who]}),
            "rebalance": ("POST", "/api/v1/rotations/tier-two/rebalance",
                          {"from": start.isoformat()}),
            "cadence": ("PATCH", "/api/v1/rotations/tier-two", {"shift_days": 1 + length}),
            "fairness": ("PATCH", "/api/v1/rotations/tier-two", {"fairness": "burden"}),
        }  # fmt: skip
        _check_preview_then_save(client, session, admin, requests[kind])
    finally:
        savepoint.rollback()


def test_accepting_a_swap_previews_the_shift_changing_hands(
    client: TestClient, session: Session
) -> None:
    admin, people = _world(client, session)
    giver, taker = people[0], people[2]
    theirs = next(
        s
        for s in shifts(client, admin, "tier-two")
        if s["person"] and s["person"]["id"] == giver.id and s["start"] > "2026-11-25"
    )
    asked = client.post(
        "/api/v1/swaps",
        json={"shift_id": theirs["id"], "counterpart_person_id": taker.id},
        headers=giver.headers,
    )
    assert asked.status_code == 201, asked.text
    body = _check_preview_then_save(
        client, session, taker, ("POST", f"/api/v1/swaps/{asked.json()['id']}/accept", None)
    )
    [change] = body["shifts"]
    assert (change["before"]["person_id"], change["after"]["person_id"]) == (giver.id, taker.id)
