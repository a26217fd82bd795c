"""GET requests run as SQLite readers; one that writes and loses the race runs again as a
writer, and its answer is the second run's (real SQLite file, real middleware)."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from starlette.types import Message, Receive, Scope, Send

from core.db import make_engine, make_sessionmaker
from web.deps import SessionDep
from web.read_retry import ReadRetry, RunAsWriter


def _write_locked(path: Path) -> bool:
    """Whether some connection holds the database's write lock right now."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()  # rolls back the probe's own transaction, if it began one
    return False


def _app(path: Path) -> tuple[FastAPI, list[bool]]:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE visits (id INTEGER PRIMARY KEY, note TEXT)"))
    sessions = make_sessionmaker(engine)
    app = FastAPI()
    app.state.sessionmaker = sessions
    app.add_middleware(ReadRetry)
    runs: list[bool] = []  # per run of /visit: whether it held the write lock from the start

    @app.get("/visit")
    def visit(session: SessionDep) -> dict[str, int]:
        before = session.scalar(text("SELECT count(*) FROM visits")) or 0
        runs.append(_write_locked(path))
        if len(runs) == 1:  # someone else commits between this run's read and its write
            with sessions() as other, other.begin():
                other.execute(text("INSERT INTO visits (note) VALUES ('elsewhere')"))
        session.execute(text("INSERT INTO visits (note) VALUES ('mine')"))
        return {"before": before}

    @app.get("/lock")
    def get_lock(session: SessionDep) -> dict[str, bool]:
        session.scalar(text("SELECT count(*) FROM visits"))
        return {"locked": _write_locked(path)}

    @app.post("/lock")
    def post_lock(session: SessionDep) -> dict[str, bool]:
        session.scalar(text("SELECT count(*) FROM visits"))
        return {"locked": _write_locked(path)}

    return app, runs


def test_a_get_that_loses_the_write_race_runs_again_as_a_writer(tmp_path: Path) -> None:
    app, runs = _app(tmp_path / "retry.sqlite")
    with TestClient(app) as client:
        response = client.get("/visit")
    assert response.status_code == 200
    assert runs == [False, True]
    # The second run read the other commit; only its own write was kept.
    assert response.json() == {"before": 1}
    with app.state.sessionmaker() as session:
        notes = session.scalars(text("SELECT note FROM visits ORDER BY id")).all()
    assert notes == ["elsewhere", "mine"]


def test_reads_take_no_write_lock_and_writes_take_it_up_front(tmp_path: Path) -> None:
    app, _runs = _app(tmp_path / "modes.sqlite")
    with TestClient(app) as client:
        assert client.get("/lock").json() == {"locked": False}
        assert client.post("/lock").json() == {"locked": True}


def test_an_answer_already_started_is_not_run_again() -> None:
    sent: list[Message] = []
    calls = 0

    async def app(_scope: Scope, _receive: Receive, send: Send) -> None:
        nonlocal calls
        calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RunAsWriter

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def main() -> None:
        with pytest.raises(RunAsWriter):
            await ReadRetry(app)({"type": "http", "method": "GET"}, receive, send)

    # A thread of its own: browser tests may keep an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()
    assert calls == 1 and len(sent) == 1
