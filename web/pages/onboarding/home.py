"""The home page: my next shifts with their reading, swap requests to answer, my calendar.

Swap answers (accept, decline, and withdrawing one's own request) post here and come back
to the home page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core import feed_tokens
from core.i18n import N_
from onboarding import progress
from rotation import debts, overview, swap_views, swaps, why_line
from rotation import shifts as shift_rows
from rotation.feed.content import RotationRef
from rotation.swap_views import SwapView
from web.deps import NowDep, SessionDep
from web.feeds import routes as feeds
from web.pages.helpers import PageVisit, SwapId, Viewer, ViewerVisit, verify_csrf
from web.pages.onboarding.view import STATUS_LABELS, progress_text
from web.pages.rotations import swap_answers
from web.templating import flash, gettext, render, request_locale

router = APIRouter(include_in_schema=False)

# How far ahead "my next shifts" looks, and how many of them the page lists.
HOME_WEEKS = 26
# How far back the page recalls covers others took for the viewer.
COVERS_SINCE = timedelta(days=90)
SHIFTS_SHOWN = 8
KIND_LABELS = {
    shift_rows.SCHEDULED: N_("Scheduled"),
    shift_rows.OVERRIDE: N_("Override"),
    shift_rows.SWAP: N_("Swap"),
}


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
    visit: PageVisit,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    upcoming = progress.upcoming(
        session, person=viewer, now=now, until=now + timedelta(weeks=HOME_WEEKS)
    )
    open_swaps = sort_swaps(
        swap_views.open_swaps(session, person=viewer, now=now), viewer_id=viewer.id
    )
    rotations = [
        RotationRef(slug=slug, name=name)
        for slug, name in overview.member_rotations(session, person_id=viewer.id)
    ]
    calendar = feeds.calendar_urls(
        settings=request.app.state.settings, person=viewer, rotations=rotations
    )
    return render(
        request,
        "home.html",
        {
            "viewer": viewer,
            "calendar": calendar,
            "feed_rotations": rotations,
            "now": now,
            "upcoming": upcoming[:SHIFTS_SHOWN],
            "more_shifts": max(0, len(upcoming) - SHIFTS_SHOWN),
            "home_weeks": HOME_WEEKS,
            "swaps": open_swaps,
            "kind_labels": KIND_LABELS,
            "status_labels": STATUS_LABELS,
            "progress_text": progress_text,
            "manages": bool(getattr(request.state, "viewer_manages", False)),
            "to_approve": swap_views.awaiting_approval(session, manager=viewer, now=now),
            "why_line": partial(why_line.sentence, locale=request_locale(request)),
            "covers": debts.of_person(session, person_id=viewer.id, since=now - COVERS_SINCE),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/", response_class=HTMLResponse)
def home(visit: ViewerVisit) -> HTMLResponse:
    return home_page(visit)


@router.post("/me/calendar/reset", dependencies=[Depends(verify_csrf)])
def reset_calendar_link(
    request: Request, session: SessionDep, viewer: Viewer, now: NowDep
) -> RedirectResponse:
    """A new secret feed URL; the old one stops working (a leaked link is revoked)."""
    feed_tokens.rotate_feed_token(session, person=viewer, now=now)
    flash(
        request,
        gettext(request, "Your calendar link was reset. Subscribe again with the new link."),
    )
    return RedirectResponse("/#subscribe", status_code=303)


# --- answering swaps ------------------------------------------------------------------------


def _answer_from_home(name: str) -> Callable[..., Response]:
    """The route for one answer the people in a swap give from here; it comes back home."""
    answer = swap_answers.ANSWERS[name]

    def answer_swap(swap_id: SwapId, visit: ViewerVisit) -> Response:
        def refused(message: str, status_code: int) -> Response:
            return home_page(visit, error=message, status_code=status_code)

        swap = swap_answers.swap_or_404(visit.session, swap_id)
        return swap_answers.give(visit, swap=swap, answer=answer, target="/", refused=refused)

    return answer_swap


def _add_answer_routes() -> None:
    for name, answer in swap_answers.ANSWERS.items():
        if answer.who in swap_answers.PARTICIPANTS:
            router.add_api_route(
                f"/swaps/{{swap_id}}/{name}",
                _answer_from_home(name),
                methods=["POST"],
                response_model=None,
                dependencies=[Depends(verify_csrf)],
                name=f"{name}_swap",
            )


_add_answer_routes()
