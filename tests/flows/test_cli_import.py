"""`allhands import-schedule` against its own database file: dry run, import, re-import."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from core.models import Person
from flows.cli import app
from rotation.models import Rotation, Shift

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
AT = ["--at", "2027-03-01T05:00:00"]


def rows(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Person, Rotation, Shift)
        )


def test_dry_run_then_import_then_reimport(sessions: sessionmaker[Session]) -> None:
    source = str(FIXTURES / "pagerduty_schedule.json")
    cli = CliRunner()
    dry = cli.invoke(app, ["import-schedule", "--from", "pagerduty", source, "--dry-run", *AT])
    assert dry.exit_code == 0, dry.output
    assert "would import (dry run: nothing written)" in dry.output
    assert "120900 of 120900 minutes agree (100.0%)" in dry.output
    assert rows(sessions) == (0, 0, 0)

    done = cli.invoke(app, ["import-schedule", "--from", "pagerduty", source, *AT])
    assert done.exit_code == 0, done.output
    assert "rotation business-hours: Weekly, Mondays at 09:00 (America/New_York)" in done.output
    after = rows(sessions)
    assert after[:2] == (12, 3)

    again = cli.invoke(app, ["import-schedule", "--from", "pagerduty", source, *AT])
    assert again.exit_code == 0, again.output
    assert "already imported, unchanged" in again.output
    assert rows(sessions) == after


def test_people_map_gives_emails_the_source_lacks(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    document = (FIXTURES / "pagerduty_schedule.json").read_text()
    # Only the schedule itself, as GET /schedules/{id} returns it: user references, no emails.
    schedule_only = {"schedule": json.loads(document)["schedule"]}
    schedule_only["overrides"] = json.loads(document)["overrides"]
    source = tmp_path / "schedule.json"
    source.write_text(json.dumps(schedule_only))
    cli = CliRunner()
    missing = cli.invoke(app, ["import-schedule", "--from", "pagerduty", str(source), *AT])
    assert missing.exit_code == 1
    assert "has no email in the source" in missing.output
    assert rows(sessions) == (0, 0, 0)

    mapping = tmp_path / "people.csv"
    mapping.write_text(
        "source,email\n" + "".join(f"PU{i:02d},person{i}@corp.example\n" for i in range(1, 13))
    )
    done = cli.invoke(
        app,
        ["import-schedule", "--from", "pagerduty", str(source), "--map-people", str(mapping), *AT],
    )
    assert done.exit_code == 0, done.output
    assert "(100.0%)" in done.output
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Person.email.like("%@corp.example"))) == 12


def test_a_bad_file_names_the_line_and_imports_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    source = tmp_path / "rota.csv"
    source.write_text("start,end,email\n2027-03-01T09:00:00+01:00,yesterday,ada@example.com\n")
    result = CliRunner().invoke(app, ["import-schedule", "--from", "csv", str(source)])
    assert result.exit_code == 1
    assert "line 2: end 'yesterday' is not an ISO 8601 date-time" in result.output
    assert rows(sessions) == (0, 0, 0)
