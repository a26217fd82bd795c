"""Hours reports: who was on duty how long, on which kind of day, and who covered for whom."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from core.csv_export import to_csv
from core.schemas import PersonRef
from rotation import hours, ledger
from web.api.schedules import InstantQuery, parse_instant
from web.deps import CurrentPerson, NowDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["reports"])

DEFAULT_SPAN = timedelta(days=90)
CSV_COLUMNS = (
    "rotation",
    "email",
    "name",
    "shifts",
    "hours",
    "weekday_hours",
    "weekend_hours",
    "holiday_hours",
    "covers_given",
    "covers_received",
    "burden",
)


class WeightsOut(BaseModel):
    weekday: float
    weekend: float
    holiday: float


class HoursLineOut(BaseModel):
    rotation: str | None
    person: PersonRef
    shifts: int
    hours: float
    weekday_hours: float
    weekend_hours: float
    holiday_hours: float
    covers_given: int
    covers_received: int
    burden: float


class HoursReportOut(BaseModel):
    start: datetime
    end: datetime
    weights: WeightsOut
    lines: list[HoursLineOut]


def line_out(line: hours.HoursLine) -> HoursLineOut:
    entry = line.entry
    return HoursLineOut(
        rotation=line.rotation.slug if line.rotation else None,
        person=PersonRef.model_validate(line.person),
        shifts=entry.shifts,
        hours=round(entry.hours, 2),
        weekday_hours=round(entry.weekday_hours, 2),
        weekend_hours=round(entry.weekend_hours, 2),
        holiday_hours=round(entry.holiday_hours, 2),
        covers_given=entry.covers_given,
        covers_received=entry.covers_received,
        burden=round(entry.burden, 2),
    )


def build_report(
    session: SessionDep,
    viewer: CurrentPerson,
    now: NowDep,
    *,
    start: str | None,
    end: str | None,
    rotation: str | None,
    across: bool,
) -> HoursReportOut:
    """The report the query asks for (shared by the API and the page)."""
    until = parse_instant(end, name="end") if end else now
    since = parse_instant(start, name="start") if start else until - DEFAULT_SPAN
    hours.check_range(since, until)
    rotations = hours.reportable(session, viewer=viewer, slug=rotation)
    lines = hours.report(session, rotations=rotations, start=since, end=until)
    if across:
        lines = hours.across_rotations(lines)
    weights = ledger.DEFAULT_WEIGHTS
    return HoursReportOut(
        start=since,
        end=until,
        weights=WeightsOut(
            weekday=weights.weekday, weekend=weights.weekend, holiday=weights.holiday
        ),
        lines=[line_out(line) for line in lines],
    )


@router.get(
    "/reports/hours",
    response_model=HoursReportOut,
    responses={200: {"content": {"text/csv": {}}}},
)
def hours_report(
    session: SessionDep,
    viewer: CurrentPerson,
    now: NowDep,
    start: InstantQuery = None,
    end: InstantQuery = None,
    rotation: Annotated[str | None, Query(max_length=100)] = None,
    across: bool = False,
    format: Literal["json", "csv"] = "json",
) -> HoursReportOut | Response:
    """Hours on duty per person (and rotation, unless ``across``) in [start, end).

    Defaults to the 90 days before now. Managers see their rotations, admins every one.
    """
    report = build_report(
        session, viewer, now, start=start, end=end, rotation=rotation, across=across
    )
    if format == "json":
        return report
    rows = [
        (
            line.rotation or "",
            line.person.email,
            line.person.name,
            line.shifts,
            line.hours,
            line.weekday_hours,
            line.weekend_hours,
            line.holiday_hours,
            line.covers_given,
            line.covers_received,
            line.burden,
        )
        for line in report.lines
    ]
    return Response(
        to_csv(CSV_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="hours.csv"'},
    )
