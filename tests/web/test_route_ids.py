"""Every route with a path parameter, fed hostile ids: never a 5xx, always a clear refusal.

The route table is walked, not listed, so a route added later is covered the day it
lands. Each path parameter in turn gets each hostile value while the others keep the
valid ones the authorization matrix uses, so the hostile value is what gets judged; POSTs
to pages carry a valid CSRF token for the same reason.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.routing import Mount

from core.models import AuditEvent
from core.settings import Settings
from tests.web.authz import (
    ADMIN,
    ANONYMOUS,
    FRAMEWORK_PATHS,
    TO_LOGIN,
    Case,
    World,
    build_world,
    classify,
    is_page,
    send,
)
from tests.web.authz_expectations import EXPECTATIONS
from web.app import create_app

HOSTILE_IDS = (
    "²",  # a superscript digit: str.isdigit() says yes, int() says no
    "٣",  # Arabic-Indic three: int() reads it as 3
    "\uff11\uff12",  # fullwidth twelve: int() reads it as 12
    "߁",  # N'Ko one: int() reads it as 1
    "0",
    "-1",
    "1.5",
    "99999999999999999999",  # past any integer column
    "9" * 5000,  # past Python's int() digit limit
    "%00",  # a NUL byte, which PostgreSQL refuses in text
    "%20",  # blank
    "%09%20",  # blank in another way
)
PARAMETER = re.compile(r"\{(\w+)\}")
REFUSED = {404, 422}
# A one-time link's token is not an id: a malformed one is a bad request or a link gone.
TOKEN_REFUSED = {400, 404, 410, 422}


def parametrised_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route in the app's table that takes a path parameter."""
    keys: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount) or route.path in FRAMEWORK_PATHS:
            continue
        if route.path is None or route.methods is None or not PARAMETER.search(route.path):
            continue
        # SCIM speaks its own protocol to its own token; scim2-tester and tests/web/test_scim.py
        # check its answers to unknown and malformed ids.
        if route.path.startswith("/scim/"):
            continue
        keys.update((method, route.path) for method in route.methods)
    return sorted(keys, key=lambda key: (key[1], key[0]))


ROUTES = parametrised_routes(create_app(Settings(secret_key="route-ids", data_dir="/nonexistent")))


def _expectation(method: str, path: str) -> Case:
    # HEAD is answered by the GET route; its entry says how to reach it.
    return EXPECTATIONS[("GET" if method == "HEAD" else method, path)]


def _hostile_case(case: Case, world: World, *, name: str, value: str) -> Case:
    params = {**case.params(world), name: value}
    return Case(
        case.outcomes,
        params=lambda _world: params,
        query=case.query,
        json=case.json,
        form=case.form,
        csv=case.csv,
    )


def _acceptable(response: httpx.Response, *, page: bool, role: str, name: str) -> bool:
    code = response.status_code
    if code in (TOKEN_REFUSED if name == "token" else REFUSED):
        return True
    if role != ANONYMOUS:
        return False
    # Anonymous callers may be turned away before the id is looked at.
    return classify(response) == TO_LOGIN if page else code == 401


def _says_why(response: httpx.Response, *, page: bool, method: str, role: str) -> bool:
    """A page's refusal is an HTML page saying why, with the navigation and log-out for
    someone logged in; the API's is JSON with a detail."""
    if response.status_code not in REFUSED or method == "HEAD":
        return True
    if page:
        html = response.headers["content-type"].startswith("text/html") and "<h1" in response.text
        header = role == ANONYMOUS or (
            'aria-label="Main"' in response.text and 'action="/logout"' in response.text
        )
        return html and header
    return bool(response.json().get("detail"))


def test_the_walk_covers_pages_api_and_feeds() -> None:
    paths = {path for _method, path in ROUTES}
    assert "/time-off/{time_off_id}/delete" in paths
    assert "/api/v1/swaps/{swap_id}/accept" in paths
    assert "/feeds/{token}.ics" in paths
    assert ("HEAD", "/feeds/{token}.ics") in ROUTES


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_hostile_path_ids_are_refused_clearly(
    client: TestClient,
    session: Session,
    settings: Settings,
    method: str,
    path: str,
    role: str,
) -> None:
    world = build_world(session, secret_key=settings.secret_key)
    case = _expectation(method, path)
    page = is_page(path)
    # Refused attempts at credentials are audited on purpose (``*_refused``); nothing else.
    changes = select(func.count()).where(AuditEvent.action.not_like("%refused"))
    audit_before = session.scalar(changes)
    failures = []
    for name in PARAMETER.findall(path):
        for value in HOSTILE_IDS:
            hostile = _hostile_case(case, world, name=name, value=value)
            response = send(client, world, role, method, path, hostile)
            if not _acceptable(response, page=page, role=role, name=name) or not _says_why(
                response, page=page, method=method, role=role
            ):
                failures.append(
                    f"{name}={value[:24]!r}: {response.status_code} "
                    f"{response.headers.get('location', '')} {response.text[:160]!r}"
                )
    assert not failures, f"{method} {path} as {role}:\n" + "\n".join(failures)
    # Nothing was changed on the way to a refusal: every change writes an audit event.
    assert session.scalar(changes) == audit_before
