"""``allhands company-days-off sync``: read the company's calendar of days off."""

from __future__ import annotations

import typer

from core.clock import SystemClock
from core.db import make_engine, make_sessionmaker
from core.settings import get_settings
from flows import company_calendar
from migrations import runner

app = typer.Typer(help="Company days off.")


@app.command("sync")
def sync() -> None:
    """Read the calendar at ALLHANDS_COMPANY_DAYS_OFF_URL into the company days off."""
    settings = get_settings()
    if not settings.company_days_off_url:
        typer.echo("ALLHANDS_COMPANY_DAYS_OFF_URL is not set; nothing to read")
        return
    engine = make_engine(settings.effective_database_url)
    try:
        runner.upgrade(engine)
        report = company_calendar.sync(
            make_sessionmaker(engine), url=settings.company_days_off_url, now=SystemClock().now()
        )
    except company_calendar.FetchError as exc:
        typer.echo(f"error: {exc}; the days off read before are kept", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    state = "changed" if report.changed else "unchanged"
    typer.echo(f"company days off from the calendar: {report.days} ({state})")
