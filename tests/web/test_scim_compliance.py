"""scim2-tester's RFC 7643/7644 checks against /scim/v2 of a live server over real HTTP."""

from __future__ import annotations

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from core import scim_tokens
from tests.conftest import DEFAULT_NOW, LiveServer

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


def test_scim2_tester_finds_nothing_wrong(live_server: LiveServer) -> None:
    with live_server.sessions.begin() as session:
        _row, token = scim_tokens.issue_scim_token(session, label="tester", now=DEFAULT_NOW)
    http = httpx2.Client(
        base_url=live_server.url + "/scim/v2", headers={"Authorization": f"Bearer {token}"}
    )
    with http:
        results = check_server(SyncSCIMClient(http))
    failures = [
        f"{r.resource_type or '-'} {r.title}: {r.status.name} {r.reason}"
        for r in results
        if r.status not in PASSING
    ]
    assert not failures, "\n".join(failures)
    titles = {r.title for r in results}
    # Discovery, every CRUD verb and PATCH add/replace/remove were all exercised.
    for expected in (
        "service_provider_config_endpoint",
        "query_all_schemas",
        "object_creation",
        "object_replacement",
        "object_deletion",
        "check_add_attribute",
        "check_replace_attribute",
        "check_remove_attribute",
    ):
        assert expected in titles
    assert {r.resource_type for r in results} >= {"User", "Group"}
    assert len(results) >= 50


def test_without_a_token_the_tester_gets_nowhere(live_server: LiveServer) -> None:
    with httpx2.Client(base_url=live_server.url + "/scim/v2") as http:
        answer = http.get("/Users")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/scim+json")
