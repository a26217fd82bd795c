"""Every page carries the security headers, and no page needs inline script to work."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Headers
from sqlalchemy.orm import Session

from core.settings import Settings
from tests.web.authz import (
    ADMIN,
    ANONYMOUS,
    INLINE_HANDLER,
    INLINE_SCRIPT,
    MEMBER,
    OK,
    World,
    build_world,
    is_page,
    send,
)
from tests.web.authz_expectations import EXPECTATIONS

ALL_PAGES = sorted(path for method, path in EXPECTATIONS if method == "GET" and is_page(path))
# Pages someone may see, and pages that only ever refuse (a forged one-time link, sign-in that
# is not set up); SCIM speaks JSON to identity providers and has its own compliance tests.
PAGES = [p for p in ALL_PAGES if OK in EXPECTATIONS[("GET", p)].outcomes.values()]
REFUSING_PAGES = [p for p in ALL_PAGES if p not in PAGES and not p.startswith("/scim/")]


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    return build_world(session, secret_key=settings.secret_key)


def csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secure_headers(headers: Headers, where: str) -> None:
    get = headers.get
    csp = csp_directives(get("content-security-policy", ""))
    assert csp.get("script-src") == ["'self'"], f"{where}: script-src {csp.get('script-src')}"
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert all("'unsafe-inline'" not in sources for sources in csp.values()), where
    assert get("x-content-type-options") == "nosniff", where
    assert get("referrer-policy") in {"same-origin", "no-referrer", "strict-origin"}, where


def test_there_are_pages_to_check() -> None:
    assert {"/", "/login", "/people", "/audit"} <= set(PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_page_has_security_headers_and_no_inline_script(
    client: TestClient, world: World, path: str
) -> None:
    case = EXPECTATIONS[("GET", path)]
    role = next(r for r in (ADMIN, MEMBER, ANONYMOUS) if case.outcomes[r] == OK)
    response = send(client, world, role, "GET", path, case)
    assert response.status_code == 200, response.text[:300]
    assert_secure_headers(response.headers, path)
    if path.endswith(".csv"):
        # A download, not a page: nothing in it is ever run as script.
        assert response.headers["content-type"].startswith("text/csv")
        return
    assert response.headers["content-type"].startswith("text/html")
    assert not INLINE_SCRIPT.search(response.text), f"{path} has an inline <script>"
    assert not INLINE_HANDLER.search(response.text), f"{path} has an inline event handler"


def test_there_are_refusing_pages_to_check() -> None:
    assert {"/invite/{token}", "/reset/{token}", "/auth/oidc/login"} <= set(REFUSING_PAGES)


@pytest.mark.parametrize("path", REFUSING_PAGES)
def test_refusing_page_has_security_headers(client: TestClient, world: World, path: str) -> None:
    case = EXPECTATIONS[("GET", path)]
    response = send(client, world, ANONYMOUS, "GET", path, case)
    assert str(response.status_code) == case.outcomes[ANONYMOUS], response.text[:300]
    assert_secure_headers(response.headers, path)
    assert response.headers["content-type"].startswith("text/html"), path
    assert not INLINE_SCRIPT.search(response.text), f"{path} has an inline <script>"


def test_error_pages_and_the_api_carry_the_headers_too(client: TestClient, world: World) -> None:
    denied = send(client, world, MEMBER, "GET", "/audit", EXPECTATIONS[("GET", "/audit")])
    assert denied.status_code == 403
    assert_secure_headers(denied.headers, "403 page")
    client.cookies.clear()
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.headers["x-content-type-options"] == "nosniff"
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_secure_headers(missing.headers, "404 page")
