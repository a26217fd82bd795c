"""Swaps from the rotation pages: offer one's own shift in trade or for cover, and answer.

Members ask and answer from the rotation page; managers approve from the manage page. A
refusal comes back on the page it was made from, with the reason and the choices kept.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from core import i18n
from core.errors import Conflict, Forbidden, Invalid
from core.models import Person
from rotation import swaps
from rotation.models import Rotation, Shift, SwapRequest
from web.pages.helpers import SwapId, ViewerPost, page_error, parse_id, roll_back_refused
from web.pages.rotations import swap_answers
from web.pages.rotations.common import rotation_or_404
from web.pages.rotations.manage import ManageState, manage_page
from web.pages.rotations.view import SwapFormState, rotation_page
from web.templating import flash, request_locale

router = APIRouter(include_in_schema=False)

SWAP_KINDS = ("trade", "cover")


def _back_to(back: str, *, rotation: Rotation) -> str:
    # Only this rotation's own pages: anything else would be an open redirect.
    base = f"/rotations/{rotation.slug}"
    if back == base or back.startswith((base + "?", base + "#", base + "/manage")):
        return back
    return base + "#swaps"


def _ask(
    session: Session,
    *,
    rotation: Rotation,
    viewer: Person,
    now: datetime,
    kind: str,
    shift_id: str,
    counterpart_shift_id: str,
    counterpart_person_id: str,
) -> tuple[Shift, SwapRequest]:
    """Check what the form names, then ask for the swap; Invalid says what to choose."""
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
        session, requester=viewer, shift_id=shift.id, counterpart_shift_id=their_shift,
        counterpart_person_id=their_person, now=now,
    )  # fmt: skip
    return shift, swap


def _asked(
    session: Session,
    *,
    swap: SwapRequest,
    shift: Shift,
    rotation: Rotation,
    viewer: Person,
    locale: str,
) -> str:
    """What the page says once the swap is asked for."""
    counterpart = session.get(Person, swap.counterpart_person_id)
    assert counterpart is not None
    when = swap_answers.when(shift, viewer, locale)
    if swap.counterpart_shift_id is not None:
        message = i18n.gettext(
            locale, "Asked %(name)s to trade shifts with you (%(when)s).", name=counterpart.name,
            when=when,
        )  # fmt: skip
    else:
        message = i18n.gettext(
            locale, "Asked %(name)s to cover your shift of %(when)s.", name=counterpart.name,
            when=when,
        )  # fmt: skip
    if rotation.swap_requires_approval:
        return (
            message
            + " "
            + i18n.gettext(locale, "Nothing changes until they accept and a manager approves.")
        )
    return message + " " + i18n.gettext(locale, "Nothing changes until they accept.")


@router.post("/rotations/{slug}/swaps", response_model=None)
def request_swap(slug: str, post: ViewerPost) -> Response:
    rotation = rotation_or_404(post.session, slug)
    values = post.texts("shift_id", "counterpart_shift_id", "counterpart_person_id")
    kind, month = post.text("kind"), post.text("month")
    try:
        shift, swap = _ask(
            post.session, rotation=rotation, viewer=post.viewer, now=post.now, kind=kind, **values
        )
    except Forbidden as exc:
        raise page_error(exc) from None
    except (Invalid, Conflict) as exc:
        status_code = roll_back_refused(post.session, exc)
        state = SwapFormState(values=values, kind=kind, error=exc.detail)
        return rotation_page(
            post,
            rotation=rotation_or_404(post.session, slug),
            month=month,
            swap=state,
            status_code=status_code,
        )
    flash(
        post.request,
        _asked(
            post.session,
            swap=swap,
            shift=shift,
            rotation=rotation,
            viewer=post.viewer,
            locale=request_locale(post.request),
        ),
    )
    query = f"?month={month}" if month else ""
    return RedirectResponse(f"/rotations/{rotation.slug}{query}#swaps", status_code=303)


@router.post("/rotations/{slug}/swaps/{swap_id}/{answer}", response_model=None)
def answer_swap(post: ViewerPost, slug: str, swap_id: SwapId, answer: str) -> Response:
    rotation = rotation_or_404(post.session, slug)
    chosen = swap_answers.answer_named(answer)
    swap = swap_answers.swap_or_404(post.session, swap_id, rotation=rotation)
    target = _back_to(post.text("back"), rotation=rotation)

    def refused(message: str, status_code: int) -> Response:
        # Back on the page the answer came from, which is the manage page for approvals.
        fresh = rotation_or_404(post.session, slug)
        if target.startswith(f"/rotations/{fresh.slug}/manage"):
            state = ManageState(page_error=message)
            return manage_page(post, rotation=fresh, state=state, status_code=status_code)
        return rotation_page(post, rotation=fresh, page_error=message, status_code=status_code)

    return swap_answers.give(post, swap=swap, answer=chosen, target=target, refused=refused)
