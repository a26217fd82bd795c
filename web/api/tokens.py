"""API tokens: their owner lists, creates and revokes them; so does an admin for anyone."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from core import people, personal_tokens
from core.models import Person
from core.schemas import NewTokenOut, TokenCreate, TokenOut
from web.deps import AdminPerson, CurrentPerson, NowDep, SessionDep
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["tokens"])


def _create(
    session: SessionDep, *, person: Person, data: TokenCreate, actor: Person, now: NowDep
) -> NewTokenOut:
    made = personal_tokens.create_token(
        session, person=person, name=data.name, expires_at=data.expires_at, now=now, actor=actor
    )
    return NewTokenOut(**TokenOut.model_validate(made.info).model_dump(), token=made.token)


@router.get("/me/tokens", response_model=list[TokenOut])
def my_tokens(paging: PageDep, session: SessionDep, caller: CurrentPerson) -> list[TokenOut]:
    """My unrevoked tokens, newest first (expired ones show their past ``expires_at``)."""
    tokens = personal_tokens.list_tokens(session, person=caller)
    return [TokenOut.model_validate(info) for info in paging.rows(tokens)]


@router.post("/me/tokens", response_model=NewTokenOut, status_code=status.HTTP_201_CREATED)
def create_my_token(
    data: TokenCreate, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> NewTokenOut:
    """A new token for me; ``token`` is in this answer only."""
    return _create(session, person=caller, data=data, actor=caller, now=now)


@router.delete("/me/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_my_token(
    token_id: ObjectId, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> Response:
    """Revoke one of my tokens; it is refused (401) from now on."""
    personal_tokens.revoke_or_not_found(
        session, person=caller, token_id=token_id, now=now, actor=caller
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/people/{person_id}/tokens", response_model=list[TokenOut])
def person_tokens(
    paging: PageDep, person_id: ObjectId, session: SessionDep, _admin: AdminPerson
) -> list[TokenOut]:
    """Someone's unrevoked tokens (admins)."""
    person = people.get_person(session, person_id)
    tokens = personal_tokens.list_tokens(session, person=person)
    return [TokenOut.model_validate(info) for info in paging.rows(tokens)]


@router.post(
    "/people/{person_id}/tokens", response_model=NewTokenOut, status_code=status.HTTP_201_CREATED
)
def create_person_token(
    person_id: ObjectId, data: TokenCreate, session: SessionDep, admin: AdminPerson, now: NowDep
) -> NewTokenOut:
    """A new token for someone (admins), e.g. for a service account."""
    person = people.get_person(session, person_id)
    return _create(session, person=person, data=data, actor=admin, now=now)


@router.delete("/people/{person_id}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_person_token(
    person_id: ObjectId, token_id: ObjectId, session: SessionDep, admin: AdminPerson, now: NowDep
) -> Response:
    """Revoke someone's token (admins)."""
    person = people.get_person(session, person_id)
    personal_tokens.revoke_or_not_found(
        session, person=person, token_id=token_id, now=now, actor=admin
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
