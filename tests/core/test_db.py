"""The UTC datetime type and the SQLite connection settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from core.db import make_engine
from core.models import AuditEvent


def test_aware_datetimes_round_trip_as_utc(session: Session) -> None:
    amsterdam = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    event = AuditEvent(action="x", subject_type="t", subject_id="1", at=amsterdam)
    session.add(event)
    session.flush()
    session.expire_all()
    loaded = session.get(AuditEvent, event.id)
    assert loaded is not None
    assert loaded.at.tzinfo is not None
    assert loaded.at.utcoffset() == timedelta(0)
    assert loaded.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_offsets_other_than_utc_are_converted(session: Session) -> None:
    kolkata = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    event = AuditEvent(action="x", subject_type="t", subject_id="1", at=kolkata)
    session.add(event)
    session.flush()
    session.expire_all()
    loaded = session.get(AuditEvent, event.id)
    assert loaded is not None
    assert loaded.at == datetime(2026, 1, 1, 3, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(AuditEvent(action="x", subject_type="t", subject_id="1", at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.sqlite")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    engine.dispose()
