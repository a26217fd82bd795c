"""Input that once reached the database as a 500 is now a clear 4xx that writes nothing."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from core.settings import Settings
from tests.factories import auth, make_person, make_token
from tests.web.authz import ADMIN, OK, Case, build_world, outcomes, route_keys, send

EVERYONE_OK = outcomes(anonymous=OK, member=OK, other_manager=OK, manager=OK, admin=OK)


def counts(session: Session) -> tuple[int | None, int | None]:
    return (
        session.scalar(select(func.count()).select_from(Person)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def admin_headers(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_person(session, is_admin=True)))


def test_ids_beyond_the_database_range_are_422(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    for method, path in [
        ("GET", "/api/v1/people/2147483648"),
        ("PATCH", "/api/v1/people/9223372036854775808"),
        ("POST", "/api/v1/people/0/deactivate"),
    ]:
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 422, (method, path, response.text)
    assert client.get("/api/v1/people/2147483647", headers=headers).status_code == 404


def test_nul_characters_are_refused_before_the_database(
    client: TestClient, session: Session
) -> None:
    headers = admin_headers(session)
    before = counts(session)
    response = client.post(
        "/api/v1/people", headers=headers, json={"email": "a@example.com", "name": "A\x00"}
    )
    assert response.status_code == 422
    assert "NUL" in response.text
    imported = client.post(
        "/api/v1/people/import",
        headers={**headers, "Content-Type": "text/csv"},
        content="email,name\nb@example.com,B\x00\n",
    )
    assert imported.status_code == 422
    assert imported.json()["errors"][0]["line"] == 2
    assert counts(session) == before


def test_malformed_csv_is_a_rejected_import(client: TestClient, session: Session) -> None:
    headers = {**admin_headers(session), "Content-Type": "text/csv"}
    before = counts(session)
    for text in ["\r0", 'email,name\n"c@example.com,C\n', "email,name\r\nd@example.com,D\rx"]:
        response = client.post("/api/v1/people/import", headers=headers, content=text)
        assert response.status_code == 422, (text, response.text)
        assert response.json()["detail"]
    assert counts(session) == before
    # Old Mac line endings are still line endings.
    ok = client.post(
        "/api/v1/people/import", headers=headers, content="email,name\re@example.com,E\r"
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"created": 1, "updated": 0}


def test_data_the_database_refuses_is_a_422_not_a_500(app: FastAPI, session: Session) -> None:
    @app.get("/api/v1/test-data-error")
    def refuse() -> None:
        raise DataError("INSERT …", {}, Exception("value out of range"))

    with TestClient(app) as client:
        response = client.get("/api/v1/test-data-error")
    assert response.status_code == 422
    assert "out of range" in response.json()["detail"]


def test_no_route_fails_on_ids_beyond_any_integer_column(
    client: TestClient, session: Session, app: FastAPI, settings: Settings
) -> None:
    world = build_world(session, secret_key=settings.secret_key)
    routes = sorted(key for key in route_keys(app) if re.search(r"\{\w+_id\}", key[1]))
    assert routes
    for method, path in routes:
        for huge in (2**31, 2**63, 2**64):
            names = re.findall(r"\{(\w+)\}", path)
            params = {n: (huge if n.endswith("_id") else world.rotation.slug) for n in names}
            case = Case(EVERYONE_OK, params=lambda _w, p=params: p)
            response = send(client, world, ADMIN, method, path, case)
            assert 400 <= response.status_code < 500, (method, path, huge, response.text[:200])


def test_ids_in_bodies_beyond_the_integer_range_are_422(
    client: TestClient, session: Session
) -> None:
    headers = admin_headers(session)
    before = counts(session)
    response = client.post(
        "/api/v1/cards",
        headers=headers,
        json={"title": "T", "url": "https://kb.example.com/t", "verifier_id": 2**63},
    )
    assert response.status_code == 422
    assert counts(session) == before


def test_an_unreachable_database_is_a_503_to_retry(app: FastAPI) -> None:
    @app.get("/api/v1/test-database-down")
    def down() -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with TestClient(app) as client:
        response = client.get("/api/v1/test-database-down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "unavailable" in response.json()["detail"]
