"""The people and audit pages, driven through forms as an admin would."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person
from tests.factories import make_person
from tests.web.test_auth_pages import csrf_from, login


def login_as(client: TestClient, session: Session, *, admin: bool) -> Person:
    person = make_person(session, is_admin=admin, password="a long password")
    assert login(client, person.email, "a long password")[0] == 303
    return person


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def test_people_page_is_for_admins_only(client: TestClient, session: Session) -> None:
    login_as(client, session, admin=False)
    response = client.get("/people")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "Not allowed" in response.text


def test_admin_adds_a_person_and_bad_input_keeps_the_form(
    client: TestClient, session: Session
) -> None:
    login_as(client, session, admin=True)
    page = client.get("/people")
    token = csrf_from(page.text)
    before = count(session)
    bad = client.post(
        "/people",
        data={
            "csrf_token": token,
            "email": "new@example.com",
            "name": "Nia <b>",
            "timezone": "Mars/Base",
        },
    )
    assert bad.status_code == 422
    assert 'unknown timezone "Mars/Base"' in html.unescape(bad.text)
    assert 'value="new@example.com"' in bad.text  # input kept
    assert "Nia &lt;b&gt;" in bad.text  # and escaped
    assert count(session) == before
    ok = client.post(
        "/people",
        data={"csrf_token": token, "email": "new@example.com", "name": "Nia", "timezone": "UTC"},
        follow_redirects=True,
    )
    assert ok.status_code == 200
    assert "Added Nia (new@example.com)." in ok.text
    assert count(session) == before + 1


def test_csv_import_form_lists_bad_lines(client: TestClient, session: Session) -> None:
    login_as(client, session, admin=True)
    token = csrf_from(client.get("/people").text)
    before = count(session)
    response = client.post(
        "/people/import",
        data={
            "csrf_token": token,
            "csv_text": "email,name,timezone\nok@example.com,Ok,UTC\nbad,Bad,UTC\n",
        },
    )
    assert response.status_code == 422
    assert "line 3:" in response.text
    assert count(session) == before


def test_deactivate_from_the_page(client: TestClient, session: Session) -> None:
    login_as(client, session, admin=True)
    target = make_person(session, name="Leaving Soon")
    token = csrf_from(client.get("/people").text)
    response = client.post(
        f"/people/{target.id}/deactivate", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Deactivated Leaving Soon" in response.text
    session.refresh(target)
    assert target.active is False


def test_audit_page_lists_changes(client: TestClient, session: Session) -> None:
    login_as(client, session, admin=True)
    token = csrf_from(client.get("/people").text)
    client.post(
        "/people",
        data={
            "csrf_token": token,
            "email": "audited@example.com",
            "name": "Audited",
            "timezone": "UTC",
        },
    )
    page = client.get("/audit")
    assert page.status_code == 200
    assert "person.create" in page.text
    assert "audited@example.com" in page.text


def test_an_admin_edits_team_timezone_and_role(client: TestClient, session: Session) -> None:
    admin = login_as(client, session, admin=True)
    ana = make_person(session, name="Ana", timezone="UTC")
    page = client.get("/people").text
    assert f'action="/people/{ana.id}/edit"' in page and 'list="people-timezones"' in page
    token = csrf_from(page)
    saved = client.post(
        f"/people/{ana.id}/edit",
        data={"csrf_token": token, "team": "Support", "timezone": "Asia/Tokyo", "is_admin": "true"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/people#person-{ana.id}"
    session.expire_all()
    assert (ana.team, ana.timezone, ana.is_admin) == ("Support", "Asia/Tokyo", True)

    refused = client.post(
        f"/people/{ana.id}/edit",
        data={"csrf_token": token, "team": "Sales", "timezone": "Mars/Olympus"},
    )
    assert refused.status_code == 422
    assert f'id="edit-{ana.id}-error"' in refused.text and "Mars/Olympus" in refused.text
    session.expire_all()
    assert (ana.team, ana.is_admin) == ("Support", True)  # nothing half-written

    own = client.post(
        f"/people/{admin.id}/edit", data={"csrf_token": token, "team": "", "timezone": "UTC"}
    )
    assert own.status_code == 422 and "your own admin role" in own.text
