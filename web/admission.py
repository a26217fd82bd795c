"""Admission control: a few requests run inside the app at once, the rest wait their turn.

Sync dependencies and endpoints each take a thread from the worker's pool, one hop after
another, while the request's database transaction stays open in between. With more
requests in flight than connections, threads pile up waiting for a connection (or, on
SQLite, for the write lock) while the requests that hold one cannot get a thread for their
next hop: the worker stalls until a timeout fires. Waiting here instead, asynchronously
and before any thread or connection is taken, keeps every admitted request able to finish.

A worker runs Python on one core at a time, so more requests inside than a handful only
share that core more finely: each one's hops wait longer for the GIL and the event loop,
and on SQLite the writer that holds the write lock (for every worker) holds it longer.
So fewer are admitted than there are connections (``running``).

Writers (any method but GET, HEAD and OPTIONS, as ``web.deps.get_session`` decides) have
places of their own, so writers waiting for a lock never hold the places reads need. On
SQLite only one writer works at a time, across all workers, so a worker has one writer
place; on PostgreSQL writers take the connections the readers leave.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from web.read_retry import SAFE_METHODS

# Requests running inside a worker at once, at most (and never more than its connections).
RUNNING = 6


class AdmissionLimit:
    """Pure ASGI middleware; HTTP requests beyond the places queue in arrival order."""

    def __init__(
        self, app: ASGIApp, limit: int, *, running: int = RUNNING, serial_writes: bool = False
    ) -> None:
        self.app = app
        self.limit = max(1, min(limit - 1, running))  # readers' places
        self.writers = 1 if serial_writes else max(1, limit - self.limit)
        self._slots: asyncio.Semaphore | None = None
        self._writer_slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created inside the server's event loop
            self._slots = asyncio.Semaphore(self.limit)
            self._writer_slots = asyncio.Semaphore(self.writers)
        if scope.get("method", "GET") not in SAFE_METHODS:
            assert self._writer_slots is not None
            async with self._writer_slots:
                await self.app(scope, receive, send)
            return
        async with self._slots:
            await self.app(scope, receive, send)
