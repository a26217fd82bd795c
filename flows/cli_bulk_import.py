"""``allhands import-people`` and ``allhands import-cards``: large files in short batches.

Every row is checked before anything is written (any bad row: each named, exit 1, nothing
imported); then the rows are written in batches, each its own short transaction, with the
progress printed after each ("cards: 40,000 / 100,000 written"). See ``flows.bulk_import``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from core.batches import Progress
from core.clock import SystemClock
from core.db import make_engine, make_sessionmaker
from core.errors import DomainError
from core.settings import get_settings
from flows import bulk_import
from kb_links import importers
from migrations import runner

Source = Annotated[Path, typer.Argument(help="The CSV (or Guru export) file ('-': stdin).")]


def import_people(source: Source) -> None:
    """Create or update people from a CSV of email,name[,timezone,team]."""
    _run("people", source, lambda session, text: bulk_import.check_people(session, text=text))


def import_cards(
    source: Source,
    guru: Annotated[
        bool | None,
        typer.Option("--guru/--csv", help="The file is a Guru card export (default: guess)."),
    ] = None,
) -> None:
    """Create or revise knowledge cards from a CSV or a Guru card export."""
    now = SystemClock().now()

    def check(session: Session, text: str) -> bulk_import.Checked:
        is_json = importers.looks_like_json(text) if guru is None else guru
        return bulk_import.check_cards(session, text=text, is_json=is_json, now=now)

    _run("cards", source, check)


def register(app: typer.Typer) -> None:
    app.command("import-people")(import_people)
    app.command("import-cards")(import_cards)


def _read(source: Path) -> str:
    try:
        if str(source) == "-":
            return typer.get_text_stream("stdin").read()
        return source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: cannot read {exc}", err=True)
        raise typer.Exit(1) from exc


def _progress(kind: str) -> Progress:
    def say(done: int, total: int) -> None:
        typer.echo(f"{kind}: {done:,} / {total:,} written")

    return say


def _run(kind: str, source: Path, check: Callable[[Session, str], bulk_import.Checked]) -> None:
    text = _read(source)
    engine = make_engine(get_settings().effective_database_url)
    try:
        runner.upgrade(engine)
        with make_sessionmaker(engine)() as session:
            checked = check(session, text)
            totals = bulk_import.write(
                session, checked, now=SystemClock().now(), actor=None, progress=_progress(kind)
            )
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        for error in exc.extra.get("errors", []):
            typer.echo(f"  line {error['line']}: {error['message']}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    bumped = f", {totals.bumped:,} bumped" if totals.bumped is not None else ""
    typer.echo(f"{kind}: {totals.created:,} created, {totals.updated:,} updated{bumped}")
