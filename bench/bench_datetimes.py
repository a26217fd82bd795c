"""Shift times on SQLite: ``core.db.UTCDateTime`` against SQLAlchemy's own DATETIME path.

Two tables of 26,000 rows, each with a shift's three datetimes (start, end, created), one
typed with ``UTCDateTime`` and one with a reference type that keeps SQLAlchemy's SQLite
DATETIME processors and converts to and from UTC in ``process_bind_param`` and
``process_result_value`` (how ``UTCDateTime`` worked before it wrote and read the stored text
itself). Each round writes every row in one executemany and reads them all back through a
session, for both types in turn. Prints the median CPU time of each and their ratio, and
exits non-zero if the two types store different text or read back different values.

Run: ``python -m bench datetimes`` (SQLite file in a temporary directory).
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime, Dialect, Integer, MetaData, Table, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from core.db import UTCDateTime, make_engine

ROWS = 26_000
ROUNDS = 7
START = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


class Reference(TypeDecorator[datetime]):
    """UTC in and out around SQLAlchemy's SQLite DATETIME processors."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _table(metadata: MetaData, name: str, kind: Callable[[], Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("start", kind()),
        Column("end", kind()),
        Column("created_at", kind()),
    )


def _rows() -> list[dict[str, Any]]:
    week = timedelta(days=7)
    return [
        {
            "start": START + i * week,
            "end": START + (i + 1) * week,
            "created_at": (START + timedelta(seconds=i, microseconds=i)).astimezone(UTC),
        }
        for i in range(ROWS)
    ]


def _cpu(work: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def _round(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> tuple[float, float, Any]:
    """CPU seconds to write every row and to read them back, and what was read."""
    with engine.begin() as connection:
        connection.execute(delete(table))
    with engine.begin() as connection:
        write, _ = _cpu(lambda: connection.execute(insert(table), rows))
    with Session(engine) as session:
        read, found = _cpu(lambda: session.execute(select(table).order_by(table.c.id)).all())
    return write, read, found


def main(argv: Sequence[str] = ()) -> int:
    rows = _rows()
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'datetimes.sqlite'}")
        try:
            metadata = MetaData()
            tables = {
                "UTCDateTime": _table(metadata, "mine", UTCDateTime),
                "SQLAlchemy's processors": _table(metadata, "reference", Reference),
            }
            metadata.create_all(engine)
            writes: dict[str, list[float]] = {name: [] for name in tables}
            reads: dict[str, list[float]] = {name: [] for name in tables}
            found: dict[str, Any] = {}
            for _ in range(ROUNDS):
                for name, table in tables.items():
                    write, read, found[name] = _round(engine, table, rows)
                    writes[name].append(write)
                    reads[name].append(read)
            with engine.connect() as connection:
                stored = [
                    connection.exec_driver_sql(
                        f'SELECT start, "end", created_at FROM {table.name} ORDER BY id'
                    ).all()
                    for table in tables.values()
                ]
        finally:
            engine.dispose()
    same_text = stored[0] == stored[1]
    same_values = [tuple(r) for r in found["UTCDateTime"]] == [
        tuple(r) for r in found["SQLAlchemy's processors"]
    ]
    mine, reference = tables
    for label, figures in (("write", writes), ("read", reads)):
        ours, theirs = (statistics.median(figures[name]) for name in (mine, reference))
        print(
            f"{label:6} {ROWS:,} rows of 3 datetimes, CPU median of {ROUNDS}: {mine} "
            f"{ours * 1000:.0f} ms, {reference} {theirs * 1000:.0f} ms = {ours / theirs:.2f}x "
            f"({ours / ROWS * 1e6:.1f} vs {theirs / ROWS * 1e6:.1f} µs per row)"
        )
    print(f"same   stored text: {'yes' if same_text else 'NO'}; values read: "
          f"{'yes' if same_values else 'NO'}")  # fmt: skip
    return 0 if same_text and same_values else 1


if __name__ == "__main__":
    raise SystemExit(main())
