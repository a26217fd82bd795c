"""Bodies are bounded while they stream, before authentication, on every route; slow ones
hold no admission slot; 422 answers echo only an excerpt of the input."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db import make_sessionmaker, max_connections
from core.settings import Settings
from tests.conftest import _wipe, free_port
from tests.factories import auth, make_person, make_token
from tests.web.live import open_request, serving, status_of
from web.app import create_app

# The documented limits per route class (README, web/bodies.py).
MIB = 1024 * 1024
MAX_JSON_BYTES = MAX_WEBHOOK_BYTES = 1 * MIB
MAX_UPLOAD_BYTES = 5 * MIB
MAX_FORM_BYTES = 256 * 1024


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent chunked: no Content-Length tells its size up front."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def admin_headers(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_person(session, is_admin=True)))


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/api/v1/people", MAX_JSON_BYTES),
        ("/api/v1/cards/webhooks/guru", MAX_WEBHOOK_BYTES),
        ("/api/v1/cards/import", MAX_UPLOAD_BYTES),
        ("/login", MAX_FORM_BYTES),
    ],
)
def test_anonymous_bodies_over_the_route_limit_are_413(
    client: TestClient, path: str, limit: int
) -> None:
    declared = client.post(path, content=b"x" * (limit + 1))
    assert declared.status_code == 413, declared.text
    assert "larger than" in declared.json()["detail"]
    streamed = client.post(path, content=chunks(limit + 64 * 1024))
    assert streamed.status_code == 413, streamed.text


def test_an_upload_under_its_limit_gets_through(client: TestClient, session: Session) -> None:
    headers = {**admin_headers(session), "Content-Type": "text/csv"}
    # Larger than any JSON body may be, within the upload limit: the importer judges it.
    team = "t" * (2 * MIB)
    body = f"email,name,timezone,team\nnew@example.com,New,UTC,{team}\n".encode()
    response = client.post("/api/v1/people/import", content=body, headers=headers)
    assert response.status_code == 422, response.text[:300]
    assert response.json()["errors"]
    assert len(response.content) < 5_000


def test_a_422_echoes_only_an_excerpt_of_the_input(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    huge = "x" * 200_000
    response = client.post(
        "/api/v1/people", json={"email": "e@example.com", "name": huge}, headers=headers
    )
    assert response.status_code == 422
    assert len(response.content) < 2_000
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert error["input"].startswith("xxxx") and len(error["input"]) <= 201
    assert error["ctx"] == {"max_length": 200}
    nested = client.post(
        "/api/v1/people", json={"email": "e@example.com", "name": [huge]}, headers=headers
    )
    assert nested.status_code == 422
    assert len(nested.content) < 2_000


# --- over real sockets -------------------------------------------------------------------


@pytest.fixture
def slow_server(engine: Engine, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """A live server whose bodies must arrive within 2 s; yields (port, admission limit)."""
    port = free_port()
    settings = Settings(
        secret_key="live-secret",
        base_url=f"http://127.0.0.1:{port}",
        data_dir=tmp_path,
        body_timeout_seconds=2,
    )
    app = create_app(settings, session_factory=make_sessionmaker(engine))
    try:
        with serving(app, port):
            yield port, max_connections(str(engine.url))
    finally:
        _wipe(engine)


def slow_login_body(port: int) -> object:
    return open_request(
        port,
        "POST /login HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: application/x-www-form-urlencoded\nContent-Length: 100000\n",
        b"e",
    )


def test_slow_bodies_hold_no_admission_slot_and_time_out_with_408(
    slow_server: tuple[int, int],
) -> None:
    port, slots = slow_server
    probe = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=3)
    probe.get("/healthz")  # connected before the attack; each probe below is one request
    sockets = [slow_login_body(port) for _ in range(slots + 5)]
    try:
        time.sleep(0.3)  # every head has arrived; the bodies never will
        for _ in range(5):
            status, seconds = timed_get(probe, "/healthz")
            assert status == 200 and seconds < 1.0, (status, seconds)
        # A new connection is served too, and so is a request that needs the database.
        fresh = open_request(port, "GET /readyz HTTP/1.1\nHost: 127.0.0.1\n")
        with fresh:
            assert status_of(fresh, timeout=1.0) == 200
        statuses = [status_of(sock, timeout=5) for sock in sockets]  # type: ignore[arg-type]
        assert statuses == [408] * len(sockets)
    finally:
        probe.close()
        for sock in sockets:
            sock.close()  # type: ignore[attr-defined]


def timed_get(client: httpx.Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        status = client.get(path).status_code
    except httpx.TimeoutException:
        status = 0
    return status, time.perf_counter() - started


def test_a_declared_oversize_body_is_refused_before_it_is_sent(
    slow_server: tuple[int, int],
) -> None:
    port, _ = slow_server
    sock = open_request(
        port,
        "POST /api/v1/people HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: application/json\nContent-Length: 80000000\n",
    )
    with sock:
        assert status_of(sock, timeout=1.5) == 413


def test_a_chunked_oversize_body_is_refused_once_it_passes_the_limit(
    slow_server: tuple[int, int],
) -> None:
    port, _ = slow_server
    sock = open_request(
        port,
        "POST /api/v1/people HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: application/json\nTransfer-Encoding: chunked\n",
    )
    with sock:
        chunk = b"x" * 65536
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(MAX_JSON_BYTES // len(chunk) + 2):
            sock.sendall(framed)
        # Far less than the 80 MB an attacker would go on to send.
        assert status_of(sock, timeout=1.5) == 413


def blind_upload(port: int, path: str, size: int) -> int | None:
    """A sender that writes the whole declared body before it reads, as a browser uploading
    a file does: the answer must survive the server's close (no reset discarding it)."""
    head = (
        f"POST {path} HTTP/1.1\nHost: 127.0.0.1\n"
        f"Content-Type: application/json\nContent-Length: {size}\n"
    )
    try:
        sock = open_request(port, head, b"x" * size)
    except ConnectionError:
        return None
    with sock:
        return status_of(sock, timeout=5)


def test_a_sender_still_writing_its_oversize_body_reads_the_413(
    slow_server: tuple[int, int],
) -> None:
    port, _ = slow_server
    # Four times the limit: the 413 is written after the head; the rest arrives after it.
    statuses = [blind_upload(port, "/api/v1/people", 4 * MAX_JSON_BYTES) for _ in range(5)]
    assert statuses == [413] * 5
