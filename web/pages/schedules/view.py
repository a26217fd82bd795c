"""Schedule pages: every schedule with who answers now, and one schedule's layers and final line.

The final line is drawn as a week of days, each a bar of the stretches of who answers (inline
SVG, with the same facts in a table), in the viewer's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import HTMLResponse

from core import feed_tokens
from core.errors import NotFound
from core.i18n import N_
from rotation import schedule_service
from rotation.timeline import days_to_utc
from web.deps import SettingsDep
from web.feeds.routes import webcal
from web.pages.helpers import ViewerVisit
from web.templating import render

router = APIRouter(include_in_schema=False)

DAYS_SHOWN = 7
BAR_WIDTH = 672  # 28 px per hour
PALETTE = 6  # layer colours, by position


@dataclass(frozen=True)
class Stretch:
    """One stretch of a day's bar: who answers, from which layer, where to draw it."""

    view: schedule_service.FinalView
    x: float
    width: float
    colour: int


def _day_bars(
    views: list[schedule_service.FinalView], layers: list[str], *, first: date, zone: ZoneInfo
) -> list[tuple[date, list[Stretch]]]:
    bars = []
    for offset in range(DAYS_SHOWN):
        day = first + timedelta(days=offset)
        start, end = days_to_utc(day, day, zone)
        span = (end - start).total_seconds()
        stretches = [
            Stretch(
                view=view,
                x=BAR_WIDTH * (max(view.start, start) - start).total_seconds() / span,
                width=BAR_WIDTH
                * (min(view.end, end) - max(view.start, start)).total_seconds()
                / span,
                colour=layers.index(view.layer) % PALETTE if view.layer in layers else -1,
            )
            for view in views
            if view.start < end and view.end > start and view.shift is not None
        ]
        bars.append((day, stretches))
    return bars


@router.get("/schedules", response_class=HTMLResponse)
def schedules_view(visit: ViewerVisit) -> HTMLResponse:
    session, now = visit.session, visit.now
    found = schedule_service.list_schedules(session)
    layers = schedule_service.layers_of(session, [s.id for s in found])
    rows = [
        (
            schedule,
            layers[schedule.id],
            *schedule_service.on_call(session, schedule=schedule, at=now),
        )
        for schedule in found
    ]
    return render(
        visit.request, "schedules.html", {"viewer": visit.viewer, "rows": rows, "now": now}
    )


@router.get("/schedules/{slug}", response_class=HTMLResponse)
def schedule_view(slug: str, visit: ViewerVisit, settings: SettingsDep) -> HTMLResponse:
    session, viewer, now = visit.session, visit.viewer, visit.now
    try:
        schedule = schedule_service.get_schedule(session, slug)
    except NotFound:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=N_("There is no such schedule.")
        ) from None
    zone = ZoneInfo(viewer.timezone)
    first = now.astimezone(zone).date()
    start, _ = days_to_utc(first, first, zone)
    _, end = days_to_utc(
        first + timedelta(days=DAYS_SHOWN - 1), first + timedelta(days=DAYS_SHOWN - 1), zone
    )
    layers = schedule_service.layers_of(session, [schedule.id])[schedule.id]
    views = schedule_service.final(session, schedule=schedule, start=start, end=end)
    layer, on_call = schedule_service.on_call(session, schedule=schedule, at=now)
    token = feed_tokens.token_for(secret_key=settings.resolved_secret_key(), person=viewer)
    feed_url = f"{settings.base_url}/feeds/{token}/schedules/{schedule.slug}.ics"
    return render(
        visit.request,
        "schedule.html",
        {
            "viewer": viewer,
            "schedule": schedule,
            "layers": layers,
            "views": views,
            "bars": _day_bars(views, [layer.name for layer in layers], first=first, zone=zone),
            "bar_width": BAR_WIDTH,
            "answering_layer": layer,
            "on_call": on_call,
            "feed_url": feed_url,
            "webcal_url": webcal(feed_url),
            "now": now,
        },
    )
