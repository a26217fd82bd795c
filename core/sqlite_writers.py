"""Writers to one SQLite file take turns, waiting in the kernel instead of polling for the lock.

SQLite's busy timeout makes a second writer sleep and retry, with sleeps growing to 100 ms:
under a stream of writes a waiting writer keeps missing the moments the lock is free, and
the slowest writes take seconds. So every writing transaction first takes this turn: a lock
between the threads of a process, then an exclusive ``flock`` on a file beside the database
between processes (web workers, CLI jobs). Both wake the next waiter as soon as the turn is
given back, right after COMMIT or ROLLBACK. ``BEGIN IMMEDIATE`` then finds the lock free.

A transaction that cannot get its turn within the busy timeout (a second writer opened by a
thread that already writes, which SQLite could not serve either) goes ahead without one and
meets SQLite's own busy timeout, exactly as without the queue.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from typing import Any


class WriterTurns:
    """The turn of one database file in this process."""

    def __init__(self, database_path: str, wait_seconds: float) -> None:
        self.lock_path = database_path + "-writers"
        self.wait_seconds = wait_seconds
        self._threads = threading.Lock()
        self._fd: int | None = None

    def take(self) -> bool:
        """Wait for the turn; False if it did not come within the busy timeout."""
        if not self._threads.acquire(timeout=self.wait_seconds):
            return False
        try:
            if self._fd is None:
                self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError:
            self._threads.release()
            return False
        return True

    def give_back(self) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


_turns: dict[str, WriterTurns] = {}
_turns_lock = threading.Lock()


def turns_for(database_path: str, wait_seconds: float) -> WriterTurns:
    """The one ``WriterTurns`` of ``database_path`` in this process (engines share it)."""
    key = os.path.realpath(database_path)
    with _turns_lock:
        return _turns.setdefault(key, WriterTurns(key, wait_seconds))


class TurnTakingConnection(sqlite3.Connection):
    """A pysqlite connection that gives its writer's turn back when its transaction ends."""

    turns: WriterTurns | None = None
    holding = False

    def begin_writing(self) -> None:
        """Take the turn (if this database has turns), then the write lock."""
        self.holding = self.turns is not None and self.turns.take()
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._give_back()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.holding and self.turns is not None:
            self.holding = False
            self.turns.give_back()


def attach(dbapi_connection: Any, database_path: str | None, wait_seconds: float) -> None:
    """Give a new connection its database's turns (none for an in-memory database)."""
    if isinstance(dbapi_connection, TurnTakingConnection) and database_path:
        dbapi_connection.turns = turns_for(database_path, wait_seconds)
