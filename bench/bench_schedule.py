"""Generate and store a synthetic organisation's schedules on SQLite, then re-extend them.

5,000 people in 250 rotations of 20, weekly, a two-year horizon (~26,000 shifts), 5% of the
people with time off. Targets: generating and storing every schedule in under 5 s, and
`schedule extend` on the already-extended organisation in under 1 s. The baseline, measured
in the same run, is one bulk INSERT of as many ready-made shift rows: what storing alone costs.
Wall time suffers when other processes share the cores; the CPU time printed beside it does not.

Two more cases at the same scale, each printed as a cost ratio against the plain case: a
*windowed* organisation (every rotation covers Mon-Fri 09:00-17:00 local, skips its country's
public holidays and keeps people off their own; each person names a country), generated and
then cut into duty pieces as feeds and on-call answers do; and a *layered* one, the 250
rotations stacked three at a time into 83 schedules whose final line is computed over the
whole horizon, against reading the same rotations' shifts plainly.
"""

from __future__ import annotations

import gc
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import migrations.models  # noqa: F401  (every table registered)
from core.db import make_engine, make_sessionmaker
from core.models import Person
from flows.cli import extend_schedules
from migrations import runner
from rotation import duty as rotation_duty
from rotation import generation, schedule_service
from rotation import service as rotation_service
from rotation.generation import SHIFT_TABLE
from rotation.models import Rotation, RotationMember, Schedule, ScheduleLayer, Shift, TimeOff

PEOPLE = 5_000
ROTATION_SIZE = 20
ROTATIONS = PEOPLE // ROTATION_SIZE
HORIZON_DAYS = 730
TIME_OFF_SHARE = 0.05
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
GENERATE_TARGET_S = 5.0
REEXTEND_TARGET_S = 1.0
TIMEZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
# The windowed case: each zone's country, for public holidays and people's own.
COUNTRIES = ["GB", "NL", "US", "AU", "IN"]
OFFICE_HOURS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00",
                 "overnight": False}]  # fmt: skip
LAYERS = 3
# How many times the weekly cron step is run (each on its own copy) for its median.
WEEKLY_RUNS = 5


def build_organisation(
    sessions: sessionmaker[Session], *, seed: int = 7, windowed: bool = False, people: int = PEOPLE
) -> dict[str, int]:
    """People, rotations of ``ROTATION_SIZE``, memberships and time off, inserted in bulk (no
    shifts yet).

    ``windowed``: rotations with office-hour windows and holiday rules, people with countries.
    """
    rng = random.Random(seed)
    with sessions() as session, session.begin():
        session.execute(
            insert(Person),
            [
                {
                    "email": f"person{i}@bench.example",
                    "name": f"Person {i}",
                    "timezone": TIMEZONES[i % len(TIMEZONES)],
                    "is_admin": False,
                    "active": True,
                    "session_epoch": 0,
                    "feed_token_version": 0,
                    "created_at": NOW,
                    "holiday_country": COUNTRIES[i % len(COUNTRIES)] if windowed else None,
                }
                for i in range(people)
            ],
        )
        person_ids = list(session.scalars(select(Person.id).order_by(Person.id)))
        session.execute(
            insert(Rotation),
            [
                {
                    "slug": f"rotation-{r}",
                    "name": f"Rotation {r}",
                    "description": "",
                    "timezone": TIMEZONES[r % len(TIMEZONES)],
                    "start_date": date(2026, 11, 23) - timedelta(days=r % 7),
                    "handoff_time": clock_time(9, 0),
                    "shift_days": 7,
                    "people_per_shift": 1,
                    "horizon_days": HORIZON_DAYS,
                    "swap_requires_approval": False,
                    "archived": False,
                    "version": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                    **(_duty_rules(r) if windowed else {}),
                }
                for r in range(people // ROTATION_SIZE)
            ],
        )
        rotation_ids = list(session.scalars(select(Rotation.id).order_by(Rotation.id)))
        session.execute(
            insert(RotationMember),
            [
                {
                    "rotation_id": rotation_id,
                    "person_id": person_ids[r * ROTATION_SIZE + position],
                    "position": position,
                    "joined_at": NOW,
                    "count_offset": 0,
                }
                for r, rotation_id in enumerate(rotation_ids)
                for position in range(ROTATION_SIZE)
            ],
        )
        away = rng.sample(person_ids, int(people * TIME_OFF_SHARE))
        time_off = []
        for person_id in away:
            first = NOW.date() + timedelta(days=rng.randrange(HORIZON_DAYS - 30))
            time_off.append(
                {
                    "person_id": person_id,
                    "start": first,
                    "end": first + timedelta(days=rng.randrange(2, 21)),
                    "reason": "bench",
                    "created_at": NOW,
                }
            )
        session.execute(insert(TimeOff), time_off)
    return {
        "people": len(person_ids),
        "rotations": len(rotation_ids),
        "memberships": len(rotation_ids) * ROTATION_SIZE,
        "time_off": len(time_off),
    }


def _duty_rules(r: int) -> dict[str, object]:
    return {
        "coverage": OFFICE_HOURS,
        "holiday_country": COUNTRIES[r % len(COUNTRIES)],
        "holiday_policy": "skip",
        "treat_own_holidays_as_time_off": True,
    }


def count_shifts(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Shift)) or 0


