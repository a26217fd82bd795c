"""Invitations over the API: an admin (re)sends a person their one-time link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from core import people
from core.errors import Invalid
from core.models import Person
from core.settings import Settings
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


@dataclass(frozen=True)
class Inviter:
    """An admin's request that may invite people: each invitation is written in the
    request's unit of work, and its email sent once that has committed."""

    request: Request
    background: BackgroundTasks
    session: Session
    settings: Settings
    actor: Person
    now: datetime

    def invite(self, person: Person) -> invitations.Invitation:
        invitation = invitations.invite_person(
            self.session, person=person, settings=self.settings, now=self.now, actor=self.actor
        )
        send_after_commit(self.request, self.background, invitation, self.now)
        return invitation


def inviter(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    actor: AdminPerson,
    now: NowDep,
) -> Inviter:
    return Inviter(request, background, session, settings, actor, now)


AdminInviter = Annotated[Inviter, Depends(inviter)]


@router.post("/people/{person_id}/invite", response_model=InvitationOut)
def invite_person(person_id: ObjectId, admin: AdminInviter) -> InvitationOut:
    person = people.get_person(admin.session, person_id)
    if not person.active:
        raise Invalid("this person is deactivated; reactivate them before inviting")
    invitation = admin.invite(person)
    return InvitationOut(
        invite_url=invitation.url,
        expires_at=invitation.expires_at,
        email_queued=bool(invitation.message_ids),
    )
