"""Adding, editing (major or minor), archiving and restoring cards through forms."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import people
from core.errors import Conflict, Invalid
from core.models import Person
from kb_links import service
from kb_links.fields import SOURCES
from kb_links.models import Card
from onboarding import card_flags
from web.pages.cards import forms as card_forms
from web.pages.cards import view as card_view
from web.pages.cards.common import CardEditorPost, CardEditorVisit, card_or_404
from web.pages.cards.forms import CardEditForm, CardForm
from web.pages.helpers import CardId, FormInvalid, FormPost, PageVisit, form_refused
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)


def _people_choices(session: Session) -> list[Person]:
    return people.list_people(session, include_inactive=False)


def _new_page(
    visit: PageVisit,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        visit.request,
        "card_new.html",
        {
            "viewer": visit.viewer,
            "values": values,
            "errors": errors or {},
            "sources": SOURCES,
            "people": _people_choices(visit.session),
        },
        status_code=status_code,
    )


@router.get("/cards/new", response_class=HTMLResponse)
def new_card_page(visit: CardEditorVisit) -> HTMLResponse:
    return _new_page(visit, values=CardForm().model_dump())


@router.post("/cards", response_model=None)
def create_card(post: CardEditorPost, form: Annotated[CardForm, Form()]) -> Response:
    try:
        data = card_forms.check_new_card(post.session, form=form)
        card = service.create_card(post.session, data=data, now=post.now, actor=post.viewer)
    except (FormInvalid, Conflict, Invalid) as exc:
        page = partial(_new_page, post, values=form.model_dump())
        return form_refused(post.session, exc, conflict_field="external_id", page=page)
    flash(
        post.request,
        gettext(post.request, "Added “%(title)s” (version 1, verified now).", title=card.title),
    )
    return RedirectResponse(f"/cards#card-{card.id}", status_code=303)


def _edit_page(
    visit: PageVisit,
    *,
    card: Card,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session = visit.session
    revisions = service.list_revisions(session, card=card)
    flags = card_flags.list_flags(session, card=card)
    actors = people.find_by_ids(
        session,
        person_ids={r.actor_id for r in revisions if r.actor_id is not None}
        | {f.author_id for f in flags if f.author_id is not None},
    )
    return render(
        visit.request,
        "card_edit.html",
        {
            "viewer": visit.viewer,
            "card": card,
            "href": card_view.safe_href(card.url),
            "values": values,
            "errors": errors or {},
            "sources": SOURCES,
            "people": _people_choices(session),
            "revisions": list(reversed(revisions)),
            "flags": flags,
            "actor_names": {person_id: person.name for person_id, person in actors.items()},
        },
        status_code=status_code,
    )


@router.get("/cards/{card_id}/edit", response_class=HTMLResponse)
def edit_card_page(visit: CardEditorVisit, card_id: CardId) -> HTMLResponse:
    session = visit.session
    card = card_or_404(session, card_id)
    verifier = session.get(Person, card.verifier_id) if card.verifier_id is not None else None
    values = card_forms.values_of(card, verifier_email=verifier.email if verifier else "")
    return _edit_page(visit, card=card, values=values)


@router.post("/cards/{card_id}/edit", response_model=None)
def edit_card(
    post: CardEditorPost, card_id: CardId, form: Annotated[CardEditForm, Form()]
) -> Response:
    card = card_or_404(post.session, card_id, for_update=True)
    if card_forms.edited_version(form) != card.version:
        # Saving would silently undo the other edit; show the newer version and ask again.
        values = {**form.model_dump(), "version": str(card.version)}
        errors = {"form": _edited_meanwhile(card)}
        return _edit_page(
            post,
            card=card,
            values=values,
            errors=errors,
            status_code=409,
        )
    try:
        data = card_forms.check_edit(post.session, form=form, card=card)
        if data.change == "minor" and not card_forms.changes_anything(data):
            flash(
                post.request,
                gettext(post.request, "Nothing changed in “%(title)s”.", title=card.title),
            )
            return RedirectResponse("/cards", status_code=303)
        card = service.update_card(
            post.session, card=card, data=data, now=post.now, actor=post.viewer
        )
    except (FormInvalid, Conflict, Invalid) as exc:

        def page(**refusal: Any) -> HTMLResponse:
            fresh = card_or_404(post.session, card_id)
            return _edit_page(
                post,
                card=fresh,
                values=form.model_dump(),
                **refusal,
            )

        return form_refused(post.session, exc, conflict_field="external_id", page=page)
    flash(post.request, _saved(card, change=data.change))
    return RedirectResponse(f"/cards#card-{card.id}", status_code=303)


def _edited_meanwhile(card: Card) -> str:
    return (
        f"Someone else changed this card while you were editing: it is now at version "
        f"{card.version}. Your input is kept below; check it against the card and save again."
    )


def _saved(card: Card, *, change: str) -> str:
    if change == "major":
        return (
            f"Saved “{card.title}” as a major change: now version {card.version}; "
            "everyone whose shift needs it must read it again."
        )
    return (
        f"Saved “{card.title}” as a minor change: still version {card.version}; "
        "earlier acknowledgements stay valid."
    )


def _set_archived(post: FormPost, *, card_id: int, archived: bool) -> RedirectResponse:
    card = card_or_404(post.session, card_id, for_update=True)
    service.set_archived(
        post.session, card=card, archived=archived, now=post.now, actor=post.viewer
    )
    if archived:
        flash(
            post.request,
            gettext(
                post.request,
                "Archived “%(title)s”: it is no longer listed or required.",
                title=card.title,
            ),
        )
        return RedirectResponse("/cards", status_code=303)
    flash(post.request, gettext(post.request, "Restored “%(title)s”.", title=card.title))
    return RedirectResponse(f"/cards#card-{card.id}", status_code=303)


@router.post("/cards/{card_id}/archive", response_model=None)
def archive_card(post: CardEditorPost, card_id: CardId) -> Response:
    return _set_archived(post, card_id=card_id, archived=True)


@router.post("/cards/{card_id}/restore", response_model=None)
def restore_card(post: CardEditorPost, card_id: CardId) -> Response:
    return _set_archived(post, card_id=card_id, archived=False)
