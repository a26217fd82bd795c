"""Readiness of every shift in the next eight weeks, at the size of a large organisation.

5,000 people, 250 rotations of 20, 300 cards in ten card sets of 30, a year of weekly shifts
and of acknowledgements (every card re-read after each major change). Prints the time and
query count of the readiness report (reading summaries refreshed first, as ``allhands
notify`` keeps them), and ratios against baselines measured in the same run, taking turns
round by round: loading the window's shifts alone (the least any report must do), the report
derived from scratch (every current acknowledgement loaded, as before the summaries), and the
naive report that asks the database about each shift in turn (an N+1 report). Exits non-zero
if the summarised report differs from the one derived from scratch.

Run: ``python -m bench.bench_readiness`` (SQLite file in a temporary directory).
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench.readiness_data import NOW, build
from core.db import make_engine, make_sessionmaker
from migrations import runner
from onboarding import facts, progress, readiness, summary_refresh
from rotation.models import Shift

TARGET_SECONDS = 0.5
REPEATS = 7


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # SQLite's BEGIN IMMEDIATE is issued per transaction, not per question asked.
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class Figure:
    walls: list[float]
    cpus: list[float]
    queries: int
    result: object

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def measure_together(
    engine: Engine, works: dict[str, Callable[[Session], object]], repeats: int = REPEATS
) -> dict[str, Figure]:
    """Wall-clock and CPU seconds of each work over fresh sessions, the works taking turns
    in every round (so a busy neighbour slows them alike), with query counts and results.

    CPU time is reported too because benchmarks often run on shared machines, where wall
    time also measures the neighbours.
    """
    sessions = make_sessionmaker(engine)
    figures = {name: Figure([], [], 0, None) for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            figure = figures[name]
            with sessions() as session, counting(engine) as statements:
                started, started_cpu = time.perf_counter(), time.process_time()
                figure.result = work(session)
                figure.walls.append(time.perf_counter() - started)
                figure.cpus.append(time.process_time() - started_cpu)
                figure.queries = len(statements)
    return figures


def measure(engine: Engine, work: Callable[[Session], object], repeats: int = REPEATS) -> Figure:
    return measure_together(engine, {"work": work}, repeats)["work"]


def ratios(top: Figure, bottom: Figure) -> str:
    """``top / bottom``: of the fastest rounds, and the median of the per-round ratios."""
    per_round = statistics.median(t / b for t, b in zip(top.walls, bottom.walls, strict=True))
    per_cpu = statistics.median(t / b for t, b in zip(top.cpus, bottom.cpus, strict=True))
    return (
        f"{min(top.walls) / min(bottom.walls):.1f}x fastest to fastest, median per round "
        f"{per_round:.1f}x wall, {per_cpu:.1f}x CPU"
    )


def spread(figure: Figure) -> str:
    return (
        f"{ms(min(figure.walls))} min / {ms(figure.wall)} median wall, "
        f"{ms(min(figure.cpus))} / {ms(figure.cpu)} CPU"
    )


def window_conditions() -> list[Any]:
    return facts.live_shift_conditions(Shift.start < NOW + timedelta(weeks=8), Shift.end > NOW)


def baseline_shifts_only(session: Session) -> object:
    """The floor: just the window's shifts with their person."""
    return session.scalars(select(Shift).outerjoin(Shift.person).where(*window_conditions())).all()


def naive_per_shift(session: Session) -> object:
    """What the report would cost asking the database about each shift separately."""
    statuses = []
    for shift in session.scalars(select(Shift).where(*window_conditions())).all():
        reading = facts.load_reading(session, where=[Shift.id == shift.id])
        statuses.extend(
            readiness.readiness(
                reading.shift_facts,
                requirements=reading.requirements,
                card_sets=reading.card_sets,
                cards=reading.card_facts,
                acks=reading.acks,
                now=NOW,
            )
        )
    return statuses


def report(session: Session) -> object:
    return progress.report(
        session, start=NOW, end=NOW + timedelta(weeks=8), rotation_ids=None, now=NOW
    )


def report_from_scratch(session: Session) -> object:
    """The report as it was before reading summaries: every current acknowledgement loaded."""
    conditions = window_conditions()
    reading = facts.load_reading(session, where=conditions)
    results = reading.judge(readiness.readiness, now=NOW)
    return [(reading.shifts_by_id[r.shift.id], r) for r in results]


