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

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import people
from core.errors import Conflict, Invalid
from core.models import Person
from rotation import duty, generation, overview, timeline
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from web.deps import NowDep, SessionDep
from web.pages.helpers import (
    FormInvalid,
    ManagerPost,
    Viewer,
    form_refused,
)
from web.pages.pager import PageNumber, page_of
from web.pages.rotations import forms as rotation_forms
from web.pages.rotations.forms import RotationForm
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class RotationRow:
    rotation: Rotation
    cadence: str
    on_call: list[Shift]
    next_handoff: datetime | None


def _rows(session: Session, *, now: datetime) -> list[RotationRow]:
    """Every rotation with who is on and the next handoff: four queries, whatever the count."""
    rotations = rotation_service.list_rotations(session)
    on_call = overview.on_call_by_rotation(session, rotation_ids=None, at=now)
    on_call = duty.on_duty_by_rotation(session, rotations=rotations, on_call=on_call, at=now)
    handoffs = overview.next_handoffs(session, rotation_ids=None, after=now)
    return [
        RotationRow(
            rotation=rotation,
            cadence=timeline.describe(
                generation.cadence_of(rotation), people_per_shift=rotation.people_per_shift
            ),
            on_call=on_call.get(rotation.id, []),
            next_handoff=handoffs.get(rotation.id),
        )
        for rotation in rotations
    ]


def new_rotation_values(viewer: Person, *, now: datetime) -> dict[str, str]:
    """An empty new-rotation form starting today, on the viewer's clock."""
    today = now.astimezone(ZoneInfo(viewer.timezone)).date()
    return RotationForm(
        timezone=viewer.timezone, start_date=today.isoformat(), managers=viewer.email
    ).model_dump()


def _list_page(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    now: datetime,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    rows = _rows(session, now=now)
    live, pager = page_of(request, [row for row in rows if not row.rotation.archived], page=page)
    return render(
        request,
        "rotations.html",
        {
            "viewer": viewer,
            "rows": live,
            "pager": pager,
            "archived": [row for row in rows if row.rotation.archived],
            "values": values or new_rotation_values(viewer, now=now),
            # Admins and managers create rotations; the page's viewer check knows who manages.
            "can_create": viewer.is_admin or bool(getattr(request.state, "viewer_manages", False)),
            "errors": errors or {},
            "manager_choices": people.list_people(session, include_inactive=False),
        },
        status_code=status_code,
    )


@router.get("/rotations", response_class=HTMLResponse)
def rotations_page(
    request: Request, session: SessionDep, viewer: Viewer, now: NowDep, page: PageNumber = 1
) -> HTMLResponse:
    return _list_page(request, session, viewer, now=now, page=page)


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
        page = partial(
            _list_page,
            post.request,
            post.session,
            post.viewer,
            now=post.now,
            values=form.model_dump(),
        )
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
