"""My checklist: the cards each upcoming shift requires, acknowledged one by one.

Managers and admins may look at someone else's checklist, read-only, under the same rule
as the API (the person, managers of a rotation they belong to, admins).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.i18n import N_
from core.models import Person
from kb_links.models import Card
from onboarding import acks, graduation, progress
from web.deps import forbidden, get_settings_dep
from web.pages.helpers import (
    PageVisit,
    PersonId,
    ViewerPost,
    ViewerVisit,
    not_found_as,
    parse_id,
    person_or_404,
    roll_back_refused,
    sentence,
)
from web.pages.onboarding.view import STATUS_LABELS, checklist_shifts, progress_text
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)


def checklist_page(
    visit: PageVisit,
    *,
    person: Person,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    entries = progress.checklist(visit.session, person=person, now=visit.now)
    return render(
        visit.request,
        "checklist.html",
        {
            "viewer": visit.viewer,
            "person": person,
            "own": person.id == visit.viewer.id,
            "shifts": checklist_shifts(entries),
            "status_labels": STATUS_LABELS,
            "progress_text": progress_text,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/me/checklist", response_class=HTMLResponse)
def my_checklist(visit: ViewerVisit) -> HTMLResponse:
    return checklist_page(visit, person=visit.viewer)


@router.get("/people/{person_id}/checklist", response_model=None)
def person_checklist(visit: ViewerVisit, person_id: PersonId) -> Response:
    person = person_or_404(visit.session, person_id)
    if person.id == visit.viewer.id:
        return RedirectResponse("/me/checklist", status_code=status.HTTP_303_SEE_OTHER)
    if not progress.may_view_person(visit.session, viewer=visit.viewer, person=person):
        raise forbidden(
            N_("Only the person, managers of their rotations and admins can see a checklist.")
        )
    return checklist_page(visit, person=person)


def _stale_message(
    request: Request, session: Session, exc: Conflict, *, card_id: int, version: int
) -> str:
    card = session.get(Card, card_id)
    current = exc.extra.get("current_version")
    if card is None or current is None:
        return sentence(exc.detail)
    return gettext(
        request,
        "“%(title)s” changed while you were reading it: you had version %(version)s open, "
        "it is now version %(current)s. Open it again, read what changed, then mark it as read.",
        title=card.title,
        version=version,
        current=current,
    )


@router.post("/me/checklist/ack", response_model=None)
def acknowledge(post: ViewerPost) -> Response:
    def refused(error: str, status_code: int) -> HTMLResponse:
        return checklist_page(post, person=post.viewer, error=error, status_code=status_code)

    chosen_card, read_version = parse_id(post.text("card_id")), parse_id(post.text("version"))
    if chosen_card is None or read_version is None:
        return refused(
            gettext(
                post.request,
                "That form did not say which card and version you read; "
                "reload the page and try again.",
            ),
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    try:
        with not_found_as("card"):
            view = acks.acknowledge(
                post.session,
                person=post.viewer,
                card_id=chosen_card,
                version=read_version,
                now=post.now,
            )
    except Conflict as exc:
        status_code = roll_back_refused(post.session, exc)
        return refused(
            _stale_message(
                post.request, post.session, exc, card_id=chosen_card, version=read_version
            ),
            status_code,
        )
    graduation.run(
        post.session, now=post.now, base_url=get_settings_dep(post.request).base_url,
        person_id=post.viewer.id,
    )  # fmt: skip
    flash(
        post.request,
        gettext(
            post.request,
            "Marked “%(title)s” (version %(version)s) as read.",
            title=view.card_title,
            version=view.acknowledgement.card_version,
        ),
    )
    # Back to the card just marked, not the top of a long list (allhands.js then restores
    # the exact scroll position); the anchor is built from parsed ids only.
    shift = parse_id(post.text("shift_id"))
    anchor = f"#card-{shift}-{chosen_card}" if shift is not None else ""
    return RedirectResponse("/me/checklist" + anchor, status_code=status.HTTP_303_SEE_OTHER)
