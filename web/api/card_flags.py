"""Flags on cards: any member reports a card as wrong or missing something; its verifier,
rotation managers and admins resolve it."""

from __future__ import annotations

from fastapi import APIRouter, status

from kb_links import service as cards
from kb_links.schemas import FlagCreate, FlagOut, FlagResolve
from onboarding import card_flags
from rotation import access
from web.deps import CurrentPerson, NowDep, SessionDep, SettingsDep, forbidden
from web.paging import PageDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])


@router.post("/{card_id}/flags", response_model=FlagOut, status_code=status.HTTP_201_CREATED)
def flag_card(
    card_id: ObjectId,
    data: FlagCreate,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    settings: SettingsDep,
) -> FlagOut:
    """Flag the card with a comment; its verifier is told by email."""
    card = cards.get_card(session, card_id=card_id)
    flag = card_flags.flag_card(
        session, card=card, author=caller, comment=data.comment, now=now,
        base_url=settings.base_url,
    )  # fmt: skip
    return FlagOut.of(flag)


@router.get("/{card_id}/flags", response_model=list[FlagOut])
def list_flags(
    paging: PageDep,
    card_id: ObjectId,
    session: SessionDep,
    _caller: CurrentPerson,
) -> list[FlagOut]:
    """The card's flags, open ones first."""
    card = cards.get_card(session, card_id=card_id)
    found = paging.fetch(
        lambda limit, offset: card_flags.list_flags(session, card=card, limit=limit, offset=offset)
    )
    return [FlagOut.of(flag) for flag in found]


@router.post("/{card_id}/flags/{flag_id}/resolve", response_model=FlagOut)
def resolve_flag(
    card_id: ObjectId,
    flag_id: ObjectId,
    data: FlagResolve,
    session: SessionDep,
    caller: CurrentPerson,
    now: NowDep,
    settings: SettingsDep,
) -> FlagOut:
    """Resolve a flag; ``change: "major"`` bumps the card's version and asks the people on
    upcoming shifts that require it to read it again."""
    card = cards.get_card(session, card_id=card_id, for_update=True)
    flag = card_flags.get_flag(session, card=card, flag_id=flag_id)
    if card.verifier_id != caller.id and not access.manages_any(session, person=caller):
        raise forbidden("only the card's verifier, rotation managers and admins resolve flags")
    resolved = card_flags.resolve_flag(
        session, card=card, flag=flag, resolver=caller, change=data.change, note=data.note,
        now=now, base_url=settings.base_url,
    )  # fmt: skip
    return FlagOut.of(resolved.flag)
