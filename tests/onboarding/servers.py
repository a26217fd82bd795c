"""Real delivery endpoints on 127.0.0.1 for reminder tests: an SMTP server and a Slack webhook."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port


@dataclass
class Mailbox:
    """What the SMTP server received: one parsed message per DATA command."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    def url(self, credentials: str = "") -> str:
        return f"smtp://{credentials}127.0.0.1:{self.port}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(*, username: str | None = None, password: str | None = None) -> Iterator[Mailbox]:
    """An aiosmtpd server on a free port; with credentials it requires that login."""
    mailbox = Mailbox(port=free_port())

    def authenticate(
        _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == username
            and data.password.decode() == password
        )
        if ok:
            mailbox.logins.append(username or "")
        return AuthResult(success=ok)

    options: dict[str, Any] = {}
    if username is not None:
        options = {
            "authenticator": authenticate,
            "auth_required": True,
            "auth_require_tls": False,
        }
    with warnings.catch_warnings():
        # Plain-text AUTH is fine for a server that only ever listens on loopback.
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, **options)
        controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class SlackHook:
    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    # Answer with this status (e.g. 500 to make deliveries fail).
    status: int = 200


@contextmanager
def slack_server() -> Iterator[SlackHook]:
    """A local HTTP server standing in for a Slack incoming webhook."""
    hook = SlackHook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if hook.status == 200:
                hook.posts.append(json.loads(body))
            self.send_response(hook.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if hook.status == 200 else b"error")

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
