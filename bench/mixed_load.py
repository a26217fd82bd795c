"""Mixed page, API and feed traffic against `allhands serve --workers 2`, on loopback.

    python -m bench.mixed_load          # short form: 5 s, SQLite and (if reachable) PostgreSQL
    python -m bench.mixed_load --full   # 60 s per backend, wrk when installed
    python -m bench.mixed_load --backend postgresql --seconds 30 --driver python
    python -m bench.mixed_load --baseline main --rounds 3   # and git ref main, run by run
    python -m bench.mixed_load --shape reads-while-writing  # API reads, 5 time-off writes/s
    python -m bench.mixed_load --org-people 5000  # the organisation padded to 5,000 people
    python -m bench.mixed_load --instances 3  # 3 instances on one PostgreSQL, beside one

PostgreSQL runs use a fresh database on the local server (127.0.0.1:5432), dropped after.
Prints requests/s, p50/p99 latency and the error count, and after each mixed run the
resident memory of each server worker; exits non-zero on any error.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench import mixed_instances
from bench.harness import (
    LOCAL_POSTGRES,
    PASSWORD,
    ROOT,
    Org,
    Server,
    checkout,
    fresh_postgres,
    seed,
    serve,
)
from bench.loadgen import (
    Call,
    Plan,
    Report,
    percentile,
    route_lines,
    run_python,
    run_wrk,
    wrk_available,
)
from bench.memory import pad_people, worker_rss_line

CONNECTIONS = 64
SHAPES = {"mixed": 64, "reads-while-writing": 32}  # connections of each run shape
WRITES_PER_SECOND = 5
# A feed URL shaped like a real one; the access log must never show it.
FEED_TOKEN = "bench0feed0token0must0not0be0logged"
COOKIE = "allhands_session"


def login_cookie(base_url: str, email: str) -> str:
    """Log in through the form, as a browser would, and return the session cookie."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        page = client.get("/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, "login page without CSRF field"
        response = client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)}
        )
        if response.status_code != 303:
            raise RuntimeError(f"login as {email} failed: {response.status_code}")
        value = client.cookies.get(COOKIE)
        assert value, "login set no session cookie"
        return value


@dataclass(frozen=True)
class Mix:
    """The traffic: per-connection reads of pages, API and feeds, and writes of one's own name."""

    org: Org
    cookies: list[str]

    def read_calls(self, worker: int) -> list[Call]:
        token = self.org.member_tokens[worker % len(self.org.member_tokens)]
        bearer = {"Authorization": f"Bearer {token}"}
        other = self.org.member_ids[(worker * 7) % len(self.org.member_ids)]
        cookie = {"Cookie": f"{COOKIE}={self.cookies[worker % len(self.cookies)]}"}
        feed = self.org.feed_tokens[worker % len(self.org.feed_tokens)]
        slug = self.org.rotation_slug
        return [
            Call("GET /feeds/{token}.ics", "GET", f"/feeds/{feed}.ics"),
            Call("GET /api/v1/me", "GET", "/api/v1/me", bearer),
            Call("GET /api/v1/people/{id}", "GET", f"/api/v1/people/{other}", bearer),
            Call("GET /", "GET", "/", cookie),
            Call("GET /api/v1/people", "GET", "/api/v1/people", bearer),
            Call("GET /api/v1/cards", "GET", "/api/v1/cards", bearer),
            Call(
                "GET /api/v1/rotations/{slug}/shifts",
                "GET",
                f"/api/v1/rotations/{slug}/shifts",
                bearer,
            ),
            Call(
                "GET /feeds/{token}/rotations/{slug}.ics",
                "GET",
                f"/feeds/{feed}/rotations/{slug}.ics",
            ),
            Call("GET /login", "GET", "/login"),
            Call("GET /api/v1/me", "GET", "/api/v1/me", bearer),
            Call("GET /healthz", "GET", "/healthz"),
        ]

    def write_call(self, worker: int, sequence: int) -> Call:
        index = worker % len(self.org.member_ids)
        return Call(
            "PATCH /api/v1/people/{id}",
            "PATCH",
            f"/api/v1/people/{self.org.member_ids[index]}",
            {"Authorization": f"Bearer {self.org.member_tokens[index]}"},
            json={"name": f"Member {index} w{worker}s{sequence}"},
        )

    def plan(self, *, feed_probe: bool = True) -> Plan:
        def next_call(worker: int, sequence: int) -> Call:
            reads = self.read_calls(worker)
            # Each connection starts at a different point of the cycle, so even a short run
            # on a slow machine sends writes from its first requests on.
            step = (sequence + worker) % (len(reads) + 2)
            if step == len(reads):
                return self.write_call(worker, sequence)
            if step == len(reads) + 1:
                if feed_probe and sequence % 20 == step:
                    return Call("GET /feeds/{unknown}.ics", "GET", f"/feeds/{FEED_TOKEN}.ics",
                                ok=frozenset({200, 404}))  # fmt: skip
                return self.write_call(worker, sequence)
            return reads[step]

        return next_call

    def static_calls(self) -> list[Call]:
        """A fixed cycle for wrk, which cannot vary requests per connection."""
        calls: list[Call] = []
        for worker in range(8):
            calls.extend(self.read_calls(worker))
            calls.append(self.write_call(worker, 0))
        return calls


