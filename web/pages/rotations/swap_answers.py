"""Answering a swap from a page: one table says, for each answer, the domain function that
records it, who may give it and what the page says once it is given.

The home page offers the answers of the two people in a swap; the rotation and manage pages
offer every answer, approval included. Both go through ``give``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from core import i18n
from core.errors import Conflict, Forbidden, Invalid
from core.i18n import N_
from core.models import Person
from onboarding import cover_reading
from rotation import shifts as shift_rows
from rotation import swaps
from rotation.models import Rotation, Shift, SwapRequest
from web.deps import forbidden, get_settings_dep
from web.pages.helpers import (
    PageVisit,
    no_such,
    not_found_as,
    page_error,
    roll_back_refused,
    sentence,
)
from web.templating import flash, local_time, request_locale

# Who may give an answer; the domain function checks it again and has the last word.
COUNTERPART = "counterpart"
REQUESTER = "requester"
MANAGER = "manager"
PARTICIPANTS = frozenset({COUNTERPART, REQUESTER})

Act = Callable[..., SwapRequest]
# The page that says why an answer was refused: (message, status code) -> that page.
Refused = Callable[[str, int], Response]


@dataclass(frozen=True)
class SwapAnswer:
    act: Act
    who: str
    # What the page says afterwards, about the swap's shift (freshly loaded) for the viewer.
    message: Callable[[Shift, Person, str], str]


def when(shift: Shift, viewer: Person, locale: str = i18n.DEFAULT) -> str:
    """When the shift starts, on the viewer's clock and saying which clock that is."""
    return f"{local_time(shift.start, viewer.timezone, locale=locale)} ({viewer.timezone})"


def _about(shift: Shift, viewer: Person, locale: str, message: str, **values: object) -> str:
    """``message`` about ``shift``: its rotation and when it starts, for the viewer."""
    return i18n.gettext(
        locale,
        message,
        rotation=shift.rotation.name,
        when=when(shift, viewer, locale),
        **values,
    )


def _accepted(shift: Shift, viewer: Person, locale: str) -> str:
    if shift.person_id == viewer.id:
        message = N_("Swap accepted: the %(rotation)s shift from %(when)s is yours now.")
    else:
        message = N_(
            "Swap accepted. A manager of %(rotation)s must approve it before the shift "
            "from %(when)s changes hands."
        )
    return _about(shift, viewer, locale, message)


def _declined(shift: Shift, viewer: Person, locale: str) -> str:
    message = N_("Swap declined: nothing changes for the %(rotation)s shift from %(when)s.")
    return _about(shift, viewer, locale, message)


def _withdrawn(shift: Shift, viewer: Person, locale: str) -> str:
    message = N_("Swap request withdrawn: you keep the %(rotation)s shift from %(when)s.")
    return _about(shift, viewer, locale, message)


def _approved(shift: Shift, viewer: Person, locale: str) -> str:
    if shift.person is None:
        message = N_("Swap approved: the %(rotation)s shift from %(when)s has nobody now.")
        return _about(shift, viewer, locale, message)
    message = N_(
        "Swap approved: the %(rotation)s shift from %(when)s is %(taker)s's now, "
        "and the calendar shows it."
    )
    return _about(shift, viewer, locale, message, taker=shift.person.name)


ANSWERS: dict[str, SwapAnswer] = {
    "accept": SwapAnswer(act=swaps.accept, who=COUNTERPART, message=_accepted),
    "decline": SwapAnswer(act=swaps.decline, who=COUNTERPART, message=_declined),
    "cancel": SwapAnswer(act=swaps.cancel, who=REQUESTER, message=_withdrawn),
    "approve": SwapAnswer(act=swaps.approve, who=MANAGER, message=_approved),
}


def answer_named(name: str) -> SwapAnswer:
    """The answer called ``name`` in a path, or a 404 page."""
    answer = ANSWERS.get(name)
    if answer is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=N_("There is no such answer to a swap.")
        )
    return answer


def swap_or_404(session: Session, swap_id: int, *, rotation: Rotation | None = None) -> SwapRequest:
    """The swap (about a shift of ``rotation``, when given), or a 404 page."""
    with not_found_as("swap request"):
        swap = swaps.get_swap(session, swap_id)
    if rotation is not None:
        shift = session.get(Shift, swap.shift_id)
        if shift is None or shift.rotation_id != rotation.id:
            raise no_such("swap request")
    return swap


def give(
    visit: PageVisit, *, swap: SwapRequest, answer: SwapAnswer, target: str, refused: Refused
) -> Response:
    """Record the answer and go to ``target`` saying what happened, or say why it was refused."""
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    if not swaps.can_see(session, swap=swap, viewer=viewer):
        raise forbidden(N_("Only the people in a swap and the rotation's managers can see it."))
    try:
        swap = answer.act(session, swap=swap, person=viewer, now=now)
        settings = get_settings_dep(request)
        cover_reading.after_swap(session, swap=swap, now=now, base_url=settings.base_url)
    except Forbidden as exc:
        raise page_error(exc) from None
    except (Conflict, Invalid) as exc:
        status_code = roll_back_refused(session, exc)
        return refused(sentence(exc.detail), status_code)
    shift = shift_rows.get(session, swap.shift_id)
    flash(request, answer.message(shift, viewer, request_locale(request)))
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
