"""Fairness settings: by count or by burden, and the burden weights, through the API and form."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.probes import fingerprint
from tests.web.api_helpers import Caller, caller, create_rotation
from tests.web.rotation_page_helpers import MANAGE, log_in, managed, post, settings_of


@pytest.fixture
def admin(session: Session) -> Caller:
    return caller(session, is_admin=True)


def test_a_rotation_is_created_and_edited_with_burden_fairness_and_its_weights(
    client: TestClient, admin: Caller
) -> None:
    body = create_rotation(
        client, admin, name="Weekends", timezone="UTC", fairness="burden",
        burden_weights={"weekend": 2, "holiday": 3},
    )  # fmt: skip
    assert body["fairness"] == "burden"
    assert body["burden_weights"] == {"weekday": 1.0, "weekend": 2.0, "holiday": 3.0}
    patched = client.patch(
        "/api/v1/rotations/weekends",
        json={"fairness": "count", "burden_weights": {"weekday": 0.5}},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["fairness"] == "count"
    assert patched.json()["burden_weights"] == {"weekday": 0.5, "weekend": 2.0, "holiday": 3.0}
    got = client.get("/api/v1/rotations/weekends", headers=admin.headers).json()
    assert got == patched.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fairness": "weighted"}, "fairness"),
        ({"fairness": None}, "fairness"),
        ({"burden_weights": {"weekday": -1}}, "burden_weights"),
        ({"burden_weights": {"weekend": 101}}, "burden_weights"),
        ({"burden_weights": {"holiday": "lots"}}, "burden_weights"),
        ({"burden_weights": {"weekday": 0, "weekend": 0, "holiday": 0}}, "burden_weights"),
        ({"burden_weights": {"sunday": 3}}, "burden_weights"),
    ],
)
def test_bad_fairness_settings_are_422_naming_the_field_and_change_nothing(
    client: TestClient, session: Session, admin: Caller, body: dict[str, object], field: str
) -> None:
    create_rotation(client, admin, name="Tier two", timezone="UTC")
    before = fingerprint(session)
    response = client.patch("/api/v1/rotations/tier-two", json=body, headers=admin.headers)
    assert response.status_code == 422
    assert field in response.text
    assert fingerprint(session) == before


def test_weights_that_would_all_be_zero_are_refused(
    client: TestClient, session: Session, admin: Caller
) -> None:
    create_rotation(
        client, admin, name="Tier two", timezone="UTC",
        burden_weights={"weekday": 0, "weekend": 0},
    )  # fmt: skip
    before = fingerprint(session)
    response = client.patch(
        "/api/v1/rotations/tier-two", json={"burden_weights": {"holiday": 0}}, headers=admin.headers
    )
    assert response.status_code == 422
    assert "burden_weights: at least one weight must be above 0" in response.text
    assert fingerprint(session) == before


def test_the_settings_form_sets_fairness_and_weights(client: TestClient, session: Session) -> None:
    rotation, manager, _people = managed(session, "Ana", "Sam")
    log_in(client, manager)
    page = client.get(MANAGE).text
    assert "<legend>Fairness</legend>" in page
    values = settings_of(page)
    assert (values["burden_weekday"], values["burden_weekend"], values["burden_holiday"]) == (
        "1",
        "1.5",
        "2",
    )
    response = post(
        client,
        MANAGE + "/settings",
        {**values, "fairness": "burden", "burden_weekend": "2.5", "action": "save"},
    )
    assert response.status_code == 303
    session.expire_all()
    assert (rotation.fairness, rotation.burden_weekend) == ("burden", 2.5)
    page = client.get(MANAGE).text
    assert '<option value="burden" selected>' in page


def test_bad_weights_in_the_form_are_a_422_marked_on_the_weights(
    client: TestClient, session: Session
) -> None:
    _rotation, manager, _people = managed(session, "Ana")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    before = fingerprint(session)
    response = post(
        client,
        MANAGE + "/settings",
        {**values, "burden_weekday": "heavy", "fairness": "burden", "action": "save"},
    )
    assert response.status_code == 422
    assert "Enter each weight as a number, e.g. 1.5." in html.unescape(response.text)
    assert 'aria-invalid="true" aria-describedby="set-burden-error"' in response.text
    assert fingerprint(session) == before
