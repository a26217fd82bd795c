"""Every JSON list answers pages: ?limit= (default and at most 500), ?page=, Link: rel=next."""

from __future__ import annotations

import re
from typing import get_origin

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.settings import Settings
from tests.factories import auth, make_people, make_person, make_token
from web.app import create_app

NEXT = re.compile(r'<([^>]+)>; rel="next"')


def _pages(client: TestClient, path: str, headers: dict[str, str]) -> list[list[dict[str, object]]]:
    """Every page of ``path``, following Link: rel="next" to the end."""
    pages = []
    url: str | None = path
    while url is not None:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list), "pages stay plain JSON arrays"
        pages.append(response.json())
        found = NEXT.search(response.headers.get("link", ""))
        url = found.group(1) if found else None
    return pages


def test_people_come_in_pages_linked_by_next(client: TestClient, session: Session) -> None:
    make_people(session, 6)
    headers = auth(make_token(session, make_person(session, is_admin=True)))
    everyone = client.get("/api/v1/people", headers=headers)
    assert len(everyone.json()) == 7 and "link" not in everyone.headers
    pages = _pages(client, "/api/v1/people?limit=3", headers)
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [p for page in pages for p in page] == everyone.json()
    first = client.get("/api/v1/people?limit=3", headers=headers)
    assert first.headers["link"] == ('<http://testserver/api/v1/people?page=2&limit=3>; rel="next"')


def test_the_default_page_is_the_largest_500(client: TestClient, session: Session) -> None:
    # Clients written before pages existed read whole lists: the default page is as large as
    # a page can be, so only lists past 500 rows make them follow rel="next".
    make_people(session, 510)
    headers = auth(make_token(session, make_person(session, is_admin=True)))
    default = client.get("/api/v1/people", headers=headers)
    assert len(default.json()) == 500 and 'rel="next"' in default.headers["link"]
    assert len(client.get("/api/v1/people?page=2", headers=headers).json()) == 11
    past = client.get("/api/v1/people?page=9", headers=headers)
    assert past.json() == [] and "link" not in past.headers


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "page=0", "limit=x", "page=-1"])
def test_out_of_range_paging_is_422(client: TestClient, session: Session, query: str) -> None:
    headers = auth(make_token(session, make_person(session)))
    response = client.get(f"/api/v1/people?{query}", headers=headers)
    assert response.status_code == 422


def test_the_audit_trail_pages_in_the_database(client: TestClient, session: Session) -> None:
    admin = make_person(session, is_admin=True)
    headers = auth(make_token(session, admin))
    for n in range(5):
        client.patch(f"/api/v1/people/{admin.id}", json={"name": f"Ada {n}"}, headers=headers)
    pages = _pages(client, "/api/v1/audit?limit=2", headers)
    assert [len(page) for page in pages] == [2, 2, 1]
    ids = [event["id"] for page in pages for event in page]
    assert len(set(ids)) == 5


def test_every_json_list_endpoint_takes_limit_and_page(tmp_path: object) -> None:
    app = create_app(Settings(secret_key="route-table", data_dir=str(tmp_path)))
    lists, unpaged = [], []
    # Included routers are resolved lazily; iter_route_contexts walks into them.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        if get_origin(route.response_model) is not list:
            continue
        lists.append(context.path)
        queries = {param.alias for param in route.dependant.query_params}
        for dependency in route.dependant.dependencies:
            queries |= {param.alias for param in dependency.query_params}
        if not {"limit", "page"} <= queries:
            unpaged.append(context.path)
    assert len(lists) > 15 and "/api/v1/rotations/{slug}/shifts" in lists
    assert not unpaged, f"list endpoints without ?limit= and ?page=: {unpaged}"
