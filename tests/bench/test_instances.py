"""Short form of `python -m bench.instances`: two servers, one database, no lost update.

Person edits keep both changes; same-version rotation edits give one 200 and one 409; two
counterparts accepting the same shift at once: exactly one succeeds.
"""

from __future__ import annotations

from pathlib import Path

from bench.instances import run


def test_simultaneous_edits_through_two_instances_are_all_kept(tmp_path: Path) -> None:
    report = run(rounds=20, workdir=tmp_path)
    print(report.line())
    assert report.acknowledged == 40
    assert report.rotation_rounds == 20
    assert report.swap_rounds > 0
    assert report.problems() == []
