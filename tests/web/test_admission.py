"""Admission control keeps the number of requests inside the app at its limit."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from starlette.types import Receive, Scope, Send

from web.admission import AdmissionLimit


async def noop_receive() -> dict[str, object]:
    return {"type": "http.request"}


async def noop_send(_message: object) -> None:
    return None


def test_requests_beyond_the_limit_wait_and_all_complete() -> None:
    inside = 0
    most_inside = 0
    completed = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal inside, most_inside, completed
        if scope["type"] != "http":
            completed += 1
            return
        inside += 1
        most_inside = max(most_inside, inside)
        await asyncio.sleep(0.01)
        inside -= 1
        completed += 1

    limited = AdmissionLimit(app, limit=4)  # one of the four is kept for writers

    async def main() -> None:
        await asyncio.gather(
            *(limited({"type": "http"}, noop_receive, noop_send) for _ in range(20)),
            limited({"type": "lifespan"}, noop_receive, noop_send),
        )

    # A thread of its own: browser tests may keep an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()
    assert most_inside == 3
    assert completed == 21  # the lifespan call passes straight through


def test_serial_writes_run_one_at_a_time_beside_the_readers() -> None:
    """On SQLite one writer of a worker is inside at a time, and writers waiting for it take
    no reader's place: the readers still run ``running`` at once."""
    inside = {"GET": 0, "PATCH": 0}
    most = {"GET": 0, "PATCH": 0}
    completed = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal completed
        method = scope["method"]
        inside[method] += 1
        most[method] = max(most[method], inside[method])
        await asyncio.sleep(0.01)
        inside[method] -= 1
        completed += 1

    limited = AdmissionLimit(app, limit=15, running=4, serial_writes=True)

    async def main() -> None:
        await asyncio.gather(
            *(
                limited({"type": "http", "method": method}, noop_receive, noop_send)
                for _ in range(10)
                for method in ("PATCH", "GET")
            )
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()
    assert most == {"GET": 4, "PATCH": 1}
    assert completed == 20


def test_readers_run_at_most_running_and_never_more_than_the_connections() -> None:
    assert AdmissionLimit(None, limit=30).limit == 6  # type: ignore[arg-type]
    assert AdmissionLimit(None, limit=3, running=6, serial_writes=True).limit == 2  # type: ignore[arg-type]
    assert AdmissionLimit(None, limit=3, running=6).limit == 2  # type: ignore[arg-type]
    # Writers have the connections readers leave, or on SQLite the worker's one writer place.
    assert AdmissionLimit(None, limit=30).writers == 24  # type: ignore[arg-type]
    assert AdmissionLimit(None, limit=15, serial_writes=True).writers == 1  # type: ignore[arg-type]
