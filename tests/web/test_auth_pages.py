"""Password login, the session cookie, CSRF on forms and the trusted proxy header."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.settings import Settings
from tests.factories import make_person


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: TestClient, email: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get("location", response.text)


def test_pages_need_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


def test_login_sets_a_safe_cookie_and_shows_home(client: TestClient, session: Session) -> None:
    make_person(session, email="ana@example.com", name="Ana Devries", password="correct horse")
    page = client.get("/login")
    assert page.status_code == 200
    assert '<input type="hidden" name="csrf_token"' in page.text
    response = client.post(
        "/login",
        data={
            "email": "ANA@example.com",
            "password": "correct horse",
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # base URL is http in tests
    home = client.get("/")
    assert home.status_code == 200
    assert "Ana Devries" in home.text
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ana@example.com"


def test_wrong_password_and_unknown_user_get_the_same_clear_error(
    client: TestClient, session: Session
) -> None:
    make_person(session, email="bo@example.com", password="right password")
    for email, password in [("bo@example.com", "wrong"), ("nobody@example.com", "whatever")]:
        status, body = login(client, email, password)
        assert status == 401
        assert "Wrong email or password." in body
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    make_person(session, email="cy@example.com", password="right password")
    client.get("/login")
    response = client.post("/login", data={"email": "cy@example.com", "password": "right password"})
    assert response.status_code == 403
    forged = client.post(
        "/login",
        data={"email": "cy@example.com", "password": "right password", "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_open_redirects_are_neutralised(client: TestClient, session: Session) -> None:
    make_person(session, email="di@example.com", password="right password")
    page = client.get("/login?next=//evil.example/")
    response = client.post(
        "/login",
        data={
            "email": "di@example.com",
            "password": "right password",
            "csrf_token": csrf_from(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_logout_ends_the_session(client: TestClient, session: Session) -> None:
    make_person(session, email="ed@example.com", password="right password")
    assert login(client, "ed@example.com", "right password")[0] == 303
    home = client.get("/")
    response = client.post(
        "/logout", data={"csrf_token": csrf_from(home.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_cookie_authenticated_api_writes_need_the_csrf_header(
    client: TestClient, session: Session
) -> None:
    person = make_person(session, email="fi@example.com", password="right password")
    assert login(client, "fi@example.com", "right password")[0] == 303
    token = csrf_from(client.get("/").text)
    refused = client.patch(f"/api/v1/people/{person.id}", json={"name": "Changed"})
    assert refused.status_code == 403
    allowed = client.patch(
        f"/api/v1/people/{person.id}", json={"name": "Changed"}, headers={"X-CSRF-Token": token}
    )
    assert allowed.status_code == 200
    assert allowed.json()["name"] == "Changed"


def test_deactivation_ends_existing_sessions(client: TestClient, session: Session) -> None:
    person = make_person(session, email="gu@example.com", password="right password")
    assert login(client, "gu@example.com", "right password")[0] == 303
    person.active = False
    person.session_epoch += 1
    session.flush()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_repeated_failures_are_throttled(client: TestClient, session: Session) -> None:
    make_person(session, email="ha@example.com", password="right password")
    statuses = [login(client, "ha@example.com", "wrong")[0] for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # Even the right password waits until the window has passed.
    assert login(client, "ha@example.com", "right password")[0] == 429


def test_trusted_proxy_header_logs_in_known_active_people(
    settings: Settings, clock: object, session_factory: object, session: Session
) -> None:
    from web.app import create_app

    make_person(session, email="io@example.com", name="Io")
    proxied = Settings(**{**settings.model_dump(), "auth_header": "X-Forwarded-Email"})
    app = create_app(proxied, clock=clock, session_factory=session_factory)  # type: ignore[arg-type]
    with TestClient(app) as client:
        page = client.get("/", headers={"X-Forwarded-Email": "IO@example.com"})
        assert page.status_code == 200
        assert "Io" in page.text
        me = client.get("/api/v1/me", headers={"X-Forwarded-Email": "io@example.com"})
        assert me.json()["email"] == "io@example.com"
        unknown = client.get("/api/v1/me", headers={"X-Forwarded-Email": "who@example.com"})
        assert unknown.status_code == 401


def test_proxy_header_is_ignored_unless_configured(client: TestClient, session: Session) -> None:
    make_person(session, email="jo@example.com")
    response = client.get("/api/v1/me", headers={"X-Forwarded-Email": "jo@example.com"})
    assert response.status_code == 401
