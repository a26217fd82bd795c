"""The mixed load against several instances sharing one PostgreSQL database, beside one.

    python -m bench.mixed_load --instances 3 --seconds 10 --rounds 3

Each instance is its own ``allhands serve --workers 2`` on its own port, as behind a load
balancer; the load's connections are spread evenly over them. Each round loads one
instance, then all of them (same database, same organisation, same connections), and the
ratio of their throughputs is printed: how far more instances carry more load on this
machine (all instances share its cores, so this is a floor, not a cluster's figure).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.harness import LOCAL_POSTGRES, Server, fresh_postgres, seed, serve
from bench.loadgen import Report, route_lines, run_python


@contextmanager
def instances(count: int, workdir: Path) -> Iterator[tuple[str, list[Server]]]:
    """A fresh PostgreSQL database and ``count`` instances of two workers serving it."""
    with fresh_postgres(LOCAL_POSTGRES) as url, ExitStack() as stack:
        servers = [
            stack.enter_context(serve(url, workers=2, workdir=workdir / f"instance-{n}"))
            for n in range(count)
        ]
        yield url, servers


def run(args: argparse.Namespace) -> int:
    """Rounds of one instance, then ``args.instances``; non-zero on any error or bad log."""
    from bench.mixed_load import CONNECTIONS, Mix, log_problems, login_cookie

    single: list[Report] = []
    several: list[Report] = []
    failed = False
    with (
        tempfile.TemporaryDirectory(prefix="allhands-instances-") as tmp,
        instances(args.instances, Path(tmp)) as (url, servers),
    ):
        org = seed(url, members=CONNECTIONS)
        mix = Mix(org=org, cookies=[login_cookie(servers[0].url, e) for e in org.login_emails])
        for _ in range(args.rounds):
            for reports, chosen in ((single, servers[:1]), (several, servers)):
                report = run_python(
                    [s.url for s in chosen],
                    mix.plan(),
                    connections=args.connections,
                    seconds=args.seconds,
                )
                reports.append(report)
                print(f"{len(chosen)} instance(s)  {report.line()}", flush=True)
                if args.routes:
                    print("\n".join(route_lines(report.results)), flush=True)
                failed = failed or report.errors > 0
        problems = [p for s in servers for p in log_problems(s.log())]
    if problems:
        print("  server log problems:\n  " + "\n  ".join(problems[:10]))
    ratio = statistics.median(b.rps / a.rps for a, b in zip(single, several, strict=True))
    print(
        f"postgresql {args.instances} instances: req/s "
        f"{statistics.median(r.rps for r in several):.0f} against "
        f"{statistics.median(r.rps for r in single):.0f} for one = {ratio:.2f}x one instance"
    )
    return 1 if failed or problems else 0
