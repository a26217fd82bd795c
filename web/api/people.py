"""People endpoints: admin management, CSV import, and /me."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core import people
from core.schemas import PersonCreate, PersonOut, PersonUpdate
from flows import bulk_import, lifecycle
from rotation import holiday_release
from rotation import members as rotation_members
from web import bulk_imports
from web.api.invitations import AdminInviter
from web.bodies import CSV_BODY, CsvBody
from web.deps import AdminPerson, CurrentPerson, NowDep, SessionDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["people"])

SELF_EDITABLE = frozenset({"name", "timezone", "holiday_country", "locale"})


class ImportResultOut(BaseModel):
    created: int
    updated: int


@router.get("/me", response_model=PersonOut)
def me(person: CurrentPerson) -> PersonOut:
    return PersonOut.model_validate(person)


@router.post("/people", response_model=PersonOut, status_code=status.HTTP_201_CREATED)
def create_person(data: PersonCreate, admin: AdminInviter, invite: bool = False) -> PersonOut:
    person = people.create_person(admin.session, data=data, now=admin.now, actor=admin.actor)
    if invite:
        admin.invite(person)
    return PersonOut.model_validate(person)


@router.get("/people", response_model=list[PersonOut])
def list_people(paging: PageDep, session: SessionDep, _caller: CurrentPerson) -> list[PersonOut]:
    found = paging.fetch(
        lambda limit, offset: people.list_people(session, limit=limit, offset=offset)
    )
    return [PersonOut.model_validate(p) for p in found]


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: ObjectId, session: SessionDep, _caller: CurrentPerson) -> PersonOut:
    return PersonOut.model_validate(people.get_person(session, person_id))


@router.patch("/people/{person_id}", response_model=PersonOut)
def update_person(
    person_id: ObjectId, data: PersonUpdate, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> PersonOut:
    person = people.get_person(session, person_id)
    if not caller.is_admin:
        if caller.id != person.id:
            raise forbidden("only admins can edit other people")
        if not data.model_fields_set <= SELF_EDITABLE:
            raise forbidden(
                "you can change only your own name, timezone, holiday country and language"
            )
    was_active = person.active
    had_holidays = person.holiday_country
    person = people.update_person(session, person=person, data=data, now=now, actor=caller)
    if person.holiday_country != had_holidays:
        holiday_release.person_changed(session, person=person, now=now, actor=caller)
    if was_active and not person.active:
        rotation_members.release_person(session, person=person, now=now, actor=caller)
    elif person.active and not was_active:
        rotation_members.person_reactivated(session, person=person, now=now, actor=caller)
    return PersonOut.model_validate(person)


@router.post("/people/{person_id}/deactivate", response_model=PersonOut)
def deactivate_person(
    person_id: ObjectId, session: SessionDep, actor: AdminPerson, now: NowDep
) -> PersonOut:
    person = people.get_person(session, person_id)
    lifecycle.deactivate_person(session, person=person, now=now, actor=actor)
    return PersonOut.model_validate(person)


@router.post(
    "/people/import",
    response_model=ImportResultOut,
    openapi_extra=CSV_BODY,
    responses=bulk_imports.ASYNC_RESPONSES,
)
def import_people(
    request: Request,
    text: CsvBody,
    admin: AdminInviter,
    invite: bool = False,
    prefer: bulk_imports.PreferHeader = None,
) -> ImportResultOut | JSONResponse:
    """Every row is checked first (any bad row: 422, nothing imported), then written in
    batches of short transactions. ``Prefer: respond-async`` answers 202 and a job (not
    with ``invite``, which is answered when the invitations are sent)."""
    session = admin.session
    session.commit()
    checked = bulk_import.check_people(session, text=text)
    if bulk_imports.wants_async(prefer) and not invite:
        return bulk_imports.accept(request, session, checked=checked, actor=admin.actor)
    result = bulk_import.write(session, checked, now=admin.now, actor=admin.actor)
    if invite:
        for person in people.find_by_ids(session, person_ids=result.created_ids).values():
            admin.invite(person)
    return ImportResultOut(created=result.created, updated=result.updated)
