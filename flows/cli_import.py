"""``allhands import-schedule``: bring a schedule over from another tool (all or nothing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from core.clock import SystemClock
from core.db import make_engine, make_sessionmaker
from core.errors import DomainError
from core.settings import get_settings
from flows import cli_bulk_import, import_report, schedule_import
from migrations import runner


def import_schedule(
    source: Annotated[Path, typer.Argument(help="The exported file ('-': standard input).")],
    kind: Annotated[
        str,
        typer.Option("--from", help=f"What the file is: {', '.join(schedule_import.KINDS)}."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported; change nothing.")
    ] = False,
    map_people: Annotated[
        Path | None,
        typer.Option(
            "--map-people",
            help="A CSV of source,email: the source's user id, "
            "name or email, and the allhands email to use for them.",
        ),
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option("--at", help="Import as of this UTC instant instead of now (a rehearsal)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a schedule from Opsgenie, PagerDuty, Grafana OnCall, an iCal file or a CSV."""
    text, people_map = _read_input(source, map_people)
    # typer reads the instant without an offset: it is UTC.
    now = SystemClock().now() if at is None else at.replace(tzinfo=UTC)
    report = _import(
        kind=kind,
        text=text,
        name="" if str(source) == "-" else source.name,
        now=now,
        people_map=people_map,
        dry_run=dry_run,
    )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    for line in describe(report):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """The import commands: a schedule from another tool, people and cards in batches."""
    app.command("import-schedule")(import_schedule)
    cli_bulk_import.register(app)


def _read_input(source: Path, map_people: Path | None) -> tuple[str, dict[str, str]]:
    """The exported file's text and the people map; exits with a message when unreadable."""
    try:
        text = (
            typer.get_text_stream("stdin").read()
            if str(source) == "-"
            else (source.read_text(encoding="utf-8"))
        )
        people_map = (
            schedule_import.read_people_map(map_people.read_text(encoding="utf-8"))
            if map_people is not None
            else {}
        )
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: cannot read {exc}", err=True)
        raise typer.Exit(1) from exc
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    return text, people_map


def _import(
    *,
    kind: str,
    text: str,
    name: str,
    now: datetime,
    people_map: dict[str, str],
    dry_run: bool,
) -> import_report.ImportReport:
    """Run the import in one transaction on the configured database (migrated first)."""
    engine = make_engine(get_settings().effective_database_url)
    try:
        runner.upgrade(engine)
        with make_sessionmaker(engine)() as session, session.begin():
            return schedule_import.run(
                session,
                kind=kind,
                text=text,
                name=name,
                now=now,
                actor=None,
                people_map=people_map,
                dry_run=dry_run,
            )
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def describe(report: import_report.ImportReport) -> list[str]:
    """The report in lines a person reads."""
    heading = {
        "created": "imported",
        "dry-run": "would import (dry run: nothing written)",
        "unchanged": "already imported, unchanged: nothing to do",
    }[report.status]
    lines = [f"{heading}: {report.name} ({report.key})"]
    if report.status == "unchanged":
        return lines
    lines.append(
        f"people: {len(report.people_created)} created, {len(report.people_matched)} matched"
    )
    for rotation in report.rotations:
        lines.append(
            f"rotation {rotation['slug']}: {rotation['cadence']}; roster "
            f"{', '.join(rotation['roster'])}; {rotation['history_shifts']} past shifts"
        )
    if report.schedule:
        lines.append(f"schedule {report.schedule}: layers in the order above")
    lines.append(f"overrides placed: {report.overrides}")
    lines.extend(f"note: {note}" for note in report.notes)
    fidelity = report.fidelity
    if fidelity is not None:
        lines.append(
            f"fidelity {fidelity.start:%Y-%m-%d %H:%M} to {fidelity.end:%Y-%m-%d %H:%M} UTC: "
            f"{fidelity.agreeing} of {fidelity.minutes} minutes agree ({fidelity.percent}%)"
        )
        lines.extend(
            f"  {d.line}: {d.start:%Y-%m-%d %H:%M}-{d.end:%Y-%m-%d %H:%M} source "
            f"{d.source or 'nobody'}, allhands {d.allhands or 'nobody'}: {d.reason}"
            for d in fidelity.disagreements
        )
    return lines
