"""Invitations over the API: an admin (re)sends a person their one-time link."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, Request
from pydantic import BaseModel

from core import people
from core.errors import Invalid
from flows import invitations
from web.deps import AdminPerson, NowDep, SessionDep, SettingsDep
from web.params import ObjectId

router = APIRouter(prefix="/api/v1", tags=["people"])


class InvitationOut(BaseModel):
    invite_url: str
    # None when password login is off: the URL is then the login page (single sign-on).
    expires_at: datetime | None
    email_queued: bool


def send_after_commit(
    request: Request, background: BackgroundTasks, invitation: invitations.Invitation, now: datetime
) -> None:
    """Send the invitation's email once the request's transaction has committed."""
    if invitation.message_ids:
        background.add_task(
            invitations.send_now,
            request.app.state.sessionmaker,
            message_ids=invitation.message_ids,
            settings=request.app.state.settings,
            now=now,
        )


@router.post("/people/{person_id}/invite", response_model=InvitationOut)
def invite_person(
    person_id: ObjectId,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    actor: AdminPerson,
    now: NowDep,
) -> InvitationOut:
    person = people.get_person(session, person_id)
    if not person.active:
        raise Invalid("this person is deactivated; reactivate them before inviting")
    invitation = invitations.invite_person(
        session, person=person, settings=settings, now=now, actor=actor
    )
    send_after_commit(request, background, invitation, now)
    return InvitationOut(
        invite_url=invitation.url,
        expires_at=invitation.expires_at,
        email_queued=bool(invitation.message_ids),
    )
