"""`allhands schedule extend` against its own database file: idempotent, whole batches committed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from core.clock import SystemClock
from core.models import Person
from flows.cli import app, extend_schedules
from rotation import members, service
from rotation.models import Shift
from rotation.schemas import RotationCreate


def seed(sessions: sessionmaker[Session], *, now: datetime, horizon_days: int = 28) -> int:
    with sessions() as session, session.begin():
        people = [
            Person(email=f"p{i}@example.com", name=f"P{i}", timezone="UTC", created_at=now)
            for i in range(3)
        ]
        session.add_all(people)
        session.flush()
        rotation = service.create_rotation(
            session,
            data=RotationCreate(
                name="Tier two",
                timezone="Europe/Amsterdam",
                start_date=now.date() - timedelta(days=now.weekday()),
                horizon_days=horizon_days,
            ),
            now=now,
            actor=None,
        )
        members.set_members(
            session, rotation=rotation, person_ids=[p.id for p in people], now=now, actor=None
        )
        return rotation.id


def count_shifts(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Shift)) or 0


def test_extend_adds_what_time_brought_into_the_horizon_once(
    sessions: sessionmaker[Session],
) -> None:
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    seed(sessions, now=start)
    before = count_shifts(sessions)
    assert extend_schedules(sessions, now=start).added == 0
    later = extend_schedules(sessions, now=start + timedelta(days=21))
    assert (later.rotations, later.added, later.uncovered) == (1, 3, 0)
    assert count_shifts(sessions) == before + 3
    assert extend_schedules(sessions, now=start + timedelta(days=21)).rotations == 0


def test_the_command_prints_a_summary_and_is_idempotent(sessions: sessionmaker[Session]) -> None:
    seed(sessions, now=SystemClock().now() - timedelta(days=14), horizon_days=14)
    first = CliRunner().invoke(app, ["schedule", "extend"])
    assert first.exit_code == 0, first.output
    assert "rotations extended: 1; shifts added: 2; uncovered slots ahead: 0" in first.output
    second = CliRunner().invoke(app, ["schedule", "extend"])
    assert second.exit_code == 0
    assert "rotations extended: 0; shifts added: 0" in second.output


def test_a_start_date_beyond_the_horizon_gets_shifts_once_it_comes_near(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    with sessions() as session, session.begin():
        service.create_rotation(
            session,
            data=RotationCreate(
                name="Later", timezone="UTC", start_date=date(2027, 6, 7), horizon_days=30
            ),
            now=now,
            actor=None,
        )
    assert count_shifts(sessions) == 0
    # Horizon 20 May + 30 days = 19 June: the shifts of 7 and 14 June, uncovered (no members).
    result = extend_schedules(sessions, now=datetime(2027, 5, 20, tzinfo=UTC))
    assert (result.added, result.uncovered) == (2, 2)
