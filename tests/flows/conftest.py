"""Command-line tests run against a database file of their own, as the CLI would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_sessionmaker
from core.settings import get_settings
from migrations import runner


@pytest.fixture
def sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated SQLite file that ``ALLHANDS_DATABASE_URL`` names for the CLI."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("ALLHANDS_DATABASE_URL", url)
    monkeypatch.setenv("ALLHANDS_SECRET_KEY", "cli-test")
    get_settings.cache_clear()
    engine = make_engine(url)
    runner.upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()
    get_settings.cache_clear()
