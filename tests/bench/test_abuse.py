"""Short form of `python -m bench.abuse`: every attack gets the refusal it should, and the
server keeps answering. Statuses only; the timings are the benchmark's to report."""

from __future__ import annotations

from pathlib import Path

from bench.abuse import SHORT, run


def test_every_attack_is_refused_and_the_server_keeps_answering(tmp_path: Path) -> None:
    outcomes = {outcome.attack: outcome for outcome in run(SHORT, tmp_path)}
    for outcome in outcomes.values():
        print(outcome.line())
    slow, declared, chunked, logins, deep = outcomes.values()
    assert dict(slow.statuses) == {408: SHORT.slow_bodies}
    assert dict(declared.statuses) == {413: 1}
    # Chunked: a 413, or the connection closed under a sender that kept writing.
    assert set(chunked.statuses) <= {413, None}
    assert set(logins.statuses) == {401, 429}
    assert logins.statuses[401] <= SHORT.login_limit
    assert logins.statuses.total() == SHORT.wrong_logins
    assert dict(deep.statuses) == {422: 2}
    assert slow.healthz_ms, "/healthz was not probed during the slow bodies"
