"""Short form of `python -m bench.db_restart`: a crash and restart of PostgreSQL under load."""

from __future__ import annotations

from pathlib import Path

from bench.db_restart import run


def test_database_crash_mid_load_fails_fast_recovers_and_loses_nothing(tmp_path: Path) -> None:
    # Each connection writes about every tenth request, and a busy machine may take seconds
    # to restart PostgreSQL: leave time for writes before the crash and after the restart.
    report = run(seconds=14, down_at=5.0, down_for=1.5, workdir=tmp_path)
    print("\n".join(report.lines()))
    assert report.before > 0 and report.during > 0
    assert report.problems() == []
