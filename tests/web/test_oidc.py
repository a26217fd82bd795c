"""OpenID Connect sign-in end to end against a real provider (npm oidc-provider), over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.models import AuditEvent, Person
from tests.conftest import DEFAULT_NOW
from tests.web.oidc_world import World, oidc_world, sign_in_at_provider, to_provider_login


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[World]:
    with oidc_world(engine, tmp_path, oidc_allowed_domains="newco.example") as running:
        yield running


def _add(world: World, email: str, *, active: bool = True) -> None:
    with world.app.sessions.begin() as session:
        session.add(Person(email=email, name="Ana de Vries", active=active, created_at=DEFAULT_NOW))


def _refusal_events(world: World) -> list[AuditEvent]:
    with world.app.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "auth.oidc_refused")
                .order_by(AuditEvent.id)
            )
        )


def _refusals(world: World) -> list[str]:
    return [str((row.after or {}).get("reason")) for row in _refusal_events(world)]


def _signed_in(client: httpx.Client, world: World) -> bool:
    home = client.get(world.app.url + "/", follow_redirects=False)
    return home.status_code == 200


def _finish(client: httpx.Client, callback: httpx.Response) -> httpx.Response:
    return client.get(callback.headers["location"], follow_redirects=False)


def test_a_known_person_signs_in_through_the_provider(world: World) -> None:
    _add(world, "ana@example.com")
    with httpx.Client(timeout=10) as client:
        login_page = client.get(world.app.url + "/login")
        assert "Sign in with Test provider" in login_page.text
        callback = sign_in_at_provider(
            client, to_provider_login(client, world.app.url), "Ana@Example.com"
        )
        query = parse_qs(urlsplit(callback.headers["location"]).query)
        assert set(query) >= {"code", "state"}
        done = _finish(client, callback)
        assert done.status_code == 303 and done.headers["location"] == "/"
        assert _signed_in(client, world)
    with world.app.sessions() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "person.sign_in_oidc" in actions and _refusals(world) == []


def test_new_people_from_an_allowed_domain_are_created_others_are_not(world: World) -> None:
    with httpx.Client(timeout=10) as client:
        callback = sign_in_at_provider(
            client, to_provider_login(client, world.app.url), "bo.li@newco.example"
        )
        assert _finish(client, callback).status_code == 303
        assert _signed_in(client, world)
    with httpx.Client(timeout=10) as client:
        callback = sign_in_at_provider(
            client, to_provider_login(client, world.app.url), "eve@elsewhere.example"
        )
        refused = _finish(client, callback)
        assert refused.status_code == 403 and "no allhands account" in refused.text
        assert not _signed_in(client, world)
    with world.app.sessions() as session:
        emails = session.scalars(select(Person.email)).all()
    assert emails == ["bo.li@newco.example"]
    assert _refusals(world) == ["no_account"]


@pytest.mark.parametrize(
    ("mode", "email", "reason", "status", "detail"),
    [
        ("normal", "unverified.ana@example.com", "unverified_email", 400, "^from "),
        # Signed by the provider's own key, but for another client (no azp naming us).
        ("wrong-audience", "ana@example.com", "bad_response", 400, "azp|aud"),
        # The email changed to an admin's, the signature left as it was.
        ("tamper", "ana@example.com", "bad_response", 400, "bad_signature"),
        ("normal", "gone@example.com", "inactive", 403, "^from "),
    ],
)
def test_bad_answers_are_refused_and_audited(
    world: World, mode: str, email: str, reason: str, status: int, detail: str
) -> None:
    for address in ("ana@example.com", "unverified.ana@example.com", "admin@example.com"):
        _add(world, address)
    _add(world, "gone@example.com", active=False)
    world.provider.set_mode(mode)
    with httpx.Client(timeout=10) as client:
        callback = sign_in_at_provider(client, to_provider_login(client, world.app.url), email)
        refused = _finish(client, callback)
        assert refused.status_code == status and "Sign-in refused" in refused.text
        assert not _signed_in(client, world)
    assert _refusals(world) == [reason]
    # Refused for the right reason: authlib's signature and audience checks.
    note = _refusal_events(world)[0].note or ""
    assert re.search(detail, note), note


def test_a_replayed_code_or_state_is_refused(world: World) -> None:
    _add(world, "ana@example.com")
    with httpx.Client(timeout=10) as client:
        callback = sign_in_at_provider(
            client, to_provider_login(client, world.app.url), "ana@example.com"
        )
        code = parse_qs(urlsplit(callback.headers["location"]).query)["code"][0]
        assert _finish(client, callback).status_code == 303
        # The same answer again: its state was used up with the first.
        assert _finish(client, callback).status_code == 400
        # A fresh login's state with the old code: the provider refuses the used code.
        start = client.get(world.app.url + "/auth/oidc/login", follow_redirects=False)
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        replay = client.get(
            world.app.url + "/auth/oidc/callback", params={"code": code, "state": state}
        )
        assert replay.status_code == 400 and "could not be verified" in replay.text
    assert _refusals(world) == ["bad_response", "bad_response"]
    notes = [event.note or "" for event in _refusal_events(world)]
    assert "state" in notes[0].lower() and "invalid_grant" in notes[1], notes


def test_a_callback_from_another_browser_is_refused(world: World) -> None:
    _add(world, "ana@example.com")
    with httpx.Client(timeout=10) as victim, httpx.Client(timeout=10) as attacker:
        callback = sign_in_at_provider(
            victim, to_provider_login(victim, world.app.url), "ana@example.com"
        )
        # Login CSRF: the attacker's answer delivered to someone else's browser session.
        stolen = attacker.get(callback.headers["location"], follow_redirects=False)
        assert stolen.status_code == 400
        assert not _signed_in(attacker, world)
