"""PostgreSQL crashes and restarts in the middle of mixed load; nothing acknowledged is lost.

    python -m bench.db_restart            # short form: 10 s of load, database down for 2 s
    python -m bench.db_restart --full     # 60 s of load, down for 5 s from second 20

A private PostgreSQL cluster (initdb + pg_ctl on a free loopback port) is stopped in
``immediate`` mode, which is a crash: no checkpoint, WAL replay at the next start. While it
is down every request must answer fast (503, no hang); after it is back they must succeed
again within seconds (pool pre-ping throws away dead connections); every write that was
acknowledged with a 2xx must be in the database afterwards.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from bench.harness import PrivatePostgres, private_postgres, serve
from bench.loadgen import Report, Result, run_python
from bench.mixed_load import CONNECTIONS, Mix, prepare
from core.db import make_engine
from core.models import AuditEvent, Person
from core.settings import normalise_database_url

FAIL_FAST_SECONDS = 3.0  # longest a request may take while the database is down
RECOVERY_SECONDS = 5.0  # longest until every request succeeds again after it is back


@dataclass
class RestartReport:
    load: Report
    down_seconds: float
    before: int
    during: int
    during_ok: int
    during_statuses: dict[str, int]
    slowest_while_down: float
    recovered_after: float
    errors_after_recovery: int
    errors_before: int
    acknowledged_writes: int
    lost_writes: list[str]

    def lines(self) -> list[str]:
        return [
            self.load.line(),
            f"database down {self.down_seconds:.1f}s: {self.before} requests before "
            f"({self.errors_before} errors), {self.during} while down "
            f"({self.during_ok} answered without the database, others {self.during_statuses}), "
            f"slowest {self.slowest_while_down * 1000:.0f} ms",
            f"recovered {self.recovered_after:.2f}s after the restart; "
            f"{self.errors_after_recovery} errors after recovery",
            f"{self.acknowledged_writes} acknowledged writes, {len(self.lost_writes)} lost",
        ]

    def problems(self) -> list[str]:
        found = []
        if self.errors_before:
            found.append(f"{self.errors_before} errors before the database went down")
        if self.slowest_while_down > FAIL_FAST_SECONDS:
            found.append(f"a request hung {self.slowest_while_down:.1f}s while it was down")
        if set(self.during_statuses) - {"503"}:
            found.append(f"answers while down other than 503: {self.during_statuses}")
        if self.recovered_after > RECOVERY_SECONDS:
            found.append(f"took {self.recovered_after:.1f}s to recover")
        if self.errors_after_recovery:
            found.append(f"{self.errors_after_recovery} errors after recovery")
        if self.lost_writes:
            found.append("lost acknowledged writes: " + "; ".join(self.lost_writes[:5]))
        if not self.acknowledged_writes:
            found.append("no write was acknowledged at all")
        return found


def create_database(cluster: PrivatePostgres) -> str:
    admin = make_engine(normalise_database_url(cluster.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE allhands"))
    admin.dispose()
    return cluster.url.rsplit("/", 1)[0] + "/allhands"


def check_writes(database_url: str, mix: Mix, results: list[Result]) -> tuple[int, list[str]]:
    """Every acknowledged write, or a later one whose answer was lost, is what the row holds."""
    writes: dict[str, list[tuple[str, bool]]] = {}
    for result in sorted(results, key=lambda r: r.started):
        if result.call.method == "PATCH":
            person_path = result.call.path
            writes.setdefault(person_path, []).append(
                (result.call.json["name"], result.status == 200)
            )
    engine = make_engine(normalise_database_url(database_url))
    lost: list[str] = []
    acknowledged = 0
    try:
        with engine.connect() as conn:
            for path, attempts in writes.items():
                person_id = int(path.rsplit("/", 1)[1])
                name = conn.execute(select(Person.name).where(Person.id == person_id)).scalar()
                audited = conn.execute(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(
                        AuditEvent.action == "person.update",
                        AuditEvent.subject_id == str(person_id),
                    )
                ).scalar_one()
                acked = [i for i, (_value, ok) in enumerate(attempts) if ok]
                acknowledged += len(acked)
                if audited < len(acked):
                    lost.append(f"person {person_id}: {len(acked)} acknowledged, {audited} audited")
                if not acked:
                    continue
                # A failed answer may still hide a commit, so a later value is acceptable;
                # an earlier one would mean an acknowledged write vanished.
                allowed = {value for value, _ok in attempts[acked[-1] :]}
                if name not in allowed:
                    last = attempts[acked[-1]][0]
                    lost.append(f"person {person_id}: holds {name!r}, acknowledged {last!r}")
    finally:
        engine.dispose()
    return acknowledged, lost


def run(*, seconds: float, down_at: float, down_for: float, workdir: Path) -> RestartReport:
    with private_postgres() as cluster:
        url = create_database(cluster)
        with serve(url, workers=2, workdir=workdir) as server:
            mix = prepare(server, url)
            reports: list[Report] = []
            loader = threading.Thread(
                target=lambda: reports.append(
                    run_python(server.url, mix.plan(), connections=CONNECTIONS, seconds=seconds)
                )
            )
            began = time.monotonic()
            loader.start()
            time.sleep(down_at)
            t_down = time.monotonic()
            cluster.stop("immediate")
            time.sleep(down_for)
            cluster.start()
            t_up = time.monotonic()
            loader.join(timeout=seconds + 60)
            report = reports[0]
        acknowledged, lost = check_writes(url, mix, report.results)

    results = report.results
    before = [r for r in results if r.finished < t_down]
    during = [r for r in results if t_down <= r.started < t_up]
    after = [r for r in results if r.started >= t_up]
    late_failures = [r.finished for r in after if r.failed]
    recovered_at = max(late_failures, default=t_up)
    statuses: dict[str, int] = {}
    for r in during:
        if r.failed:
            key = str(r.status) if r.status is not None else (r.error or "no answer")[:60]
            statuses[key] = statuses.get(key, 0) + 1
    del began
    return RestartReport(
        load=report,
        down_seconds=t_up - t_down,
        before=len(before),
        during=len(during),
        during_ok=sum(1 for r in during if not r.failed),
        during_statuses=statuses,
        slowest_while_down=max((r.seconds for r in during), default=0.0),
        recovered_after=recovered_at - t_up,
        errors_after_recovery=sum(1 for r in after if r.failed and r.started > recovered_at),
        errors_before=sum(1 for r in before if r.failed),
        acknowledged_writes=acknowledged,
        lost_writes=lost,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.db_restart", description=__doc__)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    seconds, down_at, down_for = (60.0, 20.0, 5.0) if args.full else (10.0, 3.0, 2.0)
    with tempfile.TemporaryDirectory(prefix="allhands-restart-") as tmp:
        report = run(seconds=seconds, down_at=down_at, down_for=down_for, workdir=Path(tmp))
    print("\n".join(report.lines()))
    problems = report.problems()
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
