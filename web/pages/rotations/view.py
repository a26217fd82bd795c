"""The rotation page: the schedule as a month calendar, who is on now, fairness, swaps.

Everything on it comes from a fixed number of queries whatever the size of the rotation or
of the organisation: the month's shifts, their readiness, who is on, the members and their
counts, the swaps ahead and the viewer's own shifts to offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from core.models import Person
from onboarding import progress
from onboarding.readiness import Status
from rotation import access, duty, generation, members, overview, timeline
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from rotation.timeline import days_to_utc
from web.deps import NowDep, SessionDep
from web.pages.helpers import Viewer, required_id
from web.pages.rotations import coverage_view, visuals
from web.pages.rotations.common import parse_month, rotation_or_404, shift_month
from web.templating import render

router = APIRouter(include_in_schema=False)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Shifts a member can offer, and others' shifts they can ask for in trade, on one page.
MY_SHIFTS_SHOWN = 20
TRADE_OPTIONS_SHOWN = 40
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
        shift = session.get(Shift, shift_id)
        if shift is not None and shift.rotation_id == rotation.id:
            return shift.start.astimezone(ZoneInfo(zone)).date().replace(day=1)
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


def rotation_page(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    rotation: Rotation,
    now: datetime,
    month: str = "",
    shift_id: int | None = None,
    swap: SwapFormState | None = None,
    page_error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """Render the rotation page (also after a refused swap request or answer)."""
    zone = viewer.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    first = month_of(
        session, rotation=rotation, month=month, shift_id=shift_id, today=today, zone=zone
    )
    grid_first, grid_last = visuals.grid_bounds(year=first.year, month=first.month)
    window_start, window_end = days_to_utc(grid_first, grid_last, ZoneInfo(zone))
    shifts = rotation_service.list_shifts(
        session, rotation=rotation, start=window_start, end=window_end
    )
    statuses = _statuses(session, rotation=rotation, start=window_start, end=window_end, now=now)
    grid = visuals.month_grid(
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
    coverage_view.keep_duty_days(session, rotation=rotation, shifts=shifts, grid=grid, zone=zone)
    roster = members.list_members(session, rotation=rotation)
    counts = overview.shift_counts(session, rotation=rotation)
    values = [(member.person.name, counts.get(member.person_id, 0)) for member in roster]
    mine = overview.upcoming_shifts(
        session, rotation=rotation, after=now, person_id=viewer.id, limit=MY_SHIFTS_SHOWN
    )
    trade_options = (
        overview.upcoming_shifts(
            session, rotation=rotation, after=now, other_than=viewer.id, limit=TRADE_OPTIONS_SHOWN
        )
        if mine
        else []
    )
    handoffs = overview.next_handoffs(session, rotation_ids=[rotation.id], after=now)
    return render(
        request,
        "rotation.html",
        {
            "viewer": viewer,
            "rotation": rotation,
            "cadence": timeline.describe(
                generation.cadence_of(rotation), people_per_shift=rotation.people_per_shift
            ),
            "is_manager": access.is_manager(session, person=viewer, rotation=rotation),
            "on_call": duty.on_call(session, rotation=rotation, at=now),
            "duty_facts": coverage_view.facts(
                session, rotation=rotation, first=grid_first, last=grid_last, now=now
            ),
            "next_handoff": handoffs.get(rotation.id),
            "month": first,
            "prev_month": shift_month(first, -1),
            "next_month": shift_month(first, 1),
            "this_month": today.replace(day=1),
            "grid": grid,
            "weekdays": WEEKDAYS,
            "shifts_by_id": {shift.id: shift for shift in shifts},
            "now": now,
            "roster": roster,
            "chart": visuals.bar_chart(values),
            "chart_label": fairness_label(values),
            "swaps": overview.rotation_swaps(session, rotation=rotation, now=now),
            "my_shifts": mine,
            "trade_options": trade_options,
            "cover_people": [m.person for m in roster if m.person_id != viewer.id],
            "swap": swap or SwapFormState(),
            "page_error": page_error,
        },
        status_code=status_code,
    )


@router.get("/rotations/{slug}", response_class=HTMLResponse)
def rotation_view(
    request: Request,
    slug: str,
    session: SessionDep,
    viewer: Viewer,
    now: NowDep,
    month: str = "",
    shift: str = "",
    swap_shift: str = "",
) -> HTMLResponse:
    rotation = rotation_or_404(session, slug)
    swap = SwapFormState()
    if swap_shift:
        swap.values["shift_id"] = str(required_id(swap_shift, name="swap_shift"))
    return rotation_page(
        request,
        session,
        viewer,
        rotation=rotation,
        now=now,
        month=month,
        shift_id=required_id(shift, name="shift") if shift else None,
        swap=swap,
    )
