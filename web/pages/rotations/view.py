"""The rotation page: the schedule as a month calendar, who is on now, fairness, swaps.

Everything on it comes from a fixed number of queries whatever the size of the rotation or
of the organisation: ``rotation.page_view`` loads the month's shifts, who is on, the members
and their counts, the swaps ahead and the viewer's own shifts to offer; onboarding adds the
shifts' readiness. This module only works out the month and lays it all out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from core.models import Person
from onboarding import progress
from onboarding.readiness import Status
from rotation import generation, page_view, timeline
from rotation import service as rotation_service
from rotation.feed import content as rotation_feed
from rotation.models import Rotation, Shift
from rotation.page_view import RotationPageView
from rotation.timeline import days_to_utc
from web.feeds import routes as feeds
from web.pages.helpers import PageVisit, ViewerVisit, required_id
from web.pages.rotations import coverage_view, timeline_view, visuals
from web.pages.rotations.common import parse_month, rotation_or_moved, shift_month
from web.templating import render, request_locale

router = APIRouter(include_in_schema=False)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EMPTY_SWAP_FORM = {"shift_id": "", "counterpart_shift_id": "", "counterpart_person_id": ""}


@dataclass
class SwapFormState:
    """What the swap forms show: the values kept after a refusal and what went wrong."""

    values: dict[str, str] = field(default_factory=lambda: dict(EMPTY_SWAP_FORM))
    kind: str = ""
    error: str = ""


def month_of(
    session: Session,
    *,
    rotation: Rotation,
    month: str,
    shift_id: int | None,
    today: date,
    zone: str,
) -> date:
    """The month to show: the one holding ``shift_id`` (a feed link), else ``month``, else now."""
    if shift_id is not None:
        found = page_view.month_of_shift(
            session, rotation=rotation, shift_id=shift_id, timezone=zone
        )
        if found is not None:
            return found
    return parse_month(month, today=today)


def _statuses(
    session: Session, *, rotation: Rotation, start: datetime, end: datetime, now: datetime
) -> dict[int, str]:
    """Readiness per shift still ahead in the window, where there is reading or nobody."""
    start = max(start, now)
    if end <= start:
        return {}
    entries = progress.report(session, start=start, end=end, rotation_ids=[rotation.id], now=now)
    return {
        entry.shift.id: entry.readiness.status.value
        for entry in entries
        if entry.readiness.required or entry.readiness.status is Status.UNCOVERED
    }


def fairness_label(values: list[tuple[str, int]]) -> str:
    """The bar chart in words, for screen readers."""
    if not values:
        return "No members yet."
    counts = "; ".join(f"{name}: {count}" for name, count in values)
    return f"Shifts per person: {counts}."


def _month_grid(
    shifts: list[Shift], *, first: date, today: date, zone: str, statuses: dict[int, str]
) -> list[list[visuals.Day]]:
    return visuals.month_grid(
        year=first.year,
        month=first.month,
        timezone=zone,
        today=today,
        shifts=[
            visuals.GridShift(
                shift_id=shift.id,
                start=shift.start,
                end=shift.end,
                person_name=shift.person.name if shift.person else None,
                slot=shift.slot,
                status=statuses.get(shift.id, ""),
            )
            for shift in shifts
        ],
    )


@dataclass(frozen=True)
class _Month:
    """The month on view, on the viewer's clock, and the UTC window its grid covers."""

    first: date
    today: date
    zone: str
    start: datetime
    end: datetime


def _month(
    session: Session,
    viewer: Person,
    *,
    rotation: Rotation,
    now: datetime,
    month: str,
    shift_id: int | None,
) -> _Month:
    zone = viewer.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    first = month_of(
        session, rotation=rotation, month=month, shift_id=shift_id, today=today, zone=zone
    )
    grid_first, grid_last = visuals.grid_bounds(year=first.year, month=first.month)
    start, end = days_to_utc(grid_first, grid_last, ZoneInfo(zone))
    return _Month(first=first, today=today, zone=zone, start=start, end=end)


