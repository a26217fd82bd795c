"""Admin page action: invite a person (email their one-time link, or show it)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from core import people
from core.models import Person
from core.settings import Settings
from flows import invitations
from web.api.invitations import send_after_commit
from web.deps import NowDep, SessionDep, SettingsDep
from web.pages.helpers import AdminViewer, PersonId, verify_csrf
from web.templating import flash, local_time

router = APIRouter(include_in_schema=False)


def invite_and_flash(
    request: Request,
    background: BackgroundTasks,
    session: Session,
    *,
    settings: Settings,
    person: Person,
    viewer: Person,
    now: datetime,
) -> None:
    """Invite ``person``; the flash says the email is on its way, or shows the link to pass on."""
    invitation = invitations.invite_person(
        session, person=person, settings=settings, now=now, actor=viewer
    )
    send_after_commit(request, background, invitation, now)
    if invitation.message_ids:
        flash(request, f"Invitation emailed to {person.email}.")
        return
    until = (
        f" (valid until {local_time(invitation.expires_at, viewer.timezone)})"
        if invitation.expires_at
        else ""
    )
    flash(
        request,
        f"Email is not set up, so pass this invitation link to {person.name} yourself"
        f"{until}: {invitation.url}",
        "info",
    )


@router.post("/people/{person_id}/invite", dependencies=[Depends(verify_csrf)])
def invite(
    request: Request,
    background: BackgroundTasks,
    person_id: PersonId,
    session: SessionDep,
    settings: SettingsDep,
    viewer: AdminViewer,
    now: NowDep,
) -> RedirectResponse:
    person = people.get_person(session, person_id)
    if not person.active:
        flash(request, f"{person.name} is deactivated; reactivate them before inviting.", "error")
        return RedirectResponse("/people", status_code=303)
    invite_and_flash(
        request, background, session, settings=settings, person=person, viewer=viewer, now=now
    )
    return RedirectResponse("/people", status_code=303)