@dataclass(frozen=True)
class ReadsWhileWriting:
    """Bearer API reads (own profile, shifts, checklist, on-call) on every connection, while
    one client adds and removes a week of time off at ``WRITES_PER_SECOND``."""

    org: Org

    def plan(self) -> Plan:
        slug = self.org.rotation_slug

        def next_call(worker: int, sequence: int) -> Call:
            token = self.org.member_tokens[(worker + 1) % len(self.org.member_tokens)]
            bearer = {"Authorization": f"Bearer {token}"}
            reads = [
                ("GET /api/v1/me", "/api/v1/me"),
                ("GET /api/v1/rotations/{slug}/shifts", f"/api/v1/rotations/{slug}/shifts"),
                ("GET /api/v1/me/checklist", "/api/v1/me/checklist"),
                ("GET /api/v1/rotations/{slug}/on-call", f"/api/v1/rotations/{slug}/on-call"),
            ]
            name, path = reads[(sequence + worker) % len(reads)]
            return Call(name, "GET", path, bearer)

        return next_call

    def write_while(self, base_url: str, stop: threading.Event, outcome: list[float]) -> None:
        """Time off on, time off off, paced; each answer's seconds go to ``outcome`` (a
        failed one raises, which the caller sees as a missing writer)."""
        person = self.org.member_ids[0]
        bearer = {"Authorization": f"Bearer {self.org.member_tokens[0]}"}
        first = date.today() + timedelta(days=30)
        span = {"start": first.isoformat(), "end": (first + timedelta(days=6)).isoformat()}
        with httpx.Client(base_url=base_url, headers=bearer, timeout=30) as client:
            while not stop.is_set():
                began = time.monotonic()
                added = client.post(f"/api/v1/people/{person}/time-off", json=span)
                added.raise_for_status()
                outcome.append(time.monotonic() - began)
                stop.wait(1 / WRITES_PER_SECOND)
                began = time.monotonic()
                client.delete(f"/api/v1/time-off/{added.json()['id']}").raise_for_status()
                outcome.append(time.monotonic() - began)
                stop.wait(1 / WRITES_PER_SECOND)


@contextmanager
def database(backend: str, workdir: Path, postgres_server: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'load.sqlite'}"
    else:
        with fresh_postgres(postgres_server) as url:
            yield url


def prepare(server: Server, database_url: str) -> Mix:
    org = seed(database_url, members=CONNECTIONS)
    cookies = [login_cookie(server.url, email) for email in org.login_emails]
    return Mix(org=org, cookies=cookies)


def run_backend(
    backend: str,
    *,
    seconds: float,
    connections: int,
    driver: str,
    workdir: Path,
    postgres_server: str = LOCAL_POSTGRES,
    root: Path = ROOT,
    org_people: int = 0,
) -> tuple[Report, str, str]:
    """Serve ``backend`` with two workers, load it, and return the report, the server log and
    its workers' resident memory after the load; ``root`` is the copy of the project to
    serve, ``org_people`` the size to pad the organisation to."""
    with served(backend, workdir, postgres_server, root) as (url, server):
        mix = prepare(server, url)
        if org_people:
            pad_people(url, org_people)
        before = worker_rss_line(server.process.pid, "before the load (logins only)")
        if driver == "wrk":
            report = run_wrk(
                server.url, mix.static_calls(), connections=connections, seconds=seconds
            )
        else:
            report = run_python(server.url, mix.plan(), connections=connections, seconds=seconds)
        memory = before + "\n" + " " * 24 + worker_rss_line(server.process.pid)
        log = server.log()
        leaked = [token for token in mix.org.feed_tokens if token in log]
        if leaked:
            log += f"\nfeed tokens in the access log: {len(leaked)}"
        return report, log, memory


@contextmanager
def served(
    backend: str, workdir: Path, postgres_server: str = LOCAL_POSTGRES, root: Path = ROOT
) -> Iterator[tuple[str, Server]]:
    """A database of ``backend`` and two workers serving it from ``root``."""
    with (
        database(backend, workdir, postgres_server) as url,
        serve(url, workers=2, workdir=workdir, root=root) as server,
    ):
        yield url, server


def run_reads_while_writing(
    backend: str, *, seconds: float, connections: int, workdir: Path, root: Path = ROOT
) -> tuple[Report, list[float], str]:
    """The reads' report, the writes' seconds each and the server log (see
    ``ReadsWhileWriting``)."""
    with served(backend, workdir, root=root) as (url, server):
        shape = ReadsWhileWriting(seed(url, members=CONNECTIONS))
        stop, writes, failures = threading.Event(), list[float](), list[BaseException]()

        def writer() -> None:
            try:
                shape.write_while(server.url, stop, writes)
            except (httpx.HTTPError, KeyError) as failure:
                failures.append(failure)

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            report = run_python(server.url, shape.plan(), connections=connections, seconds=seconds)
        finally:
            stop.set()
            thread.join()
        log = server.log() + "".join(f"\nwriter failed: {f!r} Traceback" for f in failures)
        return report, writes, log


