"""The one declarative base, the UTC datetime type and the engine/session factories."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Dialect, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from core import sqlite_writers
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
        value = _in_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """The conversion for ``dialect``, remembering its last input and output.

        A bulk write binds the same instant (its "now") on every row; converting that object
        once instead of once per row makes a large import markedly cheaper. Datetimes are
        immutable, so an identical object always converts to the same value.

        On SQLite the value is written out in one step (``sqlite_text``) instead of through
        ``process_bind_param`` and then SQLAlchemy's own SQLite formatting, which builds a
        dict of the fields per value: the same text at half the cost (a shift binds two).
        """
        process = sqlite_text if dialect.name == "sqlite" else super().bind_processor(dialect)
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

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        """On SQLite, the stored text read in one step (``sqlite_datetime``) instead of through
        SQLAlchemy's SQLite DATETIME parsing and then ``process_result_value``: the same value
        at a tenth of the cost, which counts where thousands of shifts are read at once."""
        if dialect.name == "sqlite":
            return sqlite_datetime
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _read_in_utc(value)


def sqlite_text(value: datetime | None) -> str | None:
    """An aware datetime as SQLite stores it: UTC, as SQLAlchemy's default SQLite DATETIME
    format writes it (``YYYY-MM-DD HH:MM:SS.ffffff``), which sorts as time does."""
    if value is None:
        return None
    # The text without its "+00:00": dropping the zone with ``datetime.replace`` first would
    # cost more than the formatting.
    return _in_utc(value).isoformat(" ", "microseconds")[:-6]


def sqlite_datetime(value: str | None) -> datetime | None:
    """A datetime as SQLite stores it (``sqlite_text``), read back as an aware UTC datetime.

    The stored text is UTC without an offset; parsed with one added, it comes back aware in
    one step (``datetime.replace`` would cost three times the parse). Text that already has
    an offset, or is a bare date, takes the longer way.
    """
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value + "+00:00")
    except ValueError:
        parsed = datetime.fromisoformat(value)
    # A bare date comes back naive: the offset does not attach to it.
    return parsed if parsed.tzinfo is UTC else _read_in_utc(parsed)


def _read_in_utc(value: datetime) -> datetime:
    """A value read from the database in UTC; a naive one was stored as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _in_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused (it would be a wall-clock time)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    return value.astimezone(UTC)


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL: readers see the last commit while one writer appends, so a page never waits for a
    # write. synchronous=NORMAL: in WAL mode a commit is not fsynced, only each checkpoint is;
    # a crash of the process loses nothing, a power cut may lose the last commits but never
    # corrupts the file, and commits stop costing a disk flush each. Checkpoints run as
    # SQLite's default (every 1,000 pages of WAL, by the committing connection). Writers
    # take turns (``core.sqlite_writers``); the busy timeout is the bound on waiting.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


BUSY_TIMEOUT_SECONDS = 30
# Execution option of a unit of work that expects to read only (see ``reading``).
READ_FIRST = "allhands_read_first"
_SQLITE_BUSY = 5


def _sqlite_begin(conn: Any) -> None:
    # pysqlite's deferred BEGIN upgrades to a write lock mid-transaction, and an upgrade
    # cannot wait: it fails at once when another writer holds the lock or has committed since
    # the transaction's first read. So a unit of work that writes takes the write lock up
    # front (writers queue on the busy timeout); one that expects to read only begins
    # deferred and never waits for a writer, and if it writes after all and loses that race,
    # ``lost_write_race`` tells its caller to run it again as a writer.
    raw = conn.connection.dbapi_connection
    if conn.get_execution_options().get(READ_FIRST):
        conn.exec_driver_sql("BEGIN")
    elif isinstance(raw, sqlite_writers.TurnTakingConnection):
        raw.begin_writing()
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def reading(sessions: sessionmaker[Session]) -> Session:
    """A session for work that reads only: on SQLite it takes no write lock and waits for no
    writer (on PostgreSQL every transaction is like that already)."""
    return sessions(execution_options={READ_FIRST: True})


