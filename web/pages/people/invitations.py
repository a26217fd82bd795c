"""Admin page action: invite a person (email their one-time link, or show it)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks
from fastapi.responses import RedirectResponse

from core import people
from core.models import Person
from core.settings import Settings
from flows import invitations
from web.api.invitations import send_after_commit
from web.deps import SettingsDep
from web.pages.helpers import AdminPost, FormPost, PersonId
from web.templating import flash, gettext, local_time

router = APIRouter(include_in_schema=False)


def invite_and_flash(
    post: FormPost, background: BackgroundTasks, *, settings: Settings, person: Person
) -> None:
    """Invite ``person``; the flash says the email is on its way, or shows the link to pass on."""
    invitation = invitations.invite_person(
        post.session, person=person, settings=settings, now=post.now, actor=post.viewer
    )
    send_after_commit(post.request, background, invitation, post.now)
    if invitation.message_ids:
        flash(
            post.request,
            gettext(post.request, "Invitation emailed to %(email)s.", email=person.email),
        )
        return
    until = (
        f" (valid until {local_time(invitation.expires_at, post.viewer.timezone)})"
        if invitation.expires_at
        else ""
    )
    flash(
        post.request,
        f"Email is not set up, so pass this invitation link to {person.name} yourself"
        f"{until}: {invitation.url}",
        "info",
    )


@router.post("/people/{person_id}/invite")
def invite(
    post: AdminPost, background: BackgroundTasks, person_id: PersonId, settings: SettingsDep
) -> RedirectResponse:
    person = people.get_person(post.session, person_id)
    if not person.active:
        flash(
            post.request, f"{person.name} is deactivated; reactivate them before inviting.", "error"
        )
        return RedirectResponse("/people", status_code=303)
    invite_and_flash(post, background, settings=settings, person=person)
    return RedirectResponse("/people", status_code=303)
