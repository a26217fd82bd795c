"""Coverage windows and holidays over the API: stored, shown, answered by on-call; bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.probes import fingerprint
from tests.web.api_helpers import Caller, caller, create_rotation, set_members

OFFICE_HOURS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}


def on_call(client: TestClient, who: Caller, slug: str, at: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/v1/rotations/{slug}/on-call", params={"at": at}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    shifts: list[dict[str, Any]] = response.json()["shifts"]
    return shifts


def test_a_rotation_keeps_its_windows_and_holiday_rule_and_shows_them(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    body = create_rotation(
        client,
        admin,
        timezone="Europe/Amsterdam",
        coverage=[
            OFFICE_HOURS,
            {"days": ["sat"], "start": "22:00", "end": "02:00", "overnight": True},
        ],
        holidays={"country": "nl", "policy": "skip"},
    )
    assert body["coverage"] == [
        {**OFFICE_HOURS, "overnight": False},
        {"days": ["sat"], "start": "22:00", "end": "02:00", "overnight": True},
    ]
    assert body["holidays"] == {"country": "NL", "subdivision": None, "policy": "skip"}
    assert body["treat_own_holidays_as_time_off"] is False
    slug = body["slug"]
    patched = client.patch(
        f"/api/v1/rotations/{slug}",
        json={"holidays": None, "coverage": [], "treat_own_holidays_as_time_off": True},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["holidays"] is None
    assert patched.json()["coverage"] == []
    assert patched.json()["treat_own_holidays_as_time_off"] is True
    assert patched.json()["version"] == body["version"] + 1


def test_on_call_answers_only_inside_the_windows_and_not_on_skipped_holidays(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    ana = caller(session, name="Ana")
    slug = create_rotation(
        client,
        admin,
        timezone="Europe/Amsterdam",
        start_date="2026-04-20",
        coverage=[OFFICE_HOURS],
        holidays={"country": "NL", "policy": "skip"},
    )["slug"]
    set_members(client, admin, slug, [ana])
    inside = on_call(client, ana, slug, "2026-11-24T10:00:00+01:00")
    assert [s["person"]["name"] for s in inside] == ["Ana"]
    assert on_call(client, ana, slug, "2026-11-24T18:30:00+01:00") == []  # after hours
    assert on_call(client, ana, slug, "2026-11-28T10:00:00+01:00") == []  # a Saturday
    christmas = on_call(client, ana, slug, "2026-12-25T10:00:00+01:00")
    assert christmas == []  # Christmas Day is skipped
    staffed = client.patch(
        f"/api/v1/rotations/{slug}",
        json={"holidays": {"country": "NL", "policy": "staff"}},
        headers=admin.headers,
    )
    assert staffed.status_code == 200
    assert [
        s["person"]["name"] for s in on_call(client, ana, slug, "2026-12-25T10:00:00+01:00")
    ] == ["Ana"]


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        (
            {"coverage": [OFFICE_HOURS, {"days": ["fri"], "start": "16:00", "end": "18:00"}]},
            ["body", "coverage"],
            "coverage[0] and coverage[1] overlap",
        ),
        (
            {"coverage": [{"days": ["fri"], "start": "22:00", "end": "06:00"}]},
            ["body", "coverage", 0],
            '"overnight": true',
        ),
        ({"holidays": {"country": "XX", "policy": "skip"}}, ["body", "holidays", "country"], "XX"),
        (
            {"holidays": {"country": "US", "subdivision": "ZZ", "policy": "skip"}},
            ["body", "holidays"],
            "subdivision",
        ),
        ({"holidays": {"country": "NL", "policy": "never"}}, ["body", "holidays", "policy"], ""),
    ],
)
def test_bad_windows_and_holiday_codes_are_422_naming_the_field_and_save_nothing(
    client: TestClient, session: Session, body: dict[str, Any], loc: list[object], message: str
) -> None:
    admin = caller(session, is_admin=True)
    slug = create_rotation(client, admin)["slug"]
    before = fingerprint(session)
    for request in (
        lambda: client.patch(f"/api/v1/rotations/{slug}", json=body, headers=admin.headers),
        lambda: client.post(
            "/api/v1/rotations",
            json={"name": "Other", "timezone": "UTC", "start_date": "2026-11-23", **body},
            headers=admin.headers,
        ),
    ):
        response = request()
        assert response.status_code == 422, response.text
        errors = response.json()["detail"]
        assert any(e["loc"] == loc and message in e["msg"] for e in errors), errors
    assert fingerprint(session) == before


def test_people_name_their_own_holiday_country_and_unknown_codes_are_refused(
    client: TestClient, session: Session
) -> None:
    ana = caller(session)
    response = client.patch(
        f"/api/v1/people/{ana.id}", json={"holiday_country": "nl"}, headers=ana.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["holiday_country"] == "NL"
    bad = client.patch(
        f"/api/v1/people/{ana.id}", json={"holiday_country": "Narnia"}, headers=ana.headers
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "holiday_country"]
    cleared = client.patch(
        f"/api/v1/people/{ana.id}", json={"holiday_country": None}, headers=ana.headers
    )
    assert cleared.json()["holiday_country"] is None


def test_own_holidays_move_shifts_when_the_rotation_treats_them_as_time_off(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    dutch = caller(session, name="Daan")
    other = caller(session, name="Olu")
    # Daily shifts: Christmas Day and the day after are Daan's own holidays.
    slug = create_rotation(client, admin, timezone="Europe/Amsterdam", shift_days=1)["slug"]
    set_members(client, admin, slug, [dutch, other])
    assert (
        client.patch(
            f"/api/v1/people/{dutch.id}", json={"holiday_country": "NL"}, headers=dutch.headers
        ).status_code
        == 200
    )

    def holders() -> dict[str, str]:
        response = client.get(
            f"/api/v1/rotations/{slug}/shifts",
            params={"start": "2026-12-24", "end": "2027-01-03"},
            headers=admin.headers,
        )
        return {s["start"][:10]: s["person"]["name"] for s in response.json()}

    assert "Daan" in {holders()["2026-12-25"], holders()["2026-12-26"]}  # not yet off
    switched = client.patch(
        f"/api/v1/rotations/{slug}",
        json={"treat_own_holidays_as_time_off": True},
        headers=admin.headers,
    )
    assert switched.status_code == 200
    after = holders()
    assert after["2026-12-25"] == after["2026-12-26"] == "Olu"
    # Shifts touching 25 and 26 December went to Olu; Daan is still on ordinary days.
    assert after["2026-12-24"] == "Olu"
    assert "Daan" in {after[f"2026-12-{day}"] for day in range(27, 32)}
