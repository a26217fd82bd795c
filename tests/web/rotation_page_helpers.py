"""Helpers for the rotation page tests: people, a managed rotation, form posts, page parts."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Person
from rotation.models import Rotation
from tests.factories import make_person, make_scheduled_rotation
from tests.web.test_auth_pages import csrf_from, login

PASSWORD = "a long password"
EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
AMSTERDAM = "Europe/Amsterdam"
MANAGE = "/rotations/tier-two/manage"


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


def managed(
    session: Session, *names: str, **fields: object
) -> tuple[Rotation, Person, list[Person]]:
    """A weekly "Tier two" rotation of people with these names, managed by Grace (Amsterdam)."""
    manager = person(session, name="Grace", timezone=AMSTERDAM)
    people = [person(session, name=name) for name in names]
    rotation = make_scheduled_rotation(session, members=people, manager_ids=[manager.id], **fields)  # type: ignore[arg-type]
    return rotation, manager, people


def settings_of(page: str) -> dict[str, str]:
    """The settings form's values as a browser would send them."""
    form = re.search(r'action="/rotations/[^"]+/manage/settings".*?</form>', page, re.S)
    assert form is not None
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name.group(1)] = value.group(1)
    fields["description"] = re.search(r'name="description"[^>]*>([^<]*)<', form.group(0)).group(1)  # type: ignore[union-attr]
    fields["managers"] = re.search(r'name="managers"[^>]*>([^<]*)<', form.group(0)).group(1)  # type: ignore[union-attr]
    fields.pop("csrf_token", None)
    return {k: html.unescape(v) for k, v in fields.items()}