def report_one_rotation(session: Session) -> object:
    return progress.report(
        session, start=NOW, end=NOW + timedelta(weeks=8), rotation_ids=[17], now=NOW
    )


def report_csv(session: Session) -> object:
    entries = progress.report(
        session, start=NOW, end=NOW + timedelta(weeks=8), rotation_ids=None, now=NOW
    )
    return progress.report_csv(entries)


def main(argv: Sequence[str] = ()) -> int:
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.sqlite'}")
        runner.upgrade(engine)
        started = time.perf_counter()
        with make_sessionmaker(engine)() as session, session.begin():
            sizes = build(session, rng=random.Random(20261124))
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        built = time.perf_counter() - started
        unsummarized = measure(engine, report, repeats=3)  # no summary rows yet
        started = time.perf_counter()
        with make_sessionmaker(engine)() as session, session.begin():
            summarized = summary_refresh.refresh_ahead(session, now=NOW)
        refreshed = time.perf_counter() - started
        gc.collect()  # measure from a clean heap, not amid the build's garbage
        print("readiness benchmark (SQLite)")
        print("  data: " + ", ".join(f"{n:,} {what}" for what, n in sizes.items()))
        print(f"  built in {built:.1f} s")
        print(
            f"  reading summaries refreshed (as `allhands notify` does): {summarized:,} rows "
            f"in {ms(refreshed)}"
        )
        together = measure_together(
            engine,
            {"floor": baseline_shifts_only, "report": report, "scratch": report_from_scratch},
            repeats=REPEATS * 2 - 1,
        )
        floor, full, scratch = together["floor"], together["report"], together["scratch"]
        one = measure(engine, report_one_rotation)
        exported = measure(engine, report_csv)
        naive = measure(engine, naive_per_shift, repeats=1)
        engine.dispose()

    entries, one_entries = full.result, one.result
    assert isinstance(entries, list) and isinstance(one_entries, list)
    answers = [_answer(e.shift.id, e.readiness) for e in entries]
    assert isinstance(scratch.result, list) and isinstance(unsummarized.result, list)
    for other in (
        [_answer(shift.id, r) for shift, r in scratch.result],
        [_answer(e.shift.id, e.readiness) for e in unsummarized.result],
    ):
        if answers != other:
            raise SystemExit("the summarised report differs from the one derived from scratch")
    counts: dict[str, int] = {}
    for entry in entries:
        status = entry.readiness.status.value
        counts[status] = counts.get(status, 0) + 1
    verdict = "OK" if full.wall < TARGET_SECONDS else "over (see CPU time on a busy machine)"
    rounds = len(full.walls)
    print(f"  shifts in the next 8 weeks: {len(entries):,} ({counts})")
    print(f"  {rounds} rounds, each running the baseline, the report and the from-scratch report")
    print(
        f"  readiness report: {spread(full)}, {full.queries} queries; "
        f"target < {ms(TARGET_SECONDS)}: {verdict}"
    )
    print(f"  baseline, the window's shifts alone: {spread(floor)}, {floor.queries} query")
    print(f"  report / baseline: {ratios(full, floor)} (goal <= 3x)")
    print(
        f"  from scratch (every current acknowledgement loaded, as before the summaries): "
        f"{spread(scratch)}, {scratch.queries} queries; / baseline: {ratios(scratch, floor)}"
    )
    print(
        f"  the report with no summary rows at all: {ms(unsummarized.wall)} wall "
        f"(median of {len(unsummarized.walls)}), {unsummarized.queries} queries"
    )
    print(
        f"  one rotation ({len(one_entries)} shifts): {ms(one.wall)} wall, "
        f"{one.queries} queries (the same count at any size)"
    )
    print(f"  report + CSV export: {ms(exported.wall)} wall, {ms(exported.cpu)} CPU")
    print(
        f"  baseline, naive per-shift queries: {ms(naive.wall)} wall, {naive.queries:,} "
        f"queries; naive / report = {naive.wall / full.wall:.1f}x"
    )
    return 0


def _answer(shift_id: int, r: readiness.ShiftReadiness) -> tuple[object, ...]:
    return (shift_id, r.status, r.due_at, r.assigned_at, r.card_ids, r.missing)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    raise SystemExit(main())
