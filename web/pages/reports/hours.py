"""The hours report page: a table of the ledger and a bar per person, stacked by kind of day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from rotation import service as rotation_service
from web.api.reports import HoursLineOut, build_report
from web.deps import NowDep, SessionDep
from web.pages.helpers import ManagerViewer
from web.templating import render

router = APIRouter(include_in_schema=False)

BAR_WIDTH = 480


@dataclass(frozen=True)
class Bar:
    """One person's bar: x offsets and widths of the weekday, weekend and holiday parts."""

    line: HoursLineOut
    weekday: float
    weekend: float
    holiday: float


def bars(lines: list[HoursLineOut]) -> list[Bar]:
    longest = max((line.hours for line in lines), default=0.0) or 1.0
    scale = BAR_WIDTH / longest
    return [
        Bar(
            line=line,
            weekday=line.weekday_hours * scale,
            weekend=line.weekend_hours * scale,
            holiday=line.holiday_hours * scale,
        )
        for line in lines
    ]


@router.get("/reports/hours", response_class=HTMLResponse)
def hours_page(
    request: Request,
    session: SessionDep,
    viewer: ManagerViewer,
    now: NowDep,
    start: Annotated[str | None, Query(max_length=40)] = None,
    end: Annotated[str | None, Query(max_length=40)] = None,
    rotation: Annotated[str | None, Query(max_length=100)] = None,
    across: bool = False,
) -> HTMLResponse:
    report = build_report(
        session, viewer, now, start=start or None, end=end or None, rotation=rotation or None,
        across=across,
    )  # fmt: skip
    choices = [
        r for r in rotation_service.list_rotations(session, archived=False)
        if viewer.is_admin or any(m.id == viewer.id for m in r.managers)
    ]  # fmt: skip
    return render(
        request,
        "reports_hours.html",
        {
            "viewer": viewer,
            "report": report,
            "bars": bars(report.lines),
            "bar_width": BAR_WIDTH,
            "rotations": choices,
            "chosen": rotation or "",
            "across": across,
            "query_string": request.url.query,
        },
    )