def log_problems(log: str, secrets: Sequence[str] = ()) -> list[str]:
    """Lines of a server log that betray a fault: tracebacks, locks, leaked feed tokens."""
    markers = ("Traceback", "database is locked", "Exception in ASGI", FEED_TOKEN, *secrets)
    return [line for line in log.splitlines() if any(m in line for m in markers)]


@dataclass
class Run:
    report: Report
    writes: list[float]  # the paced writer's seconds per answer (reads-while-writing only)
    memory: str = ""  # the workers' resident memory after the run (mixed only)


def one_run(args: argparse.Namespace, backend: str, root: Path) -> tuple[Run, list[str]]:
    """One run of the chosen shape against ``backend`` served from ``root``, and its log's
    problems."""
    with tempfile.TemporaryDirectory(prefix="allhands-load-") as tmp:
        if args.shape == "reads-while-writing":
            report, writes, log = run_reads_while_writing(
                backend, seconds=args.seconds, connections=args.connections, workdir=Path(tmp),
                root=root,
            )  # fmt: skip
            return Run(report, writes), log_problems(log)
        report, log, memory = run_backend(
            backend, seconds=args.seconds, connections=args.connections, driver=args.driver,
            workdir=Path(tmp), root=root, org_people=args.org_people,
        )  # fmt: skip
        return Run(report, [], memory), log_problems(log)


def summary(runs: dict[tuple[str, str], list[Run]], backends: list[str], names: list[str]) -> None:
    """Each goal's figure, and the baseline's beside it (medians over the rounds)."""
    for backend in backends:
        for name in names:
            reports = [run.report for run in runs[backend, name]]
            spread = statistics.median(r.p99_ms / r.p50_ms for r in reports)
            line = (
                f"{backend:10} {name:12} req/s {statistics.median(r.rps for r in reports):6.0f}"
                f"  p50 {statistics.median(r.p50_ms for r in reports):7.1f} ms"
                f"  p99 {statistics.median(r.p99_ms for r in reports):7.1f} ms"
                f"  p99/p50 {spread:5.1f} (goal <= 3)"
            )
            writes = [w for run in runs[backend, name] for w in run.writes]
            if writes:
                line += f"  writes {len(writes)}, p99 {percentile(writes, 0.99) * 1000:.0f} ms"
            print(line)
        if len(names) == 2:
            now, then = runs[backend, names[0]], runs[backend, names[1]]
            ratio = statistics.median(
                a.report.rps / b.report.rps for a, b in zip(now, then, strict=True)
            )
            tail = statistics.median(
                a.report.p99_ms / b.report.p99_ms for a, b in zip(now, then, strict=True)
            )
            print(
                f"{backend:10} throughput {ratio:.2f}x {names[1]} (goal >= 2x); "
                f"p99 {tail:.2f}x {names[1]}'s"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_load", description=__doc__)
    parser.add_argument("--full", action="store_true", help="60 s per backend")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--connections", type=int, help="default: 64 mixed, 32 reads")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--driver", choices=["auto", "python", "wrk"], default="auto")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="mixed")
    parser.add_argument("--baseline", metavar="REF", help="also serve git REF, run by run")
    parser.add_argument("--rounds", type=int, default=1, help="alternating runs of each")
    parser.add_argument(
        "--org-people", type=int, default=0, help="pad the organisation to N people (mixed)"
    )
    parser.add_argument(
        "--routes", action="store_true", help="per request: p50, p99 and share of the tail"
    )
    parser.add_argument(
        "--instances", type=int, default=1, help="N instances on one PostgreSQL, beside one"
    )
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (60.0 if args.full else 5.0)
    args.connections = args.connections or SHAPES[args.shape]
    if args.driver == "auto":
        args.driver = "wrk" if args.full and wrk_available() else "python"
    if args.instances > 1:
        return mixed_instances.run(args)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    runs: dict[tuple[str, str], list[Run]] = defaultdict(list)
    failed = False
    with ExitStack() as stack:
        roots = {"this tree": ROOT}
        if args.baseline:
            roots[args.baseline] = stack.enter_context(checkout(args.baseline))
        for _ in range(args.rounds):
            for backend in backends:
                for name, root in roots.items():  # alternating, so noise hits both alike
                    run, problems = one_run(args, backend, root)
                    runs[backend, name].append(run)
                    print(f"{backend:10} {name:12} {run.report.line()}", flush=True)
                    if args.routes and run.report.results:
                        print("\n".join(route_lines(run.report.results)), flush=True)
                    if run.memory:
                        print(f"{backend:10} {name:12} {run.memory}", flush=True)
                    if problems:
                        print("  server log problems:\n  " + "\n  ".join(problems[:10]))
                    failed = failed or run.report.errors > 0 or bool(problems)
    summary(runs, backends, list(roots))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
