"""Short form of `python -m bench.mixed_load`: two workers under 64 connections, zero errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mixed_load import FEED_TOKEN, log_problems, run_backend
from tests.conftest import BACKENDS, POSTGRES_URL
from web.access_log import REDACTED


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_load_on_two_workers_has_no_errors(backend: str, tmp_path: Path) -> None:
    report, log, memory = run_backend(
        backend,
        seconds=4,
        connections=64,
        driver="python",
        workdir=tmp_path,
        postgres_server=POSTGRES_URL or "unused",
    )
    print(f"{backend}: {report.line()}; {memory}")
    before, after = memory.splitlines()
    assert before.startswith("server RSS before the load (logins only): workers ")
    assert after.strip().startswith("server RSS after the run: workers ")
    assert report.requests > 64
    assert report.errors == 0, report.statuses
    writes = [r for r in report.results if r.call.method == "PATCH"]
    assert writes and all(r.status == 200 for r in writes)
    # No tracebacks, no "database is locked", and the feed token never reached the log.
    assert log_problems(log) == []
    assert f"/feeds/{REDACTED}.ics" in log
    assert f"/feeds/{REDACTED}/rotations/" in log
    assert FEED_TOKEN not in log
    feeds = [r for r in report.results if r.call.path.startswith("/feeds/")]
    assert any(r.status == 200 for r in feeds), "no real feed was served"
