"""The home page: my next shifts with their reading, swap requests to answer, my calendar.

Swap answers (accept, decline, and withdrawing one's own request) post here and come back
to the home page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import feed_tokens
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.models import Person
from onboarding import progress
from rotation import shifts as shift_rows
from rotation import swap_views, swaps
from rotation.models import Shift, SwapRequest
from rotation.swap_views import SwapView
from web.deps import NowDep, SessionDep
from web.feeds import routes as feeds
from web.pages.helpers import Viewer, existing_id, page_error, sentence, verify_csrf
from web.pages.onboarding.view import STATUS_LABELS, progress_text
from web.templating import flash, local_time, render

router = APIRouter(include_in_schema=False)

# How far ahead "my next shifts" looks, and how many of them the page lists.
HOME_WEEKS = 26
SHIFTS_SHOWN = 8
KIND_LABELS = {
    shift_rows.SCHEDULED: "Scheduled",
    shift_rows.OVERRIDE: "Override",
    shift_rows.SWAP: "Swap",
}

Answer = Callable[..., SwapRequest]


@dataclass(frozen=True)
class OpenSwaps:
    """The viewer's open swaps, by what they wait for."""

    to_answer: list[SwapView]
    # Requests the viewer made, still pending or awaiting a manager.
    mine: list[SwapView]
    # Swaps the viewer accepted that a manager has yet to approve.
    accepted: list[SwapView]


def sort_swaps(views: list[SwapView], *, viewer_id: int) -> OpenSwaps:
    return OpenSwaps(
        to_answer=[
            v for v in views if v.counterpart.id == viewer_id and v.swap.status == swaps.PENDING
        ],
        mine=[v for v in views if v.requester.id == viewer_id],
        accepted=[v for v in views if v.counterpart.id == viewer_id and v.awaiting_approval],
    )


def home_page(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    now: datetime,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    upcoming = progress.upcoming(
        session, person=viewer, now=now, until=now + timedelta(weeks=HOME_WEEKS)
    )
    open_swaps = sort_swaps(
        swap_views.open_swaps(session, person=viewer, now=now), viewer_id=viewer.id
    )
    calendar = feeds.calendar_urls(settings=request.app.state.settings, person=viewer, rotations=[])
    return render(
        request,
        "home.html",
        {
            "viewer": viewer,
            "calendar": calendar,
            "now": now,
            "upcoming": upcoming[:SHIFTS_SHOWN],
            "more_shifts": max(0, len(upcoming) - SHIFTS_SHOWN),
            "home_weeks": HOME_WEEKS,
            "swaps": open_swaps,
            "kind_labels": KIND_LABELS,
            "status_labels": STATUS_LABELS,
            "progress_text": progress_text,
            "manages": bool(getattr(request.state, "viewer_manages", False)),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: Viewer, now: NowDep) -> HTMLResponse:
    return home_page(request, session, viewer, now=now)


@router.post("/me/calendar/reset", dependencies=[Depends(verify_csrf)])
def reset_calendar_link(
    request: Request, session: SessionDep, viewer: Viewer, now: NowDep
) -> RedirectResponse:
    """A new secret feed URL; the old one stops working (a leaked link is revoked)."""
    feed_tokens.rotate_feed_token(session, person=viewer, now=now)
    flash(request, "Your calendar link was reset. Subscribe again with the new link.")
    return RedirectResponse("/#subscribe", status_code=303)


# --- answering swaps ------------------------------------------------------------------------


def _when(shift: Shift, viewer: Person) -> str:
    return f"{local_time(shift.start, viewer.timezone)} ({viewer.timezone})"


def _answer(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    swap_id: int,
    now: datetime,
    answer: Answer,
) -> Shift | Response:
    """Run ``answer`` on the swap and return its shift, freshly loaded for the message.

    A refused answer comes back as the home page saying why.
    """
    existing_id(swap_id, what="swap request")
    try:
        swap = swaps.get_swap(session, swap_id)
    except NotFound:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="There is no such swap request."
        ) from None
    if not swaps.can_see(session, swap=swap, viewer=viewer):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Only the people in a swap and the rotation's managers can see it.",
        )
    try:
        swap = answer(session, swap=swap, person=viewer, now=now)
    except Forbidden as exc:
        raise page_error(exc) from None
    except (Conflict, Invalid) as exc:
        # Nothing of a refused answer may be committed with the page that explains it.
        session.rollback()
        return home_page(
            request,
            session,
            viewer,
            now=now,
            error=sentence(exc.detail),
            status_code=status.HTTP_409_CONFLICT
            if isinstance(exc, Conflict)
            else status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return shift_rows.get(session, swap.shift_id)


@router.post("/swaps/{swap_id}/accept", response_model=None, dependencies=[Depends(verify_csrf)])
def accept_swap(
    request: Request, swap_id: int, session: SessionDep, viewer: Viewer, now: NowDep
) -> Response:
    result = _answer(request, session, viewer, swap_id=swap_id, now=now, answer=swaps.accept)
    if isinstance(result, Response):
        return result
    shift = result
    when = _when(shift, viewer)
    if shift.person_id == viewer.id:
        flash(request, f"Swap accepted: the {shift.rotation.name} shift from {when} is yours now.")
    else:
        flash(
            request,
            f"Swap accepted. A manager of {shift.rotation.name} must approve it before the "
            f"shift from {when} changes hands.",
        )
    return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/swaps/{swap_id}/decline", response_model=None, dependencies=[Depends(verify_csrf)])
def decline_swap(
    request: Request, swap_id: int, session: SessionDep, viewer: Viewer, now: NowDep
) -> Response:
    result = _answer(request, session, viewer, swap_id=swap_id, now=now, answer=swaps.decline)
    if isinstance(result, Response):
        return result
    shift = result
    flash(
        request,
        f"Swap declined: nothing changes for the {shift.rotation.name} shift from "
        f"{_when(shift, viewer)}.",
    )
    return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/swaps/{swap_id}/cancel", response_model=None, dependencies=[Depends(verify_csrf)])
def cancel_swap(
    request: Request, swap_id: int, session: SessionDep, viewer: Viewer, now: NowDep
) -> Response:
    result = _answer(request, session, viewer, swap_id=swap_id, now=now, answer=swaps.cancel)
    if isinstance(result, Response):
        return result
    shift = result
    flash(
        request,
        f"Swap request withdrawn: you keep the {shift.rotation.name} shift from "
        f"{_when(shift, viewer)}.",
    )
    return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
