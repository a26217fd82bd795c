"""SCIM 2.0 provisioning as Okta and Entra ID send it, on the rolled-back test database."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import feed_tokens, scim_tokens
from core.models import ApiToken, AuditEvent, Person, ScimGroupMember
from core.security import person_for_api_token
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_person, make_scheduled_rotation, make_token
from tests.probes import live_shifts

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(client: TestClient, session: Session) -> dict[str, str]:
    _row, token = scim_tokens.issue_scim_token(session, label="okta", now=DEFAULT_NOW)
    session.flush()
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}


def okta_user(email: str, **extra: Any) -> dict[str, Any]:
    """What Okta's SCIM 2.0 app sends on assignment (with attributes allhands ignores)."""
    given, family = email.split("@")[0].split(".")
    return {
        "schemas": [USER],
        "userName": email,
        "name": {"givenName": given.title(), "familyName": family.title()},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{given.title()} {family.title()}",
        "locale": "en-US",
        "externalId": "00u1abcd" + given,
        "groups": [],
        "active": True,
        "title": "Engineer",
        **extra,
    }


def _audit(session: Session, action: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
        or 0
    )


def test_okta_creates_finds_and_renames_a_user(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    created = client.post("/scim/v2/Users", json=okta_user("ana.devries@example.com"), headers=scim)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["userName"] == "ana.devries@example.com"
    assert body["displayName"] == "Ana Devries"
    assert body["meta"]["location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    person = session.get(Person, int(body["id"]))
    assert person is not None and person.external_id == "00u1abcdana"

    found = client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "Ana.DeVries@example.com"'}, headers=scim
    ).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == body["id"]
    none = client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "nobody@example.com"'}, headers=scim
    ).json()
    assert none["totalResults"] == 0 and none.get("Resources", []) == []

    renamed = client.put(
        f"/scim/v2/Users/{body['id']}",
        json=okta_user("ana.devries@example.com", displayName="Ana de Vries"),
        headers=scim,
    )
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Ana de Vries"
    session.refresh(person)
    assert person.name == "Ana de Vries"
    duplicate = client.post(
        "/scim/v2/Users", json=okta_user("ana.devries@example.com"), headers=scim
    )
    assert duplicate.status_code == 409 and duplicate.json()["scimType"] == "uniqueness"


