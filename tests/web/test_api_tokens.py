"""API tokens: named, listed, expiring and revocable; deactivation ends every credential."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import feed_tokens
from core.clock import FixedClock
from core.models import ApiToken, Person
from core.security import person_for_api_token
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_person, make_token
from tests.web.test_auth_pages import csrf_from, login

SECRET = "test-secret-key-for-signing-cookies"


def test_owner_creates_lists_uses_and_revokes_a_named_token(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, email="ana@example.com")
    first = make_token(session, ana)
    expiry = DEFAULT_NOW + timedelta(days=30)
    made = client.post(
        "/api/v1/me/tokens",
        json={"name": "deploy script", "expires_at": expiry.isoformat()},
        headers=auth(first),
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "deploy script" and body["token"].startswith("ah_")
    assert body["expires_at"].startswith("2026-12-24T10:00:00")
    assert body["last_used_at"] is None
    clock.set(DEFAULT_NOW + timedelta(hours=1))
    assert client.get("/api/v1/me", headers=auth(body["token"])).status_code == 200
    listed = client.get("/api/v1/me/tokens", headers=auth(first)).json()
    mine = {row["id"]: row for row in listed}
    assert "token" not in mine[body["id"]], "a token is shown once, at creation"
    assert mine[body["id"]]["last_used_at"].startswith("2026-11-24T11:00:00")
    gone = client.delete(f"/api/v1/me/tokens/{body['id']}", headers=auth(first))
    assert gone.status_code == 204
    assert client.get("/api/v1/me", headers=auth(body["token"])).status_code == 401
    again = client.delete(f"/api/v1/me/tokens/{body['id']}", headers=auth(first))
    assert again.status_code == 404


def test_an_expired_token_is_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, email="ana@example.com")
    made = client.post(
        "/api/v1/me/tokens",
        json={"name": "one hour", "expires_at": (DEFAULT_NOW + timedelta(hours=1)).isoformat()},
        headers=auth(make_token(session, ana)),
    ).json()
    assert client.get("/api/v1/me", headers=auth(made["token"])).status_code == 200
    clock.set(DEFAULT_NOW + timedelta(hours=1))
    refused = client.get("/api/v1/me", headers=auth(made["token"]))
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_a_token_needs_a_name_and_a_future_expiry(client: TestClient, session: Session) -> None:
    headers = auth(make_token(session, make_person(session)))
    before = session.query(ApiToken).count()
    past = client.post(
        "/api/v1/me/tokens",
        json={"name": "late", "expires_at": (DEFAULT_NOW - timedelta(seconds=1)).isoformat()},
        headers=headers,
    )
    assert past.status_code == 422 and "future" in past.text
    nameless = client.post("/api/v1/me/tokens", json={"name": ""}, headers=headers)
    assert nameless.status_code == 422
    assert session.query(ApiToken).count() == before


def test_admin_lists_creates_and_revokes_anyones_tokens(
    client: TestClient, session: Session
) -> None:
    admin = make_person(session, is_admin=True)
    bo = make_person(session, email="bo@example.com")
    bos = make_token(session, bo)
    headers = auth(make_token(session, admin))
    listed = client.get(f"/api/v1/people/{bo.id}/tokens", headers=headers)
    assert listed.status_code == 200 and len(listed.json()) == 1
    made = client.post(f"/api/v1/people/{bo.id}/tokens", json={"name": "bot"}, headers=headers)
    assert made.status_code == 201
    assert client.get("/api/v1/me", headers=auth(made.json()["token"])).json()["id"] == bo.id
    token_id = listed.json()[0]["id"]
    assert (
        client.delete(f"/api/v1/people/{bo.id}/tokens/{token_id}", headers=headers).status_code
        == 204
    )
    assert client.get("/api/v1/me", headers=auth(bos)).status_code == 401
    # Someone else's token id under the wrong person is not found, and changes nothing.
    other = client.delete(f"/api/v1/people/{admin.id}/tokens/{made.json()['id']}", headers=headers)
    assert other.status_code == 404
    assert client.get(f"/api/v1/people/{bo.id}/tokens", headers=auth(bos)).status_code == 401


def test_reactivation_brings_back_no_token_session_or_feed_url(
    client: TestClient, session: Session
) -> None:
    admin = make_person(session, is_admin=True)
    ana = make_person(session, email="ana@example.com", password="old but fine password")
    token = make_token(session, ana)
    old_feed = feed_tokens.token_for(secret_key=SECRET, person=ana)
    session.flush()
    assert login(client, "ana@example.com", "old but fine password")[0] == 303
    assert client.get("/").status_code == 200
    assert client.get(f"/feeds/{old_feed}.ics").status_code == 200
    headers = auth(make_token(session, admin))
    assert client.post(f"/api/v1/people/{ana.id}/deactivate", headers=headers).status_code == 200
    back = client.patch(f"/api/v1/people/{ana.id}", json={"active": True}, headers=headers)
    assert back.status_code == 200 and back.json()["active"] is True
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401
    assert client.get(f"/feeds/{old_feed}.ics").status_code == 404
    assert client.get("/", follow_redirects=False).status_code == 303
    # The same holds when an admin deactivates through a PATCH.
    second = make_token(session, ana)
    assert (
        client.patch(
            f"/api/v1/people/{ana.id}", json={"active": False}, headers=headers
        ).status_code
        == 200
    )
    client.patch(f"/api/v1/people/{ana.id}", json={"active": True}, headers=headers)
    assert client.get("/api/v1/me", headers=auth(second)).status_code == 401


def test_profile_page_creates_a_token_shown_once_and_lists_name_use_and_expiry(
    client: TestClient, session: Session
) -> None:
    make_person(session, email="ana@example.com", password="old but fine password")
    session.flush()
    assert login(client, "ana@example.com", "old but fine password")[0] == 303
    page = client.get("/me")
    made = client.post(
        "/me/tokens",
        data={"name": "laptop", "expires_on": "2027-01-31", "csrf_token": csrf_from(page.text)},
    )
    assert made.status_code == 201
    shown = made.text.split('<code id="new-token">')[1].split("</code>")[0]
    assert shown.startswith("ah_")
    assert client.get("/api/v1/me", headers=auth(shown)).status_code == 200
    later = client.get("/me").text
    assert shown not in later
    assert "laptop" in later and "31 Jan 2027, 23:59" in later
    bad = client.post(
        "/me/tokens", data={"name": "", "expires_on": "", "csrf_token": csrf_from(page.text)}
    )
    assert bad.status_code == 422


def test_the_lookup_finds_the_holder_and_refuses_every_other_token(session: Session) -> None:
    """``person_for_api_token`` reads the token with its holder in one query; each way a token
    can fail still fails, including a holder made inactive behind the service's back (their
    tokens were never revoked), and a use is recorded at most once a minute."""
    ana = make_person(session, email="ana@example.com")
    bea = make_person(session, email="bea@example.com")
    token, other = make_token(session, ana), make_token(session, bea)
    session.flush()
    assert person_for_api_token(session, token, now=DEFAULT_NOW) is ana
    assert person_for_api_token(session, other) is bea
    row = session.scalars(select(ApiToken).where(ApiToken.person_id == ana.id)).one()
    assert row.last_used_at == DEFAULT_NOW
    person_for_api_token(session, token, now=DEFAULT_NOW + timedelta(seconds=30))
    assert row.last_used_at == DEFAULT_NOW
    assert person_for_api_token(session, token[:-1] + "x") is None
    assert person_for_api_token(session, "not-a-token") is None
    row.expires_at = DEFAULT_NOW
    assert person_for_api_token(session, token, now=DEFAULT_NOW) is None
    row.expires_at, row.revoked_at = None, DEFAULT_NOW
    assert person_for_api_token(session, token, now=DEFAULT_NOW) is None
    session.execute(update(Person).where(Person.id == bea.id).values(active=False))
    session.expire_all()
    assert person_for_api_token(session, other) is None
