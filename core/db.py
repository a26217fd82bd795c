"""The one declarative base, the UTC datetime type and the engine/session factories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Dialect, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from core.errors import NotFound

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Primary keys are 32-bit integers on PostgreSQL; a larger id cannot name a row, and passing
# it to the database would fail there (and overflow SQLite's driver) instead of giving a 4xx.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


RowT = TypeVar("RowT", bound=Base)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite keeps no offset, so without this a value would come back naive; refusing naive
    input keeps local wall-clock times from sneaking into the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """The conversion for ``dialect``, remembering its last input and output.

        A bulk write binds the same instant (its "now") on every row; converting that object
        once instead of once per row makes a large import markedly cheaper. Datetimes are
        immutable, so an identical object always converts to the same value.
        """
        process = super().bind_processor(dialect)
        if process is None:
            return None
        last: list[tuple[object, Any]] = [(object(), None)]

        def remembering(value: Any) -> Any:
            seen, converted = last[0]
            if value is seen:
                return converted
            converted = process(value)
            last[0] = (value, converted)
            return converted

        return remembering

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets readers proceed while one writer commits; the busy timeout makes a second
    # writer wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# An execution option: the transaction only reads (see ``begin_reading``).
READING = "allhands_reading"


def _sqlite_begin_immediate(conn: Any) -> None:
    # pysqlite's deferred BEGIN upgrades to a write lock mid-transaction, which deadlocks
    # two writers; taking the write lock up front makes them queue on the busy timeout.
    # A transaction begun with ``begin_reading`` never writes: a deferred BEGIN reads a
    # snapshot (WAL) and keeps no writer waiting.
    conn.exec_driver_sql(
        "BEGIN" if conn.get_execution_options().get(READING) else "BEGIN IMMEDIATE"
    )


def begin_reading(session: Session) -> None:
    """Begin ``session``'s next transaction as one that only reads, until its commit.

    On SQLite it then takes no write lock, so a long read (matching a large import against
    the database) does not stall every writer; elsewhere it is an ordinary transaction.
    The session must not be in a transaction already, and must not write before it ends.
    """
    if session.in_transaction():
        raise RuntimeError("begin_reading: the session is already in a transaction")
    session.connection(execution_options={READING: True})


# Connections per process. The web layer admits at most this many requests at once (see
# web/admission.py), so no request ever waits for a connection while holding a thread.
SQLITE_POOL_SIZE, SQLITE_MAX_OVERFLOW = 5, 10
POSTGRES_POOL_SIZE, POSTGRES_MAX_OVERFLOW = 10, 20


def get_or_not_found(session: Session, model: type[RowT], key: int, *, what: str) -> RowT:
    """The row of ``model`` with primary key ``key``; NotFound naming ``what`` otherwise."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def max_connections(url: str) -> int:
    """How many connections an engine from ``make_engine(url)`` opens at most."""
    if url.startswith("sqlite"):
        return SQLITE_POOL_SIZE + SQLITE_MAX_OVERFLOW
    return POSTGRES_POOL_SIZE + POSTGRES_MAX_OVERFLOW


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine configured for the database behind ``url``."""
    if url.startswith("sqlite"):
        if ":memory:" not in url and url not in ("sqlite://", "sqlite+pysqlite://"):
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_MAX_OVERFLOW)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        event.listen(engine, "connect", _configure_sqlite)

        @event.listens_for(engine, "connect")
        def _disable_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
    kwargs.setdefault("max_overflow", POSTGRES_MAX_OVERFLOW)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses render after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
