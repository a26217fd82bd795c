"""The manage page's stage buttons: graduate a shadow now, or hold their graduation back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from core.errors import Conflict, Invalid, NotFound
from core.i18n import N_
from onboarding import graduation
from rotation import shadowing, stages
from web.deps import SettingsDep
from web.pages.helpers import ViewerVisit, parse_id, verify_csrf
from web.pages.rotations.manage import ManageState, manageable, refused_page
from web.templating import flash, gettext

router = APIRouter(include_in_schema=False)

# action → (stage, hold, what the page says)
STAGE_ACTIONS: dict[str, tuple[str | None, bool | None, str]] = {
    "graduate": (
        shadowing.PRIMARY,
        None,
        N_("%(name)s graduated: they now take shifts of their own."),
    ),
    "hold": (
        None,
        True,
        N_("%(name)s stays a shadow until you graduate them or release the hold."),
    ),
    "release": (None, False, N_("%(name)s graduates on their own once their reading is done.")),
}


@router.post(
    "/rotations/{slug}/manage/stage", response_model=None, dependencies=[Depends(verify_csrf)]
)
def change_stage(
    slug: str,
    visit: ViewerVisit,
    settings: SettingsDep,
    action: Annotated[str, Form()] = "",
    person_id: Annotated[str, Form()] = "",
) -> Response:
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    rotation = manageable(session, viewer=viewer, slug=slug)
    try:
        if action not in STAGE_ACTIONS:
            raise Invalid("Choose to graduate, hold back or release a member.")
        chosen = parse_id(person_id)
        if chosen is None:
            raise Invalid("That person is not a member of this rotation any more.")
        stage, held, message = STAGE_ACTIONS[action]
        member = stages.get_member(session, rotation=rotation, person_id=chosen)
        graduation.set_stage(
            session, rotation=rotation, member=member, stage=stage, held=held,
            now=now, actor=viewer, base_url=settings.base_url,
        )  # fmt: skip
    except (Invalid, Conflict, NotFound) as exc:
        state = ManageState(member_error=exc.detail)
        return refused_page(visit, slug=slug, exc=exc, state=state)
    flash(request, gettext(request, message, name=member.person.name))
    return RedirectResponse(f"/rotations/{rotation.slug}/manage#members", status_code=303)
