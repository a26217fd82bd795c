"""Swap endpoints: request a trade or a cover, answer it, approve it, list them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, status

from onboarding import cover_reading
from rotation import preview, swaps
from rotation.models import SwapRequest
from rotation.schemas import PreviewOut, SwapCreate, SwapOut, SwapStatus
from web.api.rotations import previews
from web.deps import CurrentPerson, NowDep, SessionDep, SettingsDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["swaps"])

Answer = Callable[..., SwapRequest]
SwapId = ObjectId


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
    paging: PageDep, session: SessionDep, caller: CurrentPerson, status: SwapStatus | None = None
) -> list[SwapOut]:
    found = swaps.list_swaps(session, viewer=caller, status=status)
    return [SwapOut.model_validate(s) for s in paging.rows(found)]


@router.get("/swaps/{swap_id}", response_model=SwapOut)
def get_swap(swap_id: SwapId, session: SessionDep, caller: CurrentPerson) -> SwapOut:
    swap = swaps.get_swap(session, swap_id)
    if not swaps.can_see(session, swap=swap, viewer=caller):
        raise forbidden("only the people in a swap and the rotation's managers can see it")
    return SwapOut.model_validate(swap)


@dataclass(frozen=True)
class SwapAnswer:
    act: Answer
    # Who may give it, as the API reference says; the domain function enforces it.
    who: str


ANSWERS: dict[str, SwapAnswer] = {
    "accept": SwapAnswer(act=swaps.accept, who="the counterpart"),
    "decline": SwapAnswer(act=swaps.decline, who="the counterpart"),
    "cancel": SwapAnswer(act=swaps.cancel, who="the requester"),
    "approve": SwapAnswer(act=swaps.approve, who="a manager of the rotation"),
}


def _answer_endpoint(answer: SwapAnswer) -> Callable[..., SwapOut | PreviewOut]:
    def answer_swap(
        swap_id: SwapId,
        session: SessionDep,
        caller: CurrentPerson,
        now: NowDep,
        settings: SettingsDep,
        changes: previews.ChangesDep,
    ) -> SwapOut | PreviewOut:
        swap = swaps.get_swap(session, swap_id)
        shift_ids = [swap.shift_id, swap.counterpart_shift_id]
        answered = changes.run(
            preview.rotations_of_shifts(session, [i for i in shift_ids if i is not None]),
            lambda: answer.act(session, swap=swap, person=caller, now=now),
        )
        if isinstance(answered, PreviewOut):
            return answered
        cover_reading.after_swap(session, swap=answered, now=now, base_url=settings.base_url)
        return SwapOut.model_validate(answered)

    return answer_swap


def _add_answer_routes() -> None:
    for name, answer in ANSWERS.items():
        router.add_api_route(
            f"/swaps/{{swap_id}}/{name}",
            _answer_endpoint(answer),
            methods=["POST"],
            response_model=SwapOut | PreviewOut,
            # The name keeps each operation's id and summary ("Accept", …) in the OpenAPI.
            name=name,
            description=f"Only {answer.who} may {name} a swap.",
        )


_add_answer_routes()
