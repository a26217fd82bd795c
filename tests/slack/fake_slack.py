"""A local Slack Web API on 127.0.0.1: the methods allhands calls, answered as Slack documents
them, every request recorded so tests can assert the payloads.

Slack answers HTTP 200 with ``{"ok": false, "error": …}`` for most failures, 429 with a
``Retry-After`` header and ``ratelimited`` when a method is called too often, and
``invalid_auth`` for a bad token.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.conftest import free_port

TOKEN = "xoxb-test-token"
METHODS = (
    "chat.postMessage",
    "chat.update",
    "views.open",
    "users.lookupByEmail",
    "usergroups.users.update",
    "users.info",
)


@dataclass
class Call:
    method: str
    token: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    """State of the fake workspace: its users by email, queued failures, what was called."""

    port: int
    users: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # method -> answers to give before answering normally: "ratelimited:<seconds>", an error
    # code, or "ok" (answer this one normally).
    failures: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def called(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def fail_next(self, method: str, *answers: str) -> None:
        with self.lock:
            self.failures.setdefault(method, []).extend(answers)

    def answer(
        self, method: str, token: str, args: dict[str, Any]
    ) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.calls.append(Call(method, token, args))
            queued = self.failures.get(method) or []
            failure = queued.pop(0) if queued else None
            failure = None if failure == "ok" else failure
            self._ts += 1
            ts = f"1700000000.{self._ts:06d}"
        if method not in METHODS:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        if token != TOKEN:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if failure and failure.startswith("ratelimited"):
            seconds = failure.partition(":")[2] or "1"
            return 429, {"Retry-After": seconds}, {"ok": False, "error": "ratelimited"}
        if failure:
            return 200, {}, {"ok": False, "error": failure}
        return 200, {}, self._success(method, args, ts)

    def _success(self, method: str, args: dict[str, Any], ts: str) -> dict[str, Any]:
        if method == "users.lookupByEmail":
            user_id = self.users.get(str(args.get("email", "")).lower())
            if user_id is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": user_id, "profile": {"email": args["email"]}}}
        if method == "users.info":
            emails = {user: email for email, user in self.users.items()}
            if args.get("user") not in emails:
                return {"ok": False, "error": "user_not_found"}
            return {
                "ok": True,
                "user": {"id": args["user"], "profile": {"email": emails[args["user"]]}},
            }
        if method in ("chat.postMessage", "chat.update"):
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": args["channel"], "ts": args.get("ts") or ts}
        if method == "usergroups.users.update":
            users = [u for u in str(args.get("users", "")).split(",") if u]
            return {"ok": True, "usergroup": {"id": args.get("usergroup"), "users": users}}
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": "V000001", **(args.get("view") or {})}}


def _parse(handler: BaseHTTPRequestHandler) -> tuple[str, dict[str, Any]]:
    parts = urlsplit(handler.path)
    args: dict[str, Any] = dict(parse_qsl(parts.query))
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    kind = handler.headers.get("Content-Type", "")
    if raw and kind.startswith("application/json"):
        args.update(json.loads(raw))
    elif raw:
        args.update(parse_qsl(raw.decode()))
    for key in ("blocks", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    auth = handler.headers.get("Authorization", "")
    token = auth.removeprefix("Bearer ") if auth else str(args.pop("token", ""))
    return token, args


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Web API on a free port for the duration of the block."""
    state = FakeSlack(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            method = urlsplit(self.path).path.removeprefix("/api/")
            token, args = _parse(self)
            status, headers, body = state.answer(method, token, args)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
