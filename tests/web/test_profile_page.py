"""The profile page /me: details, reminder channels, password, tokens and sessions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import ApiToken, AuditEvent, Person
from core.security import person_for_api_token, verify_password
from tests.factories import auth, make_person, make_token
from tests.web.test_auth_pages import csrf_from, login

OLD = "old but fine password"
NEW = "tidy walrus orbits marmalade"


def _logged_in(client: TestClient, session: Session) -> Person:
    person = make_person(session, email="ana@example.com", password=OLD)
    session.flush()
    assert login(client, "ana@example.com", OLD)[0] == 303
    return person


def test_profile_saves_name_timezone_and_reminder_channels(
    client: TestClient, session: Session
) -> None:
    person = _logged_in(client, session)
    page = client.get("/me")
    assert page.status_code == 200 and "ana@example.com" in page.text
    saved = client.post(
        "/me",
        data={
            "name": "Ana de Vries",
            "timezone": "Europe/Amsterdam",
            "notify_email": "true",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert saved.status_code == 200 and "Your profile is saved." in saved.text
    session.refresh(person)
    assert (person.name, person.timezone) == ("Ana de Vries", "Europe/Amsterdam")
    assert person.notify_email and not person.notify_slack
    bad = client.post(
        "/me",
        data={"name": "", "timezone": "Mars/Base", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 422 and "unknown timezone" in bad.text
    session.refresh(person)
    assert person.timezone == "Europe/Amsterdam"


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    client: TestClient, session: Session
) -> None:
    person = _logged_in(client, session)
    other = TestClient(client.app)
    assert login(other, "ana@example.com", OLD)[0] == 303
    token = csrf_from(client.get("/me").text)
    wrong = client.post(
        "/me/password", data={"current": "nope", "new": NEW, "confirm": NEW, "csrf_token": token}
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    weak = client.post(
        "/me/password",
        data={
            "current": OLD,
            "new": "password1234",
            "confirm": "password1234",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    done = client.post(
        "/me/password", data={"current": OLD, "new": NEW, "confirm": NEW, "csrf_token": token}
    )
    assert done.status_code == 200 and "other sessions have ended" in done.text
    session.refresh(person)
    assert verify_password(person.password_hash, NEW)
    assert client.get("/me", follow_redirects=False).status_code == 200
    assert other.get("/me", follow_redirects=False).status_code == 303


def test_tokens_are_listed_and_revoked_only_by_their_owner(
    client: TestClient, session: Session
) -> None:
    person = _logged_in(client, session)
    mine = make_token(session, person)
    theirs = make_token(session, make_person(session))
    session.flush()
    page = client.get("/me")
    [row] = session.scalars(select(ApiToken).where(ApiToken.person_id == person.id)).all()
    assert f"#{row.id}" in page.text
    their_row = session.scalars(select(ApiToken).where(ApiToken.person_id != person.id)).one()
    refused = client.post(
        f"/me/tokens/{their_row.id}/revoke", data={"csrf_token": csrf_from(page.text)}
    )
    assert "no such token" in refused.text
    assert person_for_api_token(session, theirs) is not None
    revoked = client.post(f"/me/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page.text)})
    assert "is revoked" in revoked.text
    assert client.get("/api/v1/me", headers=auth(mine)).status_code == 401


def test_log_out_everywhere(client: TestClient, session: Session) -> None:
    _logged_in(client, session)
    other = TestClient(client.app)
    assert login(other, "ana@example.com", OLD)[0] == 303
    ended = client.post("/me/sessions/end", data={"csrf_token": csrf_from(client.get("/me").text)})
    assert ended.status_code == 200 and "Every session of yours has ended" in ended.text
    assert client.get("/me", follow_redirects=False).status_code == 303
    assert other.get("/me", follow_redirects=False).status_code == 303
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.logout")
        )
        == 1
    )
