"""What the card pages share: who may change cards, and a card or a 404 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import Person
from kb_links import service
from kb_links.models import Card
from rotation import access
from web.deps import SessionDep
from web.pages.common import Viewer


def require_card_editor(viewer: Viewer, session: SessionDep) -> Person:
    """Admins and anyone who manages a rotation look after the registry."""
    if not access.manages_any(session, person=viewer):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Only admins and rotation managers can change cards."
        )
    return viewer


CardEditor = Annotated[Person, Depends(require_card_editor)]


def card_or_404(session: Session, card_id: int, *, for_update: bool = False) -> Card:
    try:
        return service.get_card(session, card_id=card_id, for_update=for_update)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such card.") from None
