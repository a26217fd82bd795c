"""Abuse of the HTTP layer against a real ``allhands serve``, on loopback only.

    python -m bench.abuse           # 40 slow bodies, an 80 MB anonymous body, 100 wrong logins
    python -m bench.abuse --short   # the form the test suite runs (shorter deadline, fewer logins)

Starts its own server (one worker, a temporary SQLite database) on a free loopback port and
stops it when done. For each attack it prints the server's RSS before and after, the latency
of ``/healthz`` (p50/p99) while the attack runs, and the statuses the attackers got. Goals:
40 slow bodies leave ``/healthz`` p99 under 200 ms; an 80 MB anonymous body is a 413 in under
a second with under 50 MB of RSS growth. Exits non-zero when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.harness import Server, run_async, seed, serve
from bench.loadgen import percentile

WEBHOOK_SECRET = "abuse-webhook-secret"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HUGE_BYTES = 80 * 1000 * 1000
SLOW_BODY_DECLARED = 100_000
DEEP_JSON = b"[" * 100_000


@dataclass(frozen=True)
class Size:
    """How hard each attack pushes; the short form keeps the suite quick."""

    slow_bodies: int = 40
    body_timeout_seconds: float = 10.0
    wrong_logins: int = 100
    login_limit: int = 10


FULL = Size()
SHORT = Size(body_timeout_seconds=2.0, wrong_logins=40, login_limit=3)


@dataclass
class Outcome:
    attack: str
    statuses: Counter[int | None]
    rss_before_mb: float
    rss_after_mb: float
    healthz_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        p50 = percentile(self.healthz_ms, 0.5) if self.healthz_ms else float("nan")
        p99 = percentile(self.healthz_ms, 0.99) if self.healthz_ms else float("nan")
        shown = ", ".join(
            f"{v} x {k or 'closed'}" for k, v in sorted(self.statuses.items(), key=str)
        )
        return (
            f"{self.attack:<28} rss {self.rss_before_mb:6.1f} → {self.rss_after_mb:6.1f} MB   "
            f"/healthz p50 {p50:6.1f} ms p99 {p99:6.1f} ms   {self.seconds:5.2f} s   [{shown}]"
        )


def rss_mb(server: Server) -> float:
    """Resident memory of the server process (one worker: the app runs in it)."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS for the server process")


@contextmanager
def probing(url: str) -> Iterator[list[float]]:
    """``/healthz`` every 20 ms on a thread of its own while the block runs; timeouts 5 s.

    The first request (connecting, the server's first answer on it) is not counted.
    """
    latencies: list[float] = []
    done = threading.Event()
    ready = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=url, timeout=5) as client:
            client.get("/healthz")
            ready.set()
            while not done.is_set():
                started = time.perf_counter()
                with suppress(httpx.HTTPError):
                    client.get("/healthz")
                latencies.append((time.perf_counter() - started) * 1000)
                done.wait(0.02)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    ready.wait(timeout=10)
    try:
        yield latencies
    finally:
        done.set()
        thread.join(timeout=10)


def measure(
    server: Server, attack: str, run: Callable[[], Awaitable[Counter[int | None]]]
) -> Outcome:
    before = rss_mb(server)
    started = time.perf_counter()
    with probing(server.url) as latencies:
        statuses = run_async(run())  # type: ignore[arg-type]
    return Outcome(
        attack=attack,
        statuses=statuses,
        rss_before_mb=before,
        rss_after_mb=rss_mb(server),
        healthz_ms=list(latencies),
        seconds=time.perf_counter() - started,
    )


# --- raw connections -----------------------------------------------------------------------


async def read_status(reader: asyncio.StreamReader, timeout: float) -> int | None:
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except (TimeoutError, ConnectionError):
        return None
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[0].startswith(b"HTTP/") else None


