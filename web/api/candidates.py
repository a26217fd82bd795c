"""Ready-first candidates: who could take over a shift, best prepared first."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from core.schemas import PersonRef
from onboarding import candidates as shift_candidates
from rotation import access
from rotation import shifts as shift_rows
from web.deps import CurrentPerson, NowDep, SessionDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["onboarding"])


class CandidateOut(BaseModel):
    person: PersonRef
    # The contract's name; ``standing`` is the same value, kept for existing clients.
    rank: shift_candidates.Standing
    standing: shift_candidates.Standing
    cards_left: int
    cards_required: int
    shifts_in_rotation: int
    due_at: datetime | None
    reason: str | None


@router.get("/shifts/{shift_id}/candidates", response_model=list[CandidateOut])
def shift_candidates_list(
    paging: PageDep, shift_id: ObjectId, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> list[CandidateOut]:
    """The rotation's other members ranked for a trade or cover of this shift: ready, can be
    ready before the reading is due, not ready, unavailable (with the reason).

    For the shift's holder (choosing whom to ask), the rotation's managers and admins.
    """
    shift = shift_rows.get(session, shift_id)
    if shift.person_id != caller.id and not access.is_manager(
        session, person=caller, rotation=shift.rotation
    ):
        raise forbidden("only the shift's holder and the rotation's managers see its candidates")
    found = [
        CandidateOut(
            person=PersonRef.model_validate(c.person),
            rank=c.standing,
            standing=c.standing,
            cards_left=c.cards_left,
            cards_required=c.cards_required,
            shifts_in_rotation=c.shifts_in_rotation,
            due_at=c.due_at,
            reason=c.reason,
        )
        for c in shift_candidates.candidates(session, shift=shift, now=now)
    ]
    return paging.rows(found)
