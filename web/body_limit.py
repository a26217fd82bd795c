"""Request bodies read in full, within a size limit and a deadline, before the app runs.

A body that is too large is refused as soon as that is known: from ``Content-Length`` before
a byte of it is read, or while counting a chunked one. A body that arrives too slowly is
refused when the deadline passes. Reading happens outside admission control (this
middleware wraps it), so a client that trickles its body holds a socket and a little
buffer, never one of the app's few admission slots, a thread or a database connection.
The limits apply to every route, before authentication: an anonymous caller cannot make
the server hold more than one limit's worth of bytes per connection.

A refusal is followed by a bounded lingering close, as web servers do: closing a socket with
unread bytes makes the kernel reset the connection, and the reset can discard the answer
before a client that is still sending (a browser uploading a file too large) has read it.
So what the client goes on sending is read and dropped, for at most ``LINGER_SECONDS`` and
``LINGER_BYTES``, before the connection is closed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import suppress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.bodies import describe_size

LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * 1024 * 1024


class BodyTooLarge(Exception):
    def __init__(self, *, more_body: bool) -> None:
        super().__init__("request body too large")
        self.more_body = more_body


class ClientGone(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware; the app below sees the buffered body as one message."""

    def __init__(
        self, app: ASGIApp, *, limit_for: Callable[[str], int], timeout_seconds: float
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _may_have_body(scope):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(receive, send, 413, f"request body larger than {describe_size(limit)}")
            return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await _read_body(receive, limit)
        except TimeoutError:
            detail = f"request body not received within {self.timeout_seconds:g} seconds"
            await _refuse(receive, send, 408, detail)
            return
        except BodyTooLarge as exc:
            detail = f"request body larger than {describe_size(limit)}"
            await _refuse(receive if exc.more_body else None, send, 413, detail)
            return
        except ClientGone:
            return
        await self.app(scope, _replay(body, receive), send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _may_have_body(scope: Scope) -> bool:
    # HTTP/1.1 frames a request body only by Content-Length or Transfer-Encoding.
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() != b"0"
    return _header(scope, b"transfer-encoding") is not None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None  # the server has already refused a malformed one
    return int(value)


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(more_body=message.get("more_body", False))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The whole body once, then the server's own messages (a later disconnect)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(receive: Receive | None, send: Send, status: int, detail: str) -> None:
    """Answer, linger while the client still sends (``receive``, when the body has not
    ended), and close: the connection is done."""
    content = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    # The whole answer goes out now (its length is declared); the server closes the
    # connection when the last message is sent, after the lingering.
    await send({"type": "http.response.body", "body": content, "more_body": True})
    if receive is not None:
        await _linger(receive)
    await send({"type": "http.response.body", "body": b""})


async def _linger(receive: Receive) -> None:
    """Read and drop the rest of the body until it ends, the client goes, or a bound."""
    dropped = 0
    with suppress(TimeoutError):
        async with asyncio.timeout(LINGER_SECONDS):
            while dropped <= LINGER_BYTES:
                message = await receive()
                if message["type"] == "http.disconnect" or not message.get("more_body", False):
                    return
                dropped += len(message.get("body", b""))
