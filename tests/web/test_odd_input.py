"""Odd input is a clear 4xx, never a 500: lone surrogates, control characters, line breaks
in names, instants outside the documented range, deeply nested JSON, non-place timezones."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person
from kb_links import webhooks
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_person, make_token

WEBHOOK_SECRET = "guru-webhook-secret-for-odd-input"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_person(session, is_admin=True)))


def raw_json(client: TestClient, method: str, path: str, text: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """Send ``text`` as the body exactly as written (``\\ud800`` stays a JSON escape)."""
    return client.request(method, path, content=text.encode(), headers={**headers, **JSON})


def people_count(session: Session) -> int | None:
    return session.scalar(select(func.count()).select_from(Person))


SURROGATE_BODIES = [
    ("POST", "/api/v1/people", '{"email": "s@example.com", "name": "x\\ud800y"}'),
    ("POST", "/api/v1/people", '{"email": "s@example.com", "name": "ok", "\\udfff": 1}'),
    (
        "POST",
        "/api/v1/rotations",
        '{"name": "R\\ud83d", "timezone": "UTC", "start_date": "2026-11-23"}',
    ),
    ("POST", "/api/v1/cards", '{"title": "T\\udc00", "url": "https://kb.example.com/t"}'),
    ("POST", "/api/v1/card-sets", '{"name": "Set", "description": "\\ud800"}'),
]


@pytest.mark.parametrize(("method", "path", "text"), SURROGATE_BODIES)
def test_lone_surrogates_are_422(
    client: TestClient, session: Session, admin: dict[str, str], method: str, path: str, text: str
) -> None:
    before = people_count(session)
    response = raw_json(client, method, path, text, admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert people_count(session) == before


@pytest.mark.parametrize("name", ["Ana\nDevries", "Ana\rDevries", "Ana\x07", "Ana\u2028B"])
def test_names_and_titles_are_one_line_without_control_characters(
    client: TestClient, session: Session, admin: dict[str, str], name: str
) -> None:
    attempts = [
        ("/api/v1/people", {"email": "n@example.com", "name": name}),
        ("/api/v1/rotations", {"name": name, "timezone": "UTC", "start_date": "2026-11-23"}),
        ("/api/v1/cards", {"title": name, "url": "https://kb.example.com/n"}),
        ("/api/v1/card-sets", {"name": name}),
    ]
    for path, body in attempts:
        response = client.post(path, json=body, headers=admin)
        assert response.status_code == 422, (path, response.text)
        assert "single line" in response.text or "control characters" in response.text


def test_descriptions_keep_newlines_but_not_other_control_characters(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    base = {"name": "Tier 2", "timezone": "UTC", "start_date": "2026-11-23"}
    created = client.post(
        "/api/v1/rotations", json={**base, "description": "Line one\r\nLine two"}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["description"] == "Line one\nLine two"
    bell = client.post(
        "/api/v1/rotations", json={**base, "slug": "bell", "description": "ding\x07"}, headers=admin
    )
    assert bell.status_code == 422
    assert "U+0007" in bell.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/readiness", {"start": "0001-01-01T00:00:00+14:00"}),
        ("/api/v1/readiness", {"end": "9999-12-31T23:59:59-14:00"}),
        ("/api/v1/audit", {"since": "9999-12-31T23:59:59-14:00"}),
        ("/api/v1/audit", {"since": "0001-01-01T00:00:00+14:00"}),
    ],
)
def test_instants_outside_the_documented_range_are_422(
    client: TestClient, admin: dict[str, str], path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params, headers=admin)
    assert response.status_code == 422, response.text
    assert "between 1970-01-01 and 2199-12-31" in response.text


@pytest.mark.parametrize(
    "text", ["[" * 100_000, "[" * 200 + "]" * 200, '[{"a": ' * 20 + "1" + "}]" * 20]
)
def test_deeply_nested_json_imports_are_422(
    client: TestClient, admin: dict[str, str], text: str
) -> None:
    response = raw_json(client, "POST", "/api/v1/cards/import", text, admin)
    assert response.status_code == 422, response.text[:300]
    assert "nested deeper than" in response.text


def test_surrogates_in_a_json_import_are_422(client: TestClient, admin: dict[str, str]) -> None:
    card = {"id": "c1", "preferredPhrase": "Refunds \\ud800", "slug": "refunds"}
    text = json.dumps([card]).replace("\\\\ud800", "\\ud800")
    response = raw_json(client, "POST", "/api/v1/cards/import", text, admin)
    assert response.status_code == 422, response.text[:300]


def test_deeply_nested_and_surrogate_webhook_events_are_422(
    client: TestClient, session: Session
) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"guru_webhook_secret": WEBHOOK_SECRET}
    )
    for body in (b"[" * 100_000, b'[{"eventType": "card-updated", "card": {"id": "\\ud800"}}]'):
        headers = {
            **webhooks.signed_headers(secret=WEBHOOK_SECRET, body=body, at=DEFAULT_NOW),
            **JSON,
        }
        response = client.post("/api/v1/cards/webhooks/guru", content=body, headers=headers)
        assert response.status_code == 422, response.text[:300]


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules"])
def test_timezones_that_are_not_places_are_refused(
    client: TestClient, session: Session, admin: dict[str, str], zone: str
) -> None:
    person = client.post(
        "/api/v1/people",
        json={"email": "z@example.com", "name": "Z", "timezone": zone},
        headers=admin,
    )
    assert person.status_code == 422, person.text
    rotation = client.post(
        "/api/v1/rotations",
        json={"name": "Z", "timezone": zone, "start_date": "2026-11-23"},
        headers=admin,
    )
    assert rotation.status_code == 422, rotation.text
    assert f'unknown timezone "{zone}"' in rotation.json()["detail"][0]["msg"]
