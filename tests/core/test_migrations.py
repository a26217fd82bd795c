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


CARD_ROW = {
    "id": 7,
    "title": "Refunds",
    "url": "https://kb.example.com/refunds",
    "source": "guru",
    "external_id": "abc",
    "collection": "Support",
    "verifier_id": None,
    "verify_every_days": 30,
    "last_verified_at": None,
    "version": 3,
    "source_version": 12,
    "archived": False,
    "created_at": "2026-11-01 09:00:00",
    "updated_at": "2026-11-02 09:00:00",
    "changed_at": "2026-11-02 09:00:00",
}


def card_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("card")}


def test_dropping_card_content_hash_keeps_every_card_and_comes_back_empty(
    blank_engine: Engine,
) -> None:
    runner.upgrade(blank_engine, "0040")
    names = ", ".join(CARD_ROW)
    values = ", ".join(f":{name}" for name in CARD_ROW)
    with blank_engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO card ({names}, content_hash) VALUES ({values}, 'f00d')"), CARD_ROW
        )

    runner.upgrade(blank_engine)
    assert "content_hash" not in card_columns(blank_engine)
    with blank_engine.connect() as conn:
        kept = conn.execute(text("SELECT title, version, source_version FROM card")).all()
    assert kept == [("Refunds", 3, 12)]

    runner.downgrade(blank_engine, "0040")
    assert "content_hash" in card_columns(blank_engine)
    with blank_engine.connect() as conn:
        restored = conn.execute(text("SELECT id, title, content_hash FROM card")).all()
    assert restored == [(7, "Refunds", None)]
