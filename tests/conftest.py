"""Shared fixtures: one migrated database per backend, each test rolled back."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import migrations.models  # noqa: F401
from core.clock import FixedClock
from core.db import Base, make_engine, make_sessionmaker
from core.settings import Settings, normalise_database_url
from migrations import runner
from web.app import create_app

POSTGRES_URL = os.environ.get("ALLHANDS_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

# A Tuesday morning, so weekly rotations starting on Mondays are mid-shift.
DEFAULT_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _admin_engine(url: str) -> Engine:
    return make_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def worker_database(url: str, worker: str) -> Iterator[str]:
    """Under pytest-xdist each worker gets its own database beside the configured one, so
    parallel workers never share (or reset) each other's tables."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    url = normalise_database_url(POSTGRES_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        reset_postgres(url)
        yield url
        return
    with worker_database(url, worker) as worker_url:
        yield worker_url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The migrated database every test of this backend shares (migrations run once)."""
    engine = make_engine(database_url)
    runner.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions joined to the test's outer transaction; their commits become savepoints."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        secret_key="test-secret-key-for-signing-cookies",
        base_url="http://testserver",
        data_dir=tmp_path,
    )


@pytest.fixture
def app(settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(settings, clock=clock, session_factory=session_factory)


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    # Test data written through `session` must be visible to requests: flush before each.
    with TestClient(app) as test_client:
        yield test_client


# --- a real server over real HTTP -------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    clock: FixedClock
    sessions: sessionmaker[Session]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def live_server(engine: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    """uvicorn in a thread on the test database; data is committed for real, then wiped.

    Tests that use it must not also use the rolled-back ``session`` fixture.
    """
    clock = FixedClock(DEFAULT_NOW)
    port = free_port()
    settings = Settings(
        secret_key="live-secret", base_url=f"http://127.0.0.1:{port}", data_dir=tmp_path
    )
    sessions = make_sessionmaker(engine)
    app = create_app(settings, clock=clock, session_factory=sessions)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app, clock=clock, sessions=sessions)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        _wipe(engine)
