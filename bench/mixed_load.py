"""Mixed page, API and feed traffic against `allhands serve --workers 2`, on loopback.

    python -m bench.mixed_load          # short form: 5 s, SQLite and (if reachable) PostgreSQL
    python -m bench.mixed_load --full   # 60 s per backend, wrk when installed
    python -m bench.mixed_load --backend postgresql --seconds 30 --driver python

PostgreSQL runs use a fresh database on the local server (127.0.0.1:5432), dropped after.
Prints requests/s, p50/p99 latency and the error count; exits non-zero on any error.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import LOCAL_POSTGRES, PASSWORD, Org, Server, fresh_postgres, seed, serve
from bench.loadgen import Call, Plan, Report, run_python, run_wrk, wrk_available

CONNECTIONS = 64
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
) -> tuple[Report, str]:
    """Serve ``backend`` with two workers, load it, and return the report and the server log."""
    with (
        database(backend, workdir, postgres_server) as url,
        serve(url, workers=2, workdir=workdir) as server,
    ):
        mix = prepare(server, url)
        if driver == "wrk":
            report = run_wrk(
                server.url, mix.static_calls(), connections=connections, seconds=seconds
            )
        else:
            report = run_python(server.url, mix.plan(), connections=connections, seconds=seconds)
        log = server.log()
        leaked = [token for token in mix.org.feed_tokens if token in log]
        if leaked:
            log += f"\nfeed tokens in the access log: {len(leaked)}"
        return report, log


def log_problems(log: str, secrets: Sequence[str] = ()) -> list[str]:
    """Lines of a server log that betray a fault: tracebacks, locks, leaked feed tokens."""
    markers = ("Traceback", "database is locked", "Exception in ASGI", FEED_TOKEN, *secrets)
    return [line for line in log.splitlines() if any(m in line for m in markers)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_load", description=__doc__)
    parser.add_argument("--full", action="store_true", help="60 s per backend")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--driver", choices=["auto", "python", "wrk"], default="auto")
    args = parser.parse_args(argv)
    seconds = args.seconds or (60.0 if args.full else 5.0)
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if args.full and wrk_available() else "python"
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="allhands-load-") as tmp:
            report, log = run_backend(
                backend,
                seconds=seconds,
                connections=args.connections,
                driver=driver,
                workdir=Path(tmp),
            )
        problems = log_problems(log)
        print(f"{backend:10} {report.line()}")
        if problems:
            print(f"{backend:10} server log problems:\n  " + "\n  ".join(problems[:10]))
        failed = failed or report.errors > 0 or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
