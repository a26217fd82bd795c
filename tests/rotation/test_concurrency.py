"""Two `schedule extend` runs at once add every shift exactly once (real commits, then wiped)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import Base, make_sessionmaker
from core.models import Person
from flows.cli import ExtendSummary, extend_schedules
from rotation import members, service
from rotation.models import Shift
from rotation.schemas import RotationCreate

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield make_sessionmaker(engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def test_concurrent_extends_never_duplicate_a_shift(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        people = [
            Person(email=f"c{i}@example.com", name=f"C{i}", timezone="UTC", created_at=START)
            for i in range(6)
        ]
        session.add_all(people)
        session.flush()
        for n in range(3):
            rotation = service.create_rotation(
                session,
                data=RotationCreate(
                    name=f"R{n}", timezone="UTC", start_date=START.date(), horizon_days=14
                ),
                now=START,
                actor=None,
            )
            members.set_members(
                session,
                rotation=rotation,
                person_ids=[p.id for p in people[2 * n : 2 * n + 2]],
                now=START,
                actor=None,
            )
    later = START + timedelta(days=120)
    barrier = threading.Barrier(2)
    results: list[ExtendSummary] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(extend_schedules(sessions, now=later))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with sessions() as session:
        live = session.execute(
            select(Shift.rotation_id, Shift.start, Shift.slot, func.count())
            .where(Shift.cancelled_at.is_(None))
            .group_by(Shift.rotation_id, Shift.start, Shift.slot)
        ).all()
        assert all(count == 1 for *_key, count in live)
        per_rotation = session.execute(
            select(Shift.rotation_id, func.count())
            .where(Shift.cancelled_at.is_(None))
            .group_by(Shift.rotation_id)
        ).all()
    # 120 days on, with a 14-day horizon: weeks up to 2027-04-05 inclusive exist once each.
    assert {count for _rotation, count in per_rotation} == {20}
    assert sum(r.added for r in results) == 3 * (20 - 3)
