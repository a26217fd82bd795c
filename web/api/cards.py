"""Knowledge-card endpoints: the registry, its imports, and Guru's card-updated webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from core.models import Person
from kb_links import importers, service, webhooks
from kb_links.schemas import CardCreate, CardOut, CardRevisionOut, CardUpdate
from rotation import access
from web import bodies, bulk_imports
from web.bodies import CsvBody
from web.card_import import run_card_import
from web.deps import AdminPerson, CurrentPerson, NowDep, SessionDep, SettingsDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])

IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}
WEBHOOK_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}}
}


def require_card_editor(person: CurrentPerson, session: SessionDep) -> Person:
    """Admins and anyone who manages a rotation look after the registry."""
    if not access.manages_any(session, person=person):
        raise forbidden("only admins and rotation managers can change cards")
    return person


CardEditor = Annotated[Person, Depends(require_card_editor)]


class ImportResultOut(BaseModel):
    created: int
    updated: int
    bumped: int


class WebhookResultOut(BaseModel):
    # From a kb_links.webhooks.WebhookResult.
    model_config = ConfigDict(from_attributes=True)

    received: int
    bumped_card_ids: list[int]
    ignored: int
    duplicates: int
    unknown_cards: list[str]


@router.post("", response_model=CardOut, status_code=status.HTTP_201_CREATED)
def create_card(data: CardCreate, session: SessionDep, actor: CardEditor, now: NowDep) -> CardOut:
    card = service.create_card(session, data=data, now=now, actor=actor)
    return CardOut.model_validate(card, context={"now": now})


@router.get("", response_model=list[CardOut])
def list_cards(
    paging: PageDep,
    session: SessionDep,
    _caller: CurrentPerson,
    now: NowDep,
    stale: bool | None = None,
    include_archived: bool = False,
) -> list[CardOut]:
    page = paging.fetch(
        lambda limit, offset: service.list_cards(
            session,
            now=now,
            stale=stale,
            include_archived=include_archived,
            limit=limit,
            offset=offset,
        )
    )
    return [CardOut.model_validate(card, context={"now": now}) for card in page]


@router.post(
    "/import",
    response_model=ImportResultOut,
    openapi_extra=IMPORT_BODY,
    responses=bulk_imports.ASYNC_RESPONSES,
)
def import_cards(
    request: Request,
    text: CsvBody,
    session: SessionDep,
    actor: AdminPerson,
    now: NowDep,
    prefer: bulk_imports.PreferHeader = None,
) -> ImportResultOut | JSONResponse:
    """Every row is checked first (any bad row: 422, nothing imported), then written in
    batches of short transactions. ``Prefer: respond-async`` answers 202 and a job."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "text/csv":
        is_json = False
    elif content_type == "application/json" or content_type.endswith("+json"):
        is_json = True
    else:
        is_json = importers.looks_like_json(text)
    if bulk_imports.wants_async(prefer):
        session.commit()
        checked = bulk_imports.check_cards(session, text=text, is_json=is_json, now=now)
        return bulk_imports.accept(request, session, checked=checked, actor=actor)
    result = run_card_import(session, text=text, is_json=is_json, now=now, actor=actor)
    return ImportResultOut(
        created=result.created, updated=result.updated, bumped=result.bumped or 0
    )


async def raw_body(request: Request) -> bytes:
    """The exact bytes the sender signed (``BodyLimit`` has already bounded their size)."""
    return await request.body()


@router.post("/webhooks/guru", response_model=WebhookResultOut, openapi_extra=WEBHOOK_BODY)
def guru_webhook(
    body: Annotated[bytes, Depends(raw_body)],
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    signature: Annotated[str | None, Header(alias=webhooks.SIGNATURE_HEADER)] = None,
    timestamp: Annotated[str | None, Header(alias=webhooks.TIMESTAMP_HEADER)] = None,
) -> WebhookResultOut:
    """Card-updated events bump their cards' versions.

    Signed: ``X-Allhands-Timestamp`` (Unix seconds, within 5 minutes of now) and
    ``X-Allhands-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">``; else 401.
    A replayed event (same id, or the same event without an id) changes nothing and is
    counted in ``duplicates`` of a 200.
    """
    try:
        webhooks.check_signature(
            secret=settings.guru_webhook_secret,
            body=body,
            signature=signature,
            timestamp=timestamp,
            now=now,
        )
    except webhooks.SignatureRefused as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc)) from exc
    payload = bodies.parse_json(body)
    events = webhooks.parse_events(payload)
    result = webhooks.apply_guru_events(session, events=events, now=now)
    return WebhookResultOut.model_validate(result)


@router.get("/{card_id}", response_model=CardOut)
def get_card(
    card_id: ObjectId, session: SessionDep, _caller: CurrentPerson, now: NowDep
) -> CardOut:
    card = service.get_card(session, card_id=card_id)
    return CardOut.model_validate(card, context={"now": now})


@router.patch("/{card_id}", response_model=CardOut)
def update_card(
    card_id: ObjectId, data: CardUpdate, session: SessionDep, actor: CardEditor, now: NowDep
) -> CardOut:
    card = service.get_card(session, card_id=card_id, for_update=True)
    card = service.update_card(session, card=card, data=data, now=now, actor=actor)
    return CardOut.model_validate(card, context={"now": now})


@router.post("/{card_id}/verify", response_model=CardOut)
def verify_card(
    card_id: ObjectId, session: SessionDep, caller: CurrentPerson, now: NowDep
) -> CardOut:
    card = service.get_card(session, card_id=card_id, for_update=True)
    if card.verifier_id != caller.id and not access.manages_any(session, person=caller):
        raise forbidden("only the card's verifier, rotation managers and admins can verify it")
    card = service.verify_card(session, card=card, now=now, actor=caller)
    return CardOut.model_validate(card, context={"now": now})


@router.delete("/{card_id}", response_model=CardOut)
def archive_card(card_id: ObjectId, session: SessionDep, actor: CardEditor, now: NowDep) -> CardOut:
    card = service.get_card(session, card_id=card_id, for_update=True)
    card = service.set_archived(session, card=card, archived=True, now=now, actor=actor)
    return CardOut.model_validate(card, context={"now": now})


@router.post("/{card_id}/restore", response_model=CardOut)
def restore_card(card_id: ObjectId, session: SessionDep, actor: CardEditor, now: NowDep) -> CardOut:
    card = service.get_card(session, card_id=card_id, for_update=True)
    card = service.set_archived(session, card=card, archived=False, now=now, actor=actor)
    return CardOut.model_validate(card, context={"now": now})


@router.get("/{card_id}/revisions", response_model=list[CardRevisionOut])
def list_revisions(
    paging: PageDep, card_id: ObjectId, session: SessionDep, _caller: CurrentPerson
) -> list[CardRevisionOut]:
    card = service.get_card(session, card_id=card_id)
    revisions = paging.fetch(
        lambda limit, offset: service.list_revisions(session, card=card, limit=limit, offset=offset)
    )
    return [CardRevisionOut.model_validate(r) for r in revisions]
