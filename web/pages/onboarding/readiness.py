"""The readiness dashboard: every upcoming shift of the rotations one manages, with its status.

Admins see every rotation, managers their own. The CSV export is the API's report for the
same filters.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.i18n import N_
from core.models import Person
from onboarding import progress, summary_board
from onboarding.readiness import Status
from onboarding.slack import identities
from rotation import access
from rotation.models import Rotation
from web.deps import NowDep, SessionDep
from web.pages.helpers import ManagerViewer, page_error
from web.pages.onboarding.view import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    PAGE_SIZE,
    STATUS_LABELS,
    WEEK_CHOICES,
    DashboardFilters,
    build_dashboard,
    matching,
    progress_text,
)
from web.templating import render

router = APIRouter(include_in_schema=False)


def _whole_number(value: str, *, name: str, low: int, high: int, default: int) -> int:
    if not value.strip():
        return default
    text = value.strip()
    # ASCII digits only, and few of them: int() refuses "²" and numbers thousands of digits long.
    if not (text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"{name} must be a whole number from {low} to {high}.",
        )
    return int(text)


def dashboard_filters(
    rotation: str = "",
    chosen_status: Annotated[str, Query(alias="status")] = "",
    weeks: str = "",
    page: str = "",
) -> DashboardFilters:
    """The dashboard's GET filters; anything unknown is a clear 422, not an empty page."""
    if chosen_status and chosen_status not in STATUS_LABELS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"Unknown status; use one of: {', '.join(STATUS_LABELS)}.",
        )
    return DashboardFilters(
        rotation=rotation.strip(),
        status=chosen_status,
        weeks=_whole_number(
            weeks, name="Weeks ahead", low=1, high=MAX_WEEKS, default=DEFAULT_WEEKS
        ),
        page=_whole_number(page, name="Page", low=1, high=10**6, default=1),
    )


FiltersDep = Annotated[DashboardFilters, Depends(dashboard_filters)]


class RotationChoice(NamedTuple):
    """A rotation as the filter offers it."""

    id: int
    slug: str
    name: str


def _live_rotations(session: Session) -> list[RotationChoice]:
    """Every live rotation by name: only the columns the filter shows (an organisation can
    have thousands)."""
    query = (
        select(Rotation.id, Rotation.slug, Rotation.name)
        .where(Rotation.archived.is_(False))
        .order_by(Rotation.name, Rotation.id)
    )
    return [RotationChoice(*row) for row in session.execute(query)]


def _scope(
    session: Session, viewer: Person, filters: DashboardFilters
) -> tuple[set[int] | None, list[RotationChoice]]:
    """The rotation ids to report on (None: all) and the rotations the filter offers."""
    rotations = _live_rotations(session)
    if viewer.is_admin:
        allowed = rotations
    else:
        managed = access.managed_rotation_ids(session, person=viewer)
        allowed = [rotation for rotation in rotations if rotation.id in managed]
    if filters.rotation:
        chosen = next((r for r in allowed if r.slug == filters.rotation), None)
        if chosen is not None:
            return {chosen.id}, allowed
        if any(r.slug == filters.rotation for r in rotations):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=N_("Only that rotation's managers and admins can see its readiness."),
            )
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=N_("There is no such rotation."))
    if viewer.is_admin:
        return None, allowed
    return {rotation.id for rotation in allowed}, allowed


def _window(filters: DashboardFilters, *, now: datetime) -> tuple[datetime, datetime]:
    try:
        return progress.resolve_window(start=now, end=now + timedelta(weeks=filters.weeks), now=now)
    except Invalid as exc:
        raise page_error(exc) from None


@router.get("/readiness", response_class=HTMLResponse)
def readiness_page(
    request: Request,
    session: SessionDep,
    viewer: ManagerViewer,
    now: NowDep,
    filters: FiltersDep,
) -> HTMLResponse:
    rotation_ids, rotations = _scope(session, viewer, filters)
    start, end = _window(filters, now=now)
    board = summary_board.board(
        session,
        (start, end),
        rotation_ids=rotation_ids,
        now=now,
        status=Status(filters.status) if filters.status else None,
        page=filters.page,
        page_size=PAGE_SIZE,
    )
    dashboard = build_dashboard(board)
    # Why the Slack app skips someone (no Slack account with their email), one query.
    slack_notes = identities.notes(
        session, person_ids={e.shift.person_id for e in board.entries if e.shift.person_id}
    )
    weeks = sorted({*WEEK_CHOICES, filters.weeks})
    return render(
        request,
        "readiness.html",
        {
            "viewer": viewer,
            "now": now,
            "dashboard": dashboard,
            "filters": filters,
            "rotations": rotations,
            "status_labels": STATUS_LABELS,
            "week_choices": weeks,
            "progress_text": progress_text,
            "slack_notes": slack_notes,
        },
    )


@router.get("/readiness.csv", response_model=None)
def readiness_csv(
    session: SessionDep, viewer: ManagerViewer, now: NowDep, filters: FiltersDep
) -> Response:
    rotation_ids, _rotations = _scope(session, viewer, filters)
    start, end = _window(filters, now=now)
    entries = progress.report(session, start=start, end=end, rotation_ids=rotation_ids, now=now)
    return Response(
        content=progress.report_csv(matching(entries, status=filters.status)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="readiness.csv"'},
    )
