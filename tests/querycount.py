"""Count the SQL statements a block of code sends, to prove a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session


class Statements(list[str]):
    """Every statement sent, in order; ``len()`` is how many."""

    @property
    def selects(self) -> list[str]:
        """Only the reads (SELECT, or a WITH query)."""
        return [s for s in self if s.lstrip().upper().startswith(("SELECT", "WITH"))]


@contextmanager
def count_statements(bind: Session | Connection) -> Iterator[Statements]:
    """Collect every statement sent through ``bind``'s connection while the block runs.

    Tests bind their sessions and the app's to one connection, so this sees the requests a
    test client makes too.
    """
    connection = bind.connection() if isinstance(bind, Session) else bind
    seen = Statements()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", before)
