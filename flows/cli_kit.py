"""What every ``allhands`` command shares: the configured database, one unit of work, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.db import make_engine, make_sessionmaker
from core.settings import get_settings
from migrations import runner
from rotation.feed import renames as feed_renames


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def database() -> Iterator[Engine]:
    """An engine on the configured database for one command, disposed when it ends."""
    engine = make_engine(get_settings().effective_database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for one command: committed only if the whole command succeeds."""
    with database() as engine:
        sessions = make_sessionmaker(engine)
        feed_renames.watch(sessions)
        with sessions() as session, session.begin():
            yield session


def upgrade_database() -> None:
    with database() as engine:
        runner.upgrade(engine)
