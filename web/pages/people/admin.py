"""Admin pages: people (list, add, deactivate, CSV import) and the audit log."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from core import people, people_import
from core.errors import Conflict, Invalid
from core.models import Person
from core.people_import import ImportRejected
from core.schemas import PersonCreate, PersonUpdate
from web.deps import NowDep, SessionDep, SettingsDep
from web.pages.helpers import (
    AdminViewer,
    FormInvalid,
    PersonId,
    checked,
    form_refused,
    person_or_404,
    sentence,
    verify_csrf,
)
from web.pages.pager import PageNumber, fetch_page_of
from web.pages.people.invitations import invite_and_flash
from web.templating import flash, render

router = APIRouter(include_in_schema=False)

EMPTY_PERSON = {"email": "", "name": "", "timezone": "UTC", "team": "", "is_admin": False}


def _people_page(
    request: Request,
    session: Session,
    viewer: Person,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    import_errors: list[dict[str, object]] | None = None,
    csv_text: str = "",
    edit_error: tuple[int, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    shown, pager = fetch_page_of(
        request,
        page=page,
        count=lambda: people.count_people(session),
        fetch=lambda limit, offset: people.list_people(session, limit=limit, offset=offset),
    )
    return render(
        request,
        "people.html",
        {
            "viewer": viewer,
            "people": shown,
            "pager": pager,
            "values": values or EMPTY_PERSON,
            "errors": errors or {},
            "import_errors": import_errors or [],
            "csv_text": csv_text,
            # (person id, message): shown in that person's edit form, which stays open.
            "edit_error": edit_error,
        },
        status_code=status_code,
    )


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request, session: SessionDep, viewer: AdminViewer, page: PageNumber = 1
) -> HTMLResponse:
    return _people_page(request, session, viewer, page=page)


@router.post("/people", response_model=None, dependencies=[Depends(verify_csrf)])
def add_person(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    viewer: AdminViewer,
    now: NowDep,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "UTC",
    team: Annotated[str, Form()] = "",
    is_admin: Annotated[bool, Form()] = False,
    invite: Annotated[bool, Form()] = False,
) -> Response:
    values: dict[str, object] = {
        "email": email, "name": name, "timezone": timezone, "team": team, "is_admin": is_admin
    }  # fmt: skip
    try:
        data = checked(PersonCreate, {**values, "team": team or None})
        person = people.create_person(session, data=data, now=now, actor=viewer)
    except (FormInvalid, Conflict) as exc:
        page = partial(_people_page, request, session, viewer, values=values)
        return form_refused(session, exc, conflict_field="email", page=page)
    flash(request, f"Added {person.name} ({person.email}).")
    if invite:
        invite_and_flash(
            request, background, session, settings=settings, person=person, viewer=viewer, now=now
        )
    return RedirectResponse("/people", status_code=303)


@router.post("/people/{person_id}/edit", response_model=None, dependencies=[Depends(verify_csrf)])
def edit_person(
    request: Request,
    person_id: PersonId,
    session: SessionDep,
    viewer: AdminViewer,
    now: NowDep,
    team: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    is_admin: Annotated[bool, Form()] = False,
) -> Response:
    """An admin changes someone's team, timezone and role."""
    person = person_or_404(session, person_id)

    def refused(message: str) -> HTMLResponse:
        return _people_page(
            request, session, viewer, edit_error=(person_id, message),
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )  # fmt: skip

    if person.id == viewer.id and not is_admin:
        return refused("You cannot take away your own admin role; ask another admin.")
    try:
        data = checked(PersonUpdate, {"team": team.strip() or None, "timezone": timezone.strip(),
                                      "is_admin": is_admin})  # fmt: skip
    except FormInvalid as exc:
        return refused(" ".join(sentence(m) for m in exc.errors.values()))
    people.update_person(session, person=person, data=data, now=now, actor=viewer)
    flash(request, f"Saved {person.name}'s team, timezone and role.")
    return RedirectResponse(f"/people#person-{person.id}", status_code=303)


@router.post(
    "/people/{person_id}/deactivate", response_model=None, dependencies=[Depends(verify_csrf)]
)
def deactivate(
    request: Request, person_id: PersonId, session: SessionDep, viewer: AdminViewer, now: NowDep
) -> Response:
    from flows.lifecycle import deactivate_person

    person = person_or_404(session, person_id)
    if person.id == viewer.id:
        flash(request, "You cannot deactivate yourself.", "error")
        return RedirectResponse("/people", status_code=303)
    deactivate_person(session, person=person, now=now, actor=viewer)
    flash(request, f"Deactivated {person.name}; their future shifts were reassigned.")
    return RedirectResponse("/people", status_code=303)


@router.post("/people/import", response_model=None, dependencies=[Depends(verify_csrf)])
def import_people(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    viewer: AdminViewer,
    now: NowDep,
    csv_text: Annotated[str, Form()] = "",
    invite: Annotated[bool, Form()] = False,
) -> Response:
    try:
        result = people_import.import_people_csv(session, text=csv_text, now=now, actor=viewer)
    except ImportRejected as exc:
        return _people_page(
            request,
            session,
            viewer,
            import_errors=[{"line": e.line, "message": e.message} for e in exc.errors],
            csv_text=csv_text,
            status_code=422,
        )
    except Invalid as exc:
        flash(request, exc.detail, "error")
        return RedirectResponse("/people", status_code=303)
    flash(request, f"Imported: {result.created} created, {result.updated} updated.")
    if invite:
        for person in people.find_by_ids(session, person_ids=result.created_ids).values():
            invite_and_flash(
                request,
                background,
                session,
                settings=settings,
                person=person,
                viewer=viewer,
                now=now,
            )
    return RedirectResponse("/people", status_code=303)
