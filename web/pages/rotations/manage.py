"""The manage page of a rotation: settings with a preview of the handoffs before saving.

Members, requirements, overrides and rebalancing post to ``rotation_manage_actions``; every
form of the page comes back here, with its input kept, when something is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import people
from core.errors import Conflict, DomainError, Invalid
from core.models import Person
from onboarding import card_sets, requirements
from rotation import generation, members, overview, stages, timeline, what_if
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.models import Rotation, Shift
from rotation.schemas import RotationUpdate
from web.pages.helpers import (
    FormInvalid,
    PageVisit,
    ViewerPost,
    ViewerVisit,
    parse_id,
    required_id,
    roll_back_refused,
)
from web.pages.rotations import forms as rotation_forms
from web.pages.rotations.common import (
    require_rotation_manager,
    rotation_or_404,
    rotation_or_moved,
)
from web.pages.rotations.forms import RotationForm
from web.templating import flash, gettext, render, request_locale

router = APIRouter(include_in_schema=False)

# Shifts offered for an override: the one under way and this many ahead.
OVERRIDE_CHOICES = 40
PREVIEW_COUNT = 8


@dataclass
class ManageState:
    """Input to keep and problems to show on the manage page, per form."""

    settings: dict[str, str] | None = None
    settings_errors: dict[str, str] = field(default_factory=dict)
    preview: list[tuple[datetime, datetime]] | None = None
    preview_changes: bool = False
    # Who would be on each previewed shift, by its start.
    preview_people: dict[datetime, list[str | None]] = field(default_factory=dict)
    member_email: str = ""
    member_error: str = ""
    requirement_rows: list[dict[str, str]] | None = None
    new_requirement: dict[str, str] = field(
        default_factory=lambda: {
            "card_set_id": "",
            "assign_days_before": "21",
            "due_days_before": "2",
        }
    )
    requirement_errors: dict[str, str] = field(default_factory=dict)
    override: dict[str, str] = field(
        default_factory=lambda: {"shift_id": "", "person_id": "", "start": "", "end": ""}
    )
    override_errors: dict[str, str] = field(default_factory=dict)
    rebalance_from: str = ""
    rebalance_error: str = ""
    page_error: str = ""


def _override_choices(
    session: Session, *, rotation: Rotation, now: datetime, chosen: int | None
) -> list[Shift]:
    """The shift under way and the next ones, plus the chosen one if it is further ahead."""
    choices = rotation_service.on_call(session, rotation=rotation, at=now) + (
        overview.upcoming_shifts(session, rotation=rotation, after=now, limit=OVERRIDE_CHOICES)
    )
    if chosen is not None and chosen not in {shift.id for shift in choices}:
        extra = shift_rows.by_id(session, [chosen]).values()
        choices += [
            s for s in extra if s.rotation_id == rotation.id and s.end > now and not s.cancelled_at
        ]
    return choices


def _requirement_rows(session: Session, *, rotation: Rotation) -> list[dict[str, str]]:
    """The requirements form's rows as saved."""
    return [
        {
            "card_set_id": str(view.requirement.card_set_id),
            "name": view.card_set_name,
            "assign_days_before": str(view.requirement.assign_days_before),
            "due_days_before": str(view.requirement.due_days_before),
        }
        for view in requirements.list_requirements(session, rotation=rotation)
    ]


