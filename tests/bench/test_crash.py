"""Short form of `python -m bench.crash`: SIGKILL mid-extend, rerun, and two runs at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash import run
from tests.conftest import BACKENDS, POSTGRES_URL


@pytest.mark.parametrize("backend", BACKENDS)
def test_schedule_extend_survives_sigkill_and_concurrent_runs(backend: str, tmp_path: Path) -> None:
    report = run(backend, rotations=48, workdir=tmp_path, postgres_server=POSTGRES_URL or "unused")
    print("\n".join(report.lines()))
    assert report.full > 0
    assert report.problems() == []
