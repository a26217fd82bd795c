"""Rotations that take their members from an identity provider's SCIM group."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import scim_tokens
from core.models import Person
from rotation import members
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person
from tests.probes import live_shifts
from tests.web.api_helpers import Caller, caller, create_rotation
from tests.web.rotation_page_helpers import MANAGE, log_in, managed, post, settings_of

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(client: TestClient, session: Session) -> dict[str, str]:
    _row, token = scim_tokens.issue_scim_token(session, label="okta", now=DEFAULT_NOW)
    session.flush()
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}


def push_group(
    client: TestClient, scim: dict[str, str], name: str, people: list[Person]
) -> dict[str, Any]:
    response = client.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP], "displayName": name, "members": _refs(people)},
        headers=scim,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _refs(people: list[Person]) -> list[dict[str, str]]:
    return [{"value": str(p.id)} for p in people]


def roster(client: TestClient, admin: Caller, slug: str) -> list[str]:
    members = client.get(f"/api/v1/rotations/{slug}/members", headers=admin.headers)
    assert members.status_code == 200, members.text
    return [m["person"]["name"] if "person" in m else m["name"] for m in members.json()]


def test_a_rotation_naming_a_group_follows_it_and_refuses_hand_edits(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    admin = caller(session, is_admin=True, name="Admin")
    ana, bo, cy = (make_person(session, name=n) for n in ("Ana", "Bo", "Cy"))
    session.flush()
    # Named before the identity provider pushed it: the roster is left as it is.
    rotation = create_rotation(client, admin, scim_group="Tier 2 support")
    assert rotation["scim_group"] == "Tier 2 support"
    assert roster(client, admin, rotation["slug"]) == []

    group = push_group(client, scim, "Tier 2 support", [bo, ana])
    assert roster(client, admin, rotation["slug"]) == ["Ana", "Bo"]
    row = session.scalars(select(Rotation).where(Rotation.slug == rotation["slug"])).one()
    assert {s.person_id for s in live_shifts(session, row)} == {ana.id, bo.id}

    # Okta adds Cy and removes Ana: Cy joins at the end, Ana's shifts ahead go to the others.
    patched = client.patch(
        f"/scim/v2/Groups/{group['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": _refs([cy])},
                {"op": "remove", "path": f'members[value eq "{ana.id}"]'},
            ],
        },
        headers=scim,
    )
    assert patched.status_code == 200, patched.text
    assert roster(client, admin, rotation["slug"]) == ["Bo", "Cy"]
    ahead = [s for s in live_shifts(session, row) if s.start > DEFAULT_NOW]
    assert ahead and ana.id not in {s.person_id for s in ahead}

    refused = client.put(
        f"/api/v1/rotations/{rotation['slug']}/members",
        json={"person_ids": [ana.id]},
        headers=admin.headers,
    )
    assert refused.status_code == 409
    assert "Tier 2 support" in refused.json()["detail"]
    assert roster(client, admin, rotation["slug"]) == ["Bo", "Cy"]

    # The group renamed at the identity provider: the rotation follows the new name.
    renamed = client.put(
        f"/scim/v2/Groups/{group['id']}",
        json={"schemas": [GROUP], "displayName": "Support tier 2", "members": _refs([bo, cy])},
        headers=scim,
    )
    assert renamed.status_code == 200, renamed.text
    got = client.get(f"/api/v1/rotations/{rotation['slug']}", headers=admin.headers).json()
    assert got["scim_group"] == "Support tier 2"

    # Cleared: members are set by hand again, starting from the group's last roster.
    cleared = client.patch(
        f"/api/v1/rotations/{rotation['slug']}", json={"scim_group": ""}, headers=admin.headers
    )
    assert cleared.status_code == 200, cleared.text
    again = client.put(
        f"/api/v1/rotations/{rotation['slug']}/members",
        json={"person_ids": [bo.id, cy.id, ana.id]},
        headers=admin.headers,
    )
    assert again.status_code == 200, again.text


def test_naming_an_existing_group_takes_its_active_people_at_once(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    admin = caller(session, is_admin=True, name="Admin")
    ana, bo = make_person(session, name="Ana"), make_person(session, name="Bo")
    gone = make_person(session, name="Gone", active=False)
    session.flush()
    push_group(client, scim, "Founders", [ana, bo, gone])
    rotation = create_rotation(client, admin)
    patched = client.patch(
        f"/api/v1/rotations/{rotation['slug']}",
        json={"scim_group": "Founders"},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert roster(client, admin, rotation["slug"]) == ["Ana", "Bo"]


@pytest.mark.parametrize("value", ["x" * 256, "two\nlines"])
def test_a_bad_group_name_is_a_422_naming_the_field(
    client: TestClient, session: Session, value: str
) -> None:
    admin = caller(session, is_admin=True, name="Admin")
    rotation = create_rotation(client, admin)
    refused = client.patch(
        f"/api/v1/rotations/{rotation['slug']}", json={"scim_group": value}, headers=admin.headers
    )
    assert refused.status_code == 422
    assert "scim_group" in str(refused.json()["detail"])
    got = client.get(f"/api/v1/rotations/{rotation['slug']}", headers=admin.headers).json()
    assert got["scim_group"] == ""


def test_the_manage_page_names_the_group_and_offers_no_hand_edits(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana", "Bo")
    log_in(client, manager)
    page = client.get(MANAGE).text
    assert (
        'action="/rotations/tier-two/manage/members" class="stack narrow-form add-members"' in page
    )
    values = settings_of(page)
    assert values["scim_group"] == ""
    saved = post(client, MANAGE + "/settings", {**values, "scim_group": "Tier 2", "action": "save"})
    assert saved.status_code == 303, saved.text
    session.expire_all()
    assert rotation.scim_group == "Tier 2"
    page = client.get(MANAGE).text
    assert "come from the identity provider's group <strong>Tier 2</strong>" in page
    assert "add-members" not in page and "Move up" not in page
    # A forged roster post is refused with the reason, and changes nothing.
    refused = post(client, MANAGE + "/members", {"action": "add", "email": "x@example.com"})
    assert refused.status_code in (409, 422)
    assert [m.person.name for m in members.list_members(session, rotation=rotation)] == [
        "Ana",
        "Bo",
    ]
