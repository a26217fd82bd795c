"""The UTC datetime type, the SQLite connection settings and its reading transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.orm import Session

from core.db import (
    UTCDateTime,
    lost_write_race,
    make_engine,
    make_sessionmaker,
    reading,
    sqlite_datetime,
    sqlite_text,
)
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


def test_the_driver_hands_back_utc_itself(session: Session) -> None:
    """On PostgreSQL every session runs in UTC by that name, so psycopg's datetimes carry
    ``datetime.UTC`` and need no conversion; on SQLite the stored text reads back the same."""
    at = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    event = AuditEvent(action="x", subject_type="t", subject_id="1", at=at)
    session.add(event)
    session.flush()
    raw = session.execute(text("SELECT at FROM audit_event WHERE id = :id"), {"id": event.id})
    stored = raw.scalar_one()
    if session.get_bind().dialect.name == "postgresql":
        assert session.execute(text("SHOW TIME ZONE")).scalar_one() == "UTC"
        assert stored == at
        assert stored.tzinfo is UTC
    else:
        assert stored == "2026-03-29 01:30:00.000000"
        assert sqlite_datetime(stored) == at


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


def _sqlite_with_a_table(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO notes (body) VALUES ('first')"))
    return engine


def test_a_reading_session_reads_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    engine = _sqlite_with_a_table(tmp_path / "reading.sqlite")
    sessions = make_sessionmaker(engine)
    with sessions() as writer:
        writer.execute(text("INSERT INTO notes (body) VALUES ('uncommitted')"))
        assert engine.dialect.name == "sqlite" and writer.in_transaction()
        # An IMMEDIATE reader would wait out the busy timeout here and then fail.
        with reading(sessions) as reader:
            bodies = reader.scalars(text("SELECT body FROM notes ORDER BY id")).all()
        assert bodies == ["first"]
        writer.commit()
    engine.dispose()


def test_a_reader_that_writes_after_a_commit_elsewhere_lost_the_race(tmp_path: Path) -> None:
    engine = _sqlite_with_a_table(tmp_path / "race.sqlite")
    sessions = make_sessionmaker(engine)
    with reading(sessions) as reader:
        assert reader.scalar(text("SELECT count(*) FROM notes")) == 1
        with sessions() as writer, writer.begin():
            writer.execute(text("INSERT INTO notes (body) VALUES ('elsewhere')"))
        with pytest.raises(OperationalError) as raised:
            reader.execute(text("INSERT INTO notes (body) VALUES ('stale')"))
        assert lost_write_race(raised.value)
        reader.rollback()
    with sessions() as writer, writer.begin():  # a writer from the start never loses it
        writer.execute(text("INSERT INTO notes (body) VALUES ('again')"))
    with reading(sessions) as reader:
        bodies = reader.scalars(text("SELECT body FROM notes ORDER BY id")).all()
    assert bodies == ["first", "elsewhere", "again"]
    engine.dispose()


def test_other_database_errors_are_no_lost_race(tmp_path: Path) -> None:
    engine = _sqlite_with_a_table(tmp_path / "other.sqlite")
    with reading(make_sessionmaker(engine)) as reader:
        with pytest.raises(OperationalError) as raised:
            reader.execute(text("SELECT * FROM no_such_table"))
        assert not lost_write_race(raised.value)
    engine.dispose()


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2, 1, 1),
        max_value=datetime(9998, 12, 31),
        timezones=st.timezones() | st.just(UTC),
    )
)
def test_sqlite_text_is_what_sqlalchemys_sqlite_datetime_writes(value: datetime) -> None:
    """UTCDateTime binds on SQLite in one step; the text must stay SQLAlchemy's, byte for
    byte, or stored values would stop comparing and sorting with the ones already there."""
    dialect = sqlite.dialect()
    theirs = sqlite.DATETIME().bind_processor(dialect)
    assert theirs is not None
    mine = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert mine is not None
    assert mine(value) == sqlite_text(value) == theirs(value.astimezone(UTC).replace(tzinfo=None))


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    st.sampled_from(["microseconds", "seconds", "milliseconds", "auto"]),
    st.sampled_from([" ", "T"]),
)
def test_sqlite_datetime_reads_what_sqlalchemys_sqlite_datetime_reads(
    value: datetime, timespec: str, separator: str
) -> None:
    """UTCDateTime reads on SQLite in one step; what comes back must be what SQLAlchemy's
    SQLite DATETIME parsing and then ``process_result_value`` give, for the text this
    application writes and for the shorter forms a hand-written UPDATE might leave."""
    dialect = sqlite.dialect()
    theirs = sqlite.DATETIME().result_processor(dialect, None)
    assert theirs is not None
    mine = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert mine is sqlite_datetime
    for stored in (value.isoformat(separator, timespec), value.date().isoformat()):
        expected = theirs(stored).replace(tzinfo=UTC)
        read = sqlite_datetime(stored)
        assert read == expected
        assert read is not None and read.tzinfo is UTC
    assert sqlite_datetime(None) is None


def test_sqlite_datetime_converts_a_stored_offset_to_utc() -> None:
    read = sqlite_datetime("2026-01-01 09:00:00+05:30")
    assert read == datetime(2026, 1, 1, 3, 30, tzinfo=UTC)
    assert read is not None and read.tzinfo is UTC


def test_sqlite_datetime_refuses_text_that_is_no_datetime() -> None:
    with pytest.raises(ValueError, match="Invalid isoformat"):
        sqlite_datetime("next tuesday")


def test_sqlite_text_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        sqlite_text(datetime(2026, 11, 24, 9, 0))
