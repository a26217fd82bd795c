"""Health, readiness, metrics, API docs and security headers."""

from __future__ import annotations

import gc
import weakref

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from core.settings import Settings
from tests.factories import auth, make_person, make_token
from web.app import create_app


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


def test_metrics_count_requests_by_route_template(app: FastAPI, session: Session) -> None:
    # Scraped from the same host (no ALLHANDS_METRICS_TOKEN set).
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        client.get("/healthz")
        client.get("/api/v1/people/12345")
        body = client.get("/metrics").text
    assert "allhands_http_requests_total" in body
    assert 'route="/healthz"' in body
    assert 'route="/api/v1/people/{person_id}"' in body
    assert "/api/v1/people/12345" not in body


def test_openapi_docs_are_served(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "allhands - Swagger UI" in docs.text
    assert '"/openapi.json"' in docs.text or "'/openapi.json'" in docs.text
    redoc = client.get("/redoc")
    assert redoc.status_code == 200
    assert "allhands - ReDoc" in redoc.text
    # Every asset the pages load comes from this server, not a CDN.
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        assert f"/static-docs/{asset}" in docs.text + redoc.text
        assert client.get(f"/static-docs/{asset}").status_code == 200
    assert "https://" not in docs.text.split("<body>")[0]
    assert client.get("/docs/oauth2-redirect").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/people" in schema["paths"]


def test_an_app_that_served_requests_is_freed_when_dropped(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    # Endpoints are kept in process-wide caches; one that closes over its app would keep
    # every app built in the process (and all it holds) alive.
    def serve_once() -> weakref.ref[FastAPI]:
        app = create_app(settings, session_factory=session_factory)
        with TestClient(app) as client:
            for path in ("/docs", "/docs/oauth2-redirect", "/redoc", "/login", "/api/v1/people"):
                assert client.get(path).status_code in {200, 401}
        return weakref.ref(app)

    apps = [serve_once() for _ in range(3)]
    gc.collect()
    assert [app() for app in apps] == [None, None, None]


def test_pages_carry_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_audit_log_is_admin_only(client: TestClient, session: Session) -> None:
    admin = make_person(session, is_admin=True)
    member = make_person(session)
    client.post(
        "/api/v1/people",
        json={"email": "new@example.com", "name": "New"},
        headers=auth(make_token(session, admin)),
    )
    events = client.get("/api/v1/audit", headers=auth(make_token(session, admin)))
    assert events.status_code == 200
    assert events.json()[0]["action"] == "person.create"
    assert events.json()[0]["actor_id"] == admin.id
    assert client.get("/api/v1/audit", headers=auth(make_token(session, member))).status_code == 403


def test_apps_in_one_process_share_routes_but_each_answers_by_its_own_settings(
    settings: Settings, session_factory: sessionmaker[Session], session: Session
) -> None:
    person = make_person(session, email="proxied@example.com")
    session.flush()
    proxied = create_app(
        settings.model_copy(update={"auth_header": "X-Remote-User"}),
        session_factory=session_factory,
    )
    plain = create_app(settings, session_factory=session_factory)
    header = {"X-Remote-User": person.email}
    with TestClient(proxied) as by_proxy, TestClient(plain) as direct:
        assert by_proxy.get("/api/v1/me", headers=header).json()["id"] == person.id
        assert direct.get("/api/v1/me", headers=header).status_code == 401
        # And the other way round, after both have served a request.
        assert direct.get("/api/v1/me", headers=header).status_code == 401
        assert by_proxy.get("/api/v1/me", headers=header).status_code == 200