def manage_page(
    visit: PageVisit,
    *,
    rotation: Rotation,
    state: ManageState | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the manage page (also after a refused change, with the input kept)."""
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    state = state or ManageState()
    roster = members.list_members(session, rotation=rotation)
    in_roster = {member.person_id for member in roster}
    active = people.list_people(session, include_inactive=False)
    if not state.rebalance_from:
        state.rebalance_from = now.astimezone(ZoneInfo(rotation.timezone)).date().isoformat()
    chosen = parse_id(state.override.get("shift_id", ""))
    context = {
        "viewer": viewer,
        "rotation": rotation,
        "cadence": timeline.describe(
            generation.cadence_of(rotation),
            people_per_shift=rotation.people_per_shift,
            locale=request_locale(request),
        ),
        "state": state,
        "values": state.settings or rotation_forms.values_of(rotation),
        "roster": roster,
        "shadow_shifts_done": stages.shadow_shifts_done(
            session,
            rotation_id=rotation.id,
            person_ids=[m.person_id for m in roster if m.stage == "shadow"],
            now=now,
        ),
        "candidates": [p for p in active if p.id not in in_roster],
        "manager_choices": active,
        "requirement_rows": state.requirement_rows
        if state.requirement_rows is not None
        else _requirement_rows(session, rotation=rotation),
        "card_sets": card_sets.list_card_sets(session),
        "override_shifts": _override_choices(session, rotation=rotation, now=now, chosen=chosen),
        "swaps": overview.rotation_swaps(session, rotation=rotation, now=now),
        "now": now,
    }
    return render(request, "rotation_manage.html", context, status_code=status_code)


def refused_page(
    visit: PageVisit,
    *,
    slug: str,
    exc: DomainError | FormInvalid,
    state: ManageState,
) -> HTMLResponse:
    """The manage page after a refused change: nothing written, the input kept and the
    problem shown next to the form it came from."""
    status_code = roll_back_refused(visit.session, exc)
    rotation = rotation_or_404(visit.session, slug)
    return manage_page(visit, rotation=rotation, state=state, status_code=status_code)


def manageable(session: Session, *, viewer: Person, slug: str) -> Rotation:
    """The rotation, if ``viewer`` manages it: 404 and 403 pages otherwise."""
    rotation = rotation_or_404(session, slug)
    require_rotation_manager(session, viewer=viewer, rotation=rotation)
    return rotation


@router.get("/rotations/{slug}/manage", response_class=HTMLResponse)
def manage_view(slug: str, visit: ViewerVisit, shift: str = "") -> Response:
    rotation = rotation_or_moved(visit.session, slug, visit.request)
    if isinstance(rotation, Response):
        return rotation
    require_rotation_manager(visit.session, viewer=visit.viewer, rotation=rotation)
    state = ManageState()
    if shift:
        state.override["shift_id"] = str(required_id(shift, name="shift"))
    return manage_page(visit, rotation=rotation, state=state)


@router.post("/rotations/{slug}/manage/settings", response_model=None)
def save_settings(slug: str, post: ViewerPost, form: Annotated[RotationForm, Form()]) -> Response:
    rotation = manageable(post.session, viewer=post.viewer, slug=slug)
    values = form.model_dump()
    try:
        data = rotation_forms.check_settings(post.session, form=form)
        if post.text("action", "save") == "preview":
            # Nothing is written: the handoffs come from the pure cadence arithmetic.
            state = _preview(
                post.session, rotation=rotation, data=data, values=values, now=post.now
            )
            return manage_page(post, rotation=rotation, state=state)
        regenerates = rotation_forms.changes_cadence(data, rotation=rotation)
        rotation_service.update_rotation(
            post.session, rotation=rotation, data=data, now=post.now, actor=post.viewer
        )
    except (FormInvalid, Conflict, Invalid) as exc:
        status_code = roll_back_refused(post.session, exc)
        rotation = rotation_or_404(post.session, slug)
        errors = _settings_errors(exc, values, rotation)
        state = ManageState(settings=values, settings_errors=errors)
        return manage_page(post, rotation=rotation, state=state, status_code=status_code)
    message = gettext(post.request, "Saved the settings of “%(name)s”.", name=rotation.name)
    if regenerates:
        message += " " + gettext(
            post.request, "The cadence changed: the shifts ahead were planned again."
        )
    flash(post.request, message)
    return RedirectResponse(f"/rotations/{rotation.slug}/manage#settings", status_code=303)


def _preview(
    session: Session,
    *,
    rotation: Rotation,
    data: RotationUpdate,
    values: dict[str, str],
    now: datetime,
) -> ManageState:
    """The settings as typed with the handoffs they would give; nothing is saved."""
    return ManageState(
        settings=values,
        preview=overview.preview(
            session,
            rotation=rotation,
            cadence=rotation_forms.cadence_of(data, rotation=rotation),
            now=now,
            count=PREVIEW_COUNT,
        ),
        preview_changes=rotation_forms.changes_cadence(data, rotation=rotation),
        preview_people=what_if.people_ahead(
            session, rotation=rotation, data=data, now=now, count=PREVIEW_COUNT
        ),
    )


def _settings_errors(
    exc: FormInvalid | Conflict | Invalid, values: dict[str, str], rotation: Rotation
) -> dict[str, str]:
    """What the settings form says about a refused save (``values`` may get a new version)."""
    if isinstance(exc, FormInvalid):
        return exc.errors
    if isinstance(exc, Conflict) and values["version"] != str(rotation.version):
        # Keep what they typed, but against the newer version, so saving again wins
        # knowingly rather than silently undoing the other change.
        values["version"] = str(rotation.version)
        return {
            "form": "Someone else saved this rotation while you were editing: it is now at "
            f"version {rotation.version}. Your input is kept below; check it against the "
            "current settings and save again."
        }
    return {"form": exc.detail}
