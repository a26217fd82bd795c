"""How many connections an engine may open: PostgreSQL's pool follows the worker count."""

from __future__ import annotations

import pytest

from core.db import (
    POSTGRES_WEB_CONNECTIONS,
    SQLITE_MAX_OVERFLOW,
    SQLITE_POOL_SIZE,
    WORKER_THREADS,
    make_engine,
    max_connections,
    postgres_pool,
)

POSTGRES_URL = "postgresql+psycopg://allhands@127.0.0.1:5432/never_connected"


def test_two_workers_keep_the_pool_they_had() -> None:
    assert postgres_pool(2) == (10, 20)


@pytest.mark.parametrize("workers", [1, 2, 3, 4, 5, 8, 12, 20])
def test_the_workers_together_stay_within_the_web_share(workers: int) -> None:
    kept, overflow = postgres_pool(workers)
    assert 1 <= kept <= kept + overflow <= WORKER_THREADS
    assert workers * (kept + overflow) <= POSTGRES_WEB_CONNECTIONS


def test_more_workers_never_means_more_connections_each() -> None:
    shares = [sum(postgres_pool(workers)) for workers in range(1, 40)]
    assert shares == sorted(shares, reverse=True)
    assert min(shares) >= 3  # every worker can still serve a few requests at once


def test_the_engine_and_the_admission_limit_agree() -> None:
    for workers in (1, 2, 4):
        engine = make_engine(POSTGRES_URL, workers=workers)
        try:
            kept, overflow = postgres_pool(workers)
            assert engine.pool.size() == kept  # type: ignore[attr-defined]
            assert engine.pool._max_overflow == overflow  # type: ignore[attr-defined]
            assert max_connections(POSTGRES_URL, workers=workers) == kept + overflow
        finally:
            engine.dispose()


def test_sqlite_is_sized_as_before_whatever_the_workers(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/pool.sqlite"
    engine = make_engine(url, workers=4)
    try:
        assert engine.pool.size() == SQLITE_POOL_SIZE  # type: ignore[attr-defined]
        assert max_connections(url, workers=4) == SQLITE_POOL_SIZE + SQLITE_MAX_OVERFLOW
    finally:
        engine.dispose()
