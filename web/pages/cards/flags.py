"""Flags from the pages: a reader flags a card from their checklist; the card's page lists its
flags and resolves them (nothing to change, a minor edit, or a major one to be re-read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from core.errors import Conflict
from onboarding import card_flags
from web.deps import NowDep, SessionDep, SettingsDep
from web.pages.cards.common import CardEditor, card_or_404
from web.pages.helpers import CardId, Viewer, not_found_as, page_error, path_id, verify_csrf
from web.templating import flash, gettext, ngettext

router = APIRouter(include_in_schema=False)

MAX_COMMENT = 5000
MAX_NOTE = 2000


@router.post("/cards/{card_id}/flags", response_model=None, dependencies=[Depends(verify_csrf)])
def flag_card(
    request: Request,
    card_id: CardId,
    session: SessionDep,
    viewer: Viewer,
    now: NowDep,
    settings: SettingsDep,
    comment: Annotated[str, Form()] = "",
) -> Response:
    card = card_or_404(session, card_id)
    text = comment.strip()
    if not text or len(text) > MAX_COMMENT or "\x00" in text:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"Say what is wrong or missing, in at most {MAX_COMMENT:,} characters.",
        )
    try:
        card_flags.flag_card(
            session, card=card, author=viewer, comment=text, now=now, base_url=settings.base_url
        )
    except Conflict as exc:
        raise page_error(exc) from None
    flash(
        request,
        gettext(
            request,
            "Thank you: “%(title)s” is flagged and its verifier has been told.",
            title=card.title,
        ),
    )
    return RedirectResponse("/me/checklist", status_code=status.HTTP_303_SEE_OTHER)


@router.post(
    "/cards/{card_id}/flags/{flag_id}/resolve",
    response_model=None,
    dependencies=[Depends(verify_csrf)],
)
def resolve_flag(
    request: Request,
    card_id: CardId,
    session: SessionDep,
    viewer: CardEditor,
    now: NowDep,
    settings: SettingsDep,
    flag_id: int = path_id("flag_id", what="flag"),
    change: Annotated[str, Form()] = "none",
    note: Annotated[str, Form()] = "",
) -> Response:
    card = card_or_404(session, card_id, for_update=True)
    with not_found_as("flag"):
        flag = card_flags.get_flag(session, card=card, flag_id=flag_id)
    if change not in card_flags.RESOLUTIONS or len(note) > MAX_NOTE or "\x00" in note:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"Choose how the flag was resolved; a note has at most {MAX_NOTE:,} characters.",
        )
    try:
        resolved = card_flags.resolve_flag(
            session, card=card, flag=flag, resolver=viewer, change=change, note=note.strip(),
            now=now, base_url=settings.base_url,
        )  # fmt: skip
    except Conflict as exc:
        raise page_error(exc) from None
    message = gettext(request, "Flag resolved.")
    if resolved.queued:
        message += " " + ngettext(
            request,
            "%(count)s person on upcoming shifts will read it again.",
            "%(count)s people on upcoming shifts will read it again.",
            len(resolved.queued),
        )
    flash(request, message)
    return RedirectResponse(f"/cards/{card.id}/edit#flags", status_code=status.HTTP_303_SEE_OTHER)
