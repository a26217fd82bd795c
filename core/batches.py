"""A long write cut into short transactions, so that no other writer waits long for its turn.

On SQLite every writing transaction holds the database's one write lock: an import written
in one transaction keeps every other writer (a login, an acknowledgement) waiting until it
ends. ``write_in_batches`` commits after each ``size`` items instead. Whatever can reject
the input must have been checked before the first batch: a batch that fails leaves the ones
before it committed. A batch that meets a concurrent writer (``Conflict``: a row added in the
same instant) is tried once more, after a rollback, on the state that writer left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from core.errors import Conflict

# Rows per transaction: a fraction of a second of writing on a busy machine.
BATCH_ROWS = 2_000

T = TypeVar("T")
R = TypeVar("R")
# Told (rows done, rows in all) after each batch commits.
Progress = Callable[[int, int], None]


def write_in_batches(
    session: Session,
    items: Sequence[T],
    write: Callable[[Session, list[T]], R],
    *,
    progress: Progress | None = None,
    done: int = 0,
    total: int | None = None,
    size: int = BATCH_ROWS,
) -> list[R]:
    """``write(session, batch)`` for each batch of ``items``, each committed on its own.

    ``done`` rows of ``total`` (default: the items) count as done before the first batch
    (rows found to need no write, say); ``progress`` hears of each step.
    """
    total = len(items) + done if total is None else total
    if session.in_transaction():
        session.commit()
    if progress is not None:
        progress(done, total)
    results: list[R] = []
    for offset in range(0, len(items), size):
        batch = list(items[offset : offset + size])
        results.append(_write_one(session, batch, write))
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return results


def _write_one(session: Session, batch: list[T], write: Callable[[Session, list[T]], R]) -> R:
    for attempt in (1, 2):
        try:
            result = write(session, batch)
            session.commit()
            return result
        except Conflict:
            session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
