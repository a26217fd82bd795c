"""Short form of `python -m bench.instances`: two servers, one database, no lost update."""

from __future__ import annotations

from pathlib import Path

from bench.instances import run


def test_simultaneous_edits_through_two_instances_are_all_kept(tmp_path: Path) -> None:
    report = run(rounds=20, workdir=tmp_path)
    print(report.line())
    assert report.acknowledged == 40
    assert report.problems() == []
