"""A rotation's Slack settings: channel, on-shift user group, days ahead of the DM."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.probes import fingerprint
from tests.web.api_helpers import caller, create_rotation
from tests.web.rotation_page_helpers import MANAGE, log_in, managed, post, settings_of


def test_the_api_sets_and_clears_the_slack_settings(client: TestClient, session: Session) -> None:
    admin = caller(session, is_admin=True)
    body = create_rotation(client, admin, slack_channel="#support", slack_usergroup="S0123ABCDE")
    assert (body["slack_channel"], body["slack_usergroup"], body["slack_dm_days_ahead"]) == (
        "#support",
        "S0123ABCDE",
        3,
    )
    edited = client.patch(
        f"/api/v1/rotations/{body['slug']}",
        json={"slack_channel": "C0123ABCDE", "slack_usergroup": "", "slack_dm_days_ahead": 5},
        headers=admin.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["slack_channel"] == "C0123ABCDE"
    assert (edited.json()["slack_usergroup"], edited.json()["slack_dm_days_ahead"]) == ("", 5)


def test_bad_slack_settings_are_a_422_and_change_nothing(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    slug = create_rotation(client, admin)["slug"]
    before = fingerprint(session)
    for bad in (
        {"slack_channel": "<!channel>"},
        {"slack_channel": "#Has Spaces"},
        {"slack_usergroup": "@support"},
        {"slack_dm_days_ahead": 29},
        {"slack_dm_days_ahead": -1},
    ):
        response = client.patch(f"/api/v1/rotations/{slug}", json=bad, headers=admin.headers)
        assert response.status_code == 422, bad
        assert next(iter(bad)) in response.text
    assert fingerprint(session) == before


def test_the_manage_form_shows_and_saves_the_slack_settings(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana")
    log_in(client, manager)
    values = settings_of(client.get(MANAGE).text)
    assert (values["slack_channel"], values["slack_dm_days_ahead"]) == ("", "3")
    saved = post(
        client,
        MANAGE + "/settings",
        {
            **values,
            "slack_channel": "#tier-2",
            "slack_usergroup": "S0123ABCDE",
            "slack_dm_days_ahead": "2",
            "action": "save",
        },
    )
    assert saved.status_code == 303
    session.expire_all()
    assert (rotation.slack_channel, rotation.slack_usergroup, rotation.slack_dm_days_ahead) == (
        "#tier-2",
        "S0123ABCDE",
        2,
    )
    bad = post(
        client,
        MANAGE + "/settings",
        {**settings_of(client.get(MANAGE).text), "slack_channel": "not ok!", "action": "save"},
    )
    assert bad.status_code == 422
    assert "Give a channel id such as C0123ABCD" in bad.text
