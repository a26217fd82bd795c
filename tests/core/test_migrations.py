"""Migrations are code: they go up, down and up again, and match the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import Engine

import migrations.models  # noqa: F401
from core.db import Base, make_engine
from core.settings import normalise_database_url
from migrations import runner
from tests.conftest import BACKENDS, POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each backend, separate from the shared test database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.sqlite'}")
        yield engine
        engine.dispose()
        return
    base_url = make_url(normalise_database_url(POSTGRES_URL))
    name = f"{base_url.database}_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(
        base_url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base_url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(blank_engine: Engine) -> None:
    runner.upgrade(blank_engine)
    assert table_names(blank_engine) == set(Base.metadata.tables)
    runner.check(blank_engine)
    runner.downgrade(blank_engine, "base")
    assert table_names(blank_engine) == set()
    runner.upgrade(blank_engine)
    assert table_names(blank_engine) == set(Base.metadata.tables)
    runner.check(blank_engine)
