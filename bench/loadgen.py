"""Bounded loopback load: an asyncio/aiohttp driver (every response recorded) and a wrk driver.

The Python driver is what the fault scripts use, because they need each request's outcome
and timing; wrk gives the higher ceiling for throughput figures when it is installed.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import run_async


@dataclass(frozen=True)
class Call:
    """One request of the mix, and the statuses that count as a correct answer."""

    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    ok: frozenset[int] = frozenset({200})


@dataclass(frozen=True)
class Result:
    call: Call
    worker: int
    started: float  # time.monotonic() when it was sent
    seconds: float
    status: int | None  # None: no HTTP answer at all
    error: str | None = None

    @property
    def finished(self) -> float:
        return self.started + self.seconds

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500 or self.status not in self.call.ok


Plan = Callable[[int, int], Call]  # (worker, sequence number) -> the next request


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


@dataclass
class Report:
    driver: str
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    results: list[Result] = field(default_factory=list, repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.driver}: {self.requests} requests in {self.seconds:.1f}s at "
            f"{self.connections} connections = {self.rps:.0f} req/s; p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms, max {self.max_ms:.1f} ms; errors {self.errors}; "
            f"statuses {self.statuses}"
        )


def summarise(driver: str, connections: int, elapsed: float, results: list[Result]) -> Report:
    latencies = [r.seconds * 1000 for r in results]
    statuses = Counter(str(r.status) if r.status is not None else "no answer" for r in results)
    return Report(
        driver=driver,
        connections=connections,
        seconds=elapsed,
        requests=len(results),
        errors=sum(1 for r in results if r.failed),
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies, default=0.0),
        statuses=dict(sorted(statuses.items())),
        results=results,
    )


async def _drive(
    base_urls: Sequence[str], plan: Plan, *, connections: int, seconds: float, timeout: float
) -> tuple[float, list[Result]]:
    results: list[Result] = []
    began = time.monotonic()
    stop_at = began + seconds
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    share = -(-connections // len(base_urls))  # connections per server, rounded up
    clients = [
        aiohttp.ClientSession(
            base_url=url,
            connector=aiohttp.TCPConnector(limit=share, force_close=False),
            timeout=client_timeout,
        )
        for url in base_urls
    ]

    async def worker(number: int) -> None:
        client = clients[number % len(clients)]  # connections spread evenly over servers
        sequence = 0
        while time.monotonic() < stop_at:
            call = plan(number, sequence)
            sequence += 1
            started = time.monotonic()
            status: int | None = None
            error: str | None = None
            try:
                async with client.request(
                    call.method, call.path, headers=call.headers, json=call.json
                ) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                await asyncio.sleep(0.05)  # the server is gone: do not spin
            results.append(Result(call, number, started, time.monotonic() - started, status, error))

    try:
        await asyncio.gather(*(worker(n) for n in range(connections)))
    finally:
        for client in clients:
            await client.close()
    return time.monotonic() - began, results


def run_python(
    base_url: str | Sequence[str],
    plan: Plan,
    *,
    connections: int,
    seconds: float,
    timeout: float = 10.0,
) -> Report:
    """Drive ``connections`` concurrent keep-alive connections for ``seconds``, spread evenly
    over the servers when ``base_url`` names several."""
    urls = [base_url] if isinstance(base_url, str) else list(base_url)
    elapsed, results = run_async(
        _drive(urls, plan, connections=connections, seconds=seconds, timeout=timeout)
    )
    return summarise("python", connections, elapsed, results)


# --- wrk ------------------------------------------------------------------------------------

WRK_SCRIPT = """
local calls = %(calls)s
local counter = 0
request = function()
  counter = counter + 1
  local call = calls[(counter %% #calls) + 1]
  return wrk.format(call.method, call.path, call.headers, call.body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\":%%d,\\"duration_us\\":%%d,\\"p50_us\\":%%d,\\"p99_us\\":%%d," ..
    "\\"max_us\\":%%d,\\"connect\\":%%d,\\"read\\":%%d,\\"write\\":%%d,\\"status\\":%%d," ..
    "\\"timeout\\":%%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def _lua_calls(calls: Sequence[Call]) -> str:
    items = []
    for call in calls:
        headers = dict(call.headers)
        body = "nil"
        if call.json is not None:
            headers["Content-Type"] = "application/json"
            body = _lua_string(json.dumps(call.json))
        header_items = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        )
        items.append(
            f"{{method = {_lua_string(call.method)}, path = {_lua_string(call.path)}, "
            f"headers = {{{header_items}}}, body = {body}}}"
        )
    return "{\n  " + ",\n  ".join(items) + "\n}"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(base_url: str, calls: Sequence[Call], *, connections: int, seconds: float) -> Report:
    """wrk with a Lua script cycling through ``calls``; only 2xx/3xx count as success."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(WRK_SCRIPT % {"calls": _lua_calls(calls)})
        completed = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{round(seconds)}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base_url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    match = re.search(r"^RESULT (\{.*\})$", completed.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    data = json.loads(match.group(1))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Report(
        driver="wrk",
        connections=connections,
        seconds=data["duration_us"] / 1e6,
        requests=data["requests"],
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        statuses={k: data[k] for k in ("connect", "read", "write", "status", "timeout")},
    )


def route_lines(results: Sequence[Result], *, top: int = 0) -> list[str]:
    """Per request name: count, p50, p99 and max, and each one's share of the requests
    slower than the overall p99 (which routes make up the tail), slowest p99 first."""
    overall = percentile([r.seconds for r in results], 0.99)
    by_name: dict[str, list[float]] = {}
    for result in results:
        by_name.setdefault(result.call.name, []).append(result.seconds)
    tail = sum(1 for r in results if r.seconds >= overall) or 1
    rows = sorted(by_name.items(), key=lambda item: -percentile(item[1], 0.99))
    lines = []
    for name, seconds in rows[: top or None]:
        slow = sum(1 for s in seconds if s >= overall)
        lines.append(
            f"  {name:40} {len(seconds):6}  p50 {percentile(seconds, 0.5) * 1000:7.1f} ms"
            f"  p99 {percentile(seconds, 0.99) * 1000:7.1f} ms  max {max(seconds) * 1000:7.1f} ms"
            f"  tail {100 * slow / tail:4.0f}%"
        )
    return lines
