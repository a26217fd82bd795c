"""Operator-facing protections: /metrics for scrapers only, allowed Host names, no caching of
personal answers, and forwarded client addresses believed only from configured proxies."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bench.harness import serve
from core import feed_tokens
from core.clock import FixedClock
from core.settings import Settings
from tests.factories import auth, make_person, make_token
from web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def app_with(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], **changes: object
) -> FastAPI:
    return create_app(
        settings.model_copy(update=changes), clock=clock, session_factory=session_factory
    )


# --- /metrics ----------------------------------------------------------------------------


def test_metrics_without_a_token_are_served_to_loopback_only(
    app: FastAPI, session: Session
) -> None:
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 404
    for address in ("127.0.0.1", "::1"):
        with TestClient(app, client=(address, 40000)) as local:
            response = local.get("/metrics")
            assert response.status_code == 200
            assert "allhands_http_requests_total" in response.text


def test_metrics_with_a_token_need_it_from_everywhere(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], session: Session
) -> None:
    app = app_with(settings, clock, session_factory, metrics_token="scrape-me")
    for address in ("203.0.113.7", "127.0.0.1"):
        with TestClient(app, client=(address, 40000)) as client:
            assert client.get("/metrics").status_code == 404
            wrong = client.get("/metrics", headers={"Authorization": "Bearer scrape-you"})
            assert wrong.status_code == 404
            right = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
            assert right.status_code == 200
            assert "allhands_http_requests_total" in right.text


# --- Host --------------------------------------------------------------------------------


def test_only_the_base_url_host_and_allowed_hosts_are_served(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], session: Session
) -> None:
    app = app_with(
        settings, clock, session_factory, allowed_hosts="allhands.example.com, *.internal"
    )
    with TestClient(app) as client:
        assert client.get("/login").status_code == 200  # Host: testserver, the base URL's
        evil = client.get("/login", headers={"Host": "evil.example"})
        assert evil.status_code == 400
        assert "evil.example" not in evil.text
        for host in ("allhands.example.com", "node1.internal"):
            assert client.get("/login", headers={"Host": host}).status_code == 200
        # Probes are called by address and build no URLs.
        assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200


def test_a_loopback_base_url_answers_to_every_loopback_name() -> None:
    local = Settings(base_url="http://127.0.0.1:8000")
    assert set(local.allowed_host_names) == {"127.0.0.1", "localhost"}
    public = Settings(base_url="https://allhands.example.com", allowed_hosts="a.example.com")
    assert public.allowed_host_names == ["allhands.example.com", "a.example.com"]


def test_an_unknown_host_never_reaches_asset_urls(client: TestClient) -> None:
    response = client.get("/login", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.text


# --- Cache-Control -----------------------------------------------------------------------


def test_personal_answers_are_not_stored_by_caches(client: TestClient, session: Session) -> None:
    person = make_person(session, email="ana@example.com")
    token = make_token(session, person)
    for path in ("/api/v1/me", "/api/v1/people", "/api/v1/me/calendar"):
        response = client.get(path, headers=auth(token))
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store", path
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"  # a 401 too


def test_feeds_and_static_assets_keep_their_own_caching(
    client: TestClient, session: Session, settings: Settings
) -> None:
    person = make_person(session, email="ana@example.com")
    token = feed_tokens.token_for(secret_key=settings.resolved_secret_key(), person=person)
    feed = client.get(f"/feeds/{token}.ics")
    assert feed.status_code == 200
    assert feed.headers["cache-control"] == "private, max-age=300"
    asset = client.get("/static/allhands.css")
    assert asset.status_code == 200
    assert "no-store" not in asset.headers.get("cache-control", "")


# --- forwarded client addresses ------------------------------------------------------------


def test_serve_believes_forwarded_headers_only_when_configured() -> None:
    from flows.cli import server_options

    default = server_options(Settings())
    assert default["proxy_headers"] is False
    assert "forwarded_allow_ips" not in default
    behind_proxy = server_options(Settings(forwarded_allow_ips="10.0.0.5"))
    assert behind_proxy["proxy_headers"] is True
    assert behind_proxy["forwarded_allow_ips"] == "10.0.0.5"


def wrong_logins_with_forged_addresses(url: str, count: int) -> list[int]:
    statuses = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for n in range(count):
            match = CSRF.search(client.get("/login").text)
            assert match
            response = client.post(
                "/login",
                data={"email": f"guess{n}@example.com", "password": "x", "csrf_token": match[1]},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
            statuses.append(response.status_code)
    return statuses


@pytest.mark.parametrize(
    ("forwarded_allow_ips", "expected"),
    [("", [401, 401, 429]), ("127.0.0.1", [401, 401, 401])],
)
def test_a_forged_forwarded_for_does_not_escape_the_address_limit(
    tmp_path: Path, forwarded_allow_ips: str, expected: list[int]
) -> None:
    env = {
        "ALLHANDS_LOGIN_ATTEMPTS_PER_MINUTE": "2",
        "ALLHANDS_FORWARDED_ALLOW_IPS": forwarded_allow_ips,
    }
    database = f"sqlite:///{tmp_path / 'forwarded.db'}"
    with serve(database, workers=1, workdir=tmp_path, env=env) as server:
        assert wrong_logins_with_forged_addresses(server.url, 3) == expected
