"""Import 100,000 people and 100,000 cards from CSV on SQLite.

Target: each import under 20 s (validation of every row first, then multi-row inserts).
Then the same files again, which must change nothing (every row matches and is unchanged).
People are imported in one unit of work; cards the way the API imports them: the file parsed
and matched in a reading transaction, then written in a transaction of its own. "Lock" is the
longest transaction that held SQLite's write lock (every one but a reading transaction).
Wall time suffers when other processes share the cores; the CPU time printed beside it does not.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

import migrations.models  # noqa: F401  (every table registered)
from core import people_import
from core.db import READING, begin_reading, make_engine, make_sessionmaker
from core.models import Person
from kb_links import importers
from kb_links.models import Card
from migrations import runner

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TARGET_S = 20.0
TIMEZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


def people_csv(rows: int) -> str:
    lines = ["email,name,timezone,team"]
    lines.extend(
        f"person{n}@bench.example.com,Person {n},{TIMEZONES[n % len(TIMEZONES)]},team {n % 40}"
        for n in range(rows)
    )
    return "\n".join(lines) + "\n"


def cards_csv(rows: int) -> str:
    lines = ["title,url,source,external_id,collection,verify_every_days"]
    lines.extend(
        f"Card {n},https://kb.example.com/cards/{n},guru,g-{n},collection {n % 30},90"
        for n in range(rows)
    )
    return "\n".join(lines) + "\n"


class LockClock:
    """The longest transaction on an engine since the last ``reset``."""

    def __init__(self, engine: Engine) -> None:
        self.longest = 0.0
        self._began: dict[int, float] = {}
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def reset(self) -> None:
        self.longest = 0.0

    def _begin(self, connection: Connection) -> None:
        if not connection.get_execution_options().get(READING):
            self._began[id(connection)] = time.perf_counter()

    def _end(self, connection: Connection) -> None:
        began = self._began.pop(id(connection), None)
        if began is not None:
            self.longest = max(self.longest, time.perf_counter() - began)


def import_cards(sessions: sessionmaker[Session], text: str) -> importers.ImportResult:
    """Parse and match in a reading transaction, write in the next (as the API does)."""
    with sessions() as session:
        begin_reading(session)
        plan = importers.plan_csv(session, text=text, now=NOW)
        session.commit()
        result = importers.apply_plan(session, plan=plan, now=NOW, actor=None)
        session.commit()
    return result


def import_people(sessions: sessionmaker[Session], text: str) -> people_import.ImportResult:
    with sessions() as session:
        result = people_import.import_people_csv(session, text=text, now=NOW, actor=None)
        session.commit()
    return result


def timed(work: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _counts(result: object) -> str:
    return f"created {getattr(result, 'created', '?')}, updated {getattr(result, 'updated', '?')}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench imports")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    status = 0
    with tempfile.TemporaryDirectory() as workdir:
        engine = make_engine(f"sqlite:///{Path(workdir) / 'imports.db'}")
        runner.upgrade(engine)
        sessions = make_sessionmaker(engine)
        lock = LockClock(engine)
        texts = {"people": people_csv(args.rows), "cards": cards_csv(args.rows)}
        imports: dict[str, Callable[[], object]] = {
            "people": lambda: import_people(sessions, texts["people"]),
            "cards": lambda: import_cards(sessions, texts["cards"]),
        }
        for name, work in imports.items():
            for run in ("first", "again"):
                lock.reset()
                wall, cpu, result = timed(work)
                ok = wall < TARGET_S
                status = status or (0 if ok or run == "again" else 1)
                print(
                    f"{name:6} {args.rows:,} rows, {run:5}: {wall:6.2f} s wall / {cpu:6.2f} s CPU"
                    f" / lock {lock.longest:6.2f} s  {_counts(result)}"
                    f"  {'ok' if ok else f'OVER {TARGET_S:.0f} s'}"
                )
        with sessions() as session:
            counts = (
                session.scalar(select(func.count()).select_from(Person)),
                session.scalar(select(func.count()).select_from(Card)),
            )
        print(f"stored: {counts[0]:,} people, {counts[1]:,} cards")
        engine.dispose()
    return status