def baseline_insert(engine: Engine, rows: int) -> float:
    """Seconds to bulk-insert ``rows`` ready-made shift rows (rolled back afterwards)."""
    far = datetime(2100, 1, 4, 9, 0, tzinfo=UTC)
    with make_sessionmaker(engine)() as session:
        rotation_id = session.scalar(select(func.min(Rotation.id)))
        payload = [
            {
                "rotation_id": rotation_id,
                "index": 100_000 + n,
                "slot": 0,
                "start": far + timedelta(days=7 * n),
                "end": far + timedelta(days=7 * (n + 1)),
                "person_id": None,
                "kind": "scheduled",
                "sequence": 0,
                "uid": f"baseline-{n}-{uuid.uuid4().hex[:12]}@allhands",
                "created_at": NOW,
                "updated_at": NOW,
                "cancelled_at": None,
            }
            for n in range(rows)
        ]
        started = time.perf_counter()
        session.execute(insert(SHIFT_TABLE), payload)
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed


def verdict(elapsed: float, target: float) -> str:
    ratio = elapsed / target
    return f"{ratio:.2f} of the {target:.0f} s target, {'OK' if ratio < 1 else 'MISSED'}"


def duty_pieces(sessions: sessionmaker[Session]) -> tuple[int, float, float]:
    """Every live shift cut into its duty pieces, as feeds do: (pieces, wall s, CPU s)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    pieces = 0
    with sessions() as session:
        for rotation in rotation_service.list_rotations(session):
            shifts = rotation_service.list_shifts(session, rotation=rotation)
            spans = rotation_duty.duty_spans(session, rotation=rotation, shifts=shifts)
            pieces += sum(len(found) for found in spans.values())
    return pieces, time.perf_counter() - started, time.process_time() - cpu_started


def add_schedules(sessions: sessionmaker[Session]) -> int:
    """Stack the rotations three at a time into schedules (rows inserted in bulk)."""
    with sessions() as session, session.begin():
        rotation_ids = list(session.scalars(select(Rotation.id).order_by(Rotation.id)))
        groups = [rotation_ids[i : i + LAYERS] for i in range(0, len(rotation_ids) - 2, LAYERS)]
        session.execute(
            insert(Schedule),
            [
                {"slug": f"schedule-{n}", "name": f"Schedule {n}", "description": "", "version": 1,
                 "created_at": NOW, "updated_at": NOW}
                for n in range(len(groups))
            ],
        )  # fmt: skip
        schedule_ids = list(session.scalars(select(Schedule.id).order_by(Schedule.id)))
        session.execute(
            insert(ScheduleLayer),
            [
                {"schedule_id": schedule_id, "position": position, "rotation_id": rotation_id}
                for schedule_id, group in zip(schedule_ids, groups, strict=True)
                for position, rotation_id in enumerate(group)
            ],
        )
    return len(groups)


def final_lines(sessions: sessionmaker[Session], span: timedelta) -> tuple[int, float, float]:
    """The final line of every schedule over ``span``, against reading its layers' shifts."""
    with sessions() as session:
        started = time.perf_counter()
        entries = sum(
            len(schedule_service.final(session, schedule=schedule, start=NOW, end=NOW + span))
            for schedule in schedule_service.list_schedules(session)
        )
        layered = time.perf_counter() - started
    with sessions() as session:
        started = time.perf_counter()
        for schedule in schedule_service.list_schedules(session):
            for layer in schedule_service.layers_of(session, [schedule.id])[schedule.id]:
                assert layer.rotation is not None
                rotation_service.list_shifts(
                    session, rotation=layer.rotation, start=NOW, end=NOW + span
                )
        plain = time.perf_counter() - started
    return entries, layered, plain


def duty_cases(plain_generate: float, plain_cpu: float) -> None:
    """The windowed and layered cases, each as a ratio against the plain one."""
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'windowed.sqlite'}")
        try:
            runner.upgrade(engine)
            sessions = make_sessionmaker(engine)
            build_organisation(sessions, windowed=True)
            started, cpu_started = time.perf_counter(), time.process_time()
            result = extend_schedules(sessions, now=NOW)
            generate = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            print(
                f"windowed   {result.added:,} shifts ({result.uncovered} uncovered) with office-"
                f"hour windows, public and own holidays in {generate:.2f} s ({cpu:.2f} s CPU): "
                f"{generate / plain_generate:.2f}x the plain case ({cpu / plain_cpu:.2f}x CPU)"
            )
            pieces, wall, piece_cpu = duty_pieces(sessions)
            print(
                f"duty       {pieces:,} duty pieces (feed events) of every shift in {wall:.2f} s "
                f"({piece_cpu:.2f} s CPU); generate + pieces = "
                f"{(generate + wall) / plain_generate:.2f}x the plain generate"
            )
            schedules = add_schedules(sessions)
            span = schedule_service.MAX_FINAL_SPAN
            entries, layered, plain = final_lines(sessions, span)
            print(
                f"layered    final line of {schedules} schedules of {LAYERS} layers over "
                f"{span.days} days: {entries:,} entries in {layered:.2f} s; reading the same "
                f"shifts plainly {plain:.2f} s; {layered / plain:.1f}x the plain read"
            )
        finally:
            engine.dispose()


