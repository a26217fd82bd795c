"""Every route and every role has an expected outcome, generated from the app's route table."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from core.settings import Settings
from tests.web.authz import (
    FORBIDDEN,
    ROLES,
    TO_LOGIN,
    UNAUTHENTICATED,
    World,
    build_world,
    classify,
    matches,
    route_keys,
    send,
)
from tests.web.authz_expectations import EXPECTATIONS
from tests.web.authz_live_state import SCENARIOS, Scenario
from web.app import create_app

MATRIX = [
    pytest.param(method, path, role, id=f"{method} {path} as {role}")
    for (method, path) in sorted(EXPECTATIONS, key=lambda key: (key[1], key[0]))
    for role in ROLES
]
DENIED = {UNAUTHENTICATED, FORBIDDEN, TO_LOGIN}
LIVE_STATE = [
    pytest.param(scenario, method, path, role, id=f"{scenario.name}: {method} {path} as {role}")
    for scenario in SCENARIOS
    for (method, path, _case) in scenario.cases()
    for role in ROLES
]


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    return build_world(session, secret_key=settings.secret_key)


def test_every_route_has_an_entry(tmp_path: object) -> None:
    app = create_app(Settings(secret_key="route-table", data_dir=str(tmp_path)))
    served = route_keys(app)
    missing = sorted(served - set(EXPECTATIONS), key=lambda key: (key[1], key[0]))
    stale = sorted(set(EXPECTATIONS) - served, key=lambda key: (key[1], key[0]))
    assert not missing, "routes without an entry in tests/web/authz_expectations.py: " + ", ".join(
        f"{method} {path}" for method, path in missing
    )
    assert not stale, "entries for routes that no longer exist: " + ", ".join(
        f"{method} {path}" for method, path in stale
    )


@pytest.mark.parametrize(("method", "path", "role"), MATRIX)
def test_route_answers_each_role_as_expected(
    app: FastAPI,
    client: TestClient,
    session: Session,
    world: World,
    method: str,
    path: str,
    role: str,
) -> None:
    case = EXPECTATIONS[(method, path)]
    expected = case.outcomes[role]
    # Refusals of credentials (a SCIM token) are themselves audited; any other event counts.
    changes = (
        select(func.count()).select_from(AuditEvent).where(~AuditEvent.action.like("%_refused"))
    )
    audit_before = session.scalar(changes)
    response = send(client, world, role, method, path, case)
    got = classify(response)
    assert matches(expected, got), (
        f"{method} {path} as {role}: expected {expected}, got {response.status_code} "
        f"{response.headers.get('location', '')} {response.text[:300]}"
        + (f" ({case.note})" if case.note else "")
    )
    if expected in DENIED:
        # A refused request leaves no trace in the data: every change writes an audit event.
        assert session.scalar(changes) == audit_before


def test_live_state_cases_name_served_routes() -> None:
    for scenario in SCENARIOS:
        assert scenario.outcomes.keys() <= EXPECTATIONS.keys(), scenario.name


@pytest.mark.parametrize(("scenario", "method", "path", "role"), LIVE_STATE)
def test_rights_follow_live_rotation_state(
    client: TestClient,
    session: Session,
    world: World,
    scenario: Scenario,
    method: str,
    path: str,
    role: str,
) -> None:
    scenario.change(world)
    session.flush()
    case = dict(((m, p), c) for m, p, c in scenario.cases())[(method, path)]
    expected = case.outcomes[role]
    changes = select(func.count()).select_from(AuditEvent)
    audit_before = session.scalar(changes)
    response = send(client, world, role, method, path, case)
    got = classify(response)
    assert matches(expected, got), (
        f"{scenario.name}: {method} {path} as {role}: expected {expected}, "
        f"got {response.status_code} {response.text[:300]}"
    )
    if expected in DENIED:
        assert session.scalar(changes) == audit_before
