"""Card sets: the list, a new set, and the editor (details and the ordered cards).

For admins and rotation managers, like the API. Every change goes through
``onboarding.card_sets``; the editor only works out the new order of cards.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid
from core.i18n import N_
from core.models import Person
from kb_links import service as card_service
from onboarding import card_sets, requirements
from onboarding.models import CardSet
from onboarding.schemas import CardSetUpdate
from web.deps import forbidden
from web.pages.helpers import (
    CardId,
    CardSetId,
    FormInvalid,
    FormPost,
    ManagerPost,
    ManagerVisit,
    PageVisit,
    form_refused,
    not_found_as,
    parse_id,
    roll_back_refused,
    sentence,
)
from web.pages.onboarding import card_set_forms
from web.pages.onboarding.card_set_forms import DIRECTIONS, CardSetForm
from web.pages.pager import PageNumber, fetch_page_of
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)

EMPTY_FORM = {"name": "", "description": ""}


def _card_set_or_404(session: Session, card_set_id: int) -> CardSet:
    with not_found_as("card set"):
        return card_sets.get_card_set(session, card_set_id=card_set_id)


def _card_set_to_change(session: Session, card_set_id: int, viewer: Person) -> CardSet:
    """The card set if ``viewer`` may change it (checked before anything else), else 403/404."""
    card_set = _card_set_or_404(session, card_set_id)
    if not card_sets.may_change(session, person=viewer, card_set=card_set):
        raise forbidden(
            N_(
                "Only admins and managers of every rotation that requires this card set "
                "can change it."
            )
        )
    return card_set


def _list_page(
    visit: PageVisit,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    request, session = visit.request, visit.session
    views, pager = fetch_page_of(
        request,
        page=page,
        count=lambda: card_sets.count_card_sets(session),
        fetch=lambda limit, offset: card_sets.list_card_sets(session, limit=limit, offset=offset),
    )
    cards = card_service.get_cards(
        session, card_ids={card_id for view in views for card_id in view.card_ids}
    )
    return render(
        request,
        "card_sets.html",
        {
            "viewer": visit.viewer,
            "views": views,
            "pager": pager,
            "cards": cards,
            "required_by": requirements.rotations_requiring(session),
            "values": values or EMPTY_FORM,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/card-sets", response_class=HTMLResponse)
def card_sets_page(visit: ManagerVisit, page: PageNumber = 1) -> HTMLResponse:
    return _list_page(visit, page=page)


@router.post("/card-sets", response_model=None)
def create_card_set(post: ManagerPost, form: Annotated[CardSetForm, Form()]) -> Response:
    try:
        data = card_set_forms.check_details(form)
        view = card_sets.create_card_set(post.session, data=data, now=post.now, actor=post.viewer)
    except (FormInvalid, Conflict) as exc:
        page = partial(_list_page, post, values=form.model_dump())
        return form_refused(post.session, exc, conflict_field="name", page=page)
    flash(
        post.request,
        gettext(
            post.request,
            "Created the card set “%(name)s”. Add its cards below.",
            name=view.card_set.name,
        ),
    )
    return RedirectResponse(f"/card-sets/{view.card_set.id}", status_code=303)


# --- the editor ---------------------------------------------------------------------------------


def _edit_page(
    visit: PageVisit,
    *,
    card_set: CardSet,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    add_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session = visit.session
    card_ids = card_sets.view(session, card_set=card_set).card_ids
    every_card = {
        card.id: card
        for card in card_service.list_cards(session, now=visit.now, include_archived=True)
    }
    in_set = set(card_ids)
    addable = [card for card in every_card.values() if not card.archived and card.id not in in_set]
    return render(
        visit.request,
        "card_set_edit.html",
        {
            "viewer": visit.viewer,
            "card_set": card_set,
            "items": [every_card[card_id] for card_id in card_ids],
            "groups": card_set_forms.by_collection(addable),
            "required_by": requirements.rotations_requiring(session).get(card_set.id, []),
            "values": values or {"name": card_set.name, "description": card_set.description},
            "errors": errors or {},
            "add_error": add_error,
        },
        status_code=status_code,
    )


@router.get("/card-sets/{card_set_id}", response_class=HTMLResponse)
def edit_card_set_page(visit: ManagerVisit, card_set_id: CardSetId) -> HTMLResponse:
    card_set = _card_set_or_404(visit.session, card_set_id)
    return _edit_page(visit, card_set=card_set)


@router.post("/card-sets/{card_set_id}", response_model=None)
def save_details(
    post: ManagerPost, card_set_id: CardSetId, form: Annotated[CardSetForm, Form()]
) -> Response:
    card_set = _card_set_to_change(post.session, card_set_id, post.viewer)
    try:
        data = card_set_forms.check_details(form)
        card_sets.update_card_set(
            post.session,
            card_set=card_set,
            data=CardSetUpdate(name=data.name, description=data.description),
            now=post.now,
            actor=post.viewer,
        )
    except (FormInvalid, Conflict) as exc:

        def page(**refusal: Any) -> HTMLResponse:
            fresh = _card_set_or_404(post.session, card_set_id)
            return _edit_page(post, card_set=fresh, values=form.model_dump(), **refusal)

        return form_refused(post.session, exc, conflict_field="name", page=page)
    flash(
        post.request,
        gettext(post.request, "Saved the name and description of “%(name)s”.", name=card_set.name),
    )
    return RedirectResponse(f"/card-sets/{card_set.id}", status_code=303)


def _set_cards(post: FormPost, *, card_set: CardSet, card_ids: list[int]) -> HTMLResponse | None:
    """Save the new order; a refusal comes back as the editor with why (None: saved)."""
    try:
        card_sets.update_card_set(
            post.session,
            card_set=card_set,
            data=CardSetUpdate(card_ids=card_ids),
            now=post.now,
            actor=post.viewer,
        )
    except Invalid as exc:
        status_code = roll_back_refused(post.session, exc)
        return _edit_page(
            post,
            card_set=_card_set_or_404(post.session, card_set.id),
            add_error=sentence(exc.detail),
            status_code=status_code,
        )
    return None


@router.post("/card-sets/{card_set_id}/cards", response_model=None)
def add_card(post: ManagerPost, card_set_id: CardSetId) -> Response:
    card_set = _card_set_to_change(post.session, card_set_id, post.viewer)
    current = card_sets.view(post.session, card_set=card_set).card_ids
    chosen = parse_id(post.text("card_id"))
    problem = None
    if chosen is None:
        problem = "Choose a card to add."
    elif chosen in current:
        problem = "That card is already in this set."
    if problem is not None or chosen is None:
        return _edit_page(post, card_set=card_set, add_error=problem, status_code=422)
    refused = _set_cards(
        post, card_set=card_set, card_ids=card_set_forms.with_card(current, chosen)
    )
    if refused is not None:
        return refused
    title = card_service.get_card(post.session, card_id=chosen).title
    flash(
        post.request,
        gettext(
            post.request,
            "Added “%(title)s” to “%(name)s” as card %(position)s.",
            title=title,
            name=card_set.name,
            position=len(current) + 1,
        ),
    )
    return RedirectResponse(f"/card-sets/{card_set.id}#cards", status_code=303)


def _card_in_set(session: Session, card_set: CardSet, card_id: int) -> tuple[list[int], str]:
    """The set's card ids and the title of ``card_id``, or a 404 when it is not in the set."""
    current = card_sets.view(session, card_set=card_set).card_ids
    if card_id not in current:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=N_("That card is not in this set."))
    return current, card_service.get_card(session, card_id=card_id).title


