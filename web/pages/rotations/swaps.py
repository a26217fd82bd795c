"""Swaps from the rotation pages: offer one's own shift in trade or for cover, and answer.

Members ask and answer from the rotation page; managers approve from the manage page. A
refusal comes back on the page it was made from, with the reason and the choices kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.models import Person
from rotation import swaps
from rotation.models import Rotation, Shift, SwapRequest
from web.deps import NowDep, SessionDep
from web.pages.helpers import Viewer, page_error, parse_id, verify_csrf
from web.pages.rotations.common import rotation_or_404
from web.pages.rotations.manage import ManageState, manage_page
from web.pages.rotations.view import SwapFormState, rotation_page
from web.templating import flash, local_time

router = APIRouter(include_in_schema=False)

Answer = Callable[..., SwapRequest]
ANSWERS: dict[str, Answer] = {
    "accept": swaps.accept,
    "decline": swaps.decline,
    "cancel": swaps.cancel,
    "approve": swaps.approve,
}
SWAP_KINDS = ("trade", "cover")


def _when(shift: Shift, viewer: Person) -> str:
    return f"{local_time(shift.start, viewer.timezone)} ({viewer.timezone})"


def _back_to(back: str, *, rotation: Rotation) -> str:
    # Only this rotation's own pages: anything else would be an open redirect.
    base = f"/rotations/{rotation.slug}"
    if back == base or back.startswith((base + "?", base + "#", base + "/manage")):
        return back
    return base + "#swaps"


@router.post("/rotations/{slug}/swaps", response_model=None, dependencies=[Depends(verify_csrf)])
def request_swap(
    request: Request,
    slug: str,
    session: SessionDep,
    viewer: Viewer,
    now: NowDep,
    kind: Annotated[str, Form()] = "",
    shift_id: Annotated[str, Form()] = "",
    counterpart_shift_id: Annotated[str, Form()] = "",
    counterpart_person_id: Annotated[str, Form()] = "",
    month: Annotated[str, Form()] = "",
) -> Response:
    rotation = rotation_or_404(session, slug)
    state = SwapFormState(
        values={
            "shift_id": shift_id,
            "counterpart_shift_id": counterpart_shift_id,
            "counterpart_person_id": counterpart_person_id,
        },
        kind=kind,
    )
    try:
        if kind not in SWAP_KINDS:
            raise Invalid("Choose whether to trade shifts or to ask someone to cover.")
        mine = parse_id(shift_id)
        shift = session.get(Shift, mine) if mine is not None else None
        if shift is None or shift.rotation_id != rotation.id:
            raise Invalid("Choose one of your own shifts in this rotation.")
        their_shift = parse_id(counterpart_shift_id) if kind == "trade" else None
        their_person = parse_id(counterpart_person_id) if kind == "cover" else None
        if their_shift is None and their_person is None:
            raise Invalid(
                "Choose the shift you would take in return."
                if kind == "trade"
                else "Choose who you are asking to cover."
            )
        swap = swaps.request_swap(
            session,
            requester=viewer,
            shift_id=shift.id,
            counterpart_shift_id=their_shift,
            counterpart_person_id=their_person,
            now=now,
        )
    except Forbidden as exc:
        raise page_error(exc) from None
    except (Invalid, Conflict) as exc:
        session.rollback()
        state.error = exc.detail
        rotation = rotation_or_404(session, slug)
        return rotation_page(
            request, session, viewer, rotation=rotation, now=now, month=month, swap=state,
            status_code=409 if isinstance(exc, Conflict) else 422,
        )  # fmt: skip
    counterpart = session.get(Person, swap.counterpart_person_id)
    assert counterpart is not None
    then = " and a manager approves" if rotation.swap_requires_approval else ""
    if kind == "trade":
        message = f"Asked {counterpart.name} to trade shifts with you ({_when(shift, viewer)})."
    else:
        message = f"Asked {counterpart.name} to cover your shift of {_when(shift, viewer)}."
    flash(request, f"{message} Nothing changes until they accept{then}.")
    query = f"?month={month}" if month else ""
    return RedirectResponse(f"/rotations/{rotation.slug}{query}#swaps", status_code=303)


def _swap_of(session: Session, *, rotation: Rotation, swap_id: str) -> SwapRequest:
    """The swap, if it is about a shift of this rotation; a 404 page otherwise."""
    found = parse_id(swap_id)
    try:
        swap = swaps.get_swap(session, found) if found is not None else None
    except NotFound:
        swap = None
    shift = session.get(Shift, swap.shift_id) if swap is not None else None
    if swap is None or shift is None or shift.rotation_id != rotation.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such swap.")
    return swap


def _answered(answer: str, rotation: Rotation) -> str:
    if answer == "accept":
        if rotation.swap_requires_approval:
            return "You accepted the swap; it takes effect when a manager approves it."
        return "You accepted the swap: it is done and the calendar shows the change."
    if answer == "decline":
        return "You declined the swap; nothing changed."
    if answer == "cancel":
        return "You withdrew your swap request."
    return "Approved: the swap is done and the calendar shows the change."


@router.post(
    "/rotations/{slug}/swaps/{swap_id}/{answer}",
    response_model=None,
    dependencies=[Depends(verify_csrf)],
)
def answer_swap(
    request: Request,
    slug: str,
    swap_id: str,
    answer: str,
    session: SessionDep,
    viewer: Viewer,
    now: NowDep,
    back: Annotated[str, Form()] = "",
) -> Response:
    rotation = rotation_or_404(session, slug)
    act = ANSWERS.get(answer)
    if act is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such answer to a swap.")
    swap = _swap_of(session, rotation=rotation, swap_id=swap_id)
    target = _back_to(back, rotation=rotation)
    try:
        act(session, swap=swap, person=viewer, now=now)
    except Forbidden as exc:
        raise page_error(exc) from None
    except (Invalid, Conflict) as exc:
        session.rollback()
        rotation = rotation_or_404(session, slug)
        status_code = 409 if isinstance(exc, Conflict) else 422
        if target.startswith(f"/rotations/{rotation.slug}/manage"):
            return manage_page(
                request, session, viewer, rotation=rotation, now=now,
                state=ManageState(page_error=exc.detail), status_code=status_code,
            )  # fmt: skip
        return rotation_page(
            request, session, viewer, rotation=rotation, now=now, page_error=exc.detail,
            status_code=status_code,
        )  # fmt: skip
    flash(request, _answered(answer, rotation))
    return RedirectResponse(target, status_code=303)