def lost_write_race(error: BaseException) -> bool:
    """Whether ``error`` is SQLite refusing the first write of a transaction begun by
    ``reading``, which succeeds when the whole unit of work runs again as a writer."""
    orig = getattr(error, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and (
        getattr(orig, "sqlite_errorcode", 0) & 0xFF == _SQLITE_BUSY
    )


def begin_reading(session: Session) -> None:
    """Begin ``session``'s next transaction as one that only reads, until its commit.

    On SQLite it then takes no write lock, so a long read (matching a large import against
    the database) does not stall every writer; elsewhere it is an ordinary transaction.
    The session must not be in a transaction already, and must not write before it ends.
    """
    if session.in_transaction():
        raise RuntimeError("begin_reading: the session is already in a transaction")
    session.connection(execution_options={READ_FIRST: True})


# Connections per process. The web layer admits at most this many requests at once (see
# web/admission.py), so no request ever waits for a connection while holding a thread.
SQLITE_POOL_SIZE, SQLITE_MAX_OVERFLOW = 5, 10
# PostgreSQL: the web workers together open at most POSTGRES_WEB_CONNECTIONS, the web's share
# of a server at PostgreSQL's default max_connections=100 (the rest is left for the periodic
# jobs, the CLI, migrations, backups and the superuser slots), split evenly between the
# workers. A worker never needs more connections than it has threads to run requests in
# (Starlette runs sync endpoints on anyio's default limiter of 40 threads), and keeps a few
# open (a third of its share) instead of opening one per request. Two workers get 10 + 20,
# as before; four get 5 + 10, so adding workers does not exhaust the server.
POSTGRES_WEB_CONNECTIONS = 60
WORKER_THREADS = 40
MIN_POSTGRES_CONNECTIONS = 3


def postgres_pool(workers: int = 1) -> tuple[int, int]:
    """(pool_size, max_overflow) of one of ``workers`` processes sharing a PostgreSQL server."""
    share = max(MIN_POSTGRES_CONNECTIONS, min(WORKER_THREADS, POSTGRES_WEB_CONNECTIONS // workers))
    kept = max(1, share // 3)
    return kept, share - kept


def get_or_not_found(session: Session, model: type[RowT], key: int, *, what: str) -> RowT:
    """The row of ``model`` with primary key ``key``; NotFound naming ``what`` otherwise."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def max_connections(url: str, *, workers: int = 1) -> int:
    """How many connections an engine from ``make_engine(url, workers=workers)`` opens at most."""
    if url.startswith("sqlite"):
        return SQLITE_POOL_SIZE + SQLITE_MAX_OVERFLOW
    return sum(postgres_pool(workers))


def make_engine(url: str, *, workers: int = 1, **kwargs: Any) -> Engine:
    """An engine configured for the database behind ``url``, for one of ``workers`` processes
    serving it (PostgreSQL's pool is sized by it; SQLite's is not)."""
    if url.startswith("sqlite"):
        if ":memory:" not in url and url not in ("sqlite://", "sqlite+pysqlite://"):
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_MAX_OVERFLOW)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": BUSY_TIMEOUT_SECONDS,
                "factory": sqlite_writers.TurnTakingConnection,
            },
            **kwargs,
        )
        event.listen(engine, "connect", _configure_sqlite)
        database = engine.url.database

        @event.listens_for(engine, "connect")
        def _disable_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            if database and database != ":memory:":
                sqlite_writers.attach(dbapi_connection, database, BUSY_TIMEOUT_SECONDS)

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    pool_size, max_overflow = postgres_pool(workers)
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", max_overflow)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _postgres_in_utc)
    return engine


def _postgres_in_utc(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Every session in UTC by that name, whatever the server's default: psycopg then hands
    # back datetimes in ``datetime.UTC`` itself, which ``UTCDateTime`` keeps as they are.
    # Under any other zone name, "Etc/UTC" included, each value would be converted anew
    # (about 1.5 µs each).
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses render after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
