"""GET and HEAD requests run as readers; the rare one that writes and loses runs again.

On SQLite a reading transaction (``core.db.reading``) waits for no writer, but its first
write fails at once when another writer holds the lock or has committed since it began
(SQLite cannot let it wait: it would write on a stale snapshot). Safe methods only record
incidental facts (when a token was last used), so such a request is simply run once more,
this time as a writer that takes the lock up front. Nothing has been sent by then: the unit
of work commits before the response starts.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_AS_WRITER = "allhands.as_writer"


class RunAsWriter(Exception):
    """A reading unit of work wrote and lost the race for the write lock: run it again."""


def as_writer(scope: MutableMapping[str, Any]) -> bool:
    """Whether this request runs again as a writer after losing the race once."""
    return bool(scope.get(_AS_WRITER))


class ReadRetry:
    """Pure ASGI middleware: one more run, as a writer, of a safe request that asks for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        started = False

        async def recording_receive() -> Message:
            message = await receive()
            received.append(message)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, recording_receive, tracking_send)
        except RunAsWriter:
            if started:
                raise
            replay = iter(received)

            async def replaying_receive() -> Message:
                return next(replay, None) or await receive()

            await self.app({**scope, _AS_WRITER: True}, replaying_receive, send)
