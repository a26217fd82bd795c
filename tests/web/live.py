"""A real uvicorn server in a thread for an app a test built, and raw-socket helpers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """``app`` served on 127.0.0.1:``port`` until the block ends; yields its base URL."""
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
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def open_request(port: int, head: str, body: bytes = b"") -> socket.socket:
    """A connection that has sent ``head`` (CRLF line ends added) and ``body``, and waits."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
    return sock


def status_of(sock: socket.socket, *, timeout: float) -> int | None:
    """The status code the server answered on ``sock`` within ``timeout``, or None."""
    sock.settimeout(timeout)
    received = b""
    try:
        while b"\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    except (TimeoutError, ConnectionError):
        pass
    if not received.startswith(b"HTTP/1.1 "):
        return None
    return int(received.split(b" ", 2)[1])
