"""Login does the same work for every email, and its throttle never locks the real person
out: it counts (account, address) pairs and addresses, one attempt at a time."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import argon2
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import security
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


class CountingHasher:
    """The application's argon2 hasher, noting the parameters of every hash it verifies."""

    def __init__(self, hasher: argon2.PasswordHasher) -> None:
        self.hasher = hasher
        self.verified: list[argon2.Parameters] = []

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(argon2.extract_parameters(password_hash))
        return self.hasher.verify(password_hash, password)


def test_unknown_and_known_emails_do_the_same_work(
    settings: Settings,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Timing must not tell which accounts exist: a wrong password for a real account, an
    unknown email, an account without a password and a deactivated one each cost exactly one
    argon2 verification, against a hash made with the same parameters. (Counted, not timed:
    on a shared machine two timings say more about the neighbours than about the work.)"""
    make_person(session, email="real@example.com", password="the right one")
    make_person(session, email="sso-only@example.com")
    make_person(session, email="gone@example.com", password="old password", active=False)
    counting = CountingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", counting)
    roomy = settings.model_copy(update={"login_attempts_per_minute": 100})
    app = create_app(roomy, clock=clock, session_factory=session_factory)
    emails = ["real@example.com", "nobody@example.com", "sso-only@example.com"]
    emails += ["gone@example.com", "REAL@example.com", ""]
    work: dict[str, list[argon2.Parameters]] = {}
    with TestClient(app) as client:
        for email in emails:
            counting.verified.clear()
            assert login(client, email, "wrong guess") == 401
            work[email] = list(counting.verified)
        counting.verified.clear()
        assert login(client, "real@example.com", "the right one") == 303
        right = list(counting.verified)
    assert all(len(checks) == 1 for checks in work.values()), work
    assert len(right) == 1
    assert all(checks == right for checks in work.values()), (work, right)


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
