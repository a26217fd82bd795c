"""What the card pages share: who may change cards, and a card or a 404 page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kb_links import service
from kb_links.models import Card
from web.pages.helpers import ManagerPost, ManagerViewer, ManagerVisit, not_found_as

# Admins and anyone who manages a rotation look after the registry.
CardEditor = ManagerViewer
CardEditorVisit = ManagerVisit
CardEditorPost = ManagerPost


def card_or_404(session: Session, card_id: int, *, for_update: bool = False) -> Card:
    with not_found_as("card"):
        return service.get_card(session, card_id=card_id, for_update=for_update)
