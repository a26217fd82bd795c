"""Helpers for the rotation page tests: logged-in people, form posts, rows of a page."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Person
from tests.factories import make_person
from tests.web.test_auth_pages import csrf_from, login

PASSWORD = "a long password"
EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def log_in(client: TestClient, person: Person) -> None:
    """Log ``person`` in (they need the test password), replacing whoever was logged in."""
    client.cookies.clear()
    assert login(client, person.email, PASSWORD)[0] == 303


def person(session: Session, **fields: Any) -> Person:
    return make_person(session, password=PASSWORD, **fields)


def post(client: TestClient, path: str, data: dict[str, Any], *, page: str = "/") -> httpx.Response:
    """Post a form with the CSRF token of ``page`` (the session's token, the same everywhere)."""
    token = csrf_from(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def shift_anchors(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="shift-(\d+)"', page)]


def entry_of(page: str, shift_id: int) -> str:
    match = re.search(rf'<li [^>]*id="shift-{shift_id}"[^>]*>.*?</li>', page, re.S)
    assert match, f"shift {shift_id} is not on the calendar"
    return match.group(0)