@router.post("/card-sets/{card_set_id}/cards/{card_id}/move", response_model=None)
def move_card(post: ManagerPost, card_set_id: CardSetId, card_id: CardId) -> Response:
    direction = post.text("direction")
    card_set = _card_set_to_change(post.session, card_set_id, post.viewer)
    current, title = _card_in_set(post.session, card_set, card_id)
    if direction not in DIRECTIONS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=N_("Move a card either up or down.")
        )
    order = card_set_forms.moved(current, card_id, direction)
    if order == current:
        flash(
            post.request,
            gettext(post.request, "“%(title)s” is already at the top.", title=title)
            if direction == "up"
            else gettext(post.request, "“%(title)s” is already at the bottom.", title=title),
        )
    else:
        refused = _set_cards(post, card_set=card_set, card_ids=order)
        if refused is not None:
            return refused
        position = order.index(card_id) + 1
        if direction == "up":
            moved = gettext(
                post.request, "Moved “%(title)s” up to position %(position)s.", title=title,
                position=position,
            )  # fmt: skip
        else:
            moved = gettext(
                post.request, "Moved “%(title)s” down to position %(position)s.", title=title,
                position=position,
            )  # fmt: skip
        flash(post.request, moved)
    return RedirectResponse(f"/card-sets/{card_set.id}#item-{card_id}", status_code=303)


@router.post("/card-sets/{card_set_id}/cards/{card_id}/remove", response_model=None)
def remove_card(post: ManagerPost, card_set_id: CardSetId, card_id: CardId) -> Response:
    card_set = _card_set_to_change(post.session, card_set_id, post.viewer)
    current, title = _card_in_set(post.session, card_set, card_id)
    refused = _set_cards(
        post, card_set=card_set, card_ids=card_set_forms.without_card(current, card_id)
    )
    if refused is not None:
        return refused
    flash(
        post.request,
        gettext(
            post.request, "Removed “%(title)s” from “%(name)s”.", title=title, name=card_set.name
        ),
    )
    return RedirectResponse(f"/card-sets/{card_set.id}#cards", status_code=303)
