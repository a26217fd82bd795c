"""What ``allhands serve`` hands its worker processes."""

from __future__ import annotations

import pytest

from core.settings import Settings
from flows.cli import worker_environment


def test_workers_learn_their_count_and_get_two_malloc_arenas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert worker_environment(4) == {"ALLHANDS_WEB_WORKERS": "4", "MALLOC_ARENA_MAX": "2"}


def test_an_operators_arena_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert worker_environment(2)["MALLOC_ARENA_MAX"] == "8"


def test_the_settings_read_the_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLHANDS_WEB_WORKERS", "3")
    assert Settings(secret_key="x").web_workers == 3
    monkeypatch.delenv("ALLHANDS_WEB_WORKERS")
    assert Settings(secret_key="x").web_workers == 1
