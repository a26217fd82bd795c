"""Load generators for benchmarks: wrk when installed, else a bounded Python fallback.

Both drive one URL over keep-alive connections on the loopback for a fixed time and report
requests/second; neither touches any address but the one given.
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Rate:
    per_second: float
    unexpected: int


def run_wrk(url: str, *, seconds: float, connections: int, headers: dict[str, str]) -> Rate:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = re.search(r"Requests/sec:\s*([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    odd = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    unexpected = int(odd.group(1)) if odd else 0
    if errors:
        unexpected += sum(int(n) for n in re.findall(r"\d+", errors.group(0)))
    return Rate(float(rate.group(1)), unexpected)


def _python_worker(
    url: str,
    headers: dict[str, str],
    seconds: float,
    threads: int,
    out: multiprocessing.Queue[tuple[int, int]],
) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    deadline = time.monotonic() + seconds
    counts = [0] * threads
    statuses: list[int] = []

    def loop(slot: int) -> None:
        conn = http.client.HTTPConnection(host, parts.port, timeout=5)
        while time.monotonic() < deadline:
            conn.request("GET", parts.path, headers=headers)
            response = conn.getresponse()
            response.read()
            counts[slot] += 1
            if response.status >= 400:
                statuses.append(response.status)
        conn.close()

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((sum(counts), len(statuses)))


def run_python_load(url: str, *, seconds: float, connections: int, headers: dict[str, str]) -> Rate:
    """A bounded fallback when wrk is missing: a few processes of keep-alive connections."""
    processes = 2
    queue: multiprocessing.Queue[tuple[int, int]] = multiprocessing.Queue()
    threads = max(1, connections // processes)
    started = time.monotonic()
    workers = [
        multiprocessing.Process(target=_python_worker, args=(url, headers, seconds, threads, queue))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return Rate(sum(r[0] for r in results) / elapsed, sum(r[1] for r in results))


def generator() -> tuple[str, Callable[..., Rate]]:
    """The load generator to use and how to name it in a report."""
    if shutil.which("wrk"):
        return "wrk -t1", run_wrk
    return "a Python load generator (wrk not found)", run_python_load