class Week(NamedTuple):
    """One weekly step: shifts added, wall and CPU seconds, rotations touched."""

    added: int
    wall: float
    cpu: float
    rotations: int


def weekly_step(engine: Engine, directory: Path, copy: int) -> Week:
    """A week later's ``schedule extend`` on a copy of the database as it stands. Each copy
    opens its own engine, as a cron run is its own process."""
    target = directory / f"week-{copy}.sqlite"
    with engine.connect() as source, closing(sqlite3.connect(target)) as destination:
        raw = source.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.backup(destination)
    week_engine = make_engine(f"sqlite:///{target}")
    try:
        sessions = make_sessionmaker(week_engine)
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        week = extend_schedules(sessions, now=NOW + timedelta(days=7))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        week_engine.dispose()
        target.unlink()
    return Week(week.added, wall, cpu, week.rotations)


def main(argv: Sequence[str] = ()) -> int:
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.sqlite'}")
        try:
            runner.upgrade(engine)
            sessions = make_sessionmaker(engine)

            started = time.perf_counter()
            sizes = build_organisation(sessions)
            setup = time.perf_counter() - started
            print(
                f"setup      {sizes['people']:,} people, {sizes['rotations']} rotations of "
                f"{ROTATION_SIZE}, {sizes['time_off']} with time off: {setup:.2f} s"
            )

            # Each timed step starts from a collected heap: a full collection of the objects
            # the bench built before it is no cost of the step (a cron run is a fresh process).
            gc.collect()
            started, cpu_started = time.perf_counter(), time.process_time()
            first = extend_schedules(sessions, now=NOW)
            generate = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            stored = count_shifts(sessions)
            print(
                f"generate   {first.added:,} shifts ({stored:,} stored, {first.uncovered} "
                f"uncovered) for {first.rotations} rotations in {generate:.2f} s "
                f"({cpu:.2f} s CPU) = {first.added / generate:,.0f} shifts/s; "
                f"{verdict(generate, GENERATE_TARGET_S)}"
            )

            started = time.perf_counter()
            again = extend_schedules(sessions, now=NOW)
            reextend = time.perf_counter() - started
            print(
                f"re-extend  {again.added} shifts added, {again.rotations} rotations touched in "
                f"{reextend:.3f} s; {verdict(reextend, REEXTEND_TARGET_S)}"
            )

            started = time.perf_counter()
            with sessions() as session:
                rotation_ids = list(session.scalars(select(Rotation.id)))
            added = 0
            for rotation_id in rotation_ids:
                with sessions() as session, session.begin():
                    added += generation.extend(session, rotation_id=rotation_id, now=NOW).added
            forced = time.perf_counter() - started
            print(
                f"forced     all {len(rotation_ids)} rotations through extend anyway (the command "
                f"skips them): {added} added, {forced:.2f} s, one commit each"
            )

            # The weekly step is one short run (~250 shifts), so one measurement of it varies by
            # half between runs; it is repeated on copies of the database as it stands and the
            # median taken.
            weeks = [weekly_step(engine, Path(directory), copy) for copy in range(WEEKLY_RUNS)]
            week_added = weeks[0].added
            later = statistics.median(w.wall for w in weeks)
            later_cpu = statistics.median(w.cpu for w in weeks)
            print(
                f"next week  {week_added} shifts added for {weeks[0].rotations} rotations in "
                f"{later:.2f} s ({later_cpu:.2f} s CPU; a weekly cron run; median of "
                f"{WEEKLY_RUNS} runs on copies, CPU "
                f"{', '.join(f'{w.cpu * 1000:.0f}' for w in weeks)} ms)"
            )
            per_week = later_cpu / max(week_added, 1)
            per_bulk = cpu / max(first.added, 1)
            print(
                f"cron/bulk  per shift, CPU: weekly {per_week * 1000:.2f} ms / generation "
                f"{per_bulk * 1000:.3f} ms = {per_week / per_bulk:.1f}x (goal <= 5x); wall "
                f"{later / max(week_added, 1) * 1000:.2f} / {generate / first.added * 1000:.3f} ms"
            )

            bare = baseline_insert(engine, first.added)
            print(
                f"baseline   bulk INSERT of {first.added:,} ready-made rows: {bare:.2f} s = "
                f"{first.added / bare:,.0f} rows/s; generating costs {generate / bare:.1f}x "
                "storing alone"
            )
            duty_cases(generate, cpu)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
