"""``allhands notify --dry-run`` prints the Slack notices that would go out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.db import make_engine, make_sessionmaker
from migrations import runner
from tests.factories import make_person, make_rotation, make_shift
from tests.flows.test_cli import cli_env, run_cli


def test_a_dry_run_prints_the_handoff_post_and_changes_nothing(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    engine = make_engine(env["ALLHANDS_DATABASE_URL"])
    runner.upgrade(engine)
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as session, session.begin():
        ana = make_person(session, email="ana@example.com", name="Ana de Vries")
        rotation = make_rotation(session, name="Tier 2", slug="tier-2", timezone="UTC")
        rotation.slack_channel = "#tier-2"
        make_shift(
            session, rotation=rotation, person=ana, start=now - timedelta(minutes=10), days=7
        )
    engine.dispose()

    dry = run_cli("notify", "--dry-run", env=env)

    assert dry.returncode == 0, dry.stderr
    assert "would post to Slack #tier-2: Ana de Vries is on Tier 2 until" in dry.stdout
    assert "would DM ana@example.com on Slack: Your shift starts today: Tier 2" in dry.stdout
    assert "2 Slack notice(s) would be sent; nothing changed" in dry.stdout
    again = run_cli("notify", "--dry-run", env=env)
    assert "2 Slack notice(s) would be sent" in again.stdout
