"""Session cookies: renewed at login (no fixation), dead after logout, even when copied."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from core.settings import Settings
from tests.factories import make_person
from tests.web.cookies import COOKIE_NAME, read_session, sign_session
from tests.web.test_auth_pages import csrf_from, login


def cookie_of(client: TestClient) -> str:
    values = [c.value for c in client.cookies.jar if c.name == COOKIE_NAME and c.value]
    assert len(values) == 1, "expected exactly one session cookie"
    return values[0]


def plant(client: TestClient, value: str) -> None:
    """Give ``client`` this cookie as the browser would after the server set it."""
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value, domain="testserver.local", path="/")


def test_login_starts_a_fresh_session(
    client: TestClient, session: Session, settings: Settings
) -> None:
    person = make_person(session, email="ana@example.com", password="right password")
    # A session planted before login (by an attacker, or left over) with its own CSRF token.
    planted = {"csrf": "planted-token", "planted": "by someone else", "pid": None}
    plant(client, sign_session(settings.secret_key, planted))
    response = client.post(
        "/login",
        data={
            "email": "ana@example.com",
            "password": "right password",
            "csrf_token": "planted-token",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    after = read_session(settings.secret_key, cookie_of(client))
    assert after["pid"] == person.id
    assert "planted" not in after
    assert after["csrf"] != "planted-token"
    # The planted cookie value itself never became a logged-in session.
    stranger = TestClient(client.app)
    plant(stranger, sign_session(settings.secret_key, planted))
    assert stranger.get("/api/v1/me").status_code == 401


def test_a_copied_cookie_stops_working_after_logout(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    person = make_person(session, email="bo@example.com", password="right password")
    assert login(client, "bo@example.com", "right password")[0] == 303
    stolen = cookie_of(client)
    copy = TestClient(app)
    plant(copy, stolen)
    assert copy.get("/api/v1/me").json()["email"] == "bo@example.com"

    logout = client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/").text)}, follow_redirects=False
    )
    assert logout.status_code == 303

    assert copy.get("/api/v1/me").status_code == 401
    page = copy.get("/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.logout"))
    assert [e.subject_id for e in events] == [str(person.id)]
    # Logging in again works and gives a session the old cookie cannot stand in for.
    assert login(client, "bo@example.com", "right password")[0] == 303
    assert client.get("/api/v1/me").status_code == 200
    assert copy.get("/api/v1/me").status_code == 401


def test_logout_without_a_login_changes_nothing(client: TestClient, session: Session) -> None:
    make_person(session)
    epochs = list(session.scalars(select(Person.session_epoch)))
    page = client.get("/login")
    response = client.post(
        "/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert list(session.scalars(select(Person.session_epoch))) == epochs
    assert session.scalars(select(AuditEvent)).first() is None


def test_a_forged_cookie_is_ignored(client: TestClient, session: Session) -> None:
    person = make_person(session)
    forged = sign_session("not-the-secret", {"pid": person.id, "epoch": person.session_epoch})
    plant(client, forged)
    assert client.get("/api/v1/me").status_code == 401
