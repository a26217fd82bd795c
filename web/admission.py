"""Admission control: at most N requests inside the app at once, the rest wait their turn.

Sync dependencies and endpoints each take a thread from the worker's pool, one hop after
another, while the request's database transaction stays open in between. With more
requests in flight than connections, threads pile up waiting for a connection (or, on
SQLite, for the write lock) while the requests that hold one cannot get a thread for their
next hop: the worker stalls until a timeout fires. Waiting here instead, asynchronously
and before any thread or connection is taken, keeps every admitted request able to finish.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionLimit:
    """Pure ASGI middleware; HTTP requests beyond ``limit`` queue in arrival order."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created inside the server's event loop
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