async def connect(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def slow_body(url: str, deadline: float) -> int | None:
    """A login form head promising 100 kB, then one byte a second until answered."""
    reader, writer = await connect(url)
    head = (
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {SLOW_BODY_DECLARED}\r\n\r\n"
    )
    writer.write(head.encode())
    answer = asyncio.ensure_future(read_status(reader, deadline))
    try:
        while not answer.done():
            writer.write(b"e")
            await writer.drain()
            await asyncio.wait({answer}, timeout=1.0)
    except ConnectionError:
        pass
    status = await answer
    writer.close()
    return status


async def slow_bodies(url: str, size: Size) -> Counter[int | None]:
    deadline = size.body_timeout_seconds + 5
    results = await asyncio.gather(*(slow_body(url, deadline) for _ in range(size.slow_bodies)))
    return Counter(results)


async def huge_body(url: str, *, chunked: bool) -> Counter[int | None]:
    """80 MB of anonymous JSON to /api/v1/people.

    Declared with Content-Length, the sender asks ``Expect: 100-continue`` and holds the body
    back, as careful clients do with large uploads: the 413 must come from the head alone,
    deterministically (a server that wanted the body would answer 100 first; the sender then
    sends it until answered, and both statuses are counted). A blind sender of a declared
    body is tested in ``tests/web/test_body_limits.py``.

    Chunked, 80 MB are sent until the server answers; the 413 comes once the limit is passed.
    The server then reads and drops at most 2 s or 16 MiB more before it closes, so a sender
    still writing after that may see the connection reset before it reads the answer
    (counted as ``closed``); either way the server stopped reading.
    """
    reader, writer = await connect(url)
    framing = (
        "Transfer-Encoding: chunked"
        if chunked
        else f"Content-Length: {HUGE_BYTES}\r\nExpect: 100-continue"
    )
    writer.write(
        f"POST /api/v1/people HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n".encode()
    )
    statuses: Counter[int | None] = Counter()
    if not chunked:
        status = await read_status(reader, 30)
        if status != 100:
            writer.close()
            return Counter([status])
        statuses[100] += 1
        await reader.readline()  # the blank line ending the interim answer
    answer = asyncio.ensure_future(read_status(reader, 30))
    chunk = b"[" + b"1," * (512 * 1024 - 1) + b"1"
    sent = 0
    try:
        while not answer.done() and sent < HUGE_BYTES:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
            await writer.drain()
            sent += len(chunk)
            await asyncio.sleep(0)
    except ConnectionError:
        pass
    statuses[await answer] += 1
    writer.close()
    return statuses


# --- requests --------------------------------------------------------------------------------


async def status_or_none(request: Awaitable[httpx.Response]) -> int | None:
    """The answer's status, or None when the connection failed without one."""
    try:
        return (await request).status_code
    except httpx.HTTPError:
        return None


async def wrong_logins(url: str, count: int) -> Counter[int | None]:
    """``count`` clients, each with its own session and CSRF token, all guessing at once."""
    clients = [httpx.AsyncClient(base_url=url, timeout=120) for _ in range(count)]
    try:
        tokens = []
        for client in clients:
            match = CSRF.search((await client.get("/login")).text)
            tokens.append(match[1] if match else "")

        async def guess(client: httpx.AsyncClient, token: str) -> int | None:
            data = {"email": "member0@bench.example.com", "password": "guess", "csrf_token": token}
            return await status_or_none(client.post("/login", data=data))

        pairs = zip(clients, tokens, strict=True)
        return Counter(await asyncio.gather(*(guess(c, t) for c, t in pairs)))
    finally:
        for client in clients:
            await client.aclose()


async def deep_json(url: str, admin_token: str) -> Counter[int | None]:
    """``[`` x 100 000 to the card import (admin) and to the signed Guru webhook."""
    from kb_links import webhooks

    signed = webhooks.signed_headers(secret=WEBHOOK_SECRET, body=DEEP_JSON, at=datetime.now(UTC))
    json_type = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        imported = await status_or_none(
            client.post(
                "/api/v1/cards/import",
                content=DEEP_JSON,
                headers={"Authorization": f"Bearer {admin_token}", **json_type},
            )
        )
        hooked = await status_or_none(
            client.post(
                "/api/v1/cards/webhooks/guru",
                content=DEEP_JSON,
                headers={**signed, **json_type},
            )
        )
    return Counter([imported, hooked])


# --- the run ---------------------------------------------------------------------------------


def warm_up(url: str) -> None:
    """One ordinary request of each kind first, so first-use costs are not counted."""
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/healthz")
        client.get("/login")
        client.post("/login", data={"email": "x@example.com", "password": "-"})
        client.post("/api/v1/people", json={})


def run(size: Size, workdir: Path) -> list[Outcome]:
    """Every attack against one fresh server, in turn."""
    database = f"sqlite:///{workdir / 'abuse.db'}"
    org = seed(database, members=2, logins=1, rotation=False)
    env = {
        "ALLHANDS_BODY_TIMEOUT_SECONDS": str(size.body_timeout_seconds),
        "ALLHANDS_LOGIN_ATTEMPTS_PER_MINUTE": str(size.login_limit),
        "ALLHANDS_GURU_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    with serve(database, workers=1, workdir=workdir, env=env) as server:
        url = server.url
        warm_up(url)
        return [
            measure(server, f"{size.slow_bodies} slow bodies", lambda: slow_bodies(url, size)),
            measure(server, "80 MB JSON, Content-Length", lambda: huge_body(url, chunked=False)),
            measure(server, "80 MB JSON, chunked", lambda: huge_body(url, chunked=True)),
            measure(
                server,
                f"{size.wrong_logins} wrong logins at once",
                lambda: wrong_logins(url, size.wrong_logins),
            ),
            measure(
                server, "[ x 100000 (import, webhook)", lambda: deep_json(url, org.admin_token)
            ),
        ]


def missed_goals(outcomes: list[Outcome]) -> list[str]:
    """The stated goals, checked against what was measured."""
    missed = []
    slow, declared, chunked = outcomes[0], outcomes[1], outcomes[2]
    if slow.healthz_ms and percentile(slow.healthz_ms, 0.99) >= 200:
        missed.append("slow bodies: /healthz p99 not under 200 ms")
    for huge, refusals in ((declared, {413}), (chunked, {413, None})):
        if not set(huge.statuses) <= refusals or huge.seconds >= 1.0:
            missed.append(f"{huge.attack}: not refused within 1 s")
        if huge.rss_after_mb - huge.rss_before_mb >= 50:
            missed.append(f"{huge.attack}: RSS grew by 50 MB or more")
    return missed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the quick form the tests run")
    options = parser.parse_args(argv)
    size = SHORT if options.short else FULL
    with tempfile.TemporaryDirectory(prefix="allhands-abuse-") as workdir:
        outcomes = run(size, Path(workdir))
    for outcome in outcomes:
        print(outcome.line())
    missed = missed_goals(outcomes)
    for problem in missed:
        print(f"MISSED: {problem}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