def _context(
    viewer: Person,
    *,
    rotation: Rotation,
    view: RotationPageView,
    on_view: _Month,
    now: datetime,
    locale: str,
) -> dict[str, object]:
    """What the template shows, but for the readiness-coloured grid and the swap form."""
    first, fairness = on_view.first, view.fairness
    return {
        "viewer": viewer,
        "rotation": rotation,
        "cadence": timeline.describe(
            generation.cadence_of(rotation),
            people_per_shift=rotation.people_per_shift,
            locale=locale,
        ),
        "is_manager": view.viewer_manages,
        "on_call": view.on_call,
        "next_handoff": view.next_handoff,
        "month": first,
        "prev_month": shift_month(first, -1),
        "next_month": shift_month(first, 1),
        "this_month": on_view.today.replace(day=1),
        "weekdays": WEEKDAYS,
        "shifts_by_id": {shift.id: shift for shift in view.shifts},
        "shadowing": view.shadowing,
        "now": now,
        "roster": view.roster,
        "chart": visuals.bar_chart(fairness),
        "chart_label": fairness_label(fairness),
        "swaps": view.swaps,
        "my_shifts": view.my_shifts,
        "trade_options": view.tradable,
        "cover_people": view.cover_people(viewer=viewer),
        "choices": view.choices,
        "tradable_mine": [s for s in view.my_shifts if view.choices.trades.get(s.id)],
        "coverable_mine": [s for s in view.my_shifts if view.choices.covers.get(s.id)],
    }


def rotation_page(
    visit: PageVisit,
    *,
    rotation: Rotation,
    month: str = "",
    shift_id: int | None = None,
    swap: SwapFormState | None = None,
    page_error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """Render the rotation page (also after a refused swap request or answer)."""
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    on_view = _month(session, viewer, rotation=rotation, now=now, month=month, shift_id=shift_id)
    view = page_view.load(
        session, rotation=rotation, viewer=viewer, start=on_view.start, end=on_view.end, now=now
    )
    statuses = _statuses(session, rotation=rotation, start=on_view.start, end=on_view.end, now=now)
    grid = _month_grid(
        view.shifts, first=on_view.first, today=on_view.today, zone=on_view.zone, statuses=statuses
    )
    coverage_view.keep_duty_days(
        session, rotation=rotation, shifts=list(view.shifts), grid=grid, zone=on_view.zone
    )
    grid_first, grid_last = visuals.grid_bounds(year=on_view.first.year, month=on_view.first.month)
    locale = request_locale(request)
    context = _context(
        viewer, rotation=rotation, view=view, on_view=on_view, now=now, locale=locale
    )
    context |= {
        "calendar": feeds.calendar_urls(
            settings=request.app.state.settings,
            person=viewer,
            rotations=[rotation_feed.RotationRef(slug=rotation.slug, name=rotation.name)],
        ),
        "timeline": _timeline(session, viewer, rotation=rotation, view=view, now=now),
        "grid": grid,
        "swap": swap or SwapFormState(),
        "page_error": page_error,
        "duty_facts": coverage_view.facts(
            session, rotation=rotation, first=grid_first, last=grid_last, now=now, locale=locale
        ),
    }
    return render(request, "rotation.html", context, status_code=status_code)


def _timeline(
    session: Session, viewer: Person, *, rotation: Rotation, view: RotationPageView, now: datetime
) -> list[timeline_view.Week]:
    """The weeks from this one forward, each person in their own colour."""
    zone = ZoneInfo(viewer.timezone)
    today = now.astimezone(zone).date()
    start, _end = days_to_utc(today - timedelta(days=today.weekday()), today, zone)
    end = start + timedelta(weeks=timeline_view.WEEKS_SHOWN, days=1)
    shifts = rotation_service.list_shifts(session, rotation=rotation, start=start, end=end)
    return timeline_view.weeks(
        shifts, now=now, timezone=viewer.timezone, viewer_id=viewer.id,
        colours=timeline_view.colours_for(member.person_id for member in view.roster),
    )  # fmt: skip


@router.get("/rotations/{slug}", response_class=HTMLResponse)
def rotation_view(
    slug: str, visit: ViewerVisit, month: str = "", shift: str = "", swap_shift: str = ""
) -> Response:
    rotation = rotation_or_moved(visit.session, slug, visit.request)
    if isinstance(rotation, Response):
        return rotation
    swap = SwapFormState()
    if swap_shift:
        swap.values["shift_id"] = str(required_id(swap_shift, name="swap_shift"))
    return rotation_page(
        visit,
        rotation=rotation,
        month=month,
        shift_id=required_id(shift, name="shift") if shift else None,
        swap=swap,
    )
