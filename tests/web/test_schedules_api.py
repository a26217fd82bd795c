"""Layered schedules over the API: who may edit, the on-call answer, the final line, bad input."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from rotation.models import Schedule, ScheduleLayer
from tests.web.api_helpers import Caller, caller, create_rotation, set_members


def nine_to_five(zone: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "timezone": zone,
        "start_date": "2026-11-23",
        "coverage": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
        ],
    }


def follow_the_sun(client: TestClient, session: Session) -> tuple[Caller, dict[str, Caller]]:
    admin = caller(session, is_admin=True)
    people = {name: caller(session, name=name) for name in ("Kenji", "Ana", "Olivia")}
    for (zone, name), person in zip(
        [("Asia/Tokyo", "APAC"), ("Europe/Amsterdam", "EMEA"), ("America/New_York", "AMER")],
        people.values(),
        strict=True,
    ):
        slug = create_rotation(client, admin, slug=name.lower(), **nine_to_five(zone, name))["slug"]
        set_members(client, admin, slug, [person])
    return admin, people


def post_schedule(client: TestClient, who: Caller, **body: Any) -> Any:
    return client.post("/api/v1/schedules", json=body, headers=who.headers)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_follow_the_sun_final_line_hands_over_between_regions_with_gaps(
    client: TestClient, session: Session
) -> None:
    admin, _people = follow_the_sun(client, session)
    created = post_schedule(client, admin, name="Follow the sun", layers=["apac", "emea", "amer"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["slug"] == "follow-the-sun"
    assert body["layers"] == ["apac", "emea", "amer"]
    assert [d["name"] for d in body["layer_details"]] == ["APAC", "EMEA", "AMER"]

    final = client.get(
        "/api/v1/schedules/follow-the-sun/final",
        params={"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z"},
        headers=admin.headers,
    )
    assert final.status_code == 200, final.text
    line = [
        (e["start"][11:16], e["end"][11:16], e["layer"], e["person"] and e["person"]["name"])
        for e in final.json()
    ]
    # Tokyo 09-17 = 00-08Z; Amsterdam 09-17 = 08-16Z; New York 09-17 = 14-22Z.
    assert line == [
        ("00:00", "08:00", "apac", "Kenji"),
        ("08:00", "16:00", "emea", "Ana"),  # EMEA outranks AMER from 14:00 to 16:00
        ("16:00", "22:00", "amer", "Olivia"),
        ("22:00", "00:00", None, None),  # nobody: a gap, shown as such
    ]
    on_call = client.get(
        "/api/v1/schedules/follow-the-sun/on-call",
        params={"at": "2026-11-24T15:00:00Z"},
        headers=admin.headers,
    ).json()
    assert on_call["layer"] == "emea"
    assert [s["person"]["name"] for s in on_call["shifts"]] == ["Ana"]
    nobody = client.get(
        "/api/v1/schedules/follow-the-sun/on-call",
        params={"at": "2026-11-28T12:00:00Z"},  # a Saturday
        headers=admin.headers,
    ).json()
    assert nobody["layer"] is None and nobody["shifts"] == []


def test_managers_of_a_layer_edit_others_read_and_members_cannot_write(
    client: TestClient, session: Session
) -> None:
    admin, people = follow_the_sun(client, session)
    manager = caller(session, name="Mara")
    client.patch(
        "/api/v1/rotations/emea", json={"manager_ids": [manager.id]}, headers=admin.headers
    )
    member = people["Ana"]
    assert post_schedule(client, member, name="Mine", layers=["emea"]).status_code == 403
    made = post_schedule(client, manager, name="Europe first", layers=["emea", "amer"])
    assert made.status_code == 201, made.text
    assert client.get("/api/v1/schedules", headers=member.headers).json()[0]["slug"] == (
        "europe-first"
    )
    assert (
        client.patch(
            "/api/v1/schedules/europe-first", json={"name": "Nope"}, headers=member.headers
        ).status_code
        == 403
    )
    renamed = client.patch(
        "/api/v1/schedules/europe-first",
        json={"name": "Europe, then America", "layers": ["emea", "amer", "apac"], "version": 1},
        headers=manager.headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["layers"] == ["emea", "amer", "apac"]
    stale = client.patch(
        "/api/v1/schedules/europe-first", json={"name": "Old", "version": 1}, headers=admin.headers
    )
    assert stale.status_code == 409


def test_cycles_missing_rotations_and_repeats_are_422_and_save_nothing(
    client: TestClient, session: Session
) -> None:
    admin, _people = follow_the_sun(client, session)
    assert post_schedule(client, admin, name="Inner", layers=["apac"]).status_code == 201
    assert (
        post_schedule(client, admin, name="Outer", layers=["emea", "schedule:inner"]).status_code
        == 201
    )
    before = (count(session, Schedule), count(session, ScheduleLayer), count(session, AuditEvent))

    cycle = client.patch(
        "/api/v1/schedules/inner",
        json={"layers": ["apac", "schedule:outer"]},
        headers=admin.headers,
    )
    assert cycle.status_code == 422
    assert cycle.json()["detail"] == "layers[1]: schedule:outer includes this schedule (a cycle)"
    missing = post_schedule(client, admin, name="Broken", layers=["apac", "nowhere"])
    assert missing.status_code == 422
    assert missing.json()["detail"] == "layers[1]: there is no rotation 'nowhere'"
    repeated = post_schedule(client, admin, name="Twice", layers=["apac", "apac"])
    assert repeated.status_code == 422
    assert repeated.json()["detail"][0]["loc"] == ["body", "layers"]
    empty = post_schedule(client, admin, name="Empty", layers=[])
    assert empty.status_code == 422
    too_long = client.get(
        "/api/v1/schedules/outer/final",
        params={"start": "2026-01-01", "end": "2027-06-01"},
        headers=admin.headers,
    )
    assert too_long.status_code == 422
    session.expire_all()
    after = (count(session, Schedule), count(session, ScheduleLayer), count(session, AuditEvent))
    assert after == before
    # A nested schedule answers through the outer one under its own layer name.
    nested = client.get(
        "/api/v1/schedules/outer/on-call",
        params={"at": "2026-11-24T03:00:00Z"},
        headers=admin.headers,
    ).json()
    assert nested["layer"] == "schedule:inner"
    assert [s["person"]["name"] for s in nested["shifts"]] == ["Kenji"]


def test_company_days_off_are_admin_only_and_skip_coverage_where_the_policy_skips(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    member = caller(session, name="Ana")
    slug = create_rotation(
        client, admin, timezone="Europe/Amsterdam", holidays={"country": "NL", "policy": "skip"}
    )["slug"]
    set_members(client, admin, slug, [member])
    days = {"days": [{"day": "2026-11-27", "name": "Company retreat"}]}
    assert (
        client.put("/api/v1/company-days-off", json=days, headers=member.headers).status_code == 403
    )
    saved = client.put("/api/v1/company-days-off", json=days, headers=admin.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json() == [{"day": "2026-11-27", "name": "Company retreat", "source": "manual"}]
    assert client.get("/api/v1/company-days-off", headers=admin.headers).json() == saved.json()
    retreat = client.get(
        f"/api/v1/rotations/{slug}/on-call",
        params={"at": "2026-11-27T12:00:00Z"},
        headers=admin.headers,
    ).json()
    assert retreat["shifts"] == []
    twice = {"days": [{"day": "2026-11-27"}, {"day": "2026-11-27"}]}
    refused = client.put("/api/v1/company-days-off", json=twice, headers=admin.headers)
    assert refused.status_code == 422
    assert "listed twice" in refused.json()["detail"][0]["msg"]
    assert client.get("/api/v1/company-days-off", headers=admin.headers).json() == saved.json()
