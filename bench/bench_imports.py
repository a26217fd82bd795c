"""Import 100,000 people and 100,000 cards from CSV on SQLite, each in one unit of work.

Target: each import under 20 s (validation of every row first, then multi-row inserts).
Then the same files again, which must change nothing (every row matches and is unchanged).
Wall time suffers when other processes share the cores; the CPU time printed beside it does not.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import migrations.models  # noqa: F401  (every table registered)
from core import people_import
from core.db import make_engine, make_sessionmaker
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


def timed(
    sessions: sessionmaker[Session], work: Callable[[Session], object]
) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    with sessions() as session:
        result = work(session)
        session.commit()
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
        texts = {"people": people_csv(args.rows), "cards": cards_csv(args.rows)}
        imports: dict[str, Callable[[Session], object]] = {
            "people": lambda s: people_import.import_people_csv(
                s, text=texts["people"], now=NOW, actor=None
            ),
            "cards": lambda s: importers.import_csv(s, text=texts["cards"], now=NOW, actor=None),
        }
        for name, work in imports.items():
            for run in ("first", "again"):
                wall, cpu, result = timed(sessions, work)
                ok = wall < TARGET_S
                status = status or (0 if ok or run == "again" else 1)
                print(
                    f"{name:6} {args.rows:,} rows, {run:5}: {wall:6.2f} s wall / {cpu:6.2f} s CPU"
                    f"  {_counts(result)}  {'ok' if ok else f'OVER {TARGET_S:.0f} s'}"
                )
        with sessions() as session:
            counts = (
                session.scalar(select(func.count()).select_from(Person)),
                session.scalar(select(func.count()).select_from(Card)),
            )
        print(f"stored: {counts[0]:,} people, {counts[1]:,} cards")
        engine.dispose()
    return status
