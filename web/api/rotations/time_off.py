"""Time-off endpoints: the person themselves, admins, and managers of their rotations."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from core import people
from core.models import Person
from rotation import members as rotation_members
from rotation import preview, time_off
from rotation.models import TimeOff
from rotation.schemas import PreviewOut, TimeOffCreate, TimeOffCreated, TimeOffOut
from web.api.rotations import previews
from web.deps import CurrentPerson, NowDep, SessionDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["time off"])
PersonId = ObjectId
TimeOffId = ObjectId


def require_time_off_access(session: Session, *, caller: Person, person: Person) -> None:
    if caller.id == person.id:
        return
    if not rotation_members.manages_member(session, manager=caller, person=person):
        raise forbidden("only the person, an admin or a manager of their rotation can do this")


@router.post(
    "/people/{person_id}/time-off",
    response_model=TimeOffCreated | PreviewOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": PreviewOut, "description": "With dry_run=true: what it would change"}
    },
)
def add_time_off(
    person_id: PersonId,
    data: TimeOffCreate,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    changes: previews.ChangesDep,
) -> TimeOffCreated | PreviewOut:
    person = people.get_person(session, person_id)
    require_time_off_access(session, caller=caller, person=person)

    return changes.answer(
        preview.rotations_held_by(session, person_id=person.id, after=now),
        lambda: time_off.add_time_off(
            session,
            person=person,
            start=data.start,
            end=data.end,
            reason=data.reason,
            now=now,
            actor=caller,
        ),
        then=_created,
    )


def _created(saved: tuple[TimeOff, list[int]]) -> TimeOffCreated:
    row, reassigned = saved
    return TimeOffCreated(
        **TimeOffOut.model_validate(row).model_dump(), reassigned_shift_ids=reassigned
    )


@router.get("/people/{person_id}/time-off", response_model=list[TimeOffOut])
def list_time_off(
    paging: PageDep, person_id: PersonId, session: SessionDep, caller: CurrentPerson
) -> list[TimeOffOut]:
    person = people.get_person(session, person_id)
    require_time_off_access(session, caller=caller, person=person)
    rows = paging.rows(time_off.list_time_off(session, person=person))
    return [TimeOffOut.model_validate(t) for t in rows]


@router.delete("/time-off/{time_off_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_time_off(
    time_off_id: TimeOffId, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> Response:
    row = time_off.get_time_off(session, time_off_id)
    person = people.get_person(session, row.person_id)
    require_time_off_access(session, caller=caller, person=person)
    time_off.delete_time_off(session, row=row, now=now, actor=caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
