"""Every page's query parameters, fed bad values: never a 5xx, and a refusal is an HTML page
with the navigation. The route table is walked, so a parameter added later is covered."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.settings import Settings
from tests.web.rotation_page_helpers import log_in, managed, person
from web.app import create_app

BAD_VALUES = ("abc", "\x00", "-1", "0", "1.5", "99999999999999999999", "9" * 5000, " ", "²")


def _query_names(dependant: Dependant) -> list[str]:
    names = [param.alias for param in dependant.query_params]
    for sub in dependant.dependencies:
        names += _query_names(sub)
    return names


def page_queries() -> list[tuple[str, str]]:
    """(path, query parameter) of every GET page that reads the query string."""
    app = create_app(Settings(secret_key="query-values", data_dir="/nonexistent"))
    found = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route.original_route, "dependant", None)
        if dependant is None or "GET" not in (route.methods or ()) or route.path is None:
            continue
        if route.path.startswith(("/api/", "/scim/", "/feeds/", "/auth/")):
            continue
        found += [(route.path, name) for name in _query_names(dependant)]
    return sorted(set(found))


QUERIES = page_queries()


def test_the_walk_finds_the_pages_with_queries() -> None:
    assert ("/audit", "actor") in QUERIES and ("/readiness", "status") in QUERIES
    assert ("/rotations/{slug}", "month") in QUERIES


@pytest.mark.parametrize(("path", "name"), QUERIES, ids=[f"{p}?{n}" for p, n in QUERIES])
def test_bad_query_values_are_answered_as_pages(
    client: TestClient, session: Session, path: str, name: str
) -> None:
    _rotation, grace, _people = managed(session, "Ana")
    admin = person(session, name="Alex", is_admin=True)
    session.flush()
    log_in(client, admin if path.startswith(("/audit", "/people")) else grace)
    url = path.replace("{slug}", "tier-two")
    failures = []
    for value in BAD_VALUES:
        response = client.get(f"{url}?{name}={quote(value)}", follow_redirects=False)
        code = response.status_code
        if code >= 500:
            failures.append(f"{value[:12]!r}: {code}")
        elif code >= 400 and (
            not response.headers["content-type"].startswith("text/html")
            or 'aria-label="Main"' not in response.text
        ):
            failures.append(f"{value[:12]!r}: {code} {response.text[:120]!r}")
    assert not failures, f"{path}?{name}=…\n" + "\n".join(failures)
