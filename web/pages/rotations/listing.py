"""The rotations list: cadence in words, who is on now, the next handoff; admins add rotations.

The rotation page, its manage page and the time-off page live in their own modules; their
routes are part of this router, so the app includes them all with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import people
from core.errors import Conflict, Invalid
from core.models import Person
from rotation import duty, generation, overview, timeline
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from web.pages.helpers import (
    FormInvalid,
    ManagerPost,
    PageVisit,
    ViewerVisit,
    form_refused,
)
from web.pages.pager import PageNumber, fetch_page_of
from web.pages.rotations import forms as rotation_forms
from web.pages.rotations.forms import RotationForm
from web.templating import flash, gettext, render, request_locale

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class RotationRow:
    rotation: Rotation
    cadence: str
    on_call: list[Shift]
    next_handoff: datetime | None


def _rows(
    session: Session, rotations: list[Rotation], *, now: datetime, locale: str
) -> list[RotationRow]:
    """``rotations`` with who is on and the next handoff: three queries, whatever the count."""
    if not rotations:
        return []
    ids = [rotation.id for rotation in rotations]
    on_call = overview.on_call_by_rotation(session, rotation_ids=ids, at=now)
    on_call = duty.on_duty_by_rotation(session, rotations=rotations, on_call=on_call, at=now)
    handoffs = overview.next_handoffs(session, rotation_ids=ids, after=now)
    return [
        RotationRow(
            rotation=rotation,
            cadence=timeline.describe(
                generation.cadence_of(rotation),
                people_per_shift=rotation.people_per_shift,
                locale=locale,
            ),
            on_call=on_call.get(rotation.id, []),
            next_handoff=handoffs.get(rotation.id),
        )
        for rotation in rotations
    ]


# The manager picker lists at most this many people (by name); any address can be typed.
MANAGER_CHOICES = 1_000


def new_rotation_values(viewer: Person, *, now: datetime) -> dict[str, str]:
    """An empty new-rotation form starting today, on the viewer's clock."""
    today = now.astimezone(ZoneInfo(viewer.timezone)).date()
    return RotationForm(
        timezone=viewer.timezone, start_date=today.isoformat(), managers=viewer.email
    ).model_dump()


def _list_page(
    visit: PageVisit,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    request, session, viewer, now = visit.request, visit.session, visit.viewer, visit.now
    # Only the rows shown are read and worked out: one page of live rotations, and the
    # archived ones.
    live, pager = fetch_page_of(
        request,
        page=page,
        count=partial(rotation_service.count_rotations, session, archived=False),
        fetch=lambda limit, offset: rotation_service.list_rotations(
            session, archived=False, limit=limit, offset=offset
        ),
    )
    archived = rotation_service.list_rotations(session, archived=True)
    # Admins and managers create rotations; the page's viewer check knows who manages.
    can_create = viewer.is_admin or bool(getattr(request.state, "viewer_manages", False))
    return render(
        request,
        "rotations.html",
        {
            "viewer": viewer,
            "rows": _rows(session, live, now=now, locale=request_locale(request)),
            "pager": pager,
            "archived": _rows(session, archived, now=now, locale=request_locale(request)),
            "values": values or new_rotation_values(viewer, now=now),
            "can_create": can_create,
            "errors": errors or {},
            "manager_choices": people.list_people(
                session, include_inactive=False, limit=MANAGER_CHOICES
            )
            if can_create
            else [],
        },
        status_code=status_code,
    )


@router.get("/rotations", response_class=HTMLResponse)
def rotations_page(visit: ViewerVisit, page: PageNumber = 1) -> HTMLResponse:
    return _list_page(visit, page=page)


@router.post("/rotations", response_model=None)
def create_rotation(post: ManagerPost, form: Annotated[RotationForm, Form()]) -> Response:
    try:
        data = rotation_forms.check_new(post.session, form=form)
        if not post.viewer.is_admin and post.viewer.id not in data.manager_ids:
            # A manager who creates a rotation manages it; only admins make ones for others.
            data = data.model_copy(update={"manager_ids": [*data.manager_ids, post.viewer.id]})
        rotation = rotation_service.create_rotation(
            post.session, data=data, now=post.now, actor=post.viewer
        )
    except (FormInvalid, Conflict, Invalid) as exc:
        page = partial(_list_page, post, values=form.model_dump())
        return form_refused(post.session, exc, conflict_field="slug", page=page)
    flash(
        post.request,
        gettext(
            post.request,
            "Created “%(name)s”. Add its members below: its shifts fill as they join.",
            name=rotation.name,
        ),
    )
    return RedirectResponse(f"/rotations/{rotation.slug}/manage#members", status_code=303)
