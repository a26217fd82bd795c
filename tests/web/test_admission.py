"""Admission control keeps the number of requests inside the app at its limit."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from starlette.types import Receive, Scope, Send

from web.admission import AdmissionLimit


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

    limited = AdmissionLimit(app, limit=3)

    async def noop_receive() -> dict[str, object]:
        return {"type": "http.request"}

    async def noop_send(_message: object) -> None:
        return None

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
