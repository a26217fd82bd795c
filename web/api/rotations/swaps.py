"""Swap endpoints: request a trade or a cover, answer it, approve it, list them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy.orm import Session

from core.db import MAX_ID
from core.models import Person
from rotation import swaps
from rotation.models import SwapRequest
from rotation.schemas import SwapCreate, SwapOut, SwapStatus
from web.deps import CurrentPerson, NowDep, SessionDep, forbidden

router = APIRouter(prefix="/api/v1", tags=["swaps"])

Answer = Callable[..., SwapRequest]
SwapId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/swaps", response_model=SwapOut, status_code=status.HTTP_201_CREATED)
def request_swap(
    data: SwapCreate, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> SwapOut:
    swap = swaps.request_swap(
        session,
        requester=caller,
        shift_id=data.shift_id,
        counterpart_shift_id=data.counterpart_shift_id,
        counterpart_person_id=data.counterpart_person_id,
        now=now,
    )
    return SwapOut.model_validate(swap)


@router.get("/swaps", response_model=list[SwapOut])
def list_swaps(
    session: SessionDep, caller: CurrentPerson, status: SwapStatus | None = None
) -> list[SwapOut]:
    return [
        SwapOut.model_validate(s) for s in swaps.list_swaps(session, viewer=caller, status=status)
    ]


@router.get("/swaps/{swap_id}", response_model=SwapOut)
def get_swap(swap_id: SwapId, session: SessionDep, caller: CurrentPerson) -> SwapOut:
    swap = swaps.get_swap(session, swap_id)
    if not swaps.can_see(session, swap=swap, viewer=caller):
        raise forbidden("only the people in a swap and the rotation's managers can see it")
    return SwapOut.model_validate(swap)


def _answer(
    answer: Answer, swap_id: SwapId, session: Session, caller: Person, now: datetime
) -> SwapOut:
    swap = swaps.get_swap(session, swap_id)
    return SwapOut.model_validate(answer(session, swap=swap, person=caller, now=now))


@router.post("/swaps/{swap_id}/accept", response_model=SwapOut)
def accept(swap_id: SwapId, session: SessionDep, caller: CurrentPerson, now: NowDep) -> SwapOut:
    return _answer(swaps.accept, swap_id, session, caller, now)


@router.post("/swaps/{swap_id}/decline", response_model=SwapOut)
def decline(swap_id: SwapId, session: SessionDep, caller: CurrentPerson, now: NowDep) -> SwapOut:
    return _answer(swaps.decline, swap_id, session, caller, now)


@router.post("/swaps/{swap_id}/cancel", response_model=SwapOut)
def cancel(swap_id: SwapId, session: SessionDep, caller: CurrentPerson, now: NowDep) -> SwapOut:
    return _answer(swaps.cancel, swap_id, session, caller, now)


@router.post("/swaps/{swap_id}/approve", response_model=SwapOut)
def approve(swap_id: SwapId, session: SessionDep, caller: CurrentPerson, now: NowDep) -> SwapOut:
    return _answer(swaps.approve, swap_id, session, caller, now)
