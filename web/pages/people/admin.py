"""Admin pages: people (list, add, deactivate, CSV import) and the audit log."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, BackgroundTasks, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core import people
from core.errors import Conflict, Invalid
from core.people_import import ImportRejected
from core.schemas import PersonCreate, PersonUpdate
from flows import bulk_import
from web.deps import SettingsDep
from web.pages.helpers import (
    AdminPost,
    AdminVisit,
    FormInvalid,
    PageVisit,
    PersonId,
    checked,
    form_refused,
    person_or_404,
    sentence,
)
from web.pages.pager import PageNumber, fetch_page_of
from web.pages.people.invitations import invite_and_flash
from web.templating import flash, gettext, render

router = APIRouter(include_in_schema=False)

EMPTY_PERSON = {"email": "", "name": "", "timezone": "UTC", "team": "", "is_admin": False}


def _people_page(
    visit: PageVisit,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    import_errors: list[dict[str, object]] | None = None,
    csv_text: str = "",
    edit_error: tuple[int, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> HTMLResponse:
    session = visit.session
    shown, pager = fetch_page_of(
        visit.request,
        page=page,
        count=lambda: people.count_people(session),
        fetch=lambda limit, offset: people.list_people(session, limit=limit, offset=offset),
    )
    return render(
        visit.request,
        "people.html",
        {
            "viewer": visit.viewer,
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
def people_page(visit: AdminVisit, page: PageNumber = 1) -> HTMLResponse:
    return _people_page(visit, page=page)


@router.post("/people", response_model=None)
def add_person(post: AdminPost, background: BackgroundTasks, settings: SettingsDep) -> Response:
    values: dict[str, object] = {
        **post.texts("email", "name", "team"),
        "timezone": post.text("timezone", "UTC"),
        "is_admin": post.ticked("is_admin"),
    }
    try:
        data = checked(PersonCreate, {**values, "team": values["team"] or None})
        person = people.create_person(post.session, data=data, now=post.now, actor=post.viewer)
    except (FormInvalid, Conflict) as exc:
        page = partial(_people_page, post, values=values)
        return form_refused(post.session, exc, conflict_field="email", page=page)
    flash(
        post.request,
        gettext(post.request, "Added %(name)s (%(email)s).", name=person.name, email=person.email),
    )
    if post.ticked("invite"):
        invite_and_flash(post, background, settings=settings, person=person)
    return RedirectResponse("/people", status_code=303)


@router.post("/people/{person_id}/edit", response_model=None)
def edit_person(post: AdminPost, person_id: PersonId) -> Response:
    """An admin changes someone's team, timezone and role."""
    team, timezone, is_admin = post.text("team"), post.text("timezone"), post.ticked("is_admin")
    person = person_or_404(post.session, person_id)

    def refused(message: str) -> HTMLResponse:
        return _people_page(
            post,
            edit_error=(person_id, message),
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    if person.id == post.viewer.id and not is_admin:
        return refused("You cannot take away your own admin role; ask another admin.")
    try:
        data = checked(PersonUpdate, {"team": team.strip() or None, "timezone": timezone.strip(),
                                      "is_admin": is_admin})  # fmt: skip
    except FormInvalid as exc:
        return refused(" ".join(sentence(m) for m in exc.errors.values()))
    people.update_person(post.session, person=person, data=data, now=post.now, actor=post.viewer)
    flash(
        post.request,
        gettext(post.request, "Saved %(name)s's team, timezone and role.", name=person.name),
    )
    return RedirectResponse(f"/people#person-{person.id}", status_code=303)


@router.post("/people/{person_id}/deactivate", response_model=None)
def deactivate(post: AdminPost, person_id: PersonId) -> Response:
    from flows.lifecycle import deactivate_person

    person = person_or_404(post.session, person_id)
    if person.id == post.viewer.id:
        flash(post.request, gettext(post.request, "You cannot deactivate yourself."), "error")
        return RedirectResponse("/people", status_code=303)
    deactivate_person(post.session, person=person, now=post.now, actor=post.viewer)
    flash(
        post.request,
        gettext(
            post.request,
            "Deactivated %(name)s; their future shifts were reassigned.",
            name=person.name,
        ),
    )
    return RedirectResponse("/people", status_code=303)


@router.post("/people/import", response_model=None)
def import_people(post: AdminPost, background: BackgroundTasks, settings: SettingsDep) -> Response:
    csv_text = post.text("csv_text")
    try:
        post.session.commit()
        rows = bulk_import.check_people(post.session, text=csv_text)
        result = bulk_import.write(post.session, rows, now=post.now, actor=post.viewer)
    except ImportRejected as exc:
        return _people_page(
            post,
            import_errors=[{"line": e.line, "message": e.message} for e in exc.errors],
            csv_text=csv_text,
            status_code=422,
        )
    except Invalid as exc:
        flash(post.request, exc.detail, "error")
        return RedirectResponse("/people", status_code=303)
    flash(
        post.request,
        gettext(
            post.request,
            "Imported: %(created)s created, %(updated)s updated.",
            created=result.created,
            updated=result.updated,
        ),
    )
    if post.ticked("invite"):
        for person in people.find_by_ids(post.session, person_ids=result.created_ids).values():
            invite_and_flash(post, background, settings=settings, person=person)
    return RedirectResponse("/people", status_code=303)
