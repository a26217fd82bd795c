"""Offer a shift for cover, ready-first: the rotation's other members ranked as the candidates
API ranks them, each with one button.

The shift's holder asks someone to cover (a swap request they accept); a manager of the
rotation gives the shift to someone directly (an override). ``?to=`` names the person an
at-risk notice suggested, who is shown first.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from core.i18n import N_
from onboarding import candidates as shift_candidates
from rotation import access
from rotation import shifts as shift_rows
from web.deps import NowDep, SessionDep, forbidden
from web.pages.helpers import Viewer, no_such, not_found_as, parse_id, path_id
from web.pages.onboarding.view import progress_text
from web.templating import render

router = APIRouter(include_in_schema=False)

STANDING_LABELS = {
    shift_candidates.Standing.READY: N_("Ready"),
    shift_candidates.Standing.CAN_BE_READY: N_("Can be ready in time"),
    shift_candidates.Standing.NOT_READY: N_("Not ready"),
    shift_candidates.Standing.UNAVAILABLE: N_("Unavailable"),
}


@router.get("/shifts/{shift_id}/cover", response_class=HTMLResponse)
def cover_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    now: NowDep,
    shift_id: int = path_id("shift_id", what="shift"),
    to: str = "",
) -> HTMLResponse:
    with not_found_as("shift"):
        shift = shift_rows.get(session, shift_id)
    holder = shift.person_id == viewer.id
    manager = access.is_manager(session, person=viewer, rotation=shift.rotation)
    if not (holder or manager):
        raise forbidden(
            N_("Only the person on this shift and the rotation's managers can offer it.")
        )
    if to and parse_id(to) is None:
        raise no_such("person")
    chosen = parse_id(to)
    ranked = shift_candidates.candidates(session, shift=shift, now=now)
    # The suggested person first, the rest in ranking order.
    ranked.sort(key=lambda c: c.person.id != chosen)
    return render(
        request,
        "shift_cover.html",
        {
            "viewer": viewer,
            "shift": shift,
            "candidates": ranked,
            "chosen": chosen,
            "holder": holder,
            "manager": manager,
            "past": shift.start <= now,
            "standing_labels": STANDING_LABELS,
            "progress_text": progress_text,
        },
    )
