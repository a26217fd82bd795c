"""People endpoints through the HTTP API, including every kind of bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from tests.factories import auth, make_person, make_token


def count_people(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def admin_headers(session: Session) -> dict[str, str]:
    admin = make_person(session, is_admin=True)
    return auth(make_token(session, admin))


def test_me_answers_with_the_token_holder(client: TestClient, session: Session) -> None:
    person = make_person(session, email="Ana@Example.com", name="Ana", timezone="Europe/Amsterdam")
    response = client.get("/api/v1/me", headers=auth(make_token(session, person)))
    assert response.status_code == 200
    assert response.json() == {
        "id": person.id,
        "email": "ana@example.com",
        "name": "Ana",
        "timezone": "Europe/Amsterdam",
        "team": None,
        "is_admin": False,
        "active": True,
        "holiday_country": None,
        "locale": None,
    }


def test_people_choose_their_language_and_unknown_ones_are_refused(
    client: TestClient, session: Session
) -> None:
    person = make_person(session)
    headers = auth(make_token(session, person))
    chosen = client.patch(f"/api/v1/people/{person.id}", json={"locale": "nl"}, headers=headers)
    assert chosen.status_code == 200
    assert client.get("/api/v1/me", headers=headers).json()["locale"] == "nl"
    refused = client.patch(f"/api/v1/people/{person.id}", json={"locale": "de"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "locale"]
    assert client.get("/api/v1/me", headers=headers).json()["locale"] == "nl"
    cleared = client.patch(f"/api/v1/people/{person.id}", json={"locale": None}, headers=headers)
    assert cleared.json()["locale"] is None
    created = client.post(
        "/api/v1/people",
        json={"email": "nl@example.com", "name": "Noor", "locale": "nl"},
        headers=admin_headers(session),
    )
    assert created.status_code == 201
    assert created.json()["locale"] == "nl"


def test_missing_malformed_and_wrong_tokens_get_401(client: TestClient, session: Session) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    wrong = client.get("/api/v1/me", headers=auth("ah_not-a-real-token"))
    assert wrong.status_code == 401
    assert wrong.json()["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_deactivated_person_token_stops_working(client: TestClient, session: Session) -> None:
    person = make_person(session)
    token = make_token(session, person)
    person.active = False
    session.flush()
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401


def test_admin_creates_person_with_defaults(client: TestClient, session: Session) -> None:
    response = client.post(
        "/api/v1/people",
        json={"email": "Bo@Example.com", "name": "Bo"},
        headers=admin_headers(session),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "bo@example.com"
    assert body["timezone"] == "UTC"
    assert body["is_admin"] is False
    created = session.get(Person, body["id"])
    assert created is not None and created.name == "Bo"
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "person.create" in actions


def test_duplicate_email_in_any_case_is_409_and_adds_nobody(
    client: TestClient, session: Session
) -> None:
    headers = admin_headers(session)
    make_person(session, email="cy@example.com")
    before = count_people(session)
    response = client.post(
        "/api/v1/people", json={"email": "CY@example.com", "name": "Cy"}, headers=headers
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]
    assert count_people(session) == before


def test_bad_person_input_is_422_with_a_message(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    before = count_people(session)
    cases = [
        {"email": "not-an-email", "name": "X"},
        {"email": "x@example.com", "name": "X", "timezone": "Europe/Amsterdm"},
        {"email": "x@example.com", "name": "X", "favourite_colour": "blue"},
        {"email": "x@example.com", "name": ""},
        {"name": "X"},
    ]
    for body in cases:
        response = client.post("/api/v1/people", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["detail"], body
    tz_error = client.post("/api/v1/people", json=cases[1], headers=headers).json()
    assert 'unknown timezone "Europe/Amsterdm"' in str(tz_error["detail"])
    assert count_people(session) == before


def test_member_cannot_call_admin_endpoints(client: TestClient, session: Session) -> None:
    member = make_person(session)
    other = make_person(session)
    headers = auth(make_token(session, member))
    before = count_people(session)
    assert (
        client.post("/api/v1/people", json={"email": "z@example.com", "name": "Z"}, headers=headers)
    ).status_code == 403
    assert client.post(f"/api/v1/people/{other.id}/deactivate", headers=headers).status_code == 403
    assert (
        client.post(
            "/api/v1/people/import",
            content="email,name\nq@example.com,Q\n",
            headers={**headers, "Content-Type": "text/csv"},
        ).status_code
        == 403
    )
    assert count_people(session) == before
    session.refresh(other)
    assert other.active


def test_member_edits_own_name_and_timezone_only(client: TestClient, session: Session) -> None:
    member = make_person(session, name="Old")
    other = make_person(session)
    headers = auth(make_token(session, member))
    ok = client.patch(
        f"/api/v1/people/{member.id}",
        json={"name": "New", "timezone": "Asia/Kolkata"},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["name"] == "New"
    assert ok.json()["timezone"] == "Asia/Kolkata"
    escalate = client.patch(f"/api/v1/people/{member.id}", json={"is_admin": True}, headers=headers)
    assert escalate.status_code == 403
    other_edit = client.patch(f"/api/v1/people/{other.id}", json={"name": "x"}, headers=headers)
    assert other_edit.status_code == 403
    session.refresh(member)
    assert member.is_admin is False


def test_admin_patch_rejects_taken_email_and_unknown_person(
    client: TestClient, session: Session
) -> None:
    headers = admin_headers(session)
    a = make_person(session, email="a1@example.com")
    make_person(session, email="b1@example.com")
    clash = client.patch(
        f"/api/v1/people/{a.id}", json={"email": "B1@example.com"}, headers=headers
    )
    assert clash.status_code == 409
    assert client.get("/api/v1/people/999999", headers=headers).status_code == 404
    session.refresh(a)
    assert a.email == "a1@example.com"


def test_deactivate_marks_inactive(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    person = make_person(session)
    response = client.post(f"/api/v1/people/{person.id}/deactivate", headers=headers)
    assert response.status_code == 200
    assert response.json()["active"] is False
    listing = client.get("/api/v1/people", headers=headers).json()
    assert {p["id"]: p["active"] for p in listing}[person.id] is False


def test_csv_import_creates_and_updates(client: TestClient, session: Session) -> None:
    headers = {**admin_headers(session), "Content-Type": "text/csv"}
    make_person(session, email="existing@example.com", name="Existing", timezone="UTC")
    csv_text = (
        "email,name,timezone,team\n"
        "new1@example.com,New One,Europe/Amsterdam,Platform\n"
        "EXISTING@example.com,Existing Renamed,America/New_York,\n"
        "new2@example.com,New Two,,\n"
    )
    response = client.post("/api/v1/people/import", content=csv_text, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 2, "updated": 1}
    people = {p.email: p for p in session.scalars(select(Person))}
    assert people["new1@example.com"].team == "Platform"
    assert people["new2@example.com"].timezone == "UTC"
    assert people["existing@example.com"].timezone == "America/New_York"
    again = client.post("/api/v1/people/import", content=csv_text, headers=headers)
    assert again.json() == {"created": 0, "updated": 0}


def test_csv_import_with_bad_rows_names_each_line_and_imports_nothing(
    client: TestClient, session: Session
) -> None:
    headers = {**admin_headers(session), "Content-Type": "text/csv"}
    before = count_people(session)
    csv_text = (
        "email,name,timezone,team\n"
        "ok1@example.com,Ok One,UTC,\n"
        "broken-email,Bad Email,UTC,\n"
        "ok2@example.com,Ok Two,UTC,\n"
        "ok3@example.com,Ok Three,UTC,\n"
        "ok4@example.com,Ok Four,UTC,\n"
        "tz@example.com,Bad Zone,Europe/Amsterdm,\n"
        "OK1@example.com,Duplicate,UTC,\n"
    )
    response = client.post("/api/v1/people/import", content=csv_text, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert "nothing imported" in body["detail"]
    by_line = {e["line"]: e["message"] for e in body["errors"]}
    assert set(by_line) == {3, 7, 8}
    assert "email" in by_line[3]
    assert by_line[7] == 'unknown timezone "Europe/Amsterdm"'
    assert "line 2" in by_line[8]
    assert count_people(session) == before


def test_csv_import_rejects_bad_header_and_binary(client: TestClient, session: Session) -> None:
    headers = {**admin_headers(session), "Content-Type": "text/csv"}
    no_email = client.post("/api/v1/people/import", content="name\nX\n", headers=headers)
    assert no_email.status_code == 422
    assert no_email.json()["errors"][0]["line"] == 1
    binary = client.post("/api/v1/people/import", content=b"\xff\xfe\x00bad", headers=headers)
    assert binary.status_code == 400
