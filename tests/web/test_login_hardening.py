"""Login does the same work for every email, and its throttle never locks the real person
out: it counts (account, address) pairs and addresses, one attempt at a time."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FixedClock
from core.db import make_sessionmaker
from core.settings import Settings
from tests.conftest import _wipe, free_port
from tests.factories import make_person
from tests.web.live import serving
from web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient | httpx.Client, email: str, password: str) -> int:
    page = client.get("/login")
    match = CSRF.search(page.text)
    assert match, "login page without CSRF field"
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    return response.status_code


def from_address(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


@pytest.fixture
def tight_app(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]
) -> FastAPI:
    """Three failures a minute per address: each password check costs real time."""
    tight = settings.model_copy(update={"login_attempts_per_minute": 3})
    return create_app(tight, clock=clock, session_factory=session_factory)


def test_unknown_and_known_emails_take_the_same_time(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], session: Session
) -> None:
    make_person(session, email="real@example.com", password="the right one")
    roomy = settings.model_copy(update={"login_attempts_per_minute": 100})
    app = create_app(roomy, clock=clock, session_factory=session_factory)

    def timed(email: str) -> float:
        started = time.perf_counter()
        assert login(client, email, "wrong guess") == 401
        return time.perf_counter() - started

    with TestClient(app) as client:
        timed("warm-up@example.com")
        known = [timed("real@example.com") for _ in range(3)]
        unknown = [timed(f"nobody{n}@example.com") for n in range(3)]
    # A password check costs tens of milliseconds or more; a lookup alone a few. Equal work
    # keeps the medians within a factor of two of each other.
    assert statistics.median(unknown) > 0.5 * statistics.median(known), (known, unknown)


def test_failures_from_one_address_never_lock_the_person_out(
    tight_app: FastAPI, session: Session
) -> None:
    make_person(session, email="ana@example.com", password="ana's own password")
    with from_address(tight_app, "203.0.113.5") as attacker:
        statuses = [login(attacker, "ana@example.com", f"guess {n}") for n in range(6)]
    assert statuses == [401] * 3 + [429] * 3
    with from_address(tight_app, "198.51.100.7") as ana:
        assert login(ana, "ana@example.com", "ana's own password") == 303


def test_an_address_guessing_many_accounts_is_throttled_and_told_when_to_retry(
    tight_app: FastAPI, session: Session
) -> None:
    with from_address(tight_app, "203.0.113.9") as attacker:
        statuses = [login(attacker, f"user{n}@example.com", "guess") for n in range(3)]
        page = attacker.get("/login")
        match = CSRF.search(page.text)
        assert match
        data = {"email": "user3@example.com", "password": "guess", "csrf_token": match[1]}
        throttled = attacker.post("/login", data=data)
    assert statuses == [401] * 3
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    with from_address(tight_app, "203.0.113.10") as other:
        assert login(other, "user0@example.com", "guess") == 401


@pytest.fixture
def live_url(engine: Engine, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = Settings(
        secret_key="live-secret",
        base_url=f"http://127.0.0.1:{port}",
        data_dir=tmp_path,
        login_attempts_per_minute=3,
    )
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        make_person(session, email="ana@example.com", password="ana's own password")
    try:
        with serving(create_app(settings, session_factory=sessions), port) as url:
            yield url
    finally:
        _wipe(engine)


def test_parallel_wrong_attempts_are_counted_one_at_a_time(live_url: str) -> None:
    clients = [httpx.Client(base_url=live_url, timeout=60) for _ in range(40)]
    tokens = []
    for client in clients:
        match = CSRF.search(client.get("/login").text)
        assert match
        tokens.append(match[1])
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attempt(client: httpx.Client, token: str) -> None:
        start.wait()
        data = {"email": "ana@example.com", "password": "wrong", "csrf_token": token}
        statuses.append(client.post("/login", data=data).status_code)

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) <= 3, statuses  # the limit, however many arrive at once
