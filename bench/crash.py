"""`allhands schedule extend` killed with SIGKILL mid-run, and two runs at once.

    python -m bench.crash                    # SQLite and PostgreSQL, 48 rotations
    python -m bench.crash --rotations 200    # a longer run, more places to be killed

Rotations are extended a batch per transaction (``flows.cli.EXTEND_BATCH``), so a killed
run leaves every rotation either fully extended or untouched, and a rerun completes the
rest. Two runs started together add every shift exactly once (a row lock per rotation,
backed by the unique index on live slots).
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import func, select, text

import migrations.models  # noqa: F401  (every table registered)
from bench.harness import LOCAL_POSTGRES, ROOT, SECRET_KEY, fresh_postgres
from core.clock import SystemClock
from core.db import make_engine, make_sessionmaker
from core.models import Person
from core.settings import normalise_database_url
from migrations import runner
from rotation.models import Rotation, RotationMember, Shift

MEMBERS_PER_ROTATION = 4


def seed_rotations(database_url: str, *, rotations: int) -> None:
    """Rotations with daily shifts two years ahead and no shifts yet; nobody in two of them."""
    engine = make_engine(normalise_database_url(database_url))
    try:
        runner.upgrade(engine)
        now = SystemClock().now()
        with make_sessionmaker(engine)() as session, session.begin():
            for r in range(rotations):
                rotation = Rotation(
                    slug=f"desk-{r}",
                    name=f"Desk {r}",
                    description="",
                    timezone="Europe/Amsterdam",
                    start_date=date(2026, 1, 5),
                    handoff_time=clock_time(9, 0),
                    shift_days=1,
                    people_per_shift=1,
                    horizon_days=730,
                    created_at=now,
                    updated_at=now,
                )
                session.add(rotation)
                session.flush()
                for m in range(MEMBERS_PER_ROTATION):
                    person = Person(
                        email=f"p{r}-{m}@crash.example.com",
                        name=f"Person {r}-{m}",
                        timezone="Europe/Amsterdam",
                        created_at=now,
                    )
                    session.add(person)
                    session.flush()
                    session.add(
                        RotationMember(
                            rotation_id=rotation.id, person_id=person.id, position=m, joined_at=now
                        )
                    )
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ScheduleState:
    shifts_per_rotation: dict[int, int]
    duplicate_slots: int

    @property
    def total(self) -> int:
        return sum(self.shifts_per_rotation.values())


def schedule_state(database_url: str) -> ScheduleState:
    engine = make_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            live = Shift.cancelled_at.is_(None)
            counts = dict(
                conn.execute(
                    select(Rotation.id, func.count(Shift.id))
                    .outerjoin(Shift, (Shift.rotation_id == Rotation.id) & live)
                    .group_by(Rotation.id)
                ).all()
            )
            duplicates = conn.execute(
                select(func.count()).select_from(
                    select(Shift.rotation_id, Shift.start, Shift.slot)
                    .where(live)
                    .group_by(Shift.rotation_id, Shift.start, Shift.slot)
                    .having(func.count() > 1)
                    .subquery()
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return ScheduleState(shifts_per_rotation=counts, duplicate_slots=duplicates)


def extend_command(database_url: str, workdir: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "ALLHANDS_DATABASE_URL": database_url,
        "ALLHANDS_SECRET_KEY": SECRET_KEY,
        "ALLHANDS_DATA_DIR": str(workdir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "schedule", "extend"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 600) -> tuple[int, str]:
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


@dataclass
class CrashReport:
    rotations: int
    full: int  # live shifts a fully extended rotation has
    killed_after: float
    rotations_done_at_kill: int
    partial_at_kill: list[int]  # rotations neither untouched nor complete: must be empty
    duplicates_at_kill: int
    rerun_code: int
    incomplete_after_rerun: list[int]
    third_run_output: str
    concurrent_codes: tuple[int, int]
    concurrent_duplicates: int
    incomplete_after_concurrent: list[int]

    def lines(self) -> list[str]:
        return [
            f"{self.rotations} rotations of {self.full} shifts each; SIGKILL after "
            f"{self.killed_after:.1f}s with {self.rotations_done_at_kill} extended, "
            f"{len(self.partial_at_kill)} half-written",
            f"rerun exit {self.rerun_code}, "
            f"{len(self.incomplete_after_rerun)} incomplete after it; "
            f"third run: {self.third_run_output.strip()}",
            f"two runs at once: exits {self.concurrent_codes}, {self.concurrent_duplicates} "
            f"duplicate slots, {len(self.incomplete_after_concurrent)} incomplete rotations",
        ]

    def problems(self) -> list[str]:
        found = []
        if self.partial_at_kill or self.duplicates_at_kill:
            found.append(
                f"after SIGKILL: half-extended rotations {self.partial_at_kill}, "
                f"{self.duplicates_at_kill} duplicate slots"
            )
        if not 0 < self.rotations_done_at_kill < self.rotations:
            found.append(f"the kill did not land mid-run ({self.rotations_done_at_kill} done)")
        if self.rerun_code != 0 or self.incomplete_after_rerun:
            found.append(f"rerun: exit {self.rerun_code}, incomplete {self.incomplete_after_rerun}")
        if "shifts added: 0" not in self.third_run_output:
            found.append(f"a third run still changed something: {self.third_run_output.strip()}")
        if self.concurrent_codes != (0, 0):
            found.append(f"concurrent runs exited {self.concurrent_codes}")
        if self.concurrent_duplicates or self.incomplete_after_concurrent:
            found.append(
                f"concurrent runs: {self.concurrent_duplicates} duplicates, "
                f"incomplete {self.incomplete_after_concurrent}"
            )
        return found


def rotations_extended(database_url: str) -> int:
    """How many rotations have shifts, read without waiting for the writer."""
    query = "SELECT count(DISTINCT rotation_id) FROM shift"
    if database_url.startswith("sqlite:///"):
        # Our engines begin every transaction IMMEDIATE (taking the write lock); a plain
        # read-only connection reads the WAL snapshot at once instead of queueing.
        path = database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            return int(conn.execute(query).fetchone()[0])
    engine = make_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def _kill_mid_run(database_url: str, workdir: Path) -> tuple[float, ScheduleState]:
    """Start a run, SIGKILL it once some but not all rotations are done."""
    process = extend_command(database_url, workdir)
    started = time.monotonic()
    try:
        while process.poll() is None and rotations_extended(database_url) < 1:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    killed_after = time.monotonic() - started
    return killed_after, schedule_state(database_url)


@contextmanager
def database(backend: str, workdir: Path, name: str, postgres_server: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'{name}.sqlite'}"
    else:
        with fresh_postgres(postgres_server) as url:
            yield url


def run(
    backend: str, *, rotations: int, workdir: Path, postgres_server: str = LOCAL_POSTGRES
) -> CrashReport:
    with database(backend, workdir, "killed", postgres_server) as url:
        seed_rotations(url, rotations=rotations)
        killed_after, at_kill = _kill_mid_run(url, workdir)
        rerun_code, _ = finish(extend_command(url, workdir))
        after_rerun = schedule_state(url)
        _code, third = finish(extend_command(url, workdir))
    full = max(after_rerun.shifts_per_rotation.values())
    with database(backend, workdir, "concurrent", postgres_server) as url:
        seed_rotations(url, rotations=rotations)
        first, second = extend_command(url, workdir), extend_command(url, workdir)
        codes = (finish(first)[0], finish(second)[0])
        concurrent = schedule_state(url)
    return CrashReport(
        rotations=rotations,
        full=full,
        killed_after=killed_after,
        rotations_done_at_kill=sum(1 for n in at_kill.shifts_per_rotation.values() if n == full),
        partial_at_kill=[r for r, n in at_kill.shifts_per_rotation.items() if n not in (0, full)],
        duplicates_at_kill=at_kill.duplicate_slots,
        rerun_code=rerun_code,
        incomplete_after_rerun=[r for r, n in after_rerun.shifts_per_rotation.items() if n != full],
        third_run_output=third.strip().splitlines()[-1] if third.strip() else "",
        concurrent_codes=codes,
        concurrent_duplicates=concurrent.duplicate_slots,
        incomplete_after_concurrent=[
            r for r, n in concurrent.shifts_per_rotation.items() if n != full
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__)
    parser.add_argument("--rotations", type=int, default=48)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="allhands-crash-") as tmp:
            report = run(backend, rotations=args.rotations, workdir=Path(tmp))
        print(f"{backend}: " + f"\n{backend}: ".join(report.lines()))
        problems = report.problems()
        if problems:
            print(f"{backend} PROBLEMS:\n  " + "\n  ".join(problems))
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