def test_entra_patch_deactivation_reassigns_shifts_and_cuts_access_in_the_same_request(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    ana = make_person(session, email="ana@example.com")
    bo = make_person(session, email="bo@example.com")
    rotation = make_scheduled_rotation(session, members=[ana, bo])
    token = make_token(session, ana)
    old_feed = feed_tokens.token_for(secret_key="test-secret-key-for-signing-cookies", person=ana)
    session.flush()
    ahead = [
        s.id
        for s in live_shifts(session, rotation)
        if s.person_id == ana.id and s.start > DEFAULT_NOW
    ]
    assert ahead
    # Entra ID's shape: capitalised op, the boolean as a string.
    answer = client.patch(
        f"/scim/v2/Users/{ana.id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
        headers=scim,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    # The same request, already committed: no job has to run for any of this.
    session.expire_all()
    shifts = {s.id: s for s in live_shifts(session, rotation)}
    assert all(shifts[i].person_id == bo.id for i in ahead)
    assert not ana.active
    assert person_for_api_token(session, token) is None
    assert session.scalars(select(ApiToken.revoked_at).where(ApiToken.person_id == ana.id)).all()[0]
    assert (
        feed_tokens.token_for(secret_key="test-secret-key-for-signing-cookies", person=ana)
        != old_feed
    )
    assert _audit(session, "person.offboard") == 1
    assert _audit(session, "person.deactivate") == 1
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401

    # Okta reactivates with a path-less replace.
    back = client.patch(
        f"/scim/v2/Users/{ana.id}",
        json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
        headers=scim,
    )
    assert back.status_code == 200 and back.json()["active"] is True
    session.refresh(ana)
    assert ana.active and person_for_api_token(session, token) is None


def test_delete_hides_the_person_but_keeps_their_history(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    created = client.post(
        "/scim/v2/Users", json=okta_user("cy.lee@example.com"), headers=scim
    ).json()
    assert client.delete(f"/scim/v2/Users/{created['id']}", headers=scim).status_code == 204
    assert client.get(f"/scim/v2/Users/{created['id']}", headers=scim).status_code == 404
    person = session.get(Person, int(created["id"]))
    assert person is not None
    session.refresh(person)
    assert not person.active and person.deprovisioned_at is not None
    # Assigned again later: the same person comes back, history and all.
    again = client.post("/scim/v2/Users", json=okta_user("cy.lee@example.com"), headers=scim)
    assert again.status_code == 201 and again.json()["id"] == created["id"]
    session.refresh(person)
    assert person.active and person.deprovisioned_at is None


def test_groups_with_members_and_entra_member_removal(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    ana = make_person(session)
    bo = make_person(session)
    session.flush()
    group = client.post(
        "/scim/v2/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Support engineers",
            "members": [{"value": str(ana.id)}, {"value": str(bo.id)}],
        },
        headers=scim,
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    # Entra removes a member with a value instead of a path filter.
    removed = client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"value": str(ana.id)}]}],
        },
        headers=scim,
    )
    assert removed.status_code == 200, removed.text
    assert [m["value"] for m in removed.json()["members"]] == [str(bo.id)]
    unknown = client.patch(
        f"/scim/v2/Groups/{group_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": "999999"}]}],
        },
        headers=scim,
    )
    assert unknown.status_code == 400
    assert session.scalar(select(func.count()).select_from(ScimGroupMember)) == 1


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ahscim_wrong", "Basic YWRtaW46YWRtaW4=", "Bearer " + "x" * 5000],
)
def test_bad_tokens_get_401_change_nothing_and_are_audited(
    client: TestClient, session: Session, scim: dict[str, str], header: str | None
) -> None:
    headers = {"Content-Type": "application/scim+json"}
    if header:
        headers["Authorization"] = header
    people_before = session.scalar(select(func.count()).select_from(Person))
    answer = client.post("/scim/v2/Users", json=okta_user("eve.l@example.com"), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert session.scalar(select(func.count()).select_from(Person)) == people_before
    assert _audit(session, "scim.token_refused") == 1
    # The service description is public (RFC 7643 §5).
    assert client.get("/scim/v2/ServiceProviderConfig").status_code == 200


def test_a_bad_user_is_a_clear_400_and_nothing_is_written(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    before = session.scalar(select(func.count()).select_from(Person))
    for payload in (
        {
            "schemas": [USER],
            "userName": "x",
            "displayName": "X",
            "active": True,
            "emails": [{"value": "not-an-email"}],
        },
        {"schemas": [USER], "userName": "y@example.com", "active": True},
        "{not json",
    ):
        kwargs = {"content": payload} if isinstance(payload, str) else {"json": payload}
        answer = client.post("/scim/v2/Users", headers=scim, **kwargs)
        assert answer.status_code == 400, answer.text
        assert answer.json()["detail"]
    assert session.scalar(select(func.count()).select_from(Person)) == before


def test_user_admin_pages_keep_working_for_api_created_people(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    admin = make_person(session, is_admin=True)
    session.flush()
    made = client.post(
        "/api/v1/people",
        json={"email": "dee@example.com", "name": "Dee"},
        headers=auth(make_token(session, admin)),
    )
    listed = client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "dee@example.com"'}, headers=scim
    ).json()
    assert listed["Resources"][0]["id"] == str(made.json()["id"])


def test_listing_pages_through_everyone_in_id_order(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    people = [make_person(session) for _ in range(3)]
    gone = make_person(session)
    gone.deprovisioned_at = DEFAULT_NOW
    session.flush()
    page = client.get("/scim/v2/Users", params={"startIndex": 2, "count": 1}, headers=scim).json()
    assert page["totalResults"] == 3 and page["startIndex"] == 2
    assert [r["id"] for r in page["Resources"]] == [str(people[1].id)]
    everyone = client.get("/scim/v2/Users", headers=scim).json()
    assert [r["id"] for r in everyone["Resources"]] == [str(p.id) for p in people]


def test_a_group_member_that_is_no_user_id_is_a_400(
    client: TestClient, session: Session, scim: dict[str, str]
) -> None:
    answer = client.post(
        "/scim/v2/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Ops",
            "members": [{"value": "not-an-id"}],
        },
        headers=scim,
    )
    assert answer.status_code == 400 and answer.json()["scimType"] == "invalidValue"
